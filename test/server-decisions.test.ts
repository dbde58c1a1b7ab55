import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rolloutBucket } from '../engine/index.js';
import { contractRequest } from './support/openapi-contract.js';
import { copyPolicies, startTestRuntime, tokens, type TestRuntime } from './support/runtime.js';

let runtime: TestRuntime | undefined;
afterEach(async () => {
  await runtime?.cleanup();
  runtime = undefined;
});

function orderEvents(accountId: string, merchantId: string, n: number, startIso: string, refunds: number) {
  const events: Record<string, unknown>[] = [];
  const start = Date.parse(startIso);
  for (let i = 0; i < n; i++) {
    const t = new Date(start + i * 3_600_000).toISOString();
    events.push({ eventId: `${accountId}-o${i}`, type: 'order.placed', at: t, accountId, merchantId, orderId: `${accountId}-o${i}`, amount: 50, deviceId: `d-${accountId}` });
    if (i < refunds) {
      events.push({ eventId: `${accountId}-r${i}`, type: 'refund.requested', at: new Date(start + i * 3_600_000 + 60_000).toISOString(), accountId, merchantId, orderId: `${accountId}-o${i}`, amount: 50, refund: { type: 'fast_refund', reason: 'not_as_described' } });
    }
  }
  return events;
}

const fastRefund = (accountId: string, merchantId: string, occurredAt?: string) => ({
  point: 'refund.requested',
  ...(occurredAt ? { occurredAt } : {}),
  account: { id: accountId },
  merchant: { id: merchantId, category: 'apparel' },
  order: { id: 'o-x', amount: 80 },
  refund: { type: 'fast_refund', reason: 'damaged', amount: 80 },
});

