import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../engine/events/index.js';
import { readEventLine } from './read-event.js';

const order = { eventId: 'e1', type: 'order.placed', at: '2027-01-01T00:00:29Z', accountId: 'a1', merchantId: 'm1', orderId: 'o1', amount: 27.24, category: 'home', deviceId: 'd1', addressId: 'h1', quantity: 1 };
const refund = { eventId: 'e2', type: 'refund.requested', at: '2027-01-02T04:26:05Z', accountId: 'a1', merchantId: 'm1', orderId: 'o1', amount: 8.5, refund: { type: 'refund_only', reason: 'not_received', amount: 8.5 }, label: 'abuse' };

/** What reading a line must give: exactly JSON.parse and validateEvent's verdict. */
function expected(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const checked = validateEvent(value, 1);
  return checked.ok ? checked.event : 'bad';
}

describe('readEventLine', () => {
  it('reads compact lines, well-formed or not, as JSON.parse and the validator do', () => {
    const values = fc.oneof(fc.constantFrom('', 'x', 'a b', 'refund_only', '2027-13-01T00:00:00Z', 'order.placed', 'refund.requested'), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
    const line = fc
      .tuple(fc.constantFrom(order, refund), fc.dictionary(fc.constantFrom('eventId', 'type', 'at', 'amount', 'quantity', 'label', 'extra', 'deviceId'), values, { maxKeys: 2 }), fc.boolean())
      .map(([base, changes, spaced]) => JSON.stringify({ ...base, ...changes }, null, spaced ? 1 : undefined).replace(/\n/g, ''));
    // Many lines share a key sequence: readEventLine checks those by position.
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (lines) => {
        for (const text of lines) {
          const read = readEventLine(text, 1);
          const want = expected(text);
          if (typeof want === 'string') expect(typeof read).toBe('string');
          else expect(read).toEqual(want);
        }
      }),
      { numRuns: 500 },
    );
  });
});
