import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../server/observability/logger.js';
import { startTestRuntime, tokens, type TestRuntime } from './support/runtime.js';

/**
 * Issue 19, one block per item: each reproduces the reported request and checks it is refused
 * (or no longer takes effect), and that the roles meant to do it still can.
 */
let runtime: TestRuntime | undefined;
afterEach(async () => {
  await runtime?.cleanup();
  runtime = undefined;
});

const NOW = '2027-02-01T12:00:00.000Z';
const minutesFromNow = (m: number) => new Date(Date.parse(NOW) + m * 60_000).toISOString();
const daysFromNow = (d: number) => new Date(Date.parse(NOW) + d * 86_400_000).toISOString();

const upheld = (n: number, accountId: string, at = minutesFromNow(-60)) => ({
  eventId: `cr-${accountId}-${n}`, type: 'complaint.resolved', at, accountId, merchantId: 'm1', complaintId: `c-${accountId}-${n}`, orderId: `o-${accountId}-${n}`, outcome: 'upheld',
});
const merchantUpdate = (at = minutesFromNow(-1)) => ({ eventId: `mu-${at}`, type: 'merchant.updated', at, merchantId: 'm1', settings: { interceptAbnormalRefunds: false }, cohorts: ['attacker-cohort'] });
const order = (n: number, accountId: string, at = minutesFromNow(-30)) => ({ eventId: `o-${accountId}-${n}`, type: 'order.placed', at, accountId, merchantId: 'm1', orderId: `o-${accountId}-${n}`, amount: 20 });
const checkout = (accountId: string, extra: Record<string, unknown> = {}) => ({ point: 'order.checkout', account: { id: accountId }, merchant: { id: 'm1' }, ...extra });

async function start(options: Parameters<typeof startTestRuntime>[0] = {}): Promise<TestRuntime> {
  runtime = await startTestRuntime(options);
  return runtime;
}

