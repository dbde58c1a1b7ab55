import { CHROMIUM } from './chromium.js';
import { parseTokens } from '../../server/http/tokens.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Role, TokenTable } from '../../server/http/auth.js';

export const SCREENSHOTS = '.out/console';

/** Headless Chromium as the project launches it (see test/simulator-html.test.ts); Playwright gives each launch a fresh profile. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core's serious and critical violations on the page. axe is injected as an inline script, which
 * the console's CSP forbids, so the audit runs in a context made with bypassCSP (never the one that checks the CSP).
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

export async function signIn(context: BrowserContext, baseUrl: string, token: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/console`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  return page;
}

/**
 * The test runtime's tokens plus named ones (`role:name:token`, through the real parser), so
 * audit records and claims can name two different people of one role.
 */
export function withNames(table: TokenTable, people: Record<string, { role: Role; name: string }>): TokenTable {
  const named = parseTokens(Object.entries(people).map(([token, p]) => `${p.role}:${p.name}:${token}`).join(','));
  return { open: table.open, callerOf: (authorization) => named.callerOf(authorization) ?? table.callerOf(authorization) };
}
