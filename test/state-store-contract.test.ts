/**
 * The MerchantStore and AccountStateStore contracts, run against the in-memory stores and against
 * real Redis (a random key prefix per run, every key deleted afterwards) and a Redis Cluster of the
 * file's own, as the runtime wires them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountReader, AccountStateStore, MerchantStore, Restriction, RestrictionAuditEntry } from '../engine/index.js';
import { MemoryMerchantStore } from '../engine/index.js';
import { CachedMerchantStore } from '../server/stores/cached-merchant-store.js';
import { RedisMerchantStore } from '../server/stores/redis-merchant-store.js';
import { redisTestPrefix } from './support/redis-keys.js';
import { clusterForSuite } from './support/test-cluster.js';
import { startTestRuntime, type TestRuntime } from './support/runtime.js';

const T0 = Date.parse('2027-03-01T00:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

const { redis, nextPrefix } = redisTestPrefix('state', { beforeAll, afterAll, expectClean: (left) => expect(left).toBe(0) });
const onCluster = clusterForSuite('state', { beforeAll, afterAll });

const merchantStores: [string, () => MerchantStore][] = [
  ['MemoryMerchantStore', () => new MemoryMerchantStore()],
  ['RedisMerchantStore', () => new RedisMerchantStore(redis, nextPrefix())],
  ['CachedMerchantStore over Redis', () => new CachedMerchantStore(new RedisMerchantStore(redis, nextPrefix()))],
  ['RedisMerchantStore on a Redis Cluster', () => new RedisMerchantStore(onCluster.client, onCluster.nextPrefix())],
];

describe.each(merchantStores)('%s', (_name, create) => {
  it('knows no merchant until one is put, then returns what it stored', async () => {
    const store = create();
    expect(await store.get('m1')).toBeUndefined();
    const stored = await store.put('m1', { settings: { interceptAbnormalRefunds: true }, cohorts: ['pilot', 'pilot', 'apparel'], category: 'apparel' }, iso(T0));
    expect(stored).toEqual({ id: 'm1', settings: { interceptAbnormalRefunds: true }, cohorts: ['pilot', 'apparel'], category: 'apparel', updatedAt: iso(T0) });
    expect(await store.get('m1')).toEqual(stored);
    expect(await store.get('m2')).toBeUndefined();
  });

  it('names who made a change when the update says, and forgets the name on a change that does not (an event)', async () => {
    const store = create();
    expect(await store.put('m1', { settings: { oneClickReject: true }, by: 'ops-anna' }, iso(T0))).toMatchObject({ updatedBy: 'ops-anna', updatedAt: iso(T0) });
    expect(await store.get('m1')).toMatchObject({ updatedBy: 'ops-anna' });
    const fromEvent = await store.put('m1', { cohorts: ['pilot'] }, iso(T0 + 1000));
    expect(fromEvent).not.toHaveProperty('updatedBy');
    expect(await store.get('m1')).not.toHaveProperty('updatedBy');
  });

  it('replaces the settings or cohorts an update gives and keeps the rest', async () => {
    const store = create();
    await store.put('m1', { settings: { interceptAbnormalRefunds: true, oneClickReject: true }, cohorts: ['pilot'], category: 'apparel' }, iso(T0));
    expect(await store.put('m1', { cohorts: ['high-quality'] }, iso(T0 + 1000))).toEqual({
      id: 'm1', settings: { interceptAbnormalRefunds: true, oneClickReject: true }, cohorts: ['high-quality'], category: 'apparel', updatedAt: iso(T0 + 1000),
    });
    // Settings are replaced as a whole, not merged key by key.
    expect(await store.put('m1', { settings: { oneClickReject: false } }, iso(T0 + 2000))).toEqual({
      id: 'm1', settings: { oneClickReject: false }, cohorts: ['high-quality'], category: 'apparel', updatedAt: iso(T0 + 2000),
    });
    expect(await store.get('m1')).toMatchObject({ settings: { oneClickReject: false }, cohorts: ['high-quality'] });
  });

  it('hands out copies or frozen objects: changing a returned merchant changes nothing stored', async () => {
    const store = create();
    /** A copy may be changed; a shared (cached) object must refuse the change. */
    const tryChanging = (change: () => void): void => {
      try {
        change();
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError); // a frozen object in strict mode
      }
    };
    const put = await store.put('m1', { settings: { a: 1 }, cohorts: ['x'] }, iso(T0));
    tryChanging(() => (put.settings['a'] = 2));
    tryChanging(() => put.cohorts.push('y'));
    const got = await store.get('m1');
    tryChanging(() => (got!.settings['a'] = 3));
    tryChanging(() => (got!.category = 'changed'));
    expect(await store.get('m1')).toEqual({ id: 'm1', settings: { a: 1 }, cohorts: ['x'], updatedAt: iso(T0) });
  });
});

