import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from './support/runtime.js';

/** Issue 17 §1: every mistyped known fact field answers 400 naming its path, never a default action. */
let runtime: TestRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(async () => {
  await runtime.cleanup();
});

const valid = {
  point: 'refund.requested',
  account: { id: 'a1' },
  merchant: { id: 'm1', category: 'apparel' },
  order: { id: 'o1', amount: 80, quantity: 2 },
  refund: { type: 'fast_refund', reason: 'damaged', amount: 80 },
};

const decide = (body: unknown) => runtime.request('/v1/decisions', { body, role: 'service' });

describe('POST /v1/decisions types the fields the platform defines', () => {
  it('accepts a well-typed body', async () => {
    expect((await decide(valid)).status).toBe(200);
  });

  // The bodies measured in the issue: each answered 200 (approve) before.
  const cases: [string, string, Record<string, unknown>][] = [
    ['order.amount "lots"', '/order/amount', { order: { id: 'o1', amount: 'lots' } }],
    ['order.amount -5', '/order/amount', { order: { id: 'o1', amount: -5 } }],
    ['order.quantity 1.5', '/order/quantity', { order: { id: 'o1', amount: 80, quantity: 1.5 } }],
    ['order.quantity 0', '/order/quantity', { order: { id: 'o1', amount: 80, quantity: 0 } }],
    ['refund.amount "12"', '/refund/amount', { refund: { type: 'fast_refund', reason: 'damaged', amount: '12' } }],
    ['refund.type 7', '/refund/type', { refund: { type: 7, reason: 'damaged' } }],
    ['refund.reason {}', '/refund/reason', { refund: { type: 'fast_refund', reason: {} } }],
    ['merchant.category ["x"]', '/merchant/category', { merchant: { id: 'm1', category: ['x'] } }],
    ['merchant.settings.oneClickReject "yes"', '/merchant/settings/oneClickReject', { merchant: { id: 'm1', settings: { oneClickReject: 'yes' } } }],
    ['occurredAt 12', '/occurredAt', { occurredAt: 12 }],
    // Account features of policies/features.yaml are numbers: a degraded decision would read the caller's.
    ['account.orders90d "6"', '/account/orders90d', { account: { id: 'a1', orders90d: '6' } }],
    ['occurredAt "yesterday"', '/occurredAt', { occurredAt: 'yesterday' }],
  ];
  for (const [name, path, change] of cases) {
    it(`answers 400 validation_failed naming ${path} for ${name}`, async () => {
      const { status, body } = await decide({ ...valid, ...change });
      expect(status).toBe(400);
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    });
  }

  it('names every wrong path of one body at once', async () => {
    const { status, body } = await decide({ ...valid, order: { id: 'o1', amount: 'lots', quantity: 1.5 }, refund: { type: 7, reason: 'x', amount: '12' }, merchant: { id: 'm1', category: ['x'] } });
    expect(status).toBe(400);
    const paths = new Set(body.error.details.map((d: { path: string }) => d.path));
    expect([...paths].sort()).toEqual(['/merchant/category', '/order/amount', '/order/quantity', '/refund/amount', '/refund/type']);
  });

  it('leaves caller-defined attributes and context free-form', async () => {
    const { status } = await decide({
      ...valid,
      order: { ...valid.order, channel: 'app', giftWrapped: true, tags: ['a', 1], meta: { a: 'b' } },
      context: { anything: 'goes', score: 0.4, list: [1, 'x'] },
    });
    expect(status).toBe(200);
  });
});
