import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RefundGuardEvent } from '../events/index.js';
import { idHash } from './id-code.js';
import { loadFeatureDefinitions } from './load.js';
import { MemoryFeatureStore } from './memory-store.js';

const DAY = 86_400_000;
const T0 = Date.parse('2027-03-01T00:00:00Z');
const loaded = loadFeatureDefinitions('policies/features.yaml', readFileSync(new URL('../../policies/features.yaml', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const definitions = loaded.definitions;

const order = (eventId: string, accountId: string, at: number): RefundGuardEvent => ({
  eventId, type: 'order.placed', at: new Date(at).toISOString(), accountId, merchantId: 'm1', orderId: `o-${eventId}`, amount: 10,
});
const refund = (eventId: string, accountId: string, at: number): RefundGuardEvent => ({
  eventId, type: 'refund.requested', at: new Date(at).toISOString(), accountId, merchantId: 'm1', orderId: `o-${eventId}`, amount: 5, refund: { type: 'fast_refund', reason: 'damaged' },
});

/** Two ids (`prefix` and a number) whose hashes share their low `bits` bits: they fall on the same bit of a filter that small. */
function collidingIds(bits: number, prefix: string): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const id = `${prefix}${i}`;
    const low = idHash(id) & ((1 << bits) - 1);
    const other = seen.get(low);
    if (other !== undefined) return [other, id];
    seen.set(low, id);
  }
}

describe('MemoryFeatureStore idempotency', () => {
  // Ids of at most 8 characters are kept as numbers (idCode), longer ones as strings: both ways.
  it.each([
    ['short ids', 'id-'],
    ['long ids', 'a-long-event-id-'],
  ])('tells a new event from a re-sent one when another id has set its filter bit (%s)', (_, prefix) => {
    // Colliding in 30 bits, so on the same bit of any filter size.
    const [a, b] = collidingIds(30, prefix);
    const store = new MemoryFeatureStore(definitions);
    expect(store.applySync(order(a, 'x', T0))).toBe(true);
    expect(store.applySync(refund(b, 'x', T0 + 1))).toBe(true);
    expect(store.applySync(order(b, 'y', T0 + 2))).toBe(true);
    expect(store.applySync(refund(b, 'x', T0 + 1))).toBe(false);
    expect(store.applySync(order(a, 'x', T0))).toBe(false);
    expect(store.applySync(order(b, 'y', T0 + 2))).toBe(false);
    expect(store.readSync('x', T0 + 1)).toMatchObject({ orders90d: 1, refunds90d: 1 });
    expect(store.readSync('y', T0 + 2)).toMatchObject({ orders90d: 1 });
  });

  it.each([
    ['short ids', 'e'],
    ['long ids', 'event-from-a-long-series-'],
  ])('still refuses re-sent events and counts exactly after its filter has been rebuilt over trimmed ids (%s)', (_, prefix) => {
    // A one-day window keeps ids for 8 days: of 600k orders over 1500 days about 3,200 are kept at any
    // time, so the filter (first sized for a million bits) is rebuilt every ~130k orders over ids
    // that are mostly trimmed.
    const short = loadFeatureDefinitions('f.yaml', 'features:\n  orders1d: { kind: count, events: order.placed, windowDays: 1 }\n');
    if (!short.ok) throw new Error(JSON.stringify(short.problems));
    const store = new MemoryFeatureStore(short.definitions);
    const n = 600_000;
    const step = (1500 * DAY) / n;
    const at = (i: number): number => T0 + Math.floor(i * step);
    // Each order is sent again 1000 orders (2.5 days) later: still kept, whichever rebuild came between.
    const lag = 1000;
    let applied = 0;
    let refused = 0;
    for (let i = 0; i < n; i++) {
      if (store.applySync(order(`${prefix}${i}`, `a${i % 20}`, at(i)))) applied++;
      if (i >= lag && !store.applySync(order(`${prefix}${i - lag}`, `a${(i - lag) % 20}`, at(i - lag)))) refused++;
    }
    expect(applied).toBe(n);
    expect(refused).toBe(n - lag);
    const last = at(n - 1);
    const inWindow = (account: number): number => {
      let count = 0;
      for (let i = account; i < n; i += 20) if (at(i) >= last - DAY) count++;
      return count;
    };
    for (const account of [0, 7, 19]) expect(store.readSync(`a${account}`, last)['orders1d']).toBe(inWindow(account));
  });
});

describe('MemoryFeatureStore, lean', () => {
  it('reads every feature exactly as the full store does, with events re-sent, out of order and of every type', async () => {
    const { generateHistory } = await import('../../simulator/history/index.js');
    const events: RefundGuardEvent[] = [];
    generateHistory({ orders: 4000, seed: 'lean' }, (line) => void events.push(JSON.parse(line) as RefundGuardEvent));
    // Re-send every 7th event 50 events later: duplicates of counted and of uncounted types alike.
    const sent: RefundGuardEvent[] = [];
    events.forEach((e, i) => {
      sent.push(e);
      if (i % 7 === 0 && i + 50 < events.length) sent.splice(sent.length - 1 + 50, 0, e);
    });
    // Accounts first seen through an event no feature counts: their age starts there.
    const uncountedTypes = events.filter((e) => e.type === 'refund.completed' || e.type === 'return.received').slice(0, 20);
    uncountedTypes.forEach((e, i) => sent.splice(i * 10, 0, { ...e, eventId: `first-${i}`, accountId: `first-seen-${i}` }));
    const full = new MemoryFeatureStore(definitions);
    const lean = new MemoryFeatureStore(definitions, { lean: true });
    const accounts = new Set<string>();
    let uncounted = 0;
    let compared = 0;
    for (const e of sent) {
      if (e.type !== 'merchant.updated') {
        accounts.add(e.accountId);
        if (full.compiled.timesRead[full.compiled.typeIndex.get(e.type) as number] !== true) uncounted++;
        // Every 13th event, both stores answer as of that event, before applying it.
        if (compared++ % 13 === 0) expect(lean.readSync(e.accountId, Date.parse(e.at))).toEqual(full.readSync(e.accountId, Date.parse(e.at)));
      }
      full.applySync(e);
      lean.applySync(e);
    }
    expect(uncounted).toBeGreaterThan(500);
    const end = Date.parse((events[events.length - 1] as RefundGuardEvent).at);
    for (const id of accounts) for (const asOf of [end, end - 30 * DAY]) expect(lean.readSync(id, asOf)).toEqual(full.readSync(id, asOf));
  });
});

describe('MemoryFeatureStore, account ids', () => {
  it('reads the same features whether accounts are kept by their id code (short ids) or by their id (long ones)', async () => {
    const { generateHistory } = await import('../../simulator/history/index.js');
    const events: RefundGuardEvent[] = [];
    generateHistory({ orders: 3000, seed: 'ids' }, (line) => void events.push(JSON.parse(line) as RefundGuardEvent));
    // The same history twice: once as generated (ids of at most 8 characters), once with every
    // other account renamed to a long id. Links, shared values and flags cross between both kinds.
    const long = (id: string): string => (Number(id.slice(1)) % 2 === 0 ? `account-with-a-long-id-${id}` : id);
    const short = new MemoryFeatureStore(definitions);
    const mixed = new MemoryFeatureStore(definitions);
    for (const e of events) {
      short.applySync(e);
      mixed.applySync(e.type === 'merchant.updated' ? e : { ...e, accountId: long(e.accountId) });
    }
    const accounts = [...new Set(events.flatMap((e) => (e.type === 'merchant.updated' ? [] : [e.accountId])))];
    const end = Date.parse((events[events.length - 1] as RefundGuardEvent).at);
    let linked = 0;
    for (const id of accounts) {
      const expected = short.readSync(id, end);
      if ((expected['linkedFlaggedAccounts365d'] ?? 0) > 0) linked++;
      expect(mixed.readSync(long(id), end), id).toEqual(expected);
    }
    expect(linked).toBeGreaterThan(0);
  });
});

describe('MemoryFeatureStore, size hint', () => {
  it('reads the same features sized for a million events as sized for none, which grows past the room it started with', async () => {
    const { generateHistory } = await import('../../simulator/history/index.js');
    const events: RefundGuardEvent[] = [];
    generateHistory({ orders: 30_000, seed: 'sizes' }, (line) => void events.push(JSON.parse(line) as RefundGuardEvent));
    const grown = new MemoryFeatureStore(definitions, { lean: true });
    const sized = new MemoryFeatureStore(definitions, { lean: true, expectedEvents: 1_000_000 });
    for (const e of events) {
      grown.applySync(e);
      sized.applySync(e);
    }
    const accounts = [...new Set(events.flatMap((e) => (e.type === 'merchant.updated' ? [] : [e.accountId])))];
    // More accounts than an unsized store has rows for at first (4096): its rows, lists and tables grew.
    expect(accounts.length).toBeGreaterThan(4096);
    const end = Date.parse((events[events.length - 1] as RefundGuardEvent).at);
    for (const id of accounts) expect(sized.readSync(id, end), id).toEqual(grown.readSync(id, end));
  });
});
