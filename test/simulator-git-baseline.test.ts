import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistoryToFile } from '../simulator/history/index.js';
import { loadBaseline, simulateCommand, type SimulationReport } from '../simulator/index.js';

describe('simulate --baseline git:REF', () => {
  let repo: string;
  let history: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(async () => {
    repo = mkdtempSync(join(tmpdir(), 'simulator-git-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.invalid');
    git('config', 'user.name', 'test');
    git('config', 'commit.gpgsign', 'false');
    cpSync('policies', join(repo, 'rules', 'policies'), { recursive: true });
    git('add', '.');
    git('commit', '-qm', 'shipped policies');
    const file = join(repo, 'rules', 'policies', 'intercept-abnormal-fast-refund.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('refundRate90d: { gt: 0.6 }', 'refundRate90d: { gt: 0.3 }').replace(/^version: (\d+)/m, (_, v: string) => `version: ${Number(v) + 1}`));
    git('commit', '-qam', 'lower the serial-refunder threshold');
    history = join(repo, 'history.ndjson');
    await generateHistoryToFile({ orders: 1500, seed: 11 }, history);
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('loads the candidate directory as it was at the revision', () => {
    const dir = join(repo, 'rules', 'policies');
    const old = loadBaseline('git:HEAD~1', dir);
    const now = loadBaseline('git:HEAD', dir);
    expect(old.ok && now.ok).toBe(true);
    if (!old.ok || !now.ok) return;
    expect(old.source).toBe('git:HEAD~1');
    expect(old.bundle.policy('intercept-abnormal-fast-refund')?.version).toBe(1);
    expect(now.bundle.policy('intercept-abnormal-fast-refund')?.version).toBe(2);
    expect(old.bundle.policies.map((p) => p.file)).toContain('git:HEAD~1:rules/policies/intercept-abnormal-fast-refund.yaml');
  });

  it('simulates the committed change against the previous commit', async () => {
    let err = '';
    const json = join(repo, 'report.json');
    const code = await simulateCommand(['--history', history, '--candidate', join(repo, 'rules', 'policies'), '--baseline', 'git:HEAD~1', '--json', json], {
      out: () => undefined,
      err: (t) => void (err += t),
    });
    expect(code, err).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as SimulationReport;
    const flips = report.points['refund.requested']?.flips ?? {};
    expect(flips['approve->return_first'] ?? 0).toBeGreaterThan(0);
  });

  it('fails with exit 1 and git\'s message for an unknown revision', async () => {
    let err = '';
    const code = await simulateCommand(['--history', history, '--candidate', join(repo, 'rules', 'policies'), '--baseline', 'git:no-such-ref'], {
      out: () => undefined,
      err: (t) => void (err += t),
    });
    expect(code).toBe(1);
    expect(err).toMatch(/baseline policies \(git:no-such-ref\) cannot be loaded/);
  });
});
