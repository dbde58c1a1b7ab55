import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistoryToFile } from '../simulator/history/index.js';
import { simulateCommand, type SimulationReport } from '../simulator/index.js';

import { CHROMIUM, requireChromium } from './support/chromium.js';

const chromiumCheck = requireChromium('simulator-html');

/** A reason from a policy file that would run script if it were inserted unescaped. */
const HOSTILE_REASON = 'Serial refunder <img src=x onerror="window.__pwned=1"> & more';

describe.skipIf(chromiumCheck.skip)('simulate --html rendered in headless Chromium', () => {
  let dir: string;
  let report: SimulationReport;
  let html: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'simulator-html-'));
    const history = join(dir, 'history.ndjson');
    await generateHistoryToFile({ orders: 3000, seed: 7 }, history);
    const candidate = join(dir, 'candidate');
    cpSync('policies', candidate, { recursive: true });
    const file = join(candidate, 'intercept-abnormal-fast-refund.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('refundRate90d: { gt: 0.6 }', 'refundRate90d: { gt: 0.3 }')
        .replace(/reason: Refunds on more than 60%[^}]*}/, `reason: '${HOSTILE_REASON}' }`)
        .replace(/^version: (\d+)/m, (_, v: string) => `version: ${Number(v) + 1}`),
    );
    html = join(dir, 'report.html');
    let err = '';
    const code = await simulateCommand(['--history', history, '--candidate', candidate, '--json', join(dir, 'r.json'), '--html', html], { out: () => undefined, err: (t) => void (err += t) });
    expect(code, err).toBe(0);
    report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as SimulationReport;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws the daily chart, shows the headline numbers and escapes text from policy files', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(html).href);
      // Self-contained: the only request is the page itself.
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);

      const drawn = await page.locator('#daily-chart path, #daily-chart rect').count();
      expect(drawn).toBeGreaterThan(2);
      const pathData = await page.locator('#daily-chart path.candidate').getAttribute('d');
      expect(pathData).toMatch(/^M[\d.]+,[\d.]+ L/);
      const box = await page.locator('#daily-chart').boundingBox();
      expect(box!.width).toBeGreaterThan(100);

      const events = await page.locator('#h-events .v').textContent();
      expect(events).toBe(report.history.events.toLocaleString('en-US'));
      const flips = Object.values(report.points).reduce((s, t) => s + Object.values(t.flips).reduce((a, b) => a + b, 0), 0);
      expect(flips).toBeGreaterThan(0);
      expect(await page.locator('#h-flips .v').textContent()).toBe(flips.toLocaleString('en-US'));
      expect(await page.locator('#h-protected .v').textContent()).toBe(report.money.candidate.protected.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
      expect(await page.locator('#samples-table tbody tr').count()).toBe(report.samples.length);
      expect(await page.locator('#rules-table').textContent()).toContain('intercept-abnormal-fast-refund/serial-refunder');

      const samples = await page.locator('#samples-table').textContent();
      expect(samples).toContain(HOSTILE_REASON);
      expect(await page.locator('#samples-table img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('opens with what changed: the edited rule, its old and new condition marked, text from policy files escaped', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(pathToFileURL(html).href);
      // The first section after the title, visible without scrolling.
      expect(await page.locator('h2').first().textContent()).toBe('What changed');
      const box = await page.locator('#edit').boundingBox();
      expect(box!.y).toBeLessThan(300);
      expect(await page.evaluate(() => {
        const edit = document.querySelector('#edit')!;
        const cards = document.querySelector('.cards')!;
        return Boolean(edit.compareDocumentPosition(cards) & Node.DOCUMENT_POSITION_FOLLOWING);
      })).toBe(true);

      const policies = page.locator('#edit .policy');
      expect(await policies.count()).toBe(report.edit!.policies.length);
      const changed = page.locator('#edit .policy[data-policy="intercept-abnormal-fast-refund"]');
      expect(await changed.getAttribute('data-change')).toBe('changed');
      expect(await changed.locator('h3').textContent()).toContain('version 1 → 2');
      const rule = changed.locator('.rule[data-rule="serial-refunder"]');
      expect(await rule.getAttribute('data-change')).toBe('changed');
      const squeeze = (lines: string[]) => lines.map((t) => t.replace(/\s+/g, ' ').trim());
      expect(squeeze(await rule.locator('pre .gone').allTextContents())).toEqual(['- - account.refundRate90d: { gt: 0.6 }']);
      expect(squeeze(await rule.locator('pre .new').allTextContents())).toEqual(['+ - account.refundRate90d: { gt: 0.3 }']);
      // Kept lines of the condition are shown too, unmarked.
      expect(await rule.locator('pre').textContent()).toContain('- account.orders90d: { gte: 5 }');
      // The changed reason is in the edit as text, never as markup.
      const reasonRow = rule.locator('tr', { hasText: 'reason' });
      expect(await reasonRow.locator('td').nth(2).textContent()).toBe(HOSTILE_REASON);
      expect(await page.locator('#edit img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await page.screenshot({ path: join(dir, 'report-top.png') });
      expect(readFileSync(join(dir, 'report-top.png')).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
