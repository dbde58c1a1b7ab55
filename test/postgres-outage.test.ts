/**
 * Outages with PostgreSQL as the system of record, each server of the test's own so it can be
 * taken down: PostgreSQL away (writes 503, nothing acknowledged, decisions go on from Redis,
 * writes back without a restart) and Redis away (writes committed to PostgreSQL, applied to the
 * cache when Redis returns).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnPostgres } from './support/own-postgres.js';
import { OwnRedis } from './support/own-redis.js';
import { deleteKeys, redisUrl, startTestRuntime, type TestRuntime } from './support/runtime.js';

let postgres: OwnPostgres;
beforeAll(async () => {
  postgres = await OwnPostgres.start();
}, 60_000);
afterAll(async () => {
  await postgres.stop();
});

const placed = (n: number, accountId: string) => ({ eventId: `out-${accountId}-${n}`, type: 'order.placed', at: '2027-01-30T10:00:00Z', accountId, merchantId: 'm-o', orderId: `o-${accountId}-${n}`, amount: 40 });
const checkout = (accountId: string) => ({ point: 'order.checkout', account: { id: accountId }, merchant: { id: 'm-o' } });
const countEvents = async (runtime: TestRuntime): Promise<number> => Number((await runtime.systemOfRecord!.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);

describe('PostgreSQL goes away and comes back', () => {
  it('refuses writes with 503 and acknowledges nothing, keeps deciding from Redis, and takes writes again without a restart', async () => {
    const prefix = `rgtest-pgout-${randomBytes(4).toString('hex')}`;
    const runtime = await startTestRuntime({ redisUrl, redisPrefix: prefix, postgresUrl: postgres.url });
    try {
      expect((await runtime.request('/v1/events', { role: 'service', body: { events: [placed(1, 'p1'), placed(2, 'p1')] } })).body).toMatchObject({ applied: 2 });
      const before = await runtime.request('/v1/decisions', { role: 'service', body: checkout('p1') });
      expect(before.body).toMatchObject({ degraded: false });

      await postgres.kill();
      const refused = await runtime.request('/v1/events', { role: 'service', body: { events: [placed(3, 'p1')] } });
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('store_unavailable');
      expect((await runtime.request('/v1/merchants/m-o', { method: 'PUT', body: { settings: { oneClickReject: true } } })).status).toBe(503);
      const complaint = await runtime.request('/v1/complaints', { role: 'service', body: { kind: 'empty_package', accountId: 'p1', merchantId: 'm-o', orderId: 'o-p1-1', evidence: [{ kind: 'photo' }] } });
      expect(complaint.status).toBe(503);
      // The refused event reached neither store: the cache did not count it.
      expect((await runtime.request('/v1/accounts/p1', { role: 'analyst' })).body.features.orders90d).toBe(2);
      for (let i = 0; i < 5; i++) {
        const during = await runtime.request('/v1/decisions', { role: 'service', body: checkout('p1') });
        expect(during.status).toBe(200);
        expect(during.body).toMatchObject({ degraded: false, action: before.body.action });
      }

      await postgres.start();
      const again = await runtime.request('/v1/events', { role: 'service', body: { events: [placed(3, 'p1')] } });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ applied: 1, duplicates: 0 });
      expect(await countEvents(runtime)).toBe(3);
      expect((await runtime.request('/v1/accounts/p1', { role: 'analyst' })).body.features.orders90d).toBe(3);
    } finally {
      await runtime.close();
      await deleteKeys(prefix);
    }
  });
});

describe('Redis goes away while PostgreSQL stays', () => {
  it('accepts writes into PostgreSQL, answers decisions degraded, and applies the writes to the cache when Redis returns', async () => {
    const redis = await OwnRedis.start();
    const runtime = await startTestRuntime({ redisUrl: redis.url, redisPrefix: 'rgfault', postgresUrl: postgres.url, writeTimeoutMs: 300, decisionTimeoutMs: 50 });
    try {
      await redis.kill();
      const accepted = await runtime.request('/v1/events', { role: 'service', body: { events: [placed(1, 'r1'), placed(2, 'r1'), placed(3, 'r1')] } });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ applied: 3 });
      const rows = await runtime.systemOfRecord!.pool.query<{ event_id: string }>("SELECT e.event_id FROM events e JOIN (SELECT unnest(seqs) AS seq FROM cache_outbox) o USING (seq) WHERE e.account_id = 'r1' ORDER BY seq");
      expect(rows.rows.map((r) => r.event_id)).toEqual(['out-r1-1', 'out-r1-2', 'out-r1-3']);
      expect((await runtime.request('/v1/decisions', { role: 'service', body: checkout('r1') })).body.degraded).toBe(true);

      await redis.start();
      // The repair runs on its timer; do not wait for it, run one pass as it would.
      const deadline = Date.now() + 10_000;
      while ((await runtime.systemOfRecord!.repair.runOnce(0).catch(() => 0)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const account = await runtime.request('/v1/accounts/r1', { role: 'analyst' });
      expect(account.status).toBe(200);
      expect(account.body.features.orders90d).toBe(3);
      // The decision connection reconnects on its own back-off.
      let degraded = true;
      for (const until = Date.now() + 10_000; degraded && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
        degraded = (await runtime.request('/v1/decisions', { role: 'service', body: checkout('r1') })).body.degraded;
      }
      expect(degraded).toBe(false);
    } finally {
      await runtime.close();
      await redis.kill();
    }
  });

  it('acknowledges a merchant update committed while the cache stalls, and rebuilds the cache once it answers', async () => {
    const redis = await OwnRedis.start();
    const runtime = await startTestRuntime({ redisUrl: redis.url, redisPrefix: 'rgstall', postgresUrl: postgres.url, writeTimeoutMs: 300, decisionTimeoutMs: 50 });
    const admin = new Redis(redis.url);
    try {
      expect((await runtime.request('/v1/merchants/m-stall', { method: 'PUT', body: { settings: { oneClickReject: false } } })).status).toBe(200);
      const rebuilds = runtime.systemOfRecord!.rebuilder.completed;
      // Writes stall (the data stays): the cache write times out after the commit.
      await admin.call('CLIENT', 'PAUSE', '2000', 'WRITE');
      const during = await runtime.request('/v1/merchants/m-stall', { method: 'PUT', body: { settings: { oneClickReject: true } } });
      expect(during.status).toBe(200);
      const stored = await runtime.systemOfRecord!.pool.query<{ state: { settings: Record<string, unknown> } }>("SELECT state FROM merchants WHERE id = 'm-stall'");
      expect(stored.rows[0]!.state.settings).toEqual({ oneClickReject: true });
      for (const until = Date.now() + 15_000; runtime.systemOfRecord!.rebuilder.completed === rebuilds && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
      expect(runtime.systemOfRecord!.rebuilder.completed).toBe(rebuilds + 1);
      const raw = await admin.keys('rgstall:*');
      expect(raw.length).toBeGreaterThan(0);
      runtime.clock.advance(5000); // past the in-process merchant cache
      expect((await runtime.request('/v1/merchants/m-stall', { role: 'admin' })).body.settings).toEqual({ oneClickReject: true });
    } finally {
      admin.disconnect();
      await runtime.close();
      await redis.kill();
    }
  });
});
