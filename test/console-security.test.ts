/**
 * The console's security rules over app.request(): headers, cookie flags, sign-in and its refusals,
 * the Origin check on every state-changing route (forms and JSON alike), role checks on the server,
 * idle expiry and sign-out, hostile text escaped, and the principal seam that names people.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signInWithToken } from '../server/console/index.js';
import { parseTokens } from '../server/http/auth.js';
import { startTestRuntime, tokens, type TestRuntime } from './support/runtime.js';

const ORIGIN = 'http://console.test';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

let rt: TestRuntime;
beforeEach(async () => {
  rt = await startTestRuntime();
});
afterEach(async () => rt.cleanup());

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return rt.app.request(`${ORIGIN}${path}`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}

async function signIn(token: string, url = ORIGIN): Promise<{ cookie: string; setCookie: string }> {
  const r = await rt.app.request(`${url}/console/login`, { method: 'POST', headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ token }) });
  expect(r.status).toBe(303);
  const setCookie = r.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0]!, setCookie };
}

const get = (path: string, cookie?: string) => rt.app.request(`${ORIGIN}${path}`, { headers: cookie ? { cookie } : {} });

describe('console security', () => {
  it('pages carry a CSP without unsafe-inline or unsafe-eval, frame-ancestors none and nosniff; the page has no inline script', async () => {
    const r = await get('/console/login');
    expect(r.status).toBe(200);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await r.text();
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/console/static/console.js" defer="">']);
    expect(html).not.toMatch(/\son[a-z]+=|style="/);
    const script = await get('/console/static/console.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('sign-in sets an HttpOnly, SameSite=Strict cookie on /console, Secure over TLS; bad and service tokens are refused', async () => {
    const { setCookie } = await signIn(tokens.appraiser);
    expect(setCookie).toMatch(/^rg_console=[A-Za-z0-9_-]{43}; Max-Age=1800; Path=\/console; HttpOnly; SameSite=Strict$/);
    const overTls = await signIn(tokens.admin, 'https://console.test');
    expect(overTls.setCookie).toMatch(/; Secure/);
    expect(overTls.setCookie).not.toContain(tokens.admin);

    const wrong = await post('/console/login', form({ token: 'not-a-token-at-all' }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('That token is not valid.');
    const service = await post('/console/login', form({ token: tokens.service }));
    expect(service.status).toBe(401);
    expect(await service.text()).toContain('A service token cannot sign in to the console.');
  });

  it('refuses state-changing requests from another origin or with no origin, as forms and as JSON', async () => {
    const { cookie } = await signIn(tokens.admin);
    const cases: [string, Record<string, string>, string][] = [
      ['form, foreign origin', { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, form({ interceptAbnormalRefunds: 'on' })],
      ['JSON, foreign origin', { origin: 'http://evil.example', 'content-type': 'application/json' }, JSON.stringify({ interceptAbnormalRefunds: 'on' })],
      ['text/plain, null origin', { origin: 'null', 'content-type': 'text/plain' }, 'interceptAbnormalRefunds=on'],
      ['form, no origin', { 'content-type': 'application/x-www-form-urlencoded' }, form({ interceptAbnormalRefunds: 'on' })],
    ];
    for (const [name, headers, body] of cases) {
      const r = await rt.app.request(`${ORIGIN}/console/merchants/m9`, { method: 'POST', headers: { cookie, ...headers }, body });
      expect(r.status, name).toBe(403);
      expect(await r.text(), name).toContain('cross-origin request refused');
    }
    expect((await rt.request('/v1/merchants/m9', { role: 'analyst' })).status).toBe(404);
    // The same form from the console's own origin is taken.
    const ok = await post('/console/merchants/m9', form({ interceptAbnormalRefunds: 'on', cohorts: '' }), { cookie });
    expect(ok.status).toBe(303);
    expect((await rt.request('/v1/merchants/m9', { role: 'analyst' })).body.settings).toEqual({ interceptAbnormalRefunds: true, oneClickReject: false });
    // The save names the person who signed in (a role:token entry is named by its role).
    expect((await rt.request('/v1/merchants/m9', { role: 'analyst' })).body.updatedBy).toBe('admin');
    expect(await (await get('/console/merchants/m9', cookie)).text()).toMatch(/Last saved.*by admin/s);
  });

  it('checks roles on the server: an analyst posting the lift form or a verdict gets 403 and nothing changes', async () => {
    await rt.request('/v1/events', { role: 'service', body: { events: [{ eventId: 'e1', type: 'order.placed', at: '2027-01-30T10:00:00Z', accountId: 'a1', merchantId: 'm1', orderId: 'o1', amount: 10 }] } });
    const filed = await rt.request('/v1/complaints', { role: 'service', body: { complaintId: 'c1', kind: 'empty_package', accountId: 'a1', merchantId: 'm1', orderId: 'o1', evidence: [{ kind: 'photo' }] } });
    expect(filed.status).toBe(201);
    const { cookie: analyst } = await signIn(tokens.analyst);
    const resolve = await post('/console/complaints/c1/resolution', form({ outcome: 'upheld', note: 'x' }), { cookie: analyst });
    expect(resolve.status).toBe(403);
    expect((await rt.request('/v1/complaints/c1', { role: 'analyst' })).body.status).toBe('pending');

    const { cookie: appraiser } = await signIn(tokens.appraiser);
    expect((await post('/console/complaints/c1/resolution', form({ outcome: 'upheld', note: 'confirmed' }), { cookie: appraiser })).status).toBe(303);
    const [restriction] = (await rt.request('/v1/restrictions?accountId=a1', { role: 'analyst' })).body.restrictions;
    expect(restriction.status).toBe('active');
    for (const cookie of [analyst, appraiser]) {
      const lift = await post(`/console/restrictions/${restriction.id}/lift`, form({ reason: 'try' }), { cookie });
      expect(lift.status).toBe(403);
    }
    expect((await rt.request('/v1/restrictions?accountId=a1', { role: 'analyst' })).body.restrictions[0].status).toBe('active');
    const { cookie: admin } = await signIn(tokens.admin);
    const blank = await post(`/console/restrictions/${restriction.id}/lift`, form({ reason: '   ' }), { cookie: admin });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain('Reason is required');
    expect((await post(`/console/restrictions/${restriction.id}/lift`, form({ reason: 'appeal accepted' }), { cookie: admin })).status).toBe(303);
    expect((await rt.request('/v1/restrictions?accountId=a1', { role: 'analyst' })).body.restrictions[0]).toMatchObject({ status: 'lifted', liftedBy: 'admin', liftReason: 'appeal accepted' });
  });

  it('a signed-out session no longer works, and pages without a session send the person to sign in', async () => {
    const { cookie } = await signIn(tokens.appraiser);
    expect((await get('/console/evidence', cookie)).status).toBe(200);
    const out = await post('/console/logout', '', { cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^rg_console=; Max-Age=0/);
    const after = await get('/console/evidence', cookie);
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toBe('/console/login?next=%2Fconsole%2Fevidence');
    expect((await post('/console/logout', '', { cookie })).status).toBe(401);
  });

  it('escapes hostile evidence text and never turns an evidence URL into a link or image', async () => {
    await rt.request('/v1/evidence-reports', {
      role: 'service',
      body: { reportId: 'r1', merchantId: 'm1', accountId: 'a1', orderId: 'o1', reason: 'other', evidence: [{ kind: '<b>k</b>', note: '<script>alert(1)</script>', url: '"><img src=x onerror=alert(2)>' }] },
    });
    const { cookie } = await signIn(tokens.appraiser);
    const html = await (await get('/console/evidence/r1', cookie)).text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&lt;b&gt;k&lt;/b&gt;');
    expect(html).not.toMatch(/<img|<script>alert|<b>k/);
  });

  it('names people by their token\'s name (role:name:token), and by role for a role:token entry', () => {
    const table = parseTokens('appraiser:apr-token-0001,appraiser:anna:anna-token-01');
    expect(signInWithToken(table, 'apr-token-0001')).toEqual({ ok: true, person: { role: 'appraiser', name: 'appraiser' } });
    expect(signInWithToken(table, 'anna-token-01')).toEqual({ ok: true, person: { role: 'appraiser', name: 'anna' } });
    expect(signInWithToken(table, 'other-token-01')).toEqual({ ok: false, message: 'That token is not valid.' });
  });
});
