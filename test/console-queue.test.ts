/**
 * The evidence queue in the console over app.request(): due-soonest order, filters, cursor paging,
 * claims between two appraisers, and the auto-advance that skips reports someone else is appraising.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestRuntime, tokens, type TestRuntime } from './support/runtime.js';
import { withNames } from './support/console-browser.js';

const ORIGIN = 'http://console.test';
const HOUR = 3_600_000;
let rt: TestRuntime;

beforeEach(async () => {
  rt = await startTestRuntime();
  rt.ctx.tokens = withNames(rt.ctx.tokens, { 'anna-token-01': { role: 'appraiser', name: 'anna' }, 'ben-token-001': { role: 'appraiser', name: 'ben' } });
});
afterEach(async () => rt.cleanup());

async function file(id: string, hoursAgo: number, merchantId = 'm1', reason = 'web_image'): Promise<void> {
  const r = await rt.request('/v1/evidence-reports', {
    role: 'service',
    body: { reportId: id, merchantId, accountId: `a-${id}`, orderId: `o-${id}`, reason, reportedAt: new Date(rt.clock.ms - hoursAgo * HOUR).toISOString(), evidence: [{ kind: 'photo' }] },
  });
  expect(r.status).toBe(201);
}

async function signIn(token: string, headers: Record<string, string> = {}, url = ORIGIN): Promise<string> {
  const r = await rt.app.request(`${url}/console/login`, { method: 'POST', headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: `token=${token}` });
  expect(r.status).toBe(303);
  return (r.headers.get('set-cookie') ?? '').split(';')[0]!;
}

const page = async (path: string, cookie: string) => {
  const r = await rt.app.request(`${ORIGIN}${path}`, { headers: { cookie } });
  return { status: r.status, html: await r.text() };
};
const reportIds = (html: string): string[] => [...html.matchAll(/<a href="\/console\/evidence\/([^"?]+)" data-row="">/g)].map((m) => m[1]!);
const nextLink = (html: string) => /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(html)?.[1]?.replaceAll('&amp;', '&');

describe('console evidence queue', () => {
  it('lists due soonest first with filters and cursor paging across 120 reports', async () => {
    for (let i = 0; i < 120; i++) await file(`r${String(i).padStart(3, '0')}`, 25 - i * 0.1, i % 3 === 0 ? 'm3' : 'm1', i % 4 === 0 ? 'edited_image' : 'web_image');
    const cookie = await signIn(tokens.analyst);
    const seen: string[] = [];
    let path: string | undefined = '/console/evidence';
    while (path !== undefined) {
      const { status, html } = await page(path, cookie);
      expect(status).toBe(200);
      seen.push(...reportIds(html));
      path = nextLink(html);
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `r${String(i).padStart(3, '0')}`));

    const m3: string[] = [];
    path = '/console/evidence?merchant=m3&reason=edited_image';
    while (path !== undefined) {
      const { html } = await page(path, cookie);
      m3.push(...reportIds(html));
      path = nextLink(html);
    }
    expect(m3).toEqual(Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 3 === 0 && i % 4 === 0).map((i) => `r${String(i).padStart(3, '0')}`));

    // Reported 25 h ago down to 24 h ago: the first ten are past the SLA (r000 … r009; r010 is due right now).
    const overdue = await page('/console/evidence?overdue=on', cookie);
    expect(reportIds(overdue.html)).toEqual(Array.from({ length: 10 }, (_, i) => `r00${i}`));
    expect(overdue.html).toContain('overdue by 1 h 00 min');
  });

  it('claims a report for the appraiser who opens it; the other cannot give a verdict, and auto-advance skips it', async () => {
    await file('r1', 20);
    await file('r2', 19);
    await file('r3', 18);
    const anna = await signIn('anna-token-01');
    const ben = await signIn('ben-token-001');
    expect((await page('/console/evidence/r2', ben)).html).not.toContain('Being appraised by');
    const annaOnR2 = await page('/console/evidence/r2', anna);
    expect(annaOnR2.html).toContain('Being appraised by ben');
    expect(annaOnR2.html).not.toContain('>Forged<');
    expect((await page('/console/evidence', anna)).html).toMatch(/r2<\/a>.*?<td>ben<\/td>/s);

    const post = (id: string, cookie: string) =>
      rt.app.request(`${ORIGIN}/console/evidence/${id}/verdict`, { method: 'POST', headers: { origin: ORIGIN, cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'verdict=genuine&note=checked' });
    const refused = await post('r2', anna);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('being appraised by ben');
    expect((await rt.request('/v1/evidence-reports/r2', { role: 'appraiser' })).body.status).toBe('pending');

    await page('/console/evidence/r1', anna);
    const given = await post('r1', anna);
    expect(given.status).toBe(303);
    expect(given.headers.get('location')).toBe('/console/evidence/r3?done=r1');
    expect((await rt.request('/v1/evidence-reports/r1', { role: 'appraiser' })).body.appraisal).toMatchObject({ verdict: 'genuine', by: 'anna', note: 'checked' });

    // Ben's verdict ends his claim; r3 is next for him too (nobody has opened it yet).
    const bens = await post('r2', ben);
    expect(bens.headers.get('location')).toBe('/console/evidence/r3?done=r2');
    const annaNow = await page('/console/evidence/r3?done=r1', anna);
    expect(annaNow.html).toContain('Report r1 appraised genuine by anna.');
  });

  it('accepts the console\'s own origin as seen through a TLS-terminating proxy, and no other', async () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'rg.example.com' };
    const r = await rt.app.request(`${ORIGIN}/console/login`, { method: 'POST', headers: { origin: 'https://rg.example.com', 'content-type': 'application/x-www-form-urlencoded', ...forwarded }, body: `token=${tokens.admin}` });
    expect(r.status).toBe(303);
    expect(r.headers.get('set-cookie')).toMatch(/; Secure/);
    const foreign = await rt.app.request(`${ORIGIN}/console/login`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded', ...forwarded }, body: `token=${tokens.admin}` });
    expect(foreign.status).toBe(403);
  });
});