describe('POST /v1/decisions', () => {
  it('adds the account\'s features server-side and explains the decision', async () => {
    runtime = await startTestRuntime();
    expect((await runtime.request('/v1/merchants/m1', { method: 'PUT', body: { settings: { interceptAbnormalRefunds: true } } })).status).toBe(200);
    const ingest = await runtime.request('/v1/events', { body: { events: orderEvents('a1', 'm1', 6, '2027-01-20T00:00:00Z', 5) }, role: 'backfill' });
    expect(ingest.status).toBe(200);
    const { status, body } = await runtime.request('/v1/decisions', { body: fastRefund('a1', 'm1'), role: 'service' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      point: 'refund.requested',
      action: 'return_first',
      reasons: [{ policy: 'intercept-abnormal-fast-refund', version: 1, rule: 'serial-refunder', action: 'return_first' }],
      missingFacts: [],
      degraded: false,
    });
    expect(body.policyRevision).toBe(runtime.ctx.bundles.bundle.revision);
    expect(body.decisionId).toMatch(/^d-/);

    const logged = await runtime.request(`/v1/decisions/${body.decisionId}`, { role: 'analyst' });
    expect(logged.status).toBe(200);
    expect(logged.body.facts.account).toMatchObject({ orders90d: 6, refunds90d: 5 });
    expect(logged.body.reasons).toEqual(body.reasons);
  });

  it('takes features as of occurredAt, so a history can be replayed', async () => {
    runtime = await startTestRuntime();
    await runtime.request('/v1/merchants/m1', { method: 'PUT', body: { settings: { interceptAbnormalRefunds: true } } });
    await runtime.request('/v1/events', { body: { events: orderEvents('a1', 'm1', 6, '2027-01-20T00:00:00Z', 5) }, role: 'backfill' });
    const before = await runtime.request('/v1/decisions', { body: fastRefund('a1', 'm1', '2027-01-19T00:00:00Z'), role: 'backfill' });
    expect(before.body.action).toBe('approve');
    expect(before.body.occurredAt).toBe('2027-01-19T00:00:00.000Z');
  });

  it('needs the merchant to opt in: without the setting the interception is only shadowed', async () => {
    runtime = await startTestRuntime();
    await runtime.request('/v1/events', { body: { events: orderEvents('a1', 'm2', 6, '2027-01-20T00:00:00Z', 5) }, role: 'backfill' });
    const { body } = await runtime.request('/v1/decisions', { body: fastRefund('a1', 'm2'), role: 'service' });
    expect(body.action).toBe('approve');
    expect(body.shadow.map((s: { rule: string }) => s.rule)).toContain('serial-refunder');
  });

  it('opens one-click rejection to a cohort set through the API, on the pilot date', async () => {
    runtime = await startTestRuntime();
    runtime.clock.set('2027-01-05T00:00:00Z');
    await runtime.request('/v1/merchants/m9', { method: 'PUT', body: { settings: { oneClickReject: true }, cohorts: ['pilot-one-click'] } });
    const events = [
      { eventId: 'ev1', type: 'evidence.appraised', at: '2026-12-01T00:00:00Z', accountId: 'a7', merchantId: 'm3', reportId: 'r1', verdict: 'forged' },
      { eventId: 'ev2', type: 'evidence.appraised', at: '2026-12-02T00:00:00Z', accountId: 'a7', merchantId: 'm3', reportId: 'r2', verdict: 'forged' },
    ];
    expect((await runtime.request('/v1/events', { body: { events }, role: 'backfill' })).status).toBe(200);
    const ask = () => runtime!.request('/v1/decisions', { body: { ...fastRefund('a7', 'm9'), refund: { type: 'return_refund', reason: 'x' } }, role: 'service' });
    expect((await ask()).body.action).toBe('approve');
    runtime.clock.set('2027-01-09T00:00:00Z');
    expect((await ask()).body).toMatchObject({ action: 'reject_allowed', reasons: [{ rule: 'repeated-forged-evidence' }] });
  });

  it('keeps percent rollouts monotonic across a reload', async () => {
    const dir = copyPolicies();
    const file = join(dir, 'intercept-abnormal-fast-refund.yaml');
    const setPercent = (percent: number, version: number) =>
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: \d+/m, `version: ${version}`).replace('  outside: shadow', `  outside: shadow\n  percent: ${percent}`).replace(/\n  percent: [\d.]+\n  percent:/, '\n  percent:'));
    setPercent(10, 2);
    runtime = await startTestRuntime({ policies: dir });
    const merchants = Array.from({ length: 60 }, (_, i) => `mp-${i}`);
    for (const m of merchants) await runtime.request(`/v1/merchants/${m}`, { method: 'PUT', body: { settings: { interceptAbnormalRefunds: true } } });
    await runtime.request('/v1/events', { body: { events: orderEvents('a1', 'm1', 6, '2027-01-20T00:00:00Z', 5) }, role: 'backfill' });
    const enforced = async () => {
      const inside = new Set<string>();
      for (const m of merchants) if ((await runtime!.request('/v1/decisions', { body: fastRefund('a1', m), role: 'service' })).body.action === 'return_first') inside.add(m);
      return inside;
    };
    const at10 = await enforced();
    expect([...at10].sort()).toEqual(merchants.filter((m) => rolloutBucket('intercept-abnormal-fast-refund', m) < 1000).sort());
    writeFileSync(file, readFileSync(file, 'utf8').replace('percent: 10', 'percent: 40').replace(/^version: \d+/m, 'version: 3'));
    const reload = await runtime.request('/v1/policies/reload', { method: 'POST' });
    expect(reload).toMatchObject({ status: 200, body: { changed: true } });
    const at40 = await enforced();
    for (const m of at10) expect(at40.has(m)).toBe(true);
    expect(at40.size).toBeGreaterThan(at10.size);
  });
});

