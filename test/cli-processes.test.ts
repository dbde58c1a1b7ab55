/**
 * The CLI as users run it: `node server/cli/bin.mjs …` as a child process, checking exit codes,
 * stdout and stderr. Covers the shipped policies' own test cases (policies/*.test.yaml), policy
 * validate/test/compile/eval, history generate and serve --demo.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { until } from './support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'rg-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI's environment: no REDIS_URL (the test run's Redis), so serve uses its in-memory store. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, REFUND_GUARD_TOKENS: '', LOG_LEVEL: 'warn', NO_COLOR: '1' };
  delete env['REDIS_URL'];
  return env;
}

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['server/cli/bin.mjs', ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

const shippedCases = readdirSync('policies')
  .filter((f) => f.endsWith('.test.yaml'))
  .flatMap((f) => (parse(readFileSync(join('policies', f), 'utf8')) as { cases: { name: string }[] }).cases.map((c) => `policies/${f} › ${c.name}`));

describe('refund-guard policy', () => {
  it('test: every shipped case in policies/*.test.yaml passes', async () => {
    expect(shippedCases.length).toBeGreaterThan(20);
    const { code, out, err } = await cli(['policy', 'test', 'policies']);
    expect(code, err).toBe(0);
    const text = out + err;
    for (const name of shippedCases) expect(text).toContain(`ok   ${name}`);
    expect(text).toContain(`${shippedCases.length} passed, 0 failed`);
  }, 60_000);

  it('test: a case whose expectation the policy no longer meets fails the command and is named', async () => {
    const candidate = join(dir, 'broken-case');
    cpSync('policies', candidate, { recursive: true });
    const file = join(candidate, 'checkout-restricted-accounts.test.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('expect: { action: refuse_sale, rules: [store-restriction] }', 'expect: { action: allow, rules: [] }'));
    const { code, out, err } = await cli(['policy', 'test', candidate]);
    expect(code).toBe(1);
    expect(out + err).toMatch(/a store restriction refuses the sale at that store/);
    expect(out + err).toContain(`${shippedCases.length - 1} passed, 1 failed`);
  }, 60_000);

  it('validate: the shipped bundle is valid; a broken policy is reported at FILE:LINE:COL with a code', async () => {
    const ok = await cli(['policy', 'validate', 'policies']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.err).toContain(`ok: 5 policies and ${shippedCases.length} test cases are valid`);

    const candidate = join(dir, 'broken-policy');
    cpSync('policies', candidate, { recursive: true });
    const file = join(candidate, 'checkout-restricted-accounts.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/action: refuse_sale/, 'action: refuse_everything'));
    const bad = await cli(['policy', 'validate', candidate]);
    expect(bad.code).toBe(1);
    expect(bad.out + bad.err).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+ \\S+`));
    expect(bad.out + bad.err).toContain('refuse_everything');
  }, 60_000);

  it('compile: prints the json-rules-engine rules of one policy file', async () => {
    const { code, out, err } = await cli(['policy', 'compile', 'policies/checkout-restricted-accounts.yaml']);
    expect(code, err).toBe(0);
    const compiled = JSON.parse(out) as { policy: string; point: string; rules: { name: string; event: unknown }[] };
    const source = parse(readFileSync('policies/checkout-restricted-accounts.yaml', 'utf8')) as { id: string; rules: { id: string }[] };
    expect(compiled.policy).toBe(source.id);
    expect(compiled.point).toBe('order.checkout');
    expect(compiled.rules.map((r) => r.name)).toEqual(source.rules.map((r) => `${source.id}/${r.id}`));
    const usage = await cli(['policy', 'compile']);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('policy compile takes exactly one FILE');
  }, 60_000);

  it('eval: one decision a line in input order, the same from both engines; a bad line is named and fails the run', async () => {
    const facts = join(dir, 'facts.ndjson');
    const lines = [
      { account: { id: 'a1', restrictedHere: true, restrictedPlatform: false, referredToAuthorities: false }, merchant: { id: 'm1' } },
      { account: { id: 'a2', restrictedHere: false, restrictedPlatform: true, referredToAuthorities: false }, merchant: { id: 'm1' } },
      { account: { id: 'a3', restrictedHere: false, restrictedPlatform: false, referredToAuthorities: false }, merchant: { id: 'm1' } },
    ];
    writeFileSync(facts, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const actions: string[][] = [];
    for (const engine of ['compiled', 'reference']) {
      const { code, out, err } = await cli(['policy', 'eval', '--policies', 'policies', '--point', 'order.checkout', '--facts', facts, '--engine', engine, '--now', '2027-02-01T00:00:00Z']);
      expect(code, err).toBe(0);
      actions.push(out.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action));
      expect(err).toMatch(/evaluated 3 decisions in [\d.]+ ms/);
    }
    expect(actions).toEqual([['refuse_sale', 'limit_quantity', 'allow'], ['refuse_sale', 'limit_quantity', 'allow']]);

    writeFileSync(facts, `${JSON.stringify(lines[0])}\nnot json\n${JSON.stringify(lines[2])}\n`);
    const bad = await cli(['policy', 'eval', '--point', 'order.checkout', '--facts', facts]);
    expect(bad.code).toBe(1);
    const out = bad.out.trim().split('\n').map((l) => JSON.parse(l) as { action?: string; line?: number; error?: { code: string } });
    expect(out.map((o) => o.action ?? o.error?.code)).toEqual(['refuse_sale', 'eval_bad_facts', 'allow']);
    expect(out[1]!.line).toBe(2);
    expect(bad.err).toContain(`${facts}:2:1 eval_bad_facts`);
  }, 60_000);
});

describe('refund-guard history generate', () => {
  it('writes the same NDJSON history for the same seed, one event a line in time order', async () => {
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    for (const out of [a, b]) {
      const { code, out: said, err } = await cli(['history', 'generate', '--orders', '200', '--seed', '11', '--out', out]);
      expect(code, err).toBe(0);
      expect(said + err).toContain(`${out}: `);
      expect(said + err).toMatch(/\d+ events, 200 orders/);
    }
    const text = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(text);
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as { eventId: string; type: string; at: string });
    expect(events.filter((e) => e.type === 'order.placed')).toHaveLength(200);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(events.map((e) => e.at)).toEqual(events.map((e) => e.at).sort());
  }, 60_000);
});

describe('refund-guard serve --demo', () => {
  it('loads the demo data, prints example requests that answer as their comments say, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['server/cli/bin.mjs', 'serve', '--demo', '--port', '0', '--no-watch'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await until('the demo server is ready', () => out.includes('Ready. Try:') || child.exitCode !== null, 45_000);
      expect(err).toContain('store: memory');
      expect(err).toMatch(/demo data loaded: \d+ events \(\d+ orders\)/);
      // Run the printed curl commands as they are written (method, URL, body).
      const curls = out.split('\n').filter((l) => l.startsWith('curl '));
      expect(curls.length).toBeGreaterThanOrEqual(4);
      const answers: { url: string; status: number; body: any }[] = [];
      for (const line of curls) {
        const url = /curl -s (\S+)/.exec(line)![1]!;
        const data = /-d '([^']*)'/.exec(line)?.[1];
        const response = await fetch(url, data === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: data });
        const text = await response.text();
        answers.push({ url, status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text });
      }
      for (const a of answers) expect(a.status, a.url).toBe(200);
      const decisions = answers.filter((a) => a.url.endsWith('/v1/decisions')).map((a) => a.body.action);
      expect(decisions).toEqual(['return_first', 'deny_refund']);
      const metrics = answers.find((a) => a.url.endsWith('/metrics'))!.body as string;
      expect(metrics).toContain('refund_guard_decisions_total');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});
