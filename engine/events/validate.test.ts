import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { atMs, eventSchemas, eventTypes, plainlyValidValues, validateEvent, validateEventBatch, validateWithSchema } from './index.js';

const common = { eventId: 'e1', at: '2027-01-03T10:00:00Z', merchantId: 'm1' };
const account = { ...common, accountId: 'a1' };
const examples: Record<string, Record<string, unknown>> = {
  'merchant.updated': { ...common, type: 'merchant.updated', settings: { interceptAbnormalRefunds: true, oneClickReject: false }, cohorts: ['pilot-2027q1'] },
  'order.placed': { ...account, type: 'order.placed', orderId: 'o1', amount: 129.0, category: 'apparel', deviceId: 'd1', addressId: 'h1' },
  'refund.requested': { ...account, type: 'refund.requested', orderId: 'o1', amount: 129, refund: { type: 'fast_refund', reason: 'not_as_described' }, label: 'abuse' },
  'refund.completed': { ...account, type: 'refund.completed', orderId: 'o1', amount: 129 },
  'return.received': { ...account, type: 'return.received', orderId: 'o1' },
  'intervention.requested': { ...account, type: 'intervention.requested', orderId: 'o1' },
  'evidence.reported': { ...account, type: 'evidence.reported', reportId: 'r1', orderId: 'o1', reason: 'picture copied from the web', evidence: [{ kind: 'photo', sha256: 'ab'.repeat(32), url: 'https://x/1.jpg' }] },
  'evidence.appraised': { ...account, type: 'evidence.appraised', reportId: 'r1', verdict: 'forged' },
  'complaint.filed': { ...account, type: 'complaint.filed', complaintId: 'c1', orderId: 'o1', kind: 'empty_package' },
  'complaint.resolved': { ...account, type: 'complaint.resolved', complaintId: 'c1', outcome: 'upheld' },
};

describe('validateEvent', () => {
  it.each(eventTypes.map((t) => [t]))('accepts a valid %s event', (type) => {
    const result = validateEvent(examples[type]);
    expect(result).toEqual({ ok: true, event: examples[type] });
  });

  it('has a JSON Schema for every event type', () => {
    expect(Object.keys(eventSchemas).sort()).toEqual([...eventTypes].sort());
  });

  it('reports a wrong field type with its path', () => {
    const result = validateEvent({ ...examples['order.placed'], amount: '129' });
    expect(result).toEqual({ ok: false, problems: [{ index: 0, path: '/amount', message: 'must be number' }] });
  });

  it('reports every problem of an event, not only the first', () => {
    const result = validateEvent({ ...examples['refund.requested'], refund: { type: 'instant', reason: 'x' }, amount: -1, extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path).sort()).toEqual(['/amount', '/extra', '/refund/type']);
    expect(result.problems.find((p) => p.path === '/refund/type')?.message).toBe('must be one of: fast_refund, refund_only, return_refund');
  });

  it('refuses bad ids: empty, too long, or with other characters', () => {
    for (const eventId of ['', 'x'.repeat(129), 'a b', 'a/b', 'é']) {
      const result = validateEvent({ ...examples['return.received'], eventId });
      expect(result.ok ? [] : result.problems).toEqual([{ index: 0, path: '/eventId', message: 'must be an id: 1-128 characters of A-Z a-z 0-9 . _ : -' }]);
    }
    expect(validateEvent({ ...examples['return.received'], eventId: 'x'.repeat(128) }).ok).toBe(true);
  });

  it('refuses an unknown type and a missing account', () => {
    expect(validateEvent({ ...account, type: 'order.cancelled' })).toMatchObject({ ok: false, problems: [{ path: '/type' }] });
    const { accountId: _unused, ...noAccount } = examples['order.placed'] as Record<string, unknown>;
    expect(validateEvent(noAccount)).toEqual({ ok: false, problems: [{ index: 0, path: '', message: "must have required property 'accountId'" }] });
  });

  it('refuses __proto__, constructor and prototype keys anywhere', () => {
    const nested = JSON.parse('{"eventId":"e1","type":"merchant.updated","at":"2027-01-03T10:00:00Z","merchantId":"m1","cohorts":[],"settings":{"__proto__":{"admin":true}}}') as unknown;
    expect(validateEvent(nested)).toEqual({ ok: false, problems: [{ index: 0, path: '/settings/__proto__', message: 'forbidden key (prototype pollution guard)' }] });
    const inArray = { ...examples['evidence.reported'], evidence: [{ kind: 'photo', constructor: 'x' }] };
    expect(validateEvent(inArray)).toMatchObject({ ok: false, problems: [{ path: '/evidence/0/constructor' }] });
    expect(validateEvent({ ...examples['order.placed'], prototype: 1 })).toMatchObject({ ok: false, problems: [{ path: '/prototype' }] });
  });

  it('requires an RFC 3339 date-time with offset', () => {
    for (const at of ['2027-01-03', '2027-01-03T10:00:00', '2027-02-30T10:00:00Z', 'yesterday']) {
      expect(validateEvent({ ...examples['return.received'], at }).ok, at).toBe(false);
    }
    expect(validateEvent({ ...examples['return.received'], at: '2027-01-03T12:00:00+02:00' }).ok).toBe(true);
  });

  it('refuses values that are not objects', () => {
    for (const v of [null, 1, 'x', []]) expect(validateEvent(v, 7)).toEqual({ ok: false, problems: [{ index: 7, path: '', message: 'must be a JSON object' }] });
  });
});

