/**
 * What the overview, account and report pages show from the decision log and the workflow store
 * (issue 21): decisions by point and action today, an account's recent decisions with their
 * reasons, and the order's earlier reports. Over app.request(), on memory and on Redis.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestRuntime, tokens, type TestRuntime } from './support/runtime.js';

const ORIGIN = 'http://console.test';
const HOUR = 3_600_000;
let rt: TestRuntime | undefined;
afterEach(async () => {
  await rt?.cleanup();
  rt = undefined;
});

async function signIn(runtime: TestRuntime): Promise<string> {
  const r = await runtime.app.request(`${ORIGIN}/console/login`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${tokens.analyst}` });
  expect(r.status).toBe(303);
  return (r.headers.get('set-cookie') ?? '').split(';')[0]!;
}

async function page(runtime: TestRuntime, path: string, cookie: string): Promise<string> {
  const r = await runtime.app.request(`${ORIGIN}${path}`, { headers: { cookie } });
  expect(r.status, path).toBe(200);
  return r.text();
}

/** The rows of the table with this aria-label, as the text of their cells. */
function tableRows(html: string, label: string): string[][] {
  const table = new RegExp(`<table aria-label="${label}">([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (table === undefined) return [];
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '').trim()));
}

describe.each([['memory', false], ['Redis', true]] as const)('console pages from the logs (%s)', (_name, redis) => {
  it('the policies page lists the instances seen, with the revision each serves', async () => {
    rt = await startTestRuntime({ redis });
    const html = await page(rt, '/console/policies', await signIn(rt));
    const rows = tableRows(html, 'Instances');
    expect(rows).toHaveLength(1);
    expect(rows[0]![0]).toBe(`${rt.ctx.policies.instanceId} (this one)`);
    expect(rows[0]![2]).toBe(String(process.pid));
    expect(rows[0]![3]).toBe(rt.ctx.bundles.bundle.revision);
  });

  it("the overview counts today's decisions by point and action next to the totals", async () => {
    rt = await startTestRuntime({ redis });
    const runtime = rt;
    const decide = (account: string) => runtime.request('/v1/decisions', { body: { point: 'order.checkout', account: { id: account }, merchant: { id: 'm' } }, role: 'service' });
    runtime.clock.set('2027-02-01T23:00:00Z');
    await decide('a1');
    await decide('a2');
    runtime.clock.set('2027-02-02T01:00:00Z');
    await decide('a3');
    await runtime.ctx.decisionLog.flush();
    const html = await page(runtime, '/console', await signIn(runtime));
    expect(html).toContain('Decisions by point and action today');
    expect(tableRows(html, 'Decisions by point and action')).toEqual([['order.checkout', 'allow', '1', '3']]);
  });

  it("the account page lists the account's recent decisions with action and reasons, newest first, linked to each decision", async () => {
    rt = await startTestRuntime({ redis });
    const runtime = rt;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      runtime.clock.advance(60_000);
      const r = await runtime.request('/v1/decisions', { body: { point: 'order.checkout', account: { id: 'acc-7' }, merchant: { id: 'm' } }, role: 'service' });
      expect(r.status).toBe(200);
      ids.push(r.body.decisionId);
    }
    await runtime.request('/v1/decisions', { body: { point: 'order.checkout', account: { id: 'acc-8' }, merchant: { id: 'm' } }, role: 'service' });
    await runtime.ctx.decisionLog.flush();
    const html = await page(runtime, '/console/accounts/acc-7', await signIn(runtime));
    const rows = tableRows(html, 'Recent decisions');
    expect(rows.map((r) => r[0])).toEqual([...ids].reverse());
    expect(rows.map((r) => [r[1], r[2]])).toEqual(ids.map(() => ['order.checkout', 'allow']));
    for (const [i, id] of [...ids].reverse().entries()) {
      expect(html).toContain(`<a href="/console/decisions/${id}">${id}</a>`);
      const logged = (await runtime.request(`/v1/decisions/${id}`, { role: 'analyst' })).body as { reasons: { policy: string; rule: string; reason: string }[] };
      expect(rows[i]![3]).toBe(logged.reasons.map((r) => `${r.policy}/${r.rule}: ${r.reason}`).join('; '));
    }
  });

  it("the report page lists the order's earlier reports with their outcome, and only that order's", async () => {
    rt = await startTestRuntime({ redis });
    const runtime = rt;
    const file = (id: string, orderId: string, hoursAgo: number) =>
      runtime.request('/v1/evidence-reports', {
        role: 'service',
        body: { reportId: id, merchantId: 'm1', accountId: 'acc-9', orderId, reason: 'web_image', reportedAt: new Date(runtime.clock.ms - hoursAgo * HOUR).toISOString(), evidence: [{ kind: 'photo' }] },
      });
    expect((await file('rep-1', 'o-9', 5)).status).toBe(201);
    expect((await runtime.request('/v1/evidence-reports/rep-1/appraisal', { role: 'appraiser', body: { verdict: 'genuine', note: 'fine' } })).status).toBe(200);
    expect((await file('rep-2', 'o-9', 3)).status).toBe(201);
    expect((await file('rep-other', 'o-10', 4)).status).toBe(201);
    expect((await file('rep-3', 'o-9', 1)).status).toBe(201);
    const cookie = await signIn(runtime);
    const rows = tableRows(await page(runtime, '/console/evidence/rep-3', cookie), 'Earlier reports on this order');
    expect(rows.map((r) => [r[0], r[3]])).toEqual([['rep-2', 'pending'], ['rep-1', 'genuine']]);
    expect(tableRows(await page(runtime, '/console/evidence/rep-1', cookie), 'Earlier reports on this order')).toEqual([]);
  });
});
