import { describe, expect, it } from 'vitest';
import { eventTypes, type RefundGuardEvent } from '../events/index.js';
import { decisionInputFor, decisionPointOf } from './decision-points-of-events.js';

describe('decisionPointOf', () => {
  it('names the point of decisionInputFor for every event type', () => {
    const base = { eventId: 'e1', at: '2027-01-03T10:00:00Z', accountId: 'a1', merchantId: 'm1', orderId: 'o1', amount: 10, refund: { type: 'fast_refund', reason: 'x' } };
    for (const type of eventTypes) {
      const event = { ...base, type } as unknown as RefundGuardEvent;
      expect(decisionPointOf(event)).toBe(decisionInputFor(event)?.point);
    }
  });
});
