import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Restriction } from '../engine/index.js';
import type { RedisFeatureStore } from '../server/stores/redis-feature-store.js';
import { redisUrl, startTestRuntime, type TestRuntime } from './support/runtime.js';

/**
 * Restrictions live in the account's hash, so ingesting events must not take away the expiry a
 * restriction gave that key: a permanent one persisted it, a long one extended it.
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
});
