import type { EventType } from '../../engine/events/index.js';
import { eventTypes } from '../../engine/events/index.js';
import type { Role } from './tokens.js';

/**
 * What each role may do beyond the routes it is named on: the one table the server checks and the
 * docs list. Routes name their roles in their definitions; admin passes every role check.
 *
 * Events carrying an appraiser's or admin's judgement are not the calling service's to make: the
 * server's own workflows record them (appraisal, resolution, PUT /v1/merchants), and a history
 * import posts them with the backfill role (or admin).
 */
const facts: readonly Role[] = ['service', 'backfill', 'admin'];
const judgements: readonly Role[] = ['backfill', 'admin'];

/** Roles that may post each event type through POST /v1/events. */
export const eventPosters: Readonly<Record<EventType, readonly Role[]>> = {
  'order.placed': facts,
  'refund.requested': facts,
  'refund.completed': facts,
  'return.received': facts,
  'intervention.requested': facts,
  'evidence.reported': facts,
  'complaint.filed': facts,
  'evidence.appraised': judgements,
  'complaint.resolved': judgements,
  'merchant.updated': judgements,
};

export const judgementEventTypes: readonly EventType[] = eventTypes.filter((type) => !eventPosters[type].includes('service'));

/**
 * Roles that may set the clock of what they send (a decision's occurredAt, event times) to any
 * instant: replays and history imports need it. Every other role is held to the server's clock.
 */
export const clockFreeRoles: readonly Role[] = ['backfill', 'admin'];

export function mayPostEvent(role: Role, type: EventType): boolean {
  return eventPosters[type].includes(role);
}

export function mayChooseClock(role: Role): boolean {
  return clockFreeRoles.includes(role);
}

/** How far from the server clock a clock-bound caller's times may be. */
export interface ClockLimits {
  /** A decision's occurredAt, either side of now. */
  decisionSkewMs: number;
  /** How far ahead of now an event may be dated. */
  eventAheadMs: number;
  /** How far behind now an event may be dated (late deliveries, retries after an outage). */
  eventBehindMs: number;
}

export const defaultClockLimits: Readonly<ClockLimits> = Object.freeze({
  decisionSkewMs: 5 * 60_000,
  eventAheadMs: 86_400_000,
  eventBehindMs: 30 * 86_400_000,
});
