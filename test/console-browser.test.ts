/**
 * The console in headless Chromium, driven by accessible names (DESIGN §9): sign in, work the
 * evidence queue (claims, SLA states, keyboard), give a verdict, uphold a complaint, lift a
 * restriction, save a merchant, sign out. Effects are checked through the /v1 API; every page is
 * audited with axe-core and saved under .out/console/. Runs over real Redis.
 */
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestrictionAuditEntry } from '../engine/index.js';
import { requireChromium } from './support/chromium.js';
import { launchChromium, screenshot, seriousViolations, signIn, withNames } from './support/console-browser.js';
import { HOUR, T0, iso, order, startHarness, tokenOf, type Harness } from './support/workflow-harness.js';

const browserCheck = requireChromium('console-browser');

const HOSTILE_NOTE = 'Looks real <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & "quoted"';
const HOSTILE_URL = 'javascript:window.__pwned=3//<b>bold</b>';
const people = {
  'anna-token-01': { role: 'appraiser' as const, name: 'anna' },
  'ben-token-001': { role: 'appraiser' as const, name: 'ben' },
  'omar-token-01': { role: 'admin' as const, name: 'omar' },
  'ana-token-001': { role: 'analyst' as const, name: 'ana' },
};

describe.skipIf(browserCheck.skip)('console in Chromium', () => {
  let h: Harness;
  let server: Server;
  let base: string;
  let browser: Browser;
  /** Contexts that audit with axe (axe is an inline script, so these bypass the CSP; the CSP itself is checked on a plain context). */
  let audited: BrowserContext[] = [];

  const api = (method: string, path: string, as: keyof typeof tokenOf, body?: unknown) => h.call(method, path, as, body);

  async function auditAndSave(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  }

  async function personContext(): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    audited.push(context);
    return context;
  }

  beforeAll(async () => {
    h = await startHarness({ redis: true });
    h.runtime.ctx.tokens = withNames(h.runtime.ctx.tokens, people);
    await h.events([order('a1', 'o1', T0 - 5 * HOUR), order('a2', 'o2', T0 - 30 * HOUR), order('a3', 'o3', T0 - 30 * HOUR), order('a4', 'o4', T0 - 30 * HOUR)]);
    const report = (id: string, accountId: string, orderId: string, reportedAt: number, note: string, url?: string) =>
      api('POST', '/v1/evidence-reports', 'service', {
        reportId: id, merchantId: 'm1', accountId, orderId, reason: 'web_image', reportedAt: iso(reportedAt),
        evidence: [{ kind: 'photo', note, ...(url !== undefined ? { url } : {}), sha256: 'ab'.repeat(32) }],
      });
    expect((await report('rep-over', 'a2', 'o2', T0 - 25 * HOUR, 'parcel photo')).status).toBe(201);
    expect((await report('rep-soon', 'a4', 'o4', T0 - 23 * HOUR, 'unboxing photo')).status).toBe(201);
    expect((await report('rep-hostile', 'a1', 'o1', T0 - HOUR, HOSTILE_NOTE, HOSTILE_URL)).status).toBe(201);
    const complaint = await api('POST', '/v1/complaints', 'service', {
      complaintId: 'cmp-1', kind: 'empty_package', accountId: 'a3', merchantId: 'm1', orderId: 'o3',
      evidence: [{ kind: 'parcel_photo', note: 'parcel weighed 40 g on receipt' }],
    });
    expect(complaint.status).toBe(201);
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: h.runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await h?.close();
  });

  it('an appraiser signs in, works the queue by time left, sees hostile evidence as text, and a forged verdict makes the intervention deny the refund', async () => {
    const login = await (await personContext()).newPage();
    await login.goto(`${base}/console`);
    expect(new URL(login.url()).pathname).toBe('/console/login');
    await auditAndSave(login, 'login');

    const anna = await signIn(await personContext(), base, 'anna-token-01');
    await expect(anna.getByText('anna')).toBeTruthy();
    await auditAndSave(anna, 'overview');
    expect(await anna.getByRole('list', { name: 'Queue counts' }).textContent()).toMatch(/3evidence reports pending.*1evidence reports overdue/);

    await anna.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Evidence' }).click();
    await anna.getByRole('heading', { name: 'Evidence queue' }).waitFor();
    const rows = anna.getByRole('table').getByRole('row');
    expect(await rows.count()).toBe(4);
    const texts = await rows.allTextContents();
    expect(texts[1]).toMatch(/^rep-over.*overdue by 1 h 00 min · overdue/);
    expect(texts[2]).toMatch(/^rep-soon.*1 h 00 min left · due within 2 h/);
    expect(texts[3]).toMatch(/^rep-hostile.*23 h 00 min left · on time/);
    await auditAndSave(anna, 'evidence-queue');

    await anna.getByLabel('Overdue only').check();
    await anna.getByRole('button', { name: 'Filter' }).click();
    expect(await anna.getByRole('table').getByRole('row').count()).toBe(2);
    expect(await anna.getByRole('link', { name: 'rep-over' }).count()).toBe(1);
    await anna.goto(`${base}/console/evidence`);

    await anna.getByRole('link', { name: 'rep-hostile' }).click();
    await anna.getByRole('heading', { name: 'Evidence report rep-hostile' }).waitFor();
    expect(await anna.getByText(HOSTILE_NOTE, { exact: true }).count()).toBe(1);
    expect(await anna.getByText(HOSTILE_URL, { exact: true }).count()).toBe(1);
    expect(await anna.locator('main img, main script, main a[href^="javascript"]').count()).toBe(0);
    expect(await anna.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await anna.getByText('Keys:').textContent()).toContain('f forged');
    await auditAndSave(anna, 'evidence-report');

    // Another appraiser opening the claimed report sees who has it, and gets no verdict buttons.
    const ben = await signIn(await personContext(), base, 'ben-token-001');
    await ben.goto(`${base}/console/evidence/rep-hostile`);
    await ben.getByText('Being appraised by anna').waitFor();
    expect(await ben.getByRole('button', { name: 'Forged' }).count()).toBe(0);
    await screenshot(ben, 'evidence-report-claimed');

    await anna.getByLabel('Note').fill('Reverse image search finds the picture on a stock site');
    await anna.getByRole('button', { name: 'Forged' }).click();
    // Auto-advance: the next report due, with the outcome of the last one.
    await anna.getByRole('heading', { name: 'Evidence report rep-over' }).waitFor();
    expect(await anna.getByRole('status').first().textContent()).toContain('Report rep-hostile appraised forged by anna');

    const appraised = await api('GET', '/v1/evidence-reports/rep-hostile', 'appraiser');
    expect(appraised.body.appraisal).toMatchObject({ verdict: 'forged', by: 'anna', note: 'Reverse image search finds the picture on a stock site' });
    expect(await h.decide('refund.intervention', 'a1', 'm1', { order: { id: 'o1' } })).toMatchObject({ action: 'deny_refund' });

    // Keyboard: j to the next report, k back, g asks for the note before giving a verdict.
    await anna.keyboard.press('j');
    await anna.getByRole('heading', { name: 'Evidence report rep-soon' }).waitFor();
    await anna.keyboard.press('k');
    await anna.getByRole('heading', { name: 'Evidence report rep-over' }).waitFor();
    await anna.keyboard.press('g');
    expect(await anna.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('note');
    expect((await api('GET', '/v1/evidence-reports/rep-over', 'appraiser')).body.status).toBe('pending');
    await anna.getByLabel('Note').fill('Photo matches the listing');
    await anna.locator('body').click();
    await anna.keyboard.press('g');
    await anna.getByRole('heading', { name: 'Evidence report rep-soon' }).waitFor();
    expect((await api('GET', '/v1/evidence-reports/rep-over', 'appraiser')).body.appraisal).toMatchObject({ verdict: 'genuine', by: 'anna' });
  });

  it('an appraiser upholds a complaint and sees the restriction it created; an analyst cannot lift it; an admin lifts it with a reason, audited by name', async () => {
    const anna = await signIn(await personContext(), base, 'anna-token-01');
    await anna.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Complaints' }).click();
    await auditAndSave(anna, 'complaints');
    await anna.getByRole('link', { name: 'cmp-1' }).click();
    await anna.getByRole('heading', { name: 'Complaint cmp-1' }).waitFor();
    await auditAndSave(anna, 'complaint');
    await anna.getByLabel('Note').fill('Carrier weight record confirms an empty parcel');
    await anna.getByRole('button', { name: 'Uphold' }).click();
    await anna.getByRole('heading', { name: 'Complaints', exact: true }).waitFor();
    expect(await anna.getByRole('status').first().textContent()).toMatch(/Complaint cmp-1 upheld by anna\. Restriction created: restrict_store on account a3/);

    const restrictions = (await api('GET', '/v1/restrictions?accountId=a3', 'analyst')).body.restrictions;
    expect(restrictions).toHaveLength(1);
    expect(restrictions[0]).toMatchObject({ kind: 'restrict_store', status: 'active', trigger: { type: 'complaint', id: 'cmp-1' } });
    const restrictionId: string = restrictions[0].id;

    // The analyst reads the account but has no Lift, and posting the lift form anyway is refused on the server.
    const ana = await signIn(await personContext(), base, 'ana-token-001');
    await ana.goto(`${base}/console/accounts/a3`);
    await ana.getByRole('heading', { name: 'Account a3' }).waitFor();
    expect(await ana.getByRole('button', { name: 'Lift' }).count()).toBe(0);
    const refused = await ana.request.post(`${base}/console/restrictions/${restrictionId}/lift`, { form: { reason: 'analyst tries' }, headers: { origin: base }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    expect((await api('GET', '/v1/restrictions?accountId=a3', 'analyst')).body.restrictions[0].status).toBe('active');

    const omar = await signIn(await personContext(), base, 'omar-token-01');
    await omar.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Restrictions' }).click();
    await auditAndSave(omar, 'restrictions');
    await omar.getByLabel('Account').fill('a3');
    await omar.getByRole('button', { name: 'Open account' }).click();
    await omar.getByRole('heading', { name: 'Account a3' }).waitFor();
    await auditAndSave(omar, 'account');
    await omar.getByLabel('Reason').fill('Appeal accepted: the carrier lost the contents');
    await omar.getByRole('button', { name: 'Lift' }).click();
    await omar.getByText('lifted by omar').waitFor();
    expect(await omar.getByRole('button', { name: 'Lift' }).count()).toBe(0);

    const after = (await api('GET', '/v1/restrictions?accountId=a3', 'analyst')).body.restrictions[0];
    expect(after).toMatchObject({ status: 'lifted', liftedBy: 'omar', liftReason: 'Appeal accepted: the carrier lost the contents' });
    const audit = await (h.runtime.ctx.state as unknown as { auditTrail(accountId?: string): Promise<RestrictionAuditEntry[]> }).auditTrail('a3');
    expect(audit.map((e) => [e.kind, e.record.liftedBy])).toEqual([['restriction.created', undefined], ['restriction.lifted', 'omar']]);

    // The decision that made the restriction, from the account's integrity record.
    await omar.getByRole('link', { name: 'decision' }).first().click();
    await omar.getByRole('heading', { name: /^Decision / }).waitFor();
    expect(await omar.getByRole('main').textContent()).toContain('restrict_store');
    await auditAndSave(omar, 'decision');
  });

  it('an admin saves a merchant\'s protections; policies are listed; signing out ends the session on the server', async () => {
    const omar = await signIn(await personContext(), base, 'omar-token-01');
    await omar.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Merchants' }).click();
    await auditAndSave(omar, 'merchants');
    await omar.getByLabel('Merchant').fill('m7');
    await omar.getByRole('button', { name: 'Open merchant' }).click();
    await omar.getByRole('heading', { name: 'Merchant m7' }).waitFor();
    await omar.getByRole('checkbox', { name: 'interceptAbnormalRefunds', exact: true }).check();
    await omar.getByRole('checkbox', { name: 'oneClickReject', exact: true }).check();
    await omar.getByLabel(/^Cohorts/).fill('pilot-2027q1, high-quality');
    await omar.getByRole('button', { name: 'Save' }).click();
    await omar.getByText('Saved.').waitFor();
    await auditAndSave(omar, 'merchant');
    expect((await api('GET', '/v1/merchants/m7', 'analyst')).body).toMatchObject({ settings: { interceptAbnormalRefunds: true, oneClickReject: true }, cohorts: ['pilot-2027q1', 'high-quality'] });
    await omar.getByRole('checkbox', { name: 'oneClickReject', exact: true }).uncheck();
    await omar.getByRole('button', { name: 'Save' }).click();
    await omar.getByText('Saved.').waitFor();
    expect((await api('GET', '/v1/merchants/m7', 'analyst')).body.settings).toEqual({ interceptAbnormalRefunds: true, oneClickReject: false });

    await omar.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Policies' }).click();
    await omar.getByRole('heading', { name: 'Policies', exact: true }).waitFor();
    expect(await omar.getByRole('main').textContent()).toContain(h.runtime.ctx.bundles.bundle.revision);
    await auditAndSave(omar, 'policies');

    const [cookie] = await omar.context().cookies();
    await omar.getByRole('link', { name: 'Sign out' }).click();
    await omar.getByRole('button', { name: 'Sign out' }).click();
    await omar.getByText('You are signed out.').waitFor();
    // The old cookie no longer opens anything: the session is gone from the server, not only from the browser.
    const replay = await fetch(`${base}/console`, { headers: { cookie: `${cookie!.name}=${cookie!.value}` }, redirect: 'manual' });
    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toMatch(/^\/console\/login/);
  });

  it('pages carry the CSP and cookie flags, run the console script under that CSP, and refuse a cross-origin post', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
      const response = await page.goto(`${base}/console/login`);
      const csp = response!.headers()['content-security-policy']!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response!.headers()['x-content-type-options']).toBe('nosniff');
      await page.getByLabel('Token').fill('anna-token-01');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: 'rg_console', httpOnly: true, sameSite: 'Strict', secure: false, path: '/console' });
      expect(await page.evaluate(() => document.cookie)).toBe('');

      // The static script runs under the CSP: j/k move between queue rows.
      await page.goto(`${base}/console/evidence`);
      await page.keyboard.press('j');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('rep-soon');
      expect(violations).toEqual([]);

      const crossOrigin = await page.request.post(`${base}/console/logout`, { form: {}, headers: { origin: 'http://evil.example' }, maxRedirects: 0 });
      expect(crossOrigin.status()).toBe(403);
      await page.goto(`${base}/console`);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
    } finally {
      await context.close();
    }
  });

  // Last: it files reports that would change the queues the tests above read.
  it("an analyst sees today's decisions on the overview, an account's recent decisions, and the order's earlier reports", async () => {
    await h.events([order('a5', 'o5', T0 - 30 * HOUR)]);
    await h.decide('order.checkout', 'a5', 'm1');
    const refund = await h.decide('refund.requested', 'a5', 'm1', { order: { id: 'o5' } });
    const file = (id: string, reportedAt: number) =>
      api('POST', '/v1/evidence-reports', 'service', { reportId: id, merchantId: 'm1', accountId: 'a5', orderId: 'o5', reason: 'web_image', reportedAt: iso(reportedAt), evidence: [{ kind: 'photo', note: 'box photo' }] });
    expect((await file('rep-a5-first', T0 - 4 * HOUR)).status).toBe(201);
    expect((await api('POST', '/v1/evidence-reports/rep-a5-first/appraisal', 'appraiser', { verdict: 'genuine', note: 'matches the listing' })).status).toBe(200);
    expect((await file('rep-a5-again', T0 - 2 * HOUR)).status).toBe(201);

    const ana = await signIn(await personContext(), base, 'ana-token-001');
    const today = ana.getByRole('table', { name: 'Decisions by point and action' });
    expect(await today.getByRole('row').filter({ hasText: 'refund.requested' }).count()).toBeGreaterThan(0);
    await auditAndSave(ana, 'overview-today');

    await ana.goto(`${base}/console/evidence/rep-a5-again`);
    const earlier = ana.getByRole('table', { name: 'Earlier reports on this order' });
    expect(await earlier.getByRole('row').allTextContents()).toEqual([expect.stringContaining('Report'), expect.stringMatching(/^rep-a5-first.*genuine/)]);
    await auditAndSave(ana, 'evidence-report-earlier');

    await ana.goto(`${base}/console/accounts/a5`);
    const recent = ana.getByRole('table', { name: 'Recent decisions' });
    await recent.getByRole('link', { name: refund.decisionId }).waitFor();
    expect(await recent.getByRole('row').count()).toBeGreaterThanOrEqual(1 + 2); // header and the two decisions (and any review the appraisal ran)
    expect(await recent.getByRole('row').filter({ hasText: 'order.checkout' }).count()).toBe(1);
    await auditAndSave(ana, 'account-recent');
  });

  afterAll(async () => {
    for (const context of audited) await context.close().catch(() => undefined);
    audited = [];
  });
});
