/**
 * The FeatureStore contract, run against the in-memory store, against real Redis (127.0.0.1:6379,
 * random key prefix per run, every key deleted afterwards), against a Redis Cluster of the file's own and against Redis with the PostgreSQL
 * event log in front (a database per run, a schema per test, dropped afterwards).
 */
import { readFileSync } from 'node:fs';
import { redisTestPrefix } from './support/redis-keys.js';
import { clusterForSuite } from './support/test-cluster.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RefundGuardEvent } from '../engine/events/index.js';
import { loadFeatureDefinitions, MemoryFeatureStore, type FeatureDefinitions, type FeatureStore } from '../engine/features/index.js';
import { RedisFeatureStore } from '../server/stores/redis-feature-store.js';
import { DurableFeatureStore } from '../server/postgres/durable-feature-store.js';
import { PgEventLog } from '../server/postgres/event-log.js';
import { schemaPoolsForSuite } from './support/test-postgres.js';

const DAY = 86_400_000;
const T0 = Date.parse('2027-03-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function loadShipped(): FeatureDefinitions {
  const r = loadFeatureDefinitions('policies/features.yaml', readFileSync(new URL('../policies/features.yaml', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.definitions;
}
const definitions = loadShipped();

let seq = 0;
const id = (): string => `e${++seq}`;
const order = (accountId: string, at: number, extra: Partial<Record<'deviceId' | 'addressId' | 'merchantId', string>> & { amount?: number } = {}): RefundGuardEvent => ({
  eventId: id(), type: 'order.placed', at: iso(at), accountId, merchantId: 'm1', orderId: `o${seq}`, amount: 100, ...extra,
});
const refund = (accountId: string, at: number, type: 'fast_refund' | 'refund_only' | 'return_refund' = 'refund_only', amount = 50, merchantId = 'm1'): RefundGuardEvent => ({
  eventId: id(), type: 'refund.requested', at: iso(at), accountId, merchantId, orderId: `o${seq}`, amount, refund: { type, reason: 'damaged' },
});
const forged = (accountId: string, at: number): RefundGuardEvent => ({
  eventId: id(), type: 'evidence.appraised', at: iso(at), accountId, merchantId: 'm1', reportId: `r${seq}`, verdict: 'forged',
});
const upheld = (accountId: string, at: number, outcome: 'upheld' | 'dismissed' = 'upheld'): RefundGuardEvent => ({
  eventId: id(), type: 'complaint.resolved', at: iso(at), accountId, merchantId: 'm1', complaintId: `c${seq}`, outcome,
});
const report = (accountId: string, at: number, sha: string[]): RefundGuardEvent => ({
  eventId: id(), type: 'evidence.reported', at: iso(at), accountId, merchantId: 'm1', reportId: `r${seq}`, reason: 'photo from the web',
  evidence: sha.map((s) => ({ kind: 'photo', sha256: s })),
});
const sha = (c: string): string => c.repeat(64).slice(0, 64);

const { redis, nextPrefix } = redisTestPrefix('features', { beforeAll, afterAll, expectClean: (left) => expect(left).toBe(0) });
const onCluster = clusterForSuite('features', { beforeAll, afterAll });

const schemaPool = schemaPoolsForSuite({ beforeAll, afterAll });

const factories: [string, () => FeatureStore | Promise<FeatureStore>][] = [
  ['MemoryFeatureStore', () => new MemoryFeatureStore(definitions)],
  ['RedisFeatureStore', () => new RedisFeatureStore(redis, definitions, { prefix: nextPrefix() })],
  ['RedisFeatureStore on a Redis Cluster', () => new RedisFeatureStore(onCluster.client, definitions, { prefix: onCluster.nextPrefix() })],
  ['DurableFeatureStore (PostgreSQL log, Redis cache)', async () => new DurableFeatureStore(new PgEventLog(await schemaPool()), new RedisFeatureStore(redis, definitions, { prefix: nextPrefix() }))],
];

describe.each(factories)('%s', (_name, create) => {
  let store: FeatureStore;
  beforeEach(async () => {
    store = await create();
  });

  it('returns every shipped feature as 0 for an unknown account', async () => {
    const f = await store.read('nobody', T0);
    expect(Object.keys(f)).toEqual(definitions.features.map((d) => d.name));
    expect(Object.values(f).every((v) => v === 0)).toBe(true);
  });

  it('computes each count, sum, distinct, ratio and age feature of an ordinary account', async () => {
    const events: RefundGuardEvent[] = [];
    for (let i = 0; i < 10; i++) events.push(order('a', T0 - i * 8 * DAY));
    events.push(refund('a', T0 - 2 * DAY, 'fast_refund', 30, 'm1'), refund('a', T0 - 40 * DAY, 'refund_only', 70, 'm2'));
    events.push(refund('a', T0 - 5 * DAY, 'fast_refund', 12.5, 'm3'), forged('a', T0 - 100 * DAY), upheld('a', T0 - 200 * DAY), upheld('a', T0 - 10 * DAY, 'dismissed'));
    await store.apply(events);
    const f = await store.read('a', T0);
    expect(f).toMatchObject({
      orders90d: 10, refunds90d: 3, refundRate90d: 0.3, fastRefunds30d: 2, refundAmount30d: 42.5,
      forgedEvidence365d: 1, upheldComplaints365d: 1, distinctMerchantsRefunded30d: 2, accountAgeDays: 200,
      linkedFlaggedAccounts365d: 0, reusedEvidenceFingerprints365d: 0,
    });
  });

  it('counts events exactly on both window edges and ignores one just outside', async () => {
    await store.apply([order('w', T0 - 90 * DAY), order('w', T0), order('w', T0 - 90 * DAY - 1), refund('w', T0 - 30 * DAY, 'fast_refund'), refund('w', T0 - 30 * DAY - 1, 'fast_refund')]);
    const f = await store.read('w', T0);
    expect(f['orders90d']).toBe(2);
    expect(f['fastRefunds30d']).toBe(1);
    expect((await store.read('w', T0 + 1))['orders90d']).toBe(1);
  });

  it('ignores events after asOf', async () => {
    await store.apply([order('p', T0), order('p', T0 + 1)]);
    expect((await store.read('p', T0 - 1))['orders90d']).toBe(0);
    expect((await store.read('p', T0))['orders90d']).toBe(1);
    expect((await store.read('p', T0 - 1))['accountAgeDays']).toBe(0);
  });

  it('counts an event sent twice, or a batch sent twice, once', async () => {
    const batch = [order('d', T0 - DAY), refund('d', T0)];
    expect(await store.apply([...batch, batch[0] as RefundGuardEvent])).toEqual({ applied: 2, duplicates: 1 });
    expect(await store.apply(batch)).toEqual({ applied: 0, duplicates: 2 });
    const f = await store.read('d', T0);
    expect(f['orders90d']).toBe(1);
    expect(f['refunds90d']).toBe(1);
    expect(f['refundAmount30d']).toBe(50);
  });

  it('keeps counting exactly and refusing re-sent events through the trims of a long-lived account', async () => {
    // 700 days of one order a day and a refund a week, some arriving late, every tenth event sent twice:
    // well past retention (365 days + margin) and past many trims of the account's old events.
    const days = 700;
    const sent: RefundGuardEvent[] = [];
    for (let d = 0; d < days; d++) {
      sent.push(order('long', T0 + d * DAY));
      if (d % 7 === 0) sent.push(refund('long', T0 + d * DAY + 3_600_000));
    }
    const arriving: RefundGuardEvent[] = [];
    for (let i = 0; i < sent.length; i++) {
      // Every fifth event arrives after the next one.
      if (i % 5 === 0 && i + 1 < sent.length) arriving.push(sent[i + 1] as RefundGuardEvent, sent[i++] as RefundGuardEvent);
      else arriving.push(sent[i] as RefundGuardEvent);
    }
    let duplicates = 0;
    for (let i = 0; i < arriving.length; i += 50) {
      const batch = arriving.slice(i, i + 50);
      const r = await store.apply([...batch, ...batch.filter((_, k) => k % 10 === 0)]);
      expect(r.applied).toBe(batch.length);
      duplicates += r.duplicates;
    }
    expect(duplicates).toBe(Math.ceil(arriving.length / 50) * 5);
    const asOf = T0 + (days - 1) * DAY;
    const inWindow = (e: RefundGuardEvent, type: string, windowDays: number): boolean => e.type === type && Date.parse(e.at) >= asOf - windowDays * DAY && Date.parse(e.at) <= asOf;
    const f = await store.read('long', asOf);
    expect(f['orders90d']).toBe(sent.filter((e) => inWindow(e, 'order.placed', 90)).length);
    expect(f['refunds90d']).toBe(sent.filter((e) => inWindow(e, 'refund.requested', 90)).length);
    expect(f['accountAgeDays']).toBe(days - 1);
    // Recent events are still known: sent again, they count once.
    const recent = sent.slice(-20);
    expect(await store.apply(recent)).toEqual({ applied: 0, duplicates: 20 });
    expect((await store.read('long', asOf))['orders90d']).toBe(f['orders90d']);
  });

  it('gives the same features whatever order the events arrive in', async () => {
    const events = [order('x', T0 - 3 * DAY), refund('x', T0 - DAY, 'fast_refund', 10), order('x', T0 - 2 * DAY), refund('x', T0 - 5 * DAY, 'refund_only', 7), forged('x', T0 - 4 * DAY)];
    const renamed = events.map((e) => ({ ...e, eventId: `${e.eventId}r`, accountId: 'y' }) as RefundGuardEvent);
    await store.apply(events);
    for (const e of renamed.reverse()) await store.apply([e]);
    for (const asOf of [T0 - 4 * DAY, T0 - 2 * DAY, T0]) expect(await store.read('y', asOf)).toEqual(await store.read('x', asOf));
  });

  it('answers a refund rate of 0 when there are no orders', async () => {
    await store.apply([refund('r', T0)]);
    const f = await store.read('r', T0);
    expect(f['refunds90d']).toBe(1);
    expect(f['refundRate90d']).toBe(0);
  });

  it('counts distinct merchants exactly', async () => {
    const merchants = ['m1', 'm2', 'm1', 'm3', 'm2', 'm:4', 'm1'];
    await store.apply(merchants.map((m, i) => refund('dm', T0 - i * DAY, 'refund_only', 1, m)));
    expect((await store.read('dm', T0))['distinctMerchantsRefunded30d']).toBe(4);
    expect((await store.read('dm', T0 - 4 * DAY))['distinctMerchantsRefunded30d']).toBe(3);
  });

  it('shows organised rings: an account sharing a device with two flagged accounts sees 2, point in time', async () => {
    await store.apply([
      order('ring1', T0, { deviceId: 'dev1' }),
      order('ring2', T0 + DAY, { deviceId: 'dev1' }),
      order('ring3', T0 + 2 * DAY, { deviceId: 'dev1', addressId: 'h9' }),
      forged('ring1', T0 + 10 * DAY),
      upheld('ring2', T0 + 20 * DAY),
      order('loner', T0, { deviceId: 'dev2' }),
    ]);
    const linked = async (a: string, at: number): Promise<number | undefined> => (await store.read(a, at))['linkedFlaggedAccounts365d'];
    expect(await linked('ring3', T0 + 5 * DAY)).toBe(0);
    expect(await linked('ring3', T0 + 10 * DAY)).toBe(1);
    expect(await linked('ring3', T0 + 20 * DAY)).toBe(2);
    expect(await linked('ring1', T0 + 30 * DAY)).toBe(1); // others only: ring2, not itself
    expect(await linked('loner', T0 + 30 * DAY)).toBe(0);
    // The flag window: forged at +10d drops out after 365 days.
    expect(await linked('ring3', T0 + 10 * DAY + 365 * DAY + 1)).toBe(1);
  });

  it('links accounts only from the time they share a value, including flags older than the link', async () => {
    await store.apply([forged('old1', T0), order('old1', T0 - DAY, { addressId: 'flat7' }), order('new1', T0 + 50 * DAY, { addressId: 'flat7' })]);
    expect((await store.read('new1', T0 + 50 * DAY - 1))['linkedFlaggedAccounts365d']).toBe(0);
    expect((await store.read('new1', T0 + 50 * DAY))['linkedFlaggedAccounts365d']).toBe(1);
    // Arriving late (out of order) still links from the earlier time.
    await store.apply([order('new1', T0 + 10 * DAY, { deviceId: 'x', addressId: 'flat7' })]);
    expect((await store.read('new1', T0 + 10 * DAY))['linkedFlaggedAccounts365d']).toBe(1);
  });

  it('counts evidence fingerprints that another account also used', async () => {
    await store.apply([report('fp1', T0, [sha('a'), sha('b')]), report('fp2', T0 + DAY, [sha('b'), sha('c')]), report('fp3', T0 + 2 * DAY, [sha('d')])]);
    const reused = async (a: string, at: number): Promise<number | undefined> => (await store.read(a, at))['reusedEvidenceFingerprints365d'];
    expect(await reused('fp1', T0)).toBe(0);
    expect(await reused('fp1', T0 + DAY)).toBe(1);
    expect(await reused('fp2', T0 + DAY)).toBe(1);
    expect(await reused('fp3', T0 + 3 * DAY)).toBe(0);
    await store.apply([report('fp3', T0 + 3 * DAY, [sha('a'), sha('c')])]);
    expect(await reused('fp3', T0 + 3 * DAY)).toBe(2);
    expect(await reused('fp1', T0 + 3 * DAY)).toBe(2);
  });

  it('counts account age in whole days from the first event of any type', async () => {
    await store.apply([refund('age', T0 - 3 * DAY - 1), order('age', T0 - 400 * DAY)]);
    expect((await store.read('age', T0))['accountAgeDays']).toBe(400);
    expect((await store.read('age', T0 - 400 * DAY + DAY - 1))['accountAgeDays']).toBe(0);
  });

  it('accepts merchant.updated without counting it for any account', async () => {
    const r = await store.apply([{ eventId: id(), type: 'merchant.updated', at: iso(T0), merchantId: 'm1', settings: { oneClickReject: true }, cohorts: ['pilot'] }]);
    expect(r).toEqual({ applied: 1, duplicates: 0 });
  });
});

/** Deterministic PRNG (mulberry32) so a failure replays. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomHistory(seed: number, count: number, accounts: number): RefundGuardEvent[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const events: RefundGuardEvent[] = [];
  const span = 500 * DAY;
  for (let i = 0; i < count; i++) {
    const accountId = `acc${Math.floor(rnd() ** 2 * accounts)}`;
    // A third of the times on whole hours, so same-instant ties (ordered by entry key) occur.
    const offset = Math.floor(rnd() * span);
    const at = iso(T0 + (rnd() < 0.33 ? offset - (offset % 3_600_000) : offset));
    const base = { eventId: `s${seed}-${i}`, at, accountId, merchantId: `m${Math.floor(rnd() * 6)}` };
    const r = rnd();
    if (r < 0.45) {
      events.push({ ...base, type: 'order.placed', orderId: `o${i}`, amount: Math.round(rnd() * 50000) / 100,
        ...(rnd() < 0.7 ? { deviceId: `dev${Math.floor(rnd() * accounts * 0.6)}` } : {}),
        ...(rnd() < 0.5 ? { addressId: `adr${Math.floor(rnd() * accounts * 0.6)}` } : {}) });
    } else if (r < 0.7) {
      events.push({ ...base, type: 'refund.requested', orderId: `o${i}`, amount: Math.round(rnd() * 30000) / 100,
        refund: { type: pick(['fast_refund', 'refund_only', 'return_refund'] as const), reason: pick(['damaged', 'a|b,c%']) } });
    } else if (r < 0.78) {
      events.push({ ...base, type: 'evidence.appraised', reportId: `r${i}`, verdict: pick(['forged', 'genuine'] as const) });
    } else if (r < 0.86) {
      events.push({ ...base, type: 'complaint.resolved', complaintId: `c${i}`, outcome: pick(['upheld', 'dismissed'] as const) });
    } else if (r < 0.93) {
      const n = 1 + Math.floor(rnd() * 3);
      events.push({ ...base, type: 'evidence.reported', reportId: `r${i}`, reason: 'fake',
        evidence: Array.from({ length: n }, () => ({ kind: 'photo', sha256: sha(Math.floor(rnd() * 40).toString(16).padStart(2, '0')) })) });
    } else {
      events.push({ ...base, type: 'return.received', orderId: `o${i}` });
    }
  }
  return events;
}

describe('MemoryFeatureStore and RedisFeatureStore', () => {
  it.each([1, 2, 3])('compute identical features for every account at many times from the same random history (seed %i)', async (seed) => {
    const events = randomHistory(seed, 3000, 150);
    const rnd = prng(seed * 7919);
    const sorted = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const memory = new MemoryFeatureStore(definitions);
    const red = new RedisFeatureStore(redis, definitions, { prefix: nextPrefix() });
    const accounts = [...new Set(events.map((e) => (e.type === 'merchant.updated' ? '' : e.accountId)))];
    let nonZeroLinked = 0;
    let nonZeroShared = 0;
    let next = 0;
    // Replay as the simulator and server see it: time order with local disorder, some re-sent events,
    // and reads as of "now" (stores guarantee exact reads within retention of the newest event).
    for (const checkpoint of [T0 + 100 * DAY, T0 + 250 * DAY, T0 + 400 * DAY, T0 + 501 * DAY]) {
      const slice: RefundGuardEvent[] = [];
      while (next < sorted.length && Date.parse((sorted[next] as RefundGuardEvent).at) <= checkpoint) slice.push(sorted[next++] as RefundGuardEvent);
      for (let i = 0; i < slice.length; i++) {
        const j = Math.min(slice.length - 1, i + Math.floor(rnd() * 40));
        [slice[i], slice[j]] = [slice[j] as RefundGuardEvent, slice[i] as RefundGuardEvent];
      }
      const resent = slice.filter(() => rnd() < 0.05);
      const replay = [...slice, ...resent];
      for (const e of replay) memory.applySync(e);
      for (let i = 0; i < replay.length; i += 250) await red.apply(replay.slice(i, i + 250));
      for (const asOf of [checkpoint - 3 * DAY, checkpoint]) {
        for (const a of accounts) {
          const m = memory.readSync(a, asOf);
          expect(await red.read(a, asOf), `${a} at ${iso(asOf)}`).toEqual(m);
          if ((m['linkedFlaggedAccounts365d'] ?? 0) > 0) nonZeroLinked++;
          if ((m['reusedEvidenceFingerprints365d'] ?? 0) > 0) nonZeroShared++;
        }
      }
    }
    // The history must exercise the cross-account features, or the comparison proves little.
    expect(nonZeroLinked).toBeGreaterThan(20);
    expect(nonZeroShared).toBeGreaterThan(20);
  });
});

describe('RedisFeatureStore under concurrent batches', () => {
  it.each([4, 5])('converges to the memory store when small batches from two store instances run at once (seed %i)', async (seed) => {
    // Flags and the uses that link to them race across batches in flight and across processes
    // (two instances on one prefix); the flag/use handshake must still bring every link over.
    const events = randomHistory(seed, 2000, 60);
    const sorted = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const memory = new MemoryFeatureStore(definitions);
    for (const e of sorted) memory.applySync(e);
    const prefix = nextPrefix();
    const stores = [new RedisFeatureStore(redis, definitions, { prefix }), new RedisFeatureStore(redis, definitions, { prefix })];
    const batches: RefundGuardEvent[][] = [];
    for (let i = 0; i < sorted.length; i += 7) batches.push(sorted.slice(i, i + 7));
    for (let i = 0; i < batches.length; i += 8) {
      await Promise.all(batches.slice(i, i + 8).map((b, k) => (stores[k % 2] as RedisFeatureStore).apply(b)));
    }
    const accounts = [...new Set(events.map((e) => (e.type === 'merchant.updated' ? '' : e.accountId)))];
    let nonZeroLinked = 0;
    // Reads within retention of the newest event (which is what the stores guarantee to be exact).
    for (const asOf of [T0 + 495 * DAY, T0 + 501 * DAY]) {
      for (const a of accounts) {
        const m = memory.readSync(a, asOf);
        expect(await (stores[0] as RedisFeatureStore).read(a, asOf), `${a} at ${iso(asOf)}`).toEqual(m);
        if ((m['linkedFlaggedAccounts365d'] ?? 0) > 0) nonZeroLinked++;
      }
    }
    expect(nonZeroLinked).toBeGreaterThan(20);
  });
});

describe('RedisFeatureStore indexes', () => {
  it('keeps the indexes of the devices and addresses of an active account alive as long as the account (a later flag still finds its partners)', async () => {
    const prefix = nextPrefix();
    const first = new RedisFeatureStore(redis, definitions, { prefix });
    await first.apply([order('keep1', T0, { deviceId: 'kdev' }), order('keep2', T0 + DAY, { deviceId: 'kdev' })]);
    const index = `${prefix}:x:linkedFlaggedAccounts365d:{deviceId=kdev}`;
    await redis.pexpire(index, 60_000); // as if nobody had used the device for almost a year
    // Another process (no memory of refreshes) writes keep1 again, without the device: its daily
    // expiry refresh takes the indexes of its values along.
    await new RedisFeatureStore(redis, definitions, { prefix }).apply([refund('keep1', T0 + 400 * DAY)]);
    expect(await redis.pttl(index)).toBeGreaterThan(60_000);
    await new RedisFeatureStore(redis, definitions, { prefix }).apply([upheld('keep2', T0 + 401 * DAY)]);
    expect((await first.read('keep1', T0 + 402 * DAY))['linkedFlaggedAccounts365d']).toBe(1);
  });
});

describe('a generated history (simulator/history)', () => {
  it('validates and gives identical features in both stores for every account', async () => {
    const { generateHistory } = await import('../simulator/history/index.js');
    const { validateEvent } = await import('../engine/events/index.js');
    const events: RefundGuardEvent[] = [];
    generateHistory({ orders: 2000, seed: 7 }, (line) => {
      const r = validateEvent(JSON.parse(line) as unknown, events.length);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      events.push(r.event);
    });
    const memory = new MemoryFeatureStore(definitions);
    const red = new RedisFeatureStore(redis, definitions, { prefix: nextPrefix() });
    for (const e of events) memory.applySync(e);
    for (let i = 0; i < events.length; i += 500) await red.apply(events.slice(i, i + 500));
    const last = Math.max(...events.map((e) => Date.parse(e.at)));
    const accounts = [...new Set(events.flatMap((e) => (e.type === 'merchant.updated' ? [] : [e.accountId])))];
    for (const a of accounts) expect(await red.read(a, last), a).toEqual(memory.readSync(a, last));
  });
});
