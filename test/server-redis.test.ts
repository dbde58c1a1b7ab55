import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, tokens, type TestRuntime } from './support/runtime.js';
import { contractRequest, overHttp } from './support/openapi-contract.js';

/** End to end: a real port, the real Redis on 127.0.0.1:6379 (a key prefix per run, removed after). */
let runtime: TestRuntime;
let server: Server;
let base: string;

beforeAll(async () => {
  runtime = await startTestRuntime({ redis: true });
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await runtime.cleanup();
});

async function call(path: string, role: keyof typeof tokens, body?: unknown, method?: string) {
  const response = await contractRequest(overHttp(base), path, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const order = (i: number, accountId = 'acc-1') => ({ eventId: `ord-${accountId}-${i}`, type: 'order.placed', at: `2027-01-${String(10 + (i % 15)).padStart(2, '0')}T10:00:00Z`, accountId, merchantId: 'm-1', orderId: `o-${accountId}-${i}`, amount: 20 });

describe('the decision server over a real port and Redis', () => {
  it('ingests events idempotently: a re-sent batch never counts twice', async () => {
    const events = [order(1), order(2), order(3)];
    expect((await call('/v1/events', 'service', { events })).body).toMatchObject({ accepted: 3, applied: 3, duplicates: 0 });
    expect((await call('/v1/events', 'service', { events })).body).toMatchObject({ accepted: 3, applied: 0, duplicates: 3 });
    const account = await call('/v1/accounts/acc-1', 'analyst');
    expect(account.status).toBe(200);
    expect(account.body.features.orders90d).toBe(3);
    for (const value of Object.values(account.body.features)) expect(typeof value).toBe('number');
  });

  it('refuses a batch with any invalid event whole, naming each bad event', async () => {
    const events = [order(10, 'acc-2'), { ...order(11, 'acc-2'), at: 'yesterday' }, { ...order(12, 'acc-2'), type: 'order.exploded' }];
    const { status, body } = await call('/v1/events', 'service', { events });
    expect(status).toBe(400);
    expect(body.error.details.map((d: { index: number }) => d.index)).toEqual([1, 2]);
    expect((await call('/v1/accounts/acc-2', 'analyst')).body.features.orders90d).toBe(0);
  });

  it('answers 413 for more than 1,000 events in a batch', async () => {
    const events = Array.from({ length: 1001 }, (_, i) => order(i, 'acc-3'));
    expect((await call('/v1/events', 'service', { events })).status).toBe(413);
  });

  it('decides over HTTP and logs the decision to a Redis stream another instance can read', async () => {
    await call('/v1/merchants/m-1', 'admin', { settings: { interceptAbnormalRefunds: true } }, 'PUT');
    const evidence = { eventId: 'ev-f1', type: 'evidence.appraised', at: '2027-01-20T00:00:00Z', accountId: 'acc-1', merchantId: 'm-1', reportId: 'rep-1', orderId: 'o-acc-1-1', verdict: 'forged' };
    expect((await call('/v1/events', 'backfill', { events: [evidence] })).status).toBe(200);
    const decision = await call('/v1/decisions', 'service', { point: 'refund.requested', account: { id: 'acc-1' }, merchant: { id: 'm-1', category: 'apparel' }, refund: { type: 'fast_refund', reason: 'x', amount: 20 } });
    expect(decision.body).toMatchObject({ action: 'return_first', degraded: false });
    const intervention = await call('/v1/decisions', 'service', { point: 'refund.intervention', account: { id: 'acc-1' }, merchant: { id: 'm-1' }, order: { id: 'o-acc-1-1' } });
    expect(intervention.body.action).toBe('deny_refund');
    const other = await call('/v1/decisions', 'service', { point: 'refund.intervention', account: { id: 'acc-1' }, merchant: { id: 'm-1' }, order: { id: 'o-acc-1-2' } });
    expect(other.body.action).toBe('continue');

    await runtime.ctx.decisionLog.flush();
    const second = await startTestRuntime({ redis: true, redisPrefix: runtime.prefix! });
    try {
      const logged = await second.request(`/v1/decisions/${decision.body.decisionId}`, { role: 'analyst' });
      expect(logged.status).toBe(200);
      expect(logged.body).toMatchObject({ decisionId: decision.body.decisionId, action: 'return_first' });
      expect(logged.body.facts.account.forgedEvidence365d).toBe(1);
      expect((await second.request('/v1/stats', { role: 'analyst' })).body.decisions['refund.requested'].return_first).toBeGreaterThanOrEqual(1);
    } finally {
      await second.close();
    }
  });

  it('is ready while Redis answers', async () => {
    const ready = await contractRequest(overHttp(base), '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', store: 'redis' });
  });
});
