import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestRuntime } from './support/runtime.js';

/**
 * Issue 17 §2: a client generated from the served document by openapi-typescript, called through
 * openapi-fetch, type-checks under strict. The `@ts-expect-error` lines fail the check if the
 * document loosens again (overdue back to a string, limit untyped).
 */
const clientProgram = `import createClient from 'openapi-fetch';
import type { paths } from './api.js';

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:8080', headers: { authorization: 'Bearer token' } });

export async function tour(): Promise<string[]> {
  const decided = await client.POST('/v1/decisions', {
    body: { point: 'refund.requested', account: { id: 'a1' }, merchant: { id: 'm1' }, order: { id: 'o1', amount: 80, quantity: 1 }, refund: { type: 'fast_refund', reason: 'damaged', amount: 80 } },
  });
  if (decided.error) throw new Error(decided.error.error.code + ': ' + decided.error.error.message);
  const action: string = decided.data.action;
  const firstReason: { policy: string; version: number; rule: string } | undefined = decided.data.reasons[0];
  const degraded: boolean = decided.data.degraded;

  const account = await client.GET('/v1/accounts/{id}', { params: { path: { id: 'a1' } } });
  if (account.error) throw new Error(account.error.error.message);
  const features: Record<string, number> = account.data.features;
  const expiries: (string | null)[] = account.data.restrictions.map((r) => r.expiresAt);

  const lines: string[] = [action, String(firstReason?.policy), String(degraded), String(Object.keys(features).length), String(expiries.length)];
  let cursor: string | undefined;
  do {
    const page = await client.GET('/v1/evidence-reports', { params: { query: { status: 'pending', overdue: true, limit: 50, ...(cursor ? { cursor } : {}) } } });
    if (page.error) throw new Error(page.error.error.message);
    for (const report of page.data.reports) {
      const overdue: boolean = report.overdue;
      lines.push(report.id + ' due ' + report.dueAt + (overdue ? ' (overdue)' : ''));
    }
    const pending: number = page.data.counts.pending;
    lines.push(String(pending));
    cursor = page.data.nextCursor ?? undefined;
  } while (cursor !== undefined);

  const policies = await client.GET('/v1/policies');
  if (policies.error) throw new Error(policies.error.error.message);
  for (const policy of policies.data.policies) {
    const version: number = policy.version;
    const mode: 'off' | 'shadow' | 'enforce' = policy.rollout.mode;
    lines.push(policy.id + '@' + version + ' ' + mode);
  }
  lines.push(policies.data.revision);

  // @ts-expect-error overdue is a boolean, not the string "true"
  await client.GET('/v1/evidence-reports', { params: { query: { overdue: 'true' } } });
  // @ts-expect-error limit is an integer, not a string
  await client.GET('/v1/evidence-reports', { params: { query: { limit: '10' } } });
  // @ts-expect-error order.amount is a number
  await client.POST('/v1/decisions', { body: { point: 'refund.requested', account: { id: 'a1' }, merchant: { id: 'm1' }, order: { amount: 'lots' } } });
  return lines;
}
`;

// Inside the worktree (ignored by git) so the program resolves openapi-fetch from node_modules.
const outDir = resolve('.out');
mkdirSync(outDir, { recursive: true });
const dir = mkdtempSync(join(outDir, 'openapi-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a client generated from /openapi.json', () => {
  it('type-checks decide, read an account, page the evidence queue and read policies under strict', async () => {
    const runtime = await startTestRuntime();
    const { status, body } = await runtime.request('/openapi.json', { role: 'none' });
    await runtime.cleanup();
    expect(status).toBe(200);

    writeFileSync(join(dir, 'api.ts'), astToString(await openapiTS(body)));
    writeFileSync(join(dir, 'client.ts'), clientProgram);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const program = ts.createProgram([join(dir, 'client.ts')], {
      strict: true,
      noEmit: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
  }, 120_000);
});
