import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnRedis } from './support/own-redis.js';
import { startTestRuntime, type TestRuntime } from './support/runtime.js';
import { until } from './support/until.js';

/**
 * Redis goes away under load and comes back: decisions keep answering (degraded, within the
 * budget), writes are refused with 503 and nothing accepted is lost, readiness follows Redis,
 * and the server recovers without a restart.
 */
let redis: OwnRedis;
let runtime: TestRuntime;

beforeAll(async () => {
  redis = await OwnRedis.start();
  runtime = await startTestRuntime({ redisUrl: redis.url, redisPrefix: 'rgfault', decisionTimeoutMs: 50, writeTimeoutMs: 500 });
});

afterAll(async () => {
  await runtime.close();
  await redis.kill();
});

const decision = (accountId: string) => ({
  point: 'refund.requested',
  account: { id: accountId },
  merchant: { id: 'm-f', category: 'apparel' },
  refund: { type: 'fast_refund', reason: 'damaged', amount: 10 },
});
const forged = (n: number) => ({ eventId: `f-${n}`, type: 'evidence.appraised', at: '2027-01-20T00:00:00Z', accountId: 'acc-f', merchantId: 'm-f', reportId: `rep-${n}`, orderId: `o-${n}`, verdict: 'forged' });

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

describe('when Redis goes away and comes back', () => {
  it('keeps deciding, refuses writes, and recovers without a restart', async () => {
    await runtime.request('/v1/merchants/m-f', { method: 'PUT', body: { settings: { interceptAbnormalRefunds: true } } });
    expect((await runtime.request('/v1/events', { body: { events: [forged(1)] }, role: 'backfill' })).body.applied).toBe(1);
    const healthy = await runtime.request('/v1/decisions', { body: decision('acc-f'), role: 'service' });
    expect(healthy.body).toMatchObject({ action: 'return_first', degraded: false });

    // Load in the background while Redis dies.
    let stop = false;
    const statuses: number[] = [];
    const background = (async () => {
      while (!stop) {
        statuses.push((await runtime.request('/v1/decisions', { body: decision('acc-f'), role: 'service' })).status);
        // In-process requests can complete without I/O once Redis is gone; let timers run.
        await new Promise((r) => setImmediate(r));
      }
    })();
    await until('background decisions answered before Redis dies', () => statuses.length >= 3);
    await redis.kill();

    const started = Date.now();
    const during = await runtime.request('/v1/decisions', { body: decision('acc-f'), role: 'service' });
    const elapsed = Date.now() - started;
    expect(during.status).toBe(200);
    expect(during.body.degraded).toBe(true);
    // Fail-open at refund.requested: the account's features are missing, so the default (false) applies.
    expect(during.body.action).toBe('approve');
    expect(during.body.missingFacts).toContain('account.forgedEvidence365d');
    expect(elapsed).toBeLessThan(1000);
    // Restrictions cannot be read either: they count as missing, not as "no restriction".
    const checkout = await runtime.request('/v1/decisions', { body: { point: 'order.checkout', account: { id: 'acc-f' }, merchant: { id: 'm-f' } }, role: 'service' });
    expect(checkout.body).toMatchObject({ action: 'allow', degraded: true });
    expect(checkout.body.missingFacts).toEqual(expect.arrayContaining(['account.restrictedHere', 'account.restrictedPlatform', 'account.referredToAuthorities']));

    const write = await runtime.request('/v1/events', { body: { events: [forged(2)] }, role: 'backfill' });
    expect(write.status).toBe(503);
    expect(write.body.error.code).toBe('store_unavailable');
    expect((await runtime.request('/readyz', { role: 'none' })).status).toBe(503);
    const metrics = (await runtime.request('/metrics', { role: 'none' })).body as string;
    expect(metrics).toMatch(/refund_guard_degraded_decisions_total\{point="refund.requested"\} [1-9]/);

    await redis.start();
    // Waits longer than the promise, so a slow recovery shows as a number, not as a timeout.
    const recovered = await waitFor(async () => (await runtime.request('/v1/decisions', { body: decision('acc-fresh'), role: 'service' })).body.degraded === false, 20_000);
    expect(recovered).toBeLessThan(5000);
    // Every connection reconnects on its own back-off: ready once all of them answer, and then writes are taken.
    await waitFor(async () => (await runtime.request('/readyz', { role: 'none' })).status === 200, 5000);
    stop = true;
    await background;
    expect(statuses.every((s) => s === 200)).toBe(true);

    // The refused batch is re-sent by the client; it counts once, even if sent twice.
    // (The killed Redis kept nothing, so only what was written after the restart exists.)
    expect((await runtime.request('/v1/events', { body: { events: [forged(2)] }, role: 'backfill' })).body).toMatchObject({ applied: 1, duplicates: 0 });
    expect((await runtime.request('/v1/events', { body: { events: [forged(2)] }, role: 'backfill' })).body).toMatchObject({ applied: 0, duplicates: 1 });
    const account = await runtime.request('/v1/accounts/acc-f', { role: 'analyst' });
    expect(account.body.features.forgedEvidence365d).toBe(1);
  });

  it('bounds the decision log buffer while Redis is down and counts what it dropped', async () => {
    const { RedisDecisionLog } = await import('../server/decision-log/index.js');
    const { Redis } = await import('ioredis');
    await redis.kill();
    const client = new Redis(redis.url, { enableOfflineQueue: false, lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    let dropped = 0;
    const log = new RedisDecisionLog(client, { prefix: 'rgfault', maxBuffered: 100, intervalMs: 10, onDropped: (n) => (dropped += n) });
    const record = (i: number) => ({ decisionId: `d-${Date.now().toString(36)}-${i}`, point: 'order.checkout' as const, action: 'allow', reasons: [], shadow: [], missingFacts: [], policyRevision: 'r', degraded: true, occurredAt: '', decidedAt: '', accountId: 'a', merchantId: 'm', facts: {} });
    for (let i = 0; i < 250; i++) log.append(record(i));
    await log.flush();
    expect(log.buffered).toBeLessThanOrEqual(100);
    expect(dropped).toBe(150);
    await log.close().catch(() => undefined);
    client.disconnect();
    await redis.start();
  });

  it('finds by id every decision logged while Redis was down, once a retried write lands, with one index field per batch', async () => {
    const { RedisDecisionLog } = await import('../server/decision-log/index.js');
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    const prefix = 'rgfault-log';
    const log = new RedisDecisionLog(client, { prefix, intervalMs: 60_000 });
    const record = (i: number) => ({ decisionId: log.newDecisionId(Date.now()), point: 'order.checkout' as const, action: 'allow', reasons: [], shadow: [], missingFacts: [], policyRevision: 'r', degraded: false, occurredAt: '', decidedAt: '', accountId: `a-${i}`, merchantId: 'm', facts: {} });
    const ids: string[] = [];
    try {
      await redis.kill();
      for (let i = 0; i < 3; i++) {
        const r = record(i);
        ids.push(r.decisionId);
        log.append(r);
      }
      await log.flush(); // fails: the batch goes back to the buffer
      expect(log.buffered).toBe(3);
      for (let i = 3; i < 6; i++) {
        const r = record(i);
        ids.push(r.decisionId);
        log.append(r);
      }
      await redis.start();
      await until('the log client reconnects', () => client.status === 'ready');
      await log.flush();
      expect(log.buffered).toBe(0);
      for (const [i, id] of ids.entries()) expect(await log.get(id)).toMatchObject({ decisionId: id, accountId: `a-${i}` });
      const indexKeys = await client.keys(`${prefix}:decision-index:*`);
      const fields = (await Promise.all(indexKeys.map((k) => client.hkeys(k)))).flat();
      expect(fields.length).toBeGreaterThanOrEqual(2); // the batch that failed and the one after it
      expect(fields.length).toBeLessThan(ids.length);
      expect(await log.get('d-zzzz-unknown-0-0')).toBeUndefined();
    } finally {
      await log.close().catch(() => undefined);
      client.disconnect();
    }
  });

  it('gives integrity reviews the write budget: a Redis stall degrades decisions, not a review', async () => {
    const { Redis } = await import('ioredis');
    const admin = new Redis(redis.url);
    try {
      // The tests before restarted Redis: the server's connections come back on their own back-off.
      await until('the server is ready again', async () => (await runtime.request('/readyz', { role: 'none' })).status === 200, 20_000);
      const at = Date.parse('2027-01-25T00:00:00Z');
      const upheld = { eventId: 'stall-c1', type: 'complaint.resolved', at: new Date(at).toISOString(), accountId: 'acc-stall', merchantId: 'm-f', complaintId: 'c-stall', outcome: 'upheld' };
      expect((await runtime.request('/v1/events', { body: { events: [upheld] }, role: 'backfill' })).status).toBe(200);
      // Every client waits 200 ms: past the 50 ms decision budget, within the 500 ms write budget.
      await admin.call('CLIENT', 'PAUSE', '200', 'ALL');
      const [decided, reviewed] = await Promise.all([
        runtime.request('/v1/decisions', { body: decision('acc-stall'), role: 'service' }),
        runtime.ctx.service.review('acc-stall', 'm-f', at, { type: 'complaint', id: 'c-stall-2' }),
      ]);
      expect(decided.body).toMatchObject({ degraded: true });
      expect(reviewed.decision).toMatchObject({ point: 'integrity.review', degraded: false });
    } finally {
      admin.disconnect();
    }
  });
});