const restriction = (id: string, accountId: string, extra: Partial<Restriction> = {}): Restriction => ({
  id, accountId, scope: { type: 'store', merchantId: 'm1' }, kind: 'restrict_store', reason: 'upheld complaint', policy: 'p', policyVersion: 1, rule: 'r',
  createdAt: iso(T0), expiresAt: iso(T0 + 180 * DAY), status: 'active', trigger: { type: 'complaint', id: `c-${id}` }, ...extra,
});

type Audited = AccountStateStore & { auditTrail(accountId?: string): Promise<RestrictionAuditEntry[]> };

describe.each([['MemoryAccountStateStore', 'memory'], ['RedisAccountStore', 'redis'], ['RedisAccountStore on a Redis Cluster', 'cluster']] as const)('%s', (_name, store) => {
  let runtime: TestRuntime;
  let state: Audited;
  let reader: AccountReader;
  beforeAll(async () => {
    runtime = await startTestRuntime(store === 'cluster' ? { redisCluster: onCluster.cluster.seeds, redisPrefix: onCluster.nextPrefix() } : { redis: store === 'redis' });
    state = runtime.ctx.state as Audited;
    reader = runtime.ctx.reader;
  }, 60_000);
  afterAll(async () => {
    await runtime.cleanup();
  });

  it('stores a restriction once: adding the same id again returns the stored one unchanged', async () => {
    const first = restriction('rst-a1', 'acc-1');
    expect(await state.addRestriction(first)).toEqual({ restriction: first, created: true });
    expect(await state.addRestriction({ ...first, reason: 'other', kind: 'restrict_platform' })).toEqual({ restriction: first, created: false });
    expect(await state.getRestriction('rst-a1')).toEqual(first);
    expect(await state.getRestriction('rst-unknown')).toBeUndefined();
    expect(await state.listRestrictions('acc-1')).toEqual([first]);
    expect(await state.listRestrictions('acc-none')).toEqual([]);
  });

  it('lists an account\'s restrictions only, and shows them in the account snapshot', async () => {
    const a = restriction('rst-b1', 'acc-2');
    const b = restriction('rst-b2', 'acc-2', { kind: 'restrict_platform', scope: { type: 'platform' } });
    const other = restriction('rst-b3', 'acc-3');
    for (const r of [a, b, other]) await state.addRestriction(r);
    const sortById = (list: readonly Restriction[]) => [...list].sort((x, y) => x.id.localeCompare(y.id));
    expect(sortById(await state.listRestrictions('acc-2'))).toEqual([a, b]);
    expect(sortById((await reader.snapshot('acc-2', T0)).restrictions)).toEqual([a, b]);
    expect((await reader.snapshot('acc-3', T0)).restrictions).toEqual([other]);
  });

  it('lifts a restriction once, keeping the first lift, and audits creation and lift', async () => {
    expect(await state.liftRestriction('rst-unknown', { by: 'ops', reason: 'x', at: iso(T0) })).toBeUndefined();
    const r = restriction('rst-c1', 'acc-4');
    await state.addRestriction(r);
    const lifted = { ...r, status: 'lifted', liftedAt: iso(T0 + DAY), liftedBy: 'ops-anna', liftReason: 'appeal accepted' };
    expect(await state.liftRestriction('rst-c1', { by: 'ops-anna', reason: 'appeal accepted', at: iso(T0 + DAY) })).toEqual(lifted);
    expect(await state.liftRestriction('rst-c1', { by: 'ops-ben', reason: 'again', at: iso(T0 + 2 * DAY) })).toEqual(lifted);
    expect(await state.getRestriction('rst-c1')).toEqual(lifted);
    const audit = await state.auditTrail('acc-4');
    expect(audit.map((e) => [e.kind, e.id])).toEqual([
      ['restriction.created', 'rst-c1'],
      ['restriction.lifted', 'rst-c1'],
    ]);
    expect(audit[1]!.record).toEqual(lifted);
  });

  it('keeps the earliest time of each order mark, per order', async () => {
    await state.markOrder('acc-5', 'o1', 'reportedAt', T0 + 2000);
    await state.markOrder('acc-5', 'o1', 'reportedAt', T0 + 1000);
    await state.markOrder('acc-5', 'o1', 'reportedAt', T0 + 3000);
    await state.markOrder('acc-5', 'o1', 'forgedAt', T0 + 5000);
    await state.markOrder('acc-5', 'o2', 'genuineAt', T0 + 7000);
    const orders = (await reader.snapshot('acc-5', T0 + DAY)).orders;
    expect(Object.fromEntries(orders)).toEqual({ o1: { reportedAt: T0 + 1000, forgedAt: T0 + 5000 }, o2: { genuineAt: T0 + 7000 } });
    expect((await reader.snapshot('acc-none', T0)).orders.size).toBe(0);
  });

  it('hands out copies: changing a returned restriction changes nothing stored', async () => {
    const r = restriction('rst-d1', 'acc-6');
    const { restriction: stored } = await state.addRestriction(r);
    stored.reason = 'changed';
    (await state.getRestriction('rst-d1'))!.status = 'lifted';
    (await state.listRestrictions('acc-6'))[0]!.kind = 'refer_to_authorities';
    expect(await state.getRestriction('rst-d1')).toEqual(r);
  });
});
