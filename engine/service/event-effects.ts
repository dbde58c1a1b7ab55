import { atMs, type RefundGuardEvent } from '../events/index.js';
import type { OrderMark } from '../state/orders.js';
import type { RestrictionTrigger } from '../state/restrictions.js';
import type { MerchantUpdate } from '../state/stores.js';

/**
 * What an event changes besides account features. The server's /v1/events, its workflow
 * endpoints and the simulator all apply events through this, so a history replayed through
 * any of them rebuilds the same state.
 */
export type EventEffect =
  | { kind: 'merchant'; merchantId: string; update: MerchantUpdate; at: string }
  | { kind: 'mark'; accountId: string; orderId: string; mark: OrderMark; at: number }
  | { kind: 'review'; accountId: string; merchantId: string; at: number; trigger: RestrictionTrigger; subject: Record<string, unknown> };

/** Shared by every event without effects (most of them): callers only read the list. */
const NO_EFFECTS: readonly EventEffect[] = Object.freeze([]);

export function effectsOf(event: RefundGuardEvent): readonly EventEffect[] {
  switch (event.type) {
    case 'merchant.updated':
      return [{
        kind: 'merchant',
        merchantId: event.merchantId,
        update: {
          settings: { ...event.settings },
          cohorts: [...event.cohorts],
          ...(event.category !== undefined ? { category: event.category } : {}),
        },
        at: event.at,
      }];
    case 'evidence.reported':
      return event.orderId === undefined ? NO_EFFECTS : [{ kind: 'mark', accountId: event.accountId, orderId: event.orderId, mark: 'reportedAt', at: atMs(event) }];
    case 'evidence.appraised': {
      const at = atMs(event);
      if (event.verdict !== 'forged') return appraisalMark(event, 'genuineAt', at);
      return [
        ...appraisalMark(event, 'forgedAt', at),
        {
          kind: 'review', accountId: event.accountId, merchantId: event.merchantId, at,
          trigger: { type: 'evidence', id: event.reportId, eventId: event.eventId, ...(event.orderId !== undefined ? { orderId: event.orderId } : {}) },
          subject: { evidence: { reportId: event.reportId, verdict: event.verdict } },
        },
      ];
    }
    case 'complaint.resolved':
      if (event.outcome !== 'upheld') return NO_EFFECTS;
      return [{
        kind: 'review', accountId: event.accountId, merchantId: event.merchantId, at: atMs(event),
        trigger: { type: 'complaint', id: event.complaintId, eventId: event.eventId, ...(event.orderId !== undefined ? { orderId: event.orderId } : {}) },
        subject: { complaint: { id: event.complaintId } },
      }];
    default:
      return NO_EFFECTS;
  }
}

/**
 * The order mark of an appraisal (none without an order). A function of its own, not a closure in
 * effectsOf: a closure over the event would make every call of effectsOf, for every event, allocate
 * a context for it.
 */
function appraisalMark(event: Extract<RefundGuardEvent, { type: 'evidence.appraised' }>, mark: OrderMark, at: number): EventEffect[] {
  return event.orderId === undefined ? [] : [{ kind: 'mark', accountId: event.accountId, orderId: event.orderId, mark, at }];
}
