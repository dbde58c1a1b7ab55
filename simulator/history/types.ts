/** Public shapes of the history generator. */
import { eventTypes, type EventType } from '../../engine/events/index.js';

export interface HistoryOptions {
  /** Exactly this many `order.placed` events are written. */
  orders: number;
  /** Same seed → byte-identical output. Numbers and their decimal string are the same seed. */
  seed?: number | string;
  /** First day (ISO date, midnight UTC) or full ISO timestamp. Default 2027-01-01. */
  start?: string;
  /** Orders are spread over this many days; follow-ups may trail past the end. Default 120. */
  days?: number;
  /** Number of merchants. Default scales with orders (one per 400 orders, 10–2,000). */
  merchants?: number;
}

export interface GenerationSummary {
  events: number;
  orders: number;
  refunds: number;
  abuseRefunds: number;
  byType: Record<string, number>;
  /** Accounts that placed at least one order. */
  accounts: number;
  merchants: number;
  durationMs: number;
}

/** Event types in a fixed order (the engine's); the generator refers to them by index. */
export const EVENT_TYPES = eventTypes;

export type { EventType };

/** Index of each type in EVENT_TYPES, named for readability at the call sites. */
export const T = {
  merchantUpdated: 0,
  orderPlaced: 1,
  refundRequested: 2,
  refundCompleted: 3,
  returnReceived: 4,
  interventionRequested: 5,
  evidenceReported: 6,
  evidenceAppraised: 7,
  complaintFiled: 8,
  complaintResolved: 9,
} as const;

/** Where generated events go: now (already in time order) or later (queued by time). */
export interface Scheduler {
  schedule(time: number, type: number, body: string): void;
}
