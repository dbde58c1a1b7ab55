import { describe, expect, it } from 'vitest';
import { generateHistory } from './generate.js';
import { collect } from './test-helpers.js';
import type { Parsed } from './test-helpers.js';

const ORDERS = 6000;
const { lines, events, summary } = collect({ orders: ORDERS, seed: 42 });

const ofType = (type: string): Parsed[] => events.filter((e) => e.type === type);

describe('generateHistory', () => {
  it('writes exactly the requested number of order.placed events', () => {
    expect(ofType('order.placed')).toHaveLength(ORDERS);
    expect(summary.orders).toBe(ORDERS);
    expect(collect({ orders: 1, seed: 1 }).events.filter((e) => e.type === 'order.placed')).toHaveLength(1);
    expect(collect({ orders: 0, seed: 1 }).events.every((e) => e.type === 'merchant.updated')).toBe(true);
  });

  it('writes events in non-decreasing time order as ISO-8601 UTC seconds', () => {
    let previous = '';
    for (const e of events) {
      expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(e.at >= previous).toBe(true); // fixed-width ISO strings sort like the times they denote
      previous = e.at;
    }
    expect(new Date(events[0]!.at).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('gives every event a unique, well-formed eventId', () => {
    const ids = new Set(events.map((e) => e.eventId));
    expect(ids.size).toBe(events.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  });

  it('produces byte-identical output for the same seed and different output for another seed', () => {
    const again = collect({ orders: ORDERS, seed: 42 }).lines;
    expect(again.join('\n')).toBe(lines.join('\n'));
    expect(collect({ orders: ORDERS, seed: '42' }).lines.join('\n')).toBe(lines.join('\n'));
    expect(collect({ orders: ORDERS, seed: 43 }).lines.join('\n')).not.toBe(lines.join('\n'));
  });

  it('honours start, days and merchants', () => {
    const { events: es } = collect({ orders: 500, seed: 3, start: '2027-03-01', days: 10, merchants: 7 });
    const merchants = es.filter((e) => e.type === 'merchant.updated');
    expect(merchants).toHaveLength(7);
    expect(merchants.every((e) => e.at === '2027-03-01T00:00:00Z')).toBe(true);
    const orders = es.filter((e) => e.type === 'order.placed');
    expect(orders.every((e) => e.at >= '2027-03-01' && e.at < '2027-03-11')).toBe(true);
  });

  it('rejects invalid options before writing anything', () => {
    const sink = (): void => {
      throw new Error('should not write');
    };
    expect(() => generateHistory({ orders: -1 }, sink)).toThrow(RangeError);
    expect(() => generateHistory({ orders: 1.5 }, sink)).toThrow(RangeError);
    expect(() => generateHistory({ orders: 10, days: 0 }, sink)).toThrow(RangeError);
    expect(() => generateHistory({ orders: 10, merchants: 0 }, sink)).toThrow(RangeError);
    expect(() => generateHistory({ orders: 10, start: 'yesterday' }, sink)).toThrow(RangeError);
  });

  it('reports a summary that matches the output', () => {
    expect(summary.events).toBe(lines.length);
    const byType: Record<string, number> = {};
    for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1;
    for (const [type, n] of Object.entries(summary.byType)) expect(byType[type] ?? 0).toBe(n);
    expect(summary.refunds).toBe(ofType('refund.requested').length);
    expect(summary.abuseRefunds).toBe(ofType('refund.requested').filter((e) => e.label === 'abuse').length);
    expect(summary.accounts).toBe(new Set(ofType('order.placed').map((e) => e.accountId)).size);
    expect(summary.merchants).toBe(ofType('merchant.updated').length);
    expect(summary.durationMs).toBeGreaterThanOrEqual(0);
  });
});
