import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../server/cli/main.js';
import { generateHistoryToFile } from '../simulator/history/index.js';
import type { SimulationReport } from '../simulator/index.js';

interface Collected {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[]): Promise<Collected> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') });
  return { code, out, err };
}

const POLICY = 'intercept-abnormal-fast-refund.yaml';
const shippedFeatures = resolve('policies/features.yaml');
const shippedCohorts = resolve('policies/cohorts.yaml');

/** A directory holding only `files`, as an analyst drafting a candidate makes it. */
function draft(root: string, name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

describe('a policy directory without features.yaml or cohorts.yaml (a draft of one policy)', () => {
  let root: string;
  let original: string;
  let lowered: string;
  let history: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cli-draft-'));
    original = readFileSync(join('policies', POLICY), 'utf8');
    lowered = original.replace('refundRate90d: { gt: 0.6 }', 'refundRate90d: { gt: 0.3 }').replace(/^version: (\d+)/m, (_, v: string) => `version: ${Number(v) + 1}`);
    expect(lowered).not.toBe(original);
    history = join(root, 'history.ndjson');
    await generateHistoryToFile({ orders: 1500, seed: 11 }, history);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('policy validate uses the shipped definitions and names them on stderr', async () => {
    const dir = draft(root, 'validate', { [POLICY]: original });
    const r = await cli(['policy', 'validate', dir]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${dir} has no features.yaml: using the shipped definitions in ${shippedFeatures}`);
    expect(r.err).toContain(`${dir} has no cohorts.yaml: using the shipped definitions in ${shippedCohorts}`);
    expect(r.err).toContain('ok: 1 policies');
  });

  it('policy validate of one file in such a directory does the same', async () => {
    const dir = draft(root, 'one-file', { [POLICY]: original });
    const r = await cli(['policy', 'validate', join(dir, POLICY)]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.err).toContain(`${dir} has no features.yaml`);
  });

  it('still reports a real unknown feature in a draft, with the note saying which definitions it was checked against', async () => {
    const dir = draft(root, 'typo', { [POLICY]: original.replace('account.orders90d', 'account.orders99d') });
    const r = await cli(['policy', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/policy_unknown_feature unknown account feature "account\.orders99d"; did you mean account\.orders90d\?/);
    expect(r.err).toContain('has no features.yaml: using the shipped definitions');
  });

  it("keeps a directory's own features.yaml, even when it lacks a feature the policy reads (no note, the problem stands)", async () => {
    const dir = draft(root, 'own-features', {
      [POLICY]: original,
      'features.yaml': 'features:\n  refunds90d: { kind: count, events: refund.requested, windowDays: 90 }\n',
    });
    const r = await cli(['policy', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('unknown account feature "account.orders90d"');
    expect(r.err).not.toContain('has no features.yaml');
    // cohorts.yaml is still borrowed: each definition file is completed on its own.
    expect(r.err).toContain(`${dir} has no cohorts.yaml`);
  });

  it('policy test runs the cases of a draft against the shipped definitions', async () => {
    const dir = draft(root, 'tests', { [POLICY]: original });
    copyFileSync(join('policies', 'intercept-abnormal-fast-refund.test.yaml'), join(dir, 'intercept-abnormal-fast-refund.test.yaml'));
    const r = await cli(['policy', 'test', dir]);
    // Cases that need facts other shipped policies read still fail on their own terms; none fails for an unknown feature.
    expect(r.out).not.toContain('unknown account feature');
    expect(r.out).toMatch(/\d+ passed, \d+ failed/);
    expect(Number(/(\d+) passed/.exec(r.out)![1])).toBeGreaterThan(0);
    expect(r.err).toContain(`${dir} has no features.yaml`);
  });

  it('simulate --candidate DIR and --baseline DIR behave the same, and the replay sees the edit', async () => {
    const baseline = draft(root, 'sim-baseline', { [POLICY]: original });
    const candidate = draft(root, 'sim-candidate', { [POLICY]: lowered });
    const json = join(root, 'draft.json');
    const r = await cli(['simulate', '--history', history, '--baseline', baseline, '--candidate', candidate, '--json', json]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`baseline ${baseline} has no features.yaml: using the shipped definitions in ${shippedFeatures}`);
    expect(r.err).toContain(`candidate ${candidate} has no features.yaml: using the shipped definitions in ${shippedFeatures}`);
    expect(r.err).toContain(`candidate ${candidate} has no cohorts.yaml`);
    const report = JSON.parse(readFileSync(json, 'utf8')) as SimulationReport;
    expect(report.points['refund.requested']!.flips['approve->return_first']).toBeGreaterThan(0);
    expect(Object.keys(report.byRule).every((k) => k.startsWith('intercept-abnormal-fast-refund/'))).toBe(true);
  }, 120_000);

  it('simulate against the shipped baseline with a draft candidate loads it and says so', async () => {
    const candidate = draft(root, 'sim-only-candidate', { [POLICY]: lowered });
    const r = await cli(['simulate', '--history', history, '--candidate', candidate]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`candidate ${candidate} has no features.yaml`);
    expect(r.err).not.toContain('baseline policies has no');
  }, 120_000);
});