describe('1. judgement events need the backfill or admin role', () => {
  it('refuses merchant.updated from a service token with 403 naming the type, and nothing changes', async () => {
    const rt = await start();
    expect((await rt.request('/v1/merchants/m1', { method: 'PUT', body: { settings: { interceptAbnormalRefunds: true }, cohorts: ['pilot-2027q1'] } })).status).toBe(200);
    const refused = await rt.request('/v1/events', { body: { events: [merchantUpdate()] }, role: 'service' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', details: [{ index: 0, path: '/events/0/type' }] });
    expect(refused.body.error.message).toContain('merchant.updated');
    const merchant = await rt.request('/v1/merchants/m1', { role: 'analyst' });
    expect(merchant.body).toMatchObject({ settings: { interceptAbnormalRefunds: true }, cohorts: ['pilot-2027q1'] });
  });

  it('refuses complaint.resolved and evidence.appraised from a service token: no restriction, checkout still allows', async () => {
    const rt = await start();
    const refused = await rt.request('/v1/events', { body: { events: [upheld(1, 'a9'), upheld(2, 'a9')] }, role: 'service' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('complaint.resolved');
    const appraised = { eventId: 'ea-1', type: 'evidence.appraised', at: minutesFromNow(-5), accountId: 'a9', merchantId: 'm1', reportId: 'r1', orderId: 'o1', verdict: 'forged' };
    expect((await rt.request('/v1/events', { body: { events: [appraised] }, role: 'service' })).status).toBe(403);
    expect((await rt.request('/v1/restrictions?accountId=a9', { role: 'analyst' })).body.restrictions).toEqual([]);
    expect((await rt.request('/v1/decisions', { body: checkout('a9'), role: 'service' })).body.action).toBe('allow');
  });

  it('refuses a mixed batch whole: the service role\'s own events in it are not applied either', async () => {
    const rt = await start();
    const refused = await rt.request('/v1/events', { body: { events: [order(1, 'a8'), upheld(1, 'a8')] }, role: 'service' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ index: 1, path: '/events/1/type' })]);
    expect((await rt.request('/v1/accounts/a8', { role: 'analyst' })).body.features.orders90d).toBe(0);
  });

  it('takes judgement events from the backfill and admin roles, which a history import needs', async () => {
    const rt = await start();
    const imported = await rt.request('/v1/events', { body: { events: [upheld(1, 'a5'), upheld(2, 'a5')] }, role: 'backfill' });
    expect(imported.status).toBe(200);
    expect(imported.body.restrictionsCreated.length).toBeGreaterThan(0);
    expect((await rt.request('/v1/decisions', { body: checkout('a5'), role: 'service' })).body.action).toBe('limit_quantity');
    expect((await rt.request('/v1/events', { body: { events: [merchantUpdate()] }, role: 'admin' })).status).toBe(200);
    expect((await rt.request('/v1/merchants/m1', { role: 'analyst' })).body.cohorts).toEqual(['attacker-cohort']);
  });

  it('gives the backfill role nothing beyond events and decisions', async () => {
    const rt = await start();
    expect((await rt.request('/v1/merchants/m1', { method: 'PUT', body: { settings: {} }, role: 'backfill' })).status).toBe(403);
    expect((await rt.request('/v1/accounts/a1', { role: 'backfill' })).status).toBe(403);
    expect((await rt.request('/v1/complaints/c1/resolution', { body: { outcome: 'upheld' }, role: 'backfill' })).status).toBe(403);
  });
});

describe('3. validation errors stay small', () => {
  it('checks an array\'s length before its items: 90,000 empty objects get one problem', async () => {
    const rt = await start();
    const raw = `{"point":"order.checkout","account":{"id":"a"},"merchant":{"id":"m"},"context":{"x":[${new Array(90_000).fill('{}').join(',')}]}}`;
    const started = performance.now();
    const response = await rt.app.request('/v1/decisions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.service}` }, body: raw });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(JSON.parse(text).error.details).toEqual([{ path: '/context/x', message: 'must have at most 256 items (has 90000)' }]);
    expect(text.length).toBeLessThan(2_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('lists the first 50 problems and says how many there were', async () => {
    const rt = await start();
    // Every array within its bound, every item wrong: 64 × 256 problems.
    const context = Object.fromEntries(Array.from({ length: 64 }, (_, k) => [`k${k}`, new Array(256).fill({})]));
    const { status, body } = await rt.request('/v1/decisions', { body: checkout('a', { context }), role: 'service' });
    expect(status).toBe(400);
    expect(body.error.details).toHaveLength(50);
    expect(body.error.message).toMatch(/the first 50 of \d{4,} problems are listed/);
    expect(JSON.stringify(body).length).toBeLessThan(10_000);
  });

  it('refuses a 1 MiB body of 340,000 empty objects before validating it', async () => {
    const rt = await start();
    const raw = `{"point":"order.checkout","account":{"id":"a"},"merchant":{"id":"m"},"context":{"x":[${new Array(340_000).fill('{}').join(',')}]}}`;
    const { status, body } = await rt.request('/v1/decisions', { raw, role: 'service' });
    expect(status).toBe(413);
    expect(body.error.message).toContain('values');
  });

  it('caps the problems of an event batch too', async () => {
    const rt = await start();
    const events = Array.from({ length: 300 }, (_, i) => ({ eventId: `bad-${i}`, type: 'order.placed' }));
    const { status, body } = await rt.request('/v1/events', { body: { events }, role: 'service' });
    expect(status).toBe(400);
    expect(body.error.details).toHaveLength(50);
    expect(body.error.message).toMatch(/first 50 of \d+ problems/);
  });
});

describe('5. bounded decision log', () => {
  it('refuses attribute strings over 1 KiB', async () => {
    const rt = await start();
    const { status, body } = await rt.request('/v1/decisions', { body: checkout('a', { context: { note: 'x'.repeat(1025) } }), role: 'service' });
    expect(status).toBe(400);
    expect(body.error.details[0].path).toBe('/context/note');
    expect((await rt.request('/v1/decisions', { body: checkout('a', { context: { note: 'x'.repeat(1024) } }), role: 'service' })).status).toBe(200);
  });

  it('logs a decision of large facts without them, within 16 KiB, and the decision still stands', async () => {
    const rt = await start();
    const context = Object.fromEntries(Array.from({ length: 60 }, (_, k) => [`k${k}`, 'y'.repeat(1024)]));
    const decided = await rt.request('/v1/decisions', { body: checkout('a', { context }), role: 'service' });
    expect(decided.status).toBe(200);
    const logged = await rt.app.request(`/v1/decisions/${decided.body.decisionId}`, { headers: { authorization: `Bearer ${tokens.analyst}` } });
    const text = await logged.text();
    expect(text.length).toBeLessThanOrEqual(16 * 1024);
    expect(JSON.parse(text)).toMatchObject({ decisionId: decided.body.decisionId, action: 'allow', facts: {}, factsOmitted: expect.stringContaining('16384') });
    // A small decision keeps its facts.
    const small = await rt.request('/v1/decisions', { body: checkout('a'), role: 'service' });
    expect((await rt.request(`/v1/decisions/${small.body.decisionId}`, { role: 'analyst' })).body.facts.account.id).toBe('a');
  });
});

describe('6. what a caller may steer', () => {
  it('holds a service-role occurredAt to the server clock: a restricted account cannot backdate its checkout', async () => {
    const rt = await start();
    await rt.request('/v1/events', { body: { events: [upheld(1, 'a5'), upheld(2, 'a5')] }, role: 'backfill' });
    const backdated = await rt.request('/v1/decisions', { body: checkout('a5', { occurredAt: '2024-01-01T00:00:00Z' }), role: 'service' });
    expect(backdated.status).toBe(400);
    expect(backdated.body.error).toMatchObject({ code: 'time_out_of_range', details: [{ path: '/occurredAt' }] });
    expect((await rt.request('/v1/decisions', { body: checkout('a5', { occurredAt: minutesFromNow(6) }), role: 'service' })).status).toBe(400);
    const near = await rt.request('/v1/decisions', { body: checkout('a5', { occurredAt: minutesFromNow(-4) }), role: 'service' });
    expect(near.body.action).toBe('limit_quantity');
    // Replays and backfills decide as of their own time.
    for (const role of ['backfill', 'admin'] as const) {
      expect((await rt.request('/v1/decisions', { body: checkout('a5', { occurredAt: '2024-01-01T00:00:00Z' }), role })).body.action).toBe('allow');
    }
  });

  it('takes the allowed skew from configuration', async () => {
    const rt = await start({ clockLimits: { decisionSkewMs: 1000 } });
    expect((await rt.request('/v1/decisions', { body: checkout('a', { occurredAt: new Date(Date.parse(NOW) + 2000).toISOString() }), role: 'service' })).status).toBe(400);
    expect((await rt.request('/v1/decisions', { body: checkout('a', { occurredAt: new Date(Date.parse(NOW) + 500).toISOString() }), role: 'service' })).status).toBe(200);
  });

  it('needs a valid order.id where policies read order facts, and the platform\'s order facts win', async () => {
    const rt = await start();
    const forged = { eventId: 'ea-86', type: 'evidence.appraised', at: minutesFromNow(-60), accountId: 'a86', merchantId: 'm1', reportId: 'r86', orderId: 'o86', verdict: 'forged' };
    expect((await rt.request('/v1/events', { body: { events: [forged] }, role: 'backfill' })).status).toBe(200);
    const intervene = (order?: unknown) => rt.request('/v1/decisions', { body: { point: 'refund.intervention', account: { id: 'a86' }, merchant: { id: 'm1' }, ...(order !== undefined ? { order } : {}) }, role: 'service' });
    const asArray = await intervene({ id: ['o86'], evidenceForged: false });
    expect(asArray.status).toBe(400);
    expect(asArray.body.error.details.map((d: { path: string }) => d.path)).toContain('/order/id');
    const noId = await intervene({ evidenceForged: false });
    expect(noId.status).toBe(400);
    expect(noId.body.error.details).toEqual([expect.objectContaining({ path: '/order/id' })]);
    const noOrder = await intervene();
    expect(noOrder.status).toBe(400);
    expect(noOrder.body.error.details).toEqual([expect.objectContaining({ path: '/order' })]);
    const claimed = await intervene({ id: 'o86', evidenceForged: false, evidencePending: true });
    expect(claimed.body.action).toBe('deny_refund');
    // At checkout no policy reads order facts: an order without id is still fine there.
    expect((await rt.request('/v1/decisions', { body: checkout('a86', { order: { amount: 5 } }), role: 'service' })).status).toBe(200);
  });

  it('takes the stored merchant category over the caller\'s', async () => {
    const rt = await start();
    expect((await rt.request('/v1/merchants/m-food', { method: 'PUT', body: { settings: { interceptAbnormalRefunds: true }, category: 'fresh-food' } })).status).toBe(200);
    const events = [];
    for (let i = 0; i < 6; i++) {
      events.push({ ...order(i, 'a-ser', daysFromNow(-5 + i * 0.1)), merchantId: 'm-food' });
      if (i < 5) events.push({ eventId: `r-${i}`, type: 'refund.requested', at: daysFromNow(-5 + i * 0.1 + 0.01), accountId: 'a-ser', merchantId: 'm-food', orderId: `o-a-ser-${i}`, amount: 20, refund: { type: 'fast_refund', reason: 'x' } });
    }
    expect((await rt.request('/v1/events', { body: { events }, role: 'backfill' })).status).toBe(200);
    const asked = await rt.request('/v1/decisions', {
      body: { point: 'refund.requested', account: { id: 'a-ser' }, merchant: { id: 'm-food', category: 'apparel' }, order: { id: 'o-x', amount: 20 }, refund: { type: 'fast_refund', reason: 'x', amount: 20 } },
      role: 'service',
    });
    expect(asked.status).toBe(200);
    // serial-refunder excludes fresh-food merchants: claiming "apparel" no longer brings it in.
    expect(asked.body.reasons.map((r: { rule: string }) => r.rule)).not.toContain('serial-refunder');
    expect((await rt.request(`/v1/decisions/${asked.body.decisionId}`, { role: 'analyst' })).body.facts.merchant.category).toBe('fresh-food');
  });
});

describe('7. JSON only, and open mode only for loopback hosts', () => {
  it('answers 415 with the error envelope to a body that is not application/json, and applies nothing', async () => {
    const rt = await start();
    const refused = await rt.request('/v1/events', { raw: JSON.stringify({ events: [order(1, 'a7')] }), role: 'service', headers: { 'content-type': 'text/plain' } });
    expect(refused.status).toBe(415);
    expect(refused.body.error.code).toBe('unsupported_media_type');
    const none = await rt.app.request('/v1/decisions', { method: 'POST', headers: { authorization: `Bearer ${tokens.service}` }, body: new TextEncoder().encode(JSON.stringify(checkout('a7'))) });
    expect(none.status).toBe(415);
    expect((await rt.request('/v1/accounts/a7', { role: 'analyst' })).body.features.orders90d).toBe(0);
    expect((await rt.request('/v1/decisions', { body: checkout('a7'), role: 'service', headers: { 'content-type': 'application/json; charset=utf-8' } })).status).toBe(200);
  });

  it('refuses a cross-site text/plain POST to a rebound host in open mode: no restriction is created', async () => {
    const rt = await start({ tokens: '' });
    expect(rt.ctx.tokens.open).toBe(true);
    const attack = await rt.app.request('http://rebind.evil.example/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example', host: 'rebind.evil.example' },
      body: JSON.stringify({ events: [upheld(1, 'a6'), upheld(2, 'a6')] }),
    });
    expect(attack.status).toBe(403);
    expect(((await attack.json()) as { error: { code: string } }).error.code).toBe('host_not_allowed');
    // Even as JSON, the rebound name is refused.
    const asJson = await rt.app.request('http://rebind.evil.example:8787/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [upheld(1, 'a6')] }) });
    expect(asJson.status).toBe(403);
    for (const host of ['127.0.0.1:8787', 'localhost', '[::1]:8787']) {
      expect((await rt.app.request(`http://${host}/v1/restrictions?accountId=a6`)).status).toBe(200);
    }
    const list = (await (await rt.app.request('http://127.0.0.1/v1/restrictions?accountId=a6')).json()) as { restrictions: unknown[] };
    expect(list.restrictions).toEqual([]);
  });

  it('serves any Host when tokens are configured (the token is the guard)', async () => {
    const rt = await start();
    const response = await rt.app.request('http://refund-guard.internal/v1/accounts/a1', { headers: { authorization: `Bearer ${tokens.analyst}` } });
    expect(response.status).toBe(200);
  });
});

describe('8. escaped prototype keys', () => {
  it('refuses "\\u005f_proto__" and other escapes of forbidden keys in decisions and events', async () => {
    const rt = await start();
    const decision = await rt.request('/v1/decisions', { raw: '{"point":"order.checkout","account":{"id":"a","\\u005f_proto__":{"polluted":1}},"merchant":{"id":"m"}}', role: 'service' });
    expect(decision.status).toBe(400);
    expect(decision.body.error.details).toEqual([{ path: '/account/__proto__', message: 'the key "__proto__" is not allowed' }]);
    const event = await rt.request('/v1/events', { raw: '{"events":[{"eventId":"e1","type":"order.placed","\\u0063onstructor":{"prototype":{"x":1}}}]}', role: 'service' });
    expect(event.status).toBe(400);
    expect(event.body.error.details[0].path).toBe('/events/0/constructor');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('9. store errors', () => {
  it('answers a fixed text on 503, without the store\'s own message, which goes to the log', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const rt = await start({ logger: createLogger({ level: 'warn', destination }) });
    rt.ctx.state.listRestrictions = async () => {
      throw new Error('connect ECONNREFUSED 10.9.8.7:6390');
    };
    const { status, body } = await rt.request('/v1/restrictions?accountId=a1', { role: 'analyst' });
    expect(status).toBe(503);
    expect(body.error.code).toBe('store_unavailable');
    expect(body.error.details).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain('10.9.8.7');
    expect(lines.join('')).toContain('connect ECONNREFUSED 10.9.8.7:6390');
  });
});

describe('10. x-request-id', () => {
  it('echoes ids of up to 128 id characters, and replaces long ones and markup with a new id', async () => {
    const rt = await start();
    const ask = (id: string) => rt.app.request('/healthz', { headers: { 'x-request-id': id } });
    expect((await ask('trace-0af7651916cd43dd8448eb211c80319c')).headers.get('x-request-id')).toBe('trace-0af7651916cd43dd8448eb211c80319c');
    expect((await ask('a'.repeat(128))).headers.get('x-request-id')).toBe('a'.repeat(128));
    for (const bad of ['a'.repeat(129), 'x'.repeat(15_000), '<script>alert(1)</script>', '<b>', 'two words']) {
      expect((await ask(bad)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('11. lifts name the token\'s holder', () => {
  for (const redis of [false, true]) {
    it(`records liftedBy from the token and keeps the caller's by as a note (${redis ? 'Redis' : 'memory'} store)`, async () => {
      const rt = await start({ redis, tokens: `service:${tokens.service},analyst:${tokens.analyst},admin:ops-carla:${tokens.admin},backfill:${tokens.backfill}` });
      const imported = await rt.request('/v1/events', { body: { events: [upheld(1, 'a4')] }, role: 'backfill' });
      const [restrictionId] = imported.body.restrictionsCreated as string[];
      const lifted = await rt.request(`/v1/restrictions/${restrictionId}/lift`, { body: { reason: 'appeal accepted', by: 'the-ceo' } });
      expect(lifted.status).toBe(200);
      expect(lifted.body).toMatchObject({ liftedBy: 'ops-carla', liftNote: 'the-ceo', liftReason: 'appeal accepted' });
      const listed = await rt.request('/v1/restrictions?accountId=a4', { role: 'analyst' });
      expect(listed.body.restrictions[0]).toMatchObject({ liftedBy: 'ops-carla', liftNote: 'the-ceo' });
    });
  }

  it('lifts without a by field', async () => {
    const rt = await start();
    const imported = await rt.request('/v1/events', { body: { events: [upheld(1, 'a3')] }, role: 'backfill' });
    const lifted = await rt.request(`/v1/restrictions/${imported.body.restrictionsCreated[0]}/lift`, { body: { reason: 'appeal accepted' } });
    expect(lifted.status).toBe(200);
    expect(lifted.body.liftedBy).toBe('admin');
    expect(lifted.body.liftNote).toBeUndefined();
  });
});

describe('12. headers', () => {
  it('sends nosniff everywhere and no-store on answers carrying personal data, errors included', async () => {
    const rt = await start();
    for (const [path, token] of [['/v1/accounts/a1', tokens.analyst], ['/v1/restrictions?accountId=a1', tokens.analyst], ['/v1/accounts/a1', 'wrong-token']] as const) {
      const response = await rt.app.request(path, { headers: { authorization: `Bearer ${token}` } });
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    expect((await rt.app.request('/metrics')).headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('13. event times', () => {
  it('refuses service-role events dated far ahead or implausibly old, naming each', async () => {
    const rt = await start();
    const events = [order(1, 'a2', '9999-12-31T00:00:00Z'), order(2, 'a2', '0000-01-01T00:00:00Z'), order(3, 'a2', daysFromNow(2)), order(4, 'a2', daysFromNow(-31)), order(5, 'a2', minutesFromNow(-1))];
    const { status, body } = await rt.request('/v1/events', { body: { events }, role: 'service' });
    expect(status).toBe(400);
    expect(body.error.code).toBe('time_out_of_range');
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(['/events/0/at', '/events/1/at', '/events/2/at', '/events/3/at']);
    expect((await rt.request('/v1/accounts/a2', { role: 'analyst' })).body.features.orders90d).toBe(0);
    const inWindow = [order(6, 'a2', daysFromNow(0.9)), order(7, 'a2', daysFromNow(-29))];
    expect((await rt.request('/v1/events', { body: { events: inWindow }, role: 'service' })).status).toBe(200);
  });

  it('lets backfill and admin import any time range', async () => {
    const rt = await start();
    for (const role of ['backfill', 'admin'] as const) {
      const events = [{ ...merchantUpdate('2020-01-01T00:00:00Z'), eventId: `mu-old-${role}` }, order(1, `a-${role}`, '2020-01-02T00:00:00Z')];
      expect((await rt.request('/v1/events', { body: { events }, role })).status).toBe(200);
    }
  });
});
