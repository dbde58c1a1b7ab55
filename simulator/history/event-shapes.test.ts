import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './types.js';
import { collect } from './test-helpers.js';
import type { Parsed } from './test-helpers.js';

const { lines, events } = collect({ orders: 8000, seed: 'shapes' });

const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const isId = (v: unknown): boolean => typeof v === 'string' && ID.test(v);
const isAmount = (v: unknown): boolean => typeof v === 'number' && v > 0 && Math.round(v * 100) / 100 === v;
const oneOf =
  (...values: string[]) =>
  (v: unknown): boolean =>
    typeof v === 'string' && values.includes(v);

const ACCOUNT_BOUND = { accountId: isId, merchantId: isId, orderId: isId };
const REFUND_TYPE = oneOf('fast_refund', 'refund_only', 'return_refund');
const REFUND_REASON = oneOf('not_as_described', 'damaged', 'not_received', 'changed_mind', 'wrong_item');
const isRefund = (v: unknown): boolean => {
  const r = v as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && REFUND_TYPE(r.type) && REFUND_REASON(r.reason) && isAmount(r.amount);
};

/** Required fields per type, written independently of the generator's code. */
const SHAPES: Record<string, Record<string, (v: unknown) => boolean>> = {
  'merchant.updated': {
    merchantId: isId,
    settings: (v) => {
      const s = v as Record<string, unknown>;
      return typeof s.interceptAbnormalRefunds === 'boolean' && typeof s.oneClickReject === 'boolean';
    },
    cohorts: (v) => Array.isArray(v) && v.length > 0 && v.every(isId),
    category: oneOf('apparel', 'electronics', 'fresh-food', 'home', 'beauty'),
  },
  'order.placed': {
    ...ACCOUNT_BOUND,
    amount: isAmount,
    category: oneOf('apparel', 'electronics', 'fresh-food', 'home', 'beauty'),
    deviceId: isId,
    addressId: isId,
    quantity: (v) => Number.isInteger(v) && (v as number) >= 1,
  },
  'refund.requested': { ...ACCOUNT_BOUND, amount: isAmount, refund: isRefund, label: oneOf('abuse', 'legit') },
  'refund.completed': { ...ACCOUNT_BOUND, amount: isAmount },
  'return.received': ACCOUNT_BOUND,
  'intervention.requested': { ...ACCOUNT_BOUND, amount: isAmount, refund: isRefund },
  'evidence.reported': {
    ...ACCOUNT_BOUND,
    reportId: isId,
    reason: oneOf('web_image', 'edited_image', 'not_store_product', 'other'),
    evidence: (v) =>
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((x: { kind?: unknown; sha256?: unknown }) => x.kind === 'image' && typeof x.sha256 === 'string' && /^[0-9a-f]{64}$/.test(x.sha256)),
  },
  'evidence.appraised': { ...ACCOUNT_BOUND, reportId: isId, verdict: oneOf('forged', 'genuine') },
  'complaint.filed': { ...ACCOUNT_BOUND, complaintId: isId, kind: oneOf('fake_logistics', 'empty_package', 'missing_items', 'swapped_item') },
  'complaint.resolved': { ...ACCOUNT_BOUND, complaintId: isId, outcome: oneOf('upheld', 'dismissed') },
};

describe('event shapes', () => {
  it('writes one JSON object per line with no embedded newlines', () => {
    for (const line of lines) {
      expect(line).not.toContain('\n');
      expect(line.startsWith('{"eventId":')).toBe(true);
    }
  });

  it('uses every event type of DESIGN §5 and nothing else', () => {
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
  });

  it('gives every event the required fields of its type with valid values', () => {
    const failures: string[] = [];
    for (const e of events) {
      const shape = SHAPES[e.type];
      if (!shape) {
        failures.push(`unknown type ${e.type}`);
        continue;
      }
      for (const [field, valid] of Object.entries(shape)) {
        if (!valid(e[field])) failures.push(`${e.eventId} ${e.type}.${field} = ${JSON.stringify(e[field])}`);
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('puts a label only on refund.requested', () => {
    for (const e of events) expect('label' in e).toBe(e.type === 'refund.requested');
  });

  it('announces every merchant first, at the start time, before any order', () => {
    const firstOther = events.findIndex((e: Parsed) => e.type !== 'merchant.updated');
    const merchants = events.slice(0, firstOther);
    expect(events.slice(firstOther).some((e) => e.type === 'merchant.updated')).toBe(false);
    expect(new Set(merchants.map((e) => e.at))).toEqual(new Set([events[0]!.at]));
    const orderMerchants = new Set(events.filter((e) => e.type === 'order.placed').map((e) => e.merchantId));
    const known = new Set(merchants.map((e) => e.merchantId));
    for (const m of orderMerchants) expect(known.has(m)).toBe(true);
  });
});