describe('validateEventBatch', () => {
  it('lists all problems of all events with their index', () => {
    const result = validateEventBatch([examples['order.placed'], { ...examples['order.placed'], orderId: '' }, examples['return.received'], { type: 'x' }]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.index, p.path])).toEqual([[1, '/orderId'], [3, '/type']]);
  });

  it('returns the events when all are valid', () => {
    const values = Object.values(examples);
    expect(validateEventBatch(values)).toEqual({ ok: true, events: values });
  });
});

describe('atMs', () => {
  it('parses the event time to epoch milliseconds, honouring the offset', () => {
    expect(atMs({ at: '2027-01-03T12:00:00+02:00' })).toBe(Date.UTC(2027, 0, 3, 10));
  });
});

describe('validateEvent fast path', () => {
  // Field values that are valid, invalid or at the edges of the schemas, mixed into the examples.
  const edgeValues: unknown[] = ['', 'a', 'o1', 'x'.repeat(128), 'x'.repeat(129), 'a b', 'a/b', 'é', 'A-Z.0_9:-', 0, -0, -1, 1, 1e12, 1e12 + 1, 1.5, 1_000_000, 1_000_001, null, true, [], {}, 'abuse', 'legit', 'other', 'USD', 'usd', 'fast_refund', 'refund_only', 'return_refund', 'forged', 'genuine', 'upheld', 'dismissed', 'empty_package', 'fake_logistics', 'x'.repeat(1000), 'x'.repeat(1001)];
  const values = fc.oneof(
    fc.constantFrom(...edgeValues),
    fc.constantFrom('2027-01-03T10:00:00Z', '2027-01-03T10:00:00.123Z', '2027-02-29T10:00:00Z', '2028-02-29T10:00:00Z', '2027-13-01T00:00:00Z', '2027-01-03T24:00:00Z', '2027-01-03T10:00:60Z', '2027-01-03t10:00:00z', '2027-01-03T10:00:00+01:00', '2027-01-03 10:00:00Z', '0000-01-01T00:00:00Z', '2027-01-03T10:00:00.1Z'),
    fc.string(),
    fc.double(),
    fc.integer(),
  );
  const keys = ['eventId', 'type', 'at', 'accountId', 'merchantId', 'orderId', 'amount', 'label', 'currency', 'category', 'quantity', 'deviceId', 'addressId', 'refund', 'extra', '__proto__', 'reason', 'reportId', 'verdict', 'complaintId', 'outcome', 'kind', 'evidence'];
  const refunds = fc.dictionary(fc.constantFrom('type', 'reason', 'amount', 'extra'), values, { maxKeys: 4 });

  it('agrees with the schemas when any one field of any type takes any edge value', () => {
    for (const type of eventTypes) {
      for (const key of keys) {
        for (const value of edgeValues) {
          const event = JSON.parse(JSON.stringify({ ...examples[type], [key]: value })) as unknown;
          expect(validateEvent(event, 0), `${type} ${key}=${JSON.stringify(value)?.slice(0, 20)}`).toEqual(validateWithSchema(event, 0));
        }
      }
    }
  });

  it('accepts exactly what the schemas accept, with the same result', () => {
    const event = fc
      .tuple(
        fc.constantFrom(...eventTypes),
        fc.dictionary(fc.constantFrom(...keys), fc.oneof(values, refunds), { maxKeys: 4 }),
        fc.array(fc.constantFrom(...keys), { maxLength: 3 }),
      )
      .map(([type, changes, dropped]) => {
        const base: Record<string, unknown> = { ...examples[type], ...changes };
        for (const k of dropped) delete base[k];
        // Through JSON, as history lines and request bodies arrive (a "__proto__" key becomes an own property).
        return JSON.parse(JSON.stringify(base).replace('"extra"', '"__proto__"')) as unknown;
      });
    fc.assert(
      fc.property(event, (value) => {
        expect(validateEvent(value, 3)).toEqual(validateWithSchema(value, 3));
      }),
      { numRuns: 5000 },
    );
  });

  it('given keys and values in order, accepts only what the schemas accept, and every plain example', () => {
    for (const type of eventTypes) {
      const example = examples[type] as Record<string, unknown>;
      if (type !== 'merchant.updated' && type !== 'evidence.reported') expect(plainlyValidValues(Object.keys(example), Object.values(example)), type).toBe(true);
    }
    const event = fc
      .tuple(fc.constantFrom(...eventTypes), fc.dictionary(fc.constantFrom(...keys), fc.oneof(values, refunds), { maxKeys: 4 }), fc.array(fc.constantFrom(...keys), { maxLength: 3 }))
      .map(([type, changes, dropped]) => {
        const base: Record<string, unknown> = { ...examples[type], ...changes };
        for (const k of dropped) delete base[k];
        return JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
      });
    let accepted = 0;
    fc.assert(
      fc.property(event, (value) => {
        // One keys array per sequence, as the parser hands out: the checks found for it are reused.
        const keys = Object.keys(value);
        if (plainlyValidValues(keys, Object.values(value))) {
          accepted++;
          expect(validateWithSchema(value, 0).ok).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(100);
    // A repeated key: the object holds its last value once, so the sequence is never taken as plain.
    const order = examples['order.placed'] as Record<string, unknown>;
    expect(plainlyValidValues([...Object.keys(order), 'amount'], [...Object.values(order), 5])).toBe(false);
  });
});
