import { describe, expect, it } from 'vitest';
import { eventTypes, type RefundGuardEvent } from '../events/index.js';
import { ReusedDecisionInputs, decisionInputFor, decisionPointOf } from './decision-points-of-events.js';

describe('decisionPointOf', () => {
  it('names the point of decisionInputFor for every event type', () => {
    const base = { eventId: 'e1', at: '2027-01-03T10:00:00Z', accountId: 'a1', merchantId: 'm1', orderId: 'o1', amount: 10, refund: { type: 'fast_refund', reason: 'x' } };
    for (const type of eventTypes) {
      const event = { ...base, type } as unknown as RefundGuardEvent;
      expect(decisionPointOf(event)).toBe(decisionInputFor(event)?.point);
    }
  });
});

describe('ReusedDecisionInputs', () => {
  it('gives every event of a history the input decisionInputFor gives it, orders with and without their optional fields included', async () => {
    const { generateHistory } = await import('../../simulator/history/index.js');
    const events: RefundGuardEvent[] = [];
    generateHistory({ orders: 2000, seed: 'inputs' }, (line) => void events.push(JSON.parse(line) as RefundGuardEvent));
    // Orders without quantity and category, after orders with them: the reused input must not keep the last ones.
    const bare = events.filter((e) => e.type === 'order.placed').slice(0, 50).map((e) => ({ ...e, eventId: `${e.eventId}-bare`, quantity: undefined, category: undefined }) as RefundGuardEvent);
    const reused = new ReusedDecisionInputs();
    let checkouts = 0;
    for (const event of [...events, ...bare]) {
      const expected = decisionInputFor(event);
      const got = reused.of(event);
      if (got?.point === 'order.checkout') checkouts++;
      expect(got, event.eventId).toEqual(expected);
    }
    expect(checkouts).toBe(2050);
  });
});