describe('policy bundles', () => {
  it('refuse a broken bundle whole, keep the active one and show the failure', async () => {
    const dir = copyPolicies();
    runtime = await startTestRuntime({ policies: dir });
    const revision = runtime.ctx.bundles.bundle.revision;
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken\nversion: 1\npoint: refund.requested\nrollout: { mode: enforce }\nrules:\n  - id: r\n    when: { account.nope: { gte: 1 } }\n    then: { action: approve, reason: x }\n');
    const reload = await runtime.request('/v1/policies/reload', { method: 'POST' });
    expect(reload.status).toBe(422);
    expect(reload.body.error.code).toBe('policy_bundle_invalid');
    expect(reload.body.error.details[0].message).toMatch(/broken\.yaml:7:\d+ policy_unknown_feature/);
    const listed = await runtime.request('/v1/policies', { role: 'analyst' });
    expect(listed.body.revision).toBe(revision);
    expect(listed.body.lastLoadError.problems[0].code).toBe('policy_unknown_feature');
    expect(listed.body.policies.map((p: { id: string }) => p.id)).not.toContain('broken');
  });

  it('refuse a changed policy whose version did not rise', async () => {
    const dir = copyPolicies();
    runtime = await startTestRuntime({ policies: dir });
    const file = join(dir, 'checkout-restricted-accounts.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('maxQuantity: 1', 'maxQuantity: 2'));
    const reload = await runtime.request('/v1/policies/reload', { method: 'POST' });
    expect(reload.status).toBe(422);
    expect(reload.body.error.details[0].code).toBe('policy_version_not_raised');
  });

  it('swap in an edited bundle when a policy file changes on disk', async () => {
    const dir = copyPolicies();
    runtime = await startTestRuntime({ policies: dir, watchPolicies: true });
    const before = runtime.ctx.bundles.bundle.revision;
    const file = join(dir, 'checkout-restricted-accounts.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('maxQuantity: 1', 'maxQuantity: 2').replace(/^version: \d+/m, 'version: 7'));
    let listed = (await runtime.request('/v1/policies', { role: 'analyst' })).body;
    for (let i = 0; i < 60 && listed.revision === before; i++) {
      await new Promise((r) => setTimeout(r, 50));
      listed = (await runtime.request('/v1/policies', { role: 'analyst' })).body;
    }
    expect(listed.revision).not.toBe(before);
    expect(listed.policies.find((p: { id: string }) => p.id === 'checkout-restricted-accounts').version).toBe(7);
  });

  it('list every policy with version, mode and rollout', async () => {
    runtime = await startTestRuntime();
    const { body } = await runtime.request('/v1/policies', { role: 'analyst' });
    const oneClick = body.policies.find((p: { id: string }) => p.id === 'one-click-reject-risky-orders');
    expect(oneClick).toMatchObject({ version: 1, mode: 'enforce', rollout: { optIn: 'oneClickReject', stages: [{ from: '2027-01-09', cohorts: ['pilot-one-click'] }, { from: '2027-03-31', cohorts: 'all' }] } });
    expect(body.lastLoadError).toBeNull();
  });
});

describe('auth and bad input', () => {
  it('answers 401 without a token and 403 for the wrong role', async () => {
    runtime = await startTestRuntime();
    expect((await runtime.request('/v1/decisions', { body: fastRefund('a', 'm'), role: 'none' })).status).toBe(401);
    expect((await runtime.request('/v1/decisions', { body: fastRefund('a', 'm'), role: 'analyst' })).status).toBe(403);
    expect((await runtime.request('/v1/decisions', { body: fastRefund('a', 'm'), headers: { authorization: 'Bearer wrong-token-123' }, role: 'none' })).status).toBe(401);
    expect((await runtime.request('/v1/policies/reload', { method: 'POST', role: 'analyst' })).status).toBe(403);
    expect((await runtime.request('/v1/merchants/m1', { method: 'PUT', body: { settings: {} }, role: 'service' })).status).toBe(403);
    expect((await runtime.request('/v1/policies', { role: 'admin' })).status).toBe(200);
    expect((await runtime.request('/healthz', { role: 'none' })).status).toBe(200);
  });

  it('lists every problem of an invalid body with 400, never a 500', async () => {
    runtime = await startTestRuntime();
    const { status, body } = await runtime.request('/v1/decisions', { body: { point: 'refund.nope', account: { id: 'bad id!' }, merchant: {}, extra: 1 }, role: 'service' });
    expect(status).toBe(400);
    expect(body.error.code).toBe('validation_failed');
    const paths = body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/point', '/account/id', '/merchant']));
    expect(body.error.details.some((d: { message: string }) => d.message.includes('"extra"'))).toBe(true);
  });

  it('refuses broken JSON, prototype keys, deep nesting and oversized bodies', async () => {
    runtime = await startTestRuntime();
    expect((await runtime.request('/v1/decisions', { raw: '{"point":', role: 'service' })).body.error.code).toBe('invalid_json');
    const proto = await runtime.request('/v1/decisions', { raw: '{"point":"refund.requested","account":{"id":"a","__proto__":{"x":1}},"merchant":{"id":"m"}}', role: 'service' });
    expect(proto.status).toBe(400);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    const deep = '{"a":'.repeat(100) + '1' + '}'.repeat(100);
    expect((await runtime.request('/v1/decisions', { raw: `{"point":"refund.requested","account":{"id":"a"},"merchant":{"id":"m"},"context":${deep}}`, role: 'service' })).status).toBe(400);
    const huge = await runtime.request('/v1/decisions', { raw: JSON.stringify({ point: 'refund.requested', account: { id: 'a', pad: 'x'.repeat(1_100_000) }, merchant: { id: 'm' } }), role: 'service' });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('answers unknown routes and unknown decisions with 404 JSON', async () => {
    runtime = await startTestRuntime();
    expect((await runtime.request('/v1/nope')).body.error.code).toBe('not_found');
    expect((await runtime.request('/v1/decisions/d-zzzz-unknown', { role: 'analyst' })).status).toBe(404);
  });
});

describe('operations endpoints', () => {
  it('publishes a valid OpenAPI 3.1 document covering every route', async () => {
    runtime = await startTestRuntime();
    const { body } = await runtime.request('/openapi.json', { role: 'none' });
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const result = await new Validator().validate(body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const path of ['/v1/decisions', '/v1/decisions/{id}', '/v1/events', '/v1/accounts/{id}', '/v1/merchants/{id}', '/v1/policies', '/v1/policies/reload', '/v1/stats', '/v1/restrictions', '/v1/restrictions/{id}/lift', '/healthz', '/readyz', '/metrics']) {
      expect(Object.keys(body.paths)).toContain(path);
    }
  });

  it('counts decisions by point and action in /v1/stats and /metrics', async () => {
    runtime = await startTestRuntime();
    for (let i = 0; i < 3; i++) await runtime.request('/v1/decisions', { body: { point: 'order.checkout', account: { id: `a${i}` }, merchant: { id: 'm' } }, role: 'service' });
    expect((await runtime.request('/v1/stats', { role: 'analyst' })).body.decisions['order.checkout'].allow).toBe(3);
    const metrics = await runtime.request('/metrics', { role: 'none' });
    expect(metrics.body).toContain('refund_guard_decisions_total{point="order.checkout",action="allow"} 3');
    expect(metrics.body).toContain(`refund_guard_policy_bundle_info{revision="${runtime.ctx.bundles.bundle.revision}"} 1`);
  });

  it.each([['memory', false], ['Redis', true]] as const)('counts decisions per UTC day in /v1/stats: today by default, any kept day by ?day= (%s)', async (_name, redis) => {
    runtime = await startTestRuntime({ redis });
    const decide = (account: string) => runtime!.request('/v1/decisions', { body: { point: 'order.checkout', account: { id: account }, merchant: { id: 'm' } }, role: 'service' });
    runtime.clock.set('2027-02-01T23:59:00Z');
    await decide('a1');
    runtime.clock.set('2027-02-02T00:01:00Z');
    await decide('a2');
    await decide('a3');
    const today = await runtime.request('/v1/stats', { role: 'analyst' });
    expect(today.status).toBe(200);
    expect(today.body.decisions['order.checkout'].allow).toBe(3);
    expect(today.body.day).toEqual({ date: '2027-02-02', decisions: { 'order.checkout': { allow: 2 } } });
    await runtime.ctx.decisionLog.flush();
    expect((await runtime.request('/v1/stats?day=2027-02-01', { role: 'analyst' })).body.day).toEqual({ date: '2027-02-01', decisions: { 'order.checkout': { allow: 1 } } });
    expect((await runtime.request('/v1/stats?day=2027-01-15', { role: 'analyst' })).body.day).toEqual({ date: '2027-01-15', decisions: {} });
    for (const bad of ['2027-02-30', 'today', '2027-2-1']) {
      const refused = await runtime.request(`/v1/stats?day=${bad}`, { role: 'analyst' });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: '/day' }] });
    }
  });
});

describe('request ids', () => {
  it('echo the caller\'s x-request-id on answers and errors alike, and make one up when there is none', async () => {
    runtime = await startTestRuntime();
    const decide = (headers: Record<string, string>, body: unknown) =>
      contractRequest(runtime!.app, '/v1/decisions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.service}`, ...headers }, body: JSON.stringify(body) });
    const answered = await decide({ 'x-request-id': 'req-answered-1' }, fastRefund('a-rid', 'm-rid'));
    expect(answered.status).toBe(200);
    expect(answered.headers.get('x-request-id')).toBe('req-answered-1');
    expect(answered.headers.get('content-type')).toBe('application/json');
    const refused = await decide({ 'x-request-id': 'req-refused-1' }, { point: 'refund.requested' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-request-id')).toBe('req-refused-1');
    const madeUp = await decide({}, fastRefund('a-rid', 'm-rid'));
    expect(madeUp.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unknown = await contractRequest(runtime.app, '/v1/nowhere', { headers: { 'x-request-id': 'req-404' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-request-id')).toBe('req-404');
  });
});
