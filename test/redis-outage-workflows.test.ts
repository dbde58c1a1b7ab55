/**
 * During a real Redis outage (a redis-server of the test's own, killed and restarted): decisions
 * at refund.intervention answer degraded and fail open, a merchant that cannot be read makes a
 * decision degraded instead of failing it, and every workflow route answers 503 store_unavailable
 * (never a 500) and applies nothing; when Redis is back, the client's retries go through once.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnRedis } from './support/own-redis.js';
import { startTestRuntime, type TestRuntime } from './support/runtime.js';
import { until } from './support/until.js';

let redis: OwnRedis;
let runtime: TestRuntime;
const prefix = 'rgwf';

beforeAll(async () => {
  redis = await OwnRedis.start();
  runtime = await startTestRuntime({ redisUrl: redis.url, redisPrefix: prefix, decisionTimeoutMs: 50, writeTimeoutMs: 500 });
});
afterAll(async () => {
  await runtime.close();
  await redis.stop();
});

const report = (orderId: string) => ({ merchantId: 'm-w', accountId: 'acc-w', orderId, reason: 'web_image', evidence: [{ kind: 'photo', sha256: 'a'.repeat(64) }] });
const complaint = (orderId: string) => ({ kind: 'empty_package', merchantId: 'm-w', accountId: 'acc-w', orderId, evidence: [{ kind: 'parcel_photo' }] });
const intervention = { point: 'refund.intervention', account: { id: 'acc-w' }, merchant: { id: 'm-w' }, order: { id: 'o-forged' } };
const ready = () => until('the server is ready', async () => (await runtime.request('/readyz', { role: 'none' })).status === 200, 20_000);

describe('workflows and decisions while Redis is away', () => {
  it('a merchant that cannot be read makes the decision degraded, with the account still read', async () => {
    const admin = new Redis(redis.url);
    try {
      // A value of the wrong type under the merchant's key: every read of it fails (WRONGTYPE).
      await admin.hset(`${prefix}:m:m-broken`, 'x', '1');
    } finally {
      admin.disconnect();
    }
    expect((await runtime.request('/v1/events', { role: 'service', body: { events: [{ eventId: 'w-o1', type: 'order.placed', at: '2027-01-20T00:00:00Z', accountId: 'acc-m', merchantId: 'm-broken', orderId: 'o1', amount: 10 }] } })).status).toBe(200);
    const decided = await runtime.request('/v1/decisions', { role: 'service', body: { point: 'refund.requested', account: { id: 'acc-m' }, merchant: { id: 'm-broken' }, refund: { type: 'fast_refund', reason: 'damaged', amount: 10 } } });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ action: 'approve', degraded: true });
    expect(decided.body.missingFacts).not.toContain('account.orders90d');
    const healthy = await runtime.request('/v1/decisions', { role: 'service', body: { point: 'refund.requested', account: { id: 'acc-m' }, merchant: { id: 'm-fine' }, refund: { type: 'fast_refund', reason: 'damaged', amount: 10 } } });
    expect(healthy.body).toMatchObject({ degraded: false });
  });

  it('fails open at refund.intervention, refuses every workflow write and read with 503, and takes the retries once Redis is back', async () => {
    expect((await runtime.request('/v1/merchants/m-w', { method: 'PUT', body: { settings: { interceptAbnormalRefunds: true } } })).status).toBe(200);
    const flagged = await runtime.request('/v1/evidence-reports', { role: 'service', body: report('o-forged') });
    expect(flagged.status).toBe(201);
    expect((await runtime.request(`/v1/evidence-reports/${flagged.body.id}/appraisal`, { role: 'appraiser', body: { verdict: 'forged' } })).status).toBe(200);
    expect((await runtime.request('/v1/decisions', { role: 'service', body: intervention })).body).toMatchObject({ action: 'deny_refund', degraded: false });
    const pendingReport = (await runtime.request('/v1/evidence-reports', { role: 'service', body: report('o-pending') })).body.id as string;
    const pendingComplaint = (await runtime.request('/v1/complaints', { role: 'service', body: complaint('o-c1') })).body.id as string;

    await redis.kill();

    const degraded = await runtime.request('/v1/decisions', { role: 'service', body: intervention });
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ action: 'continue', degraded: true });
    expect(degraded.body.missingFacts).toContain('order.evidenceForged');

    const refused: [string, Parameters<TestRuntime['request']>[1]][] = [
      ['/v1/evidence-reports', { role: 'service', body: report('o-new'), headers: { 'idempotency-key': 'retry-r1' } }],
      ['/v1/complaints', { role: 'service', body: complaint('o-c2'), headers: { 'idempotency-key': 'retry-c1' } }],
      [`/v1/evidence-reports/${pendingReport}/appraisal`, { role: 'appraiser', body: { verdict: 'forged' } }],
      [`/v1/complaints/${pendingComplaint}/resolution`, { role: 'appraiser', body: { outcome: 'upheld' } }],
      ['/v1/evidence-reports?status=pending', { role: 'appraiser' }],
      ['/v1/complaints?status=pending', { role: 'appraiser' }],
      [`/v1/complaints/${pendingComplaint}`, { role: 'appraiser' }],
      ['/v1/restrictions?accountId=acc-w', { role: 'analyst' }],
      ['/v1/restrictions/rst-any/lift', { role: 'admin', body: { reason: 'appeal', by: 'ops' } }],
      ['/v1/merchants/m-w', { method: 'PUT', body: { settings: { oneClickReject: true } } }],
      ['/v1/accounts/acc-w', { role: 'analyst' }],
    ];
    for (const [path, init] of refused) {
      const answer = await runtime.request(path, init);
      expect([path, answer.status, answer.body?.error?.code]).toEqual([path, 503, 'store_unavailable']);
    }

    await redis.start();
    await ready();
    // The killed Redis kept nothing; what the client re-sends now is applied, and once only.
    const first = await runtime.request('/v1/evidence-reports', { role: 'service', body: report('o-new'), headers: { 'idempotency-key': 'retry-r1' } });
    const again = await runtime.request('/v1/evidence-reports', { role: 'service', body: report('o-new'), headers: { 'idempotency-key': 'retry-r1' } });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect((await runtime.request('/v1/decisions', { role: 'service', body: intervention })).body).toMatchObject({ degraded: false });
  });
});
