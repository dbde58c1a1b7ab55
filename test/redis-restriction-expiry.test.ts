import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Restriction } from '../engine/index.js';
import { trimsOn, type RedisFeatureStore } from '../server/stores/redis-feature-store.js';
import { redisUrl, startTestRuntime, type TestRuntime } from './support/runtime.js';

/**
 * Restrictions and order marks live in the account's hash beside the feature log, so ingesting
 * events must leave them be: not take away the expiry a restriction gave the key (a permanent one
 * persisted it, a long one extended it), and not trip over them when trimming old entries.
 */
let runtime: TestRuntime;
let redis: Redis;
beforeAll(async () => {
  runtime = await startTestRuntime({ redis: true });
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await runtime.cleanup();
});

const restriction = (accountId: string, expiresAt: string | null): Restriction => ({
  id: `r-${accountId}`, accountId, scope: { type: 'platform' }, kind: expiresAt === null ? 'refer_to_authorities' : 'restrict_platform', reason: 'test',
  policy: 'p', policyVersion: 1, rule: 'r', createdAt: new Date(runtime.clock.now()).toISOString(), expiresAt, status: 'active',
});
const events = (accountId: string, n: number) => ({
  events: Array.from({ length: n }, (_, i) => ({ eventId: `${accountId}-e${i}`, type: 'order.placed', at: new Date(runtime.clock.now() - i * 60_000).toISOString(), accountId, merchantId: 'm1', orderId: `${accountId}-o${i}`, amount: 10, deviceId: `dev-${accountId}` })),
});
const keyOf = (accountId: string) => (runtime.ctx.features as RedisFeatureStore).accountKey(accountId);

describe('ingestion and restriction expiries', () => {
  it('keeps the account of a permanent restriction persisted however many events follow', async () => {
    await runtime.ctx.state.addRestriction(restriction('acc-perm', null));
    expect(await redis.pttl(keyOf('acc-perm'))).toBe(-1);
    expect((await runtime.request('/v1/events', { body: events('acc-perm', 3), role: 'service' })).status).toBe(200);
    expect(await redis.pttl(keyOf('acc-perm'))).toBe(-1);
    expect((await runtime.request('/v1/accounts/acc-perm', { role: 'analyst' })).body.restrictions).toHaveLength(1);
  });

  it('does not shorten the expiry a long restriction gave the account', async () => {
    const tenYears = 10 * 365 * 86_400_000;
    await runtime.ctx.state.addRestriction(restriction('acc-long', new Date(runtime.clock.now() + tenYears).toISOString()));
    const before = await redis.pttl(keyOf('acc-long'));
    expect(before).toBeGreaterThan(tenYears * 0.9);
    expect((await runtime.request('/v1/events', { body: events('acc-long', 3), role: 'service' })).status).toBe(200);
    expect(await redis.pttl(keyOf('acc-long'))).toBeGreaterThan(tenYears * 0.9);
  });

  it('still gives a new account an expiry', async () => {
    expect((await runtime.request('/v1/events', { body: events('acc-new', 2), role: 'service' })).status).toBe(200);
    expect(await redis.pttl(keyOf('acc-new'))).toBeGreaterThan(0);
  });

  it('ingests the event that trims an account log holding restrictions and order marks, and keeps them', async () => {
    const at = new Date(runtime.clock.now() - 3_600_000).toISOString();
    const forged = { eventId: 'trim-f1', type: 'evidence.appraised', at, accountId: 'acc-trim', merchantId: 'm1', reportId: 'rep-trim', orderId: 'acc-trim-o0', verdict: 'forged' };
    expect((await runtime.request('/v1/events', { body: { events: [...events('acc-trim', 2).events, forged] }, role: 'backfill' })).status).toBe(200);
    await runtime.ctx.state.addRestriction(restriction('acc-trim', new Date(runtime.clock.now() + 86_400_000).toISOString()));
    let n = 0;
    while (!trimsOn(`trim-${n}`)) n++;
    const trimming = { ...events('acc-trim', 1).events[0]!, eventId: `trim-${n}`, orderId: 'acc-trim-o9' };
    const ingested = await runtime.request('/v1/events', { body: { events: [trimming] }, role: 'service' });
    expect(ingested.status).toBe(200);
    expect(ingested.body).toMatchObject({ applied: 1 });
    const account = await runtime.request('/v1/accounts/acc-trim', { role: 'analyst' });
    expect(account.body.restrictions).toHaveLength(1);
    expect(account.body.features.orders90d).toBe(3);
    const intervention = await runtime.request('/v1/decisions', { body: { point: 'refund.intervention', account: { id: 'acc-trim' }, merchant: { id: 'm1' }, order: { id: 'acc-trim-o0' } }, role: 'service' });
    expect(intervention.body.action).toBe('deny_refund');
  });
});
