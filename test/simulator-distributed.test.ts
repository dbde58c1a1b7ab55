/**
 * Distributed simulation end to end: `refund-guard worker` processes and `refund-guard simulate
 * --workers` as child processes against the test run's Redis, each test on a queue prefix of its
 * own (deleted after it). The single-process report is the reference, byte for byte.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateHistoryToFile } from '../simulator/history/index.js';
import { simulateCommand } from '../simulator/index.js';
import { deleteKeys, redisUrl } from './support/redis-keys.js';
import { until } from './support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'rg-distsim-'));
const history = join(dir, 'history.ndjson');
const candidate = join(dir, 'candidate');
const running: Proc[] = [];
const prefixes: string[] = [];

class Proc {
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    running.push(this);
  }
}

/** The CLI with the replay's Node flags given, so a worker runs in this very process (no relaunch): its pid is the one to kill. */
function cli(args: string[]): Proc {
  const env = { ...process.env, NO_COLOR: '1' };
  return new Proc(spawn(process.execPath, ['--max-semi-space-size=64', 'server/cli/bin.mjs', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

async function startWorker(prefix: string): Promise<Proc> {
  const worker = cli(['worker', '--redis', redisUrl, '--prefix', prefix, '--lock-duration', '2000', '--stalled-interval', '500']);
  await until('the worker is ready', () => worker.err.includes('worker: ready') || worker.child.exitCode !== null, 60_000);
  expect(worker.err).toContain('worker: ready');
  return worker;
}

function simulateOnWorkers(prefix: string, args: string[]): Proc {
  return cli(['simulate', '--history', history, '--candidate', candidate, '--workers', redisUrl, '--prefix', prefix, ...args]);
}

function newPrefix(): string {
  const prefix = `{rgtest-distsim-${randomBytes(5).toString('hex')}}`;
  prefixes.push(prefix);
  return prefix;
}

async function single(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await simulateCommand(args, { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') });
  return { code, out, err };
}

let reference: string;

beforeAll(async () => {
  await generateHistoryToFile({ orders: 30_000, seed: 7 }, history);
  // A candidate whose rules read the two cross-account features at low thresholds, enforced everywhere.
  cpSync('policies', candidate, { recursive: true });
  const file = join(candidate, 'one-click-reject-risky-orders.yaml');
  const text = readFileSync(file, 'utf8');
  const changed = text
    .replace(/^version: (\d+)/m, (_, v: string) => `version: ${Number(v) + 1}`)
    .replace('account.linkedFlaggedAccounts365d: { gte: 2 }', 'account.linkedFlaggedAccounts365d: { gte: 1 }')
    .replace('  optIn: oneClickReject\n  outside: shadow\n', '')
    .replace('  - id: refund-spree', '  - id: reused-pictures\n    when:\n      account.reusedEvidenceFingerprints365d: { gte: 1 }\n    then: { action: reject_allowed, reason: Used a picture another account used }\n  - id: refund-spree');
  expect(changed).toContain('reused-pictures');
  writeFileSync(file, changed);
  const r = await single(['--history', history, '--candidate', candidate, '--json', join(dir, 'single.json'), '--html', join(dir, 'single.html')]);
  expect(r.code, r.err).toBe(0);
  reference = readFileSync(join(dir, 'single.json'), 'utf8');
}, 180_000);

afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const prefix of prefixes.splice(0)) expect(await deleteKeys(prefix)).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulate --workers', () => {
  it('writes the report of a single process, byte for byte, cross-account features included (hash shards do not)', async () => {
    const reportOf = JSON.parse(reference) as { history: { decisions: number }; byRule: Record<string, { candidate: { enforced: number } }> };
    // The fixture exercises both cross-account rules: otherwise the comparison would prove nothing.
    expect(reportOf.byRule['one-click-reject-risky-orders/abuse-ring-member']?.candidate.enforced).toBeGreaterThan(0);
    expect(reportOf.byRule['one-click-reject-risky-orders/reused-pictures']?.candidate.enforced).toBeGreaterThan(0);
    const hashed = await Promise.all([0, 1, 2].map((i) => single(['--history', history, '--candidate', candidate, '--shard', `${i}/3`, '--json', join(dir, `hash-${i}.json`)])));
    expect(hashed.every((r) => r.code === 0)).toBe(true);
    const { simulateMergeCommand } = await import('../simulator/index.js');
    expect(await simulateMergeCommand(['--out', join(dir, 'hash.json'), ...[0, 1, 2].map((i) => join(dir, `hash-${i}.json`))], { out: () => undefined, err: () => undefined })).toBe(0);
    expect(readFileSync(join(dir, 'hash.json'), 'utf8')).not.toBe(reference);

    const prefix = newPrefix();
    const workers = await Promise.all([startWorker(prefix), startWorker(prefix)]);
    const run = simulateOnWorkers(prefix, ['--shards', '3', '--json', join(dir, 'workers.json'), '--html', join(dir, 'workers.html')]);
    expect(await run.exited, run.err).toBe(0);
    expect(readFileSync(join(dir, 'workers.json'), 'utf8')).toBe(reference);
    expect(readFileSync(join(dir, 'workers.html'), 'utf8')).toBe(readFileSync(join(dir, 'single.html'), 'utf8'));
    expect(run.err).toMatch(/planned 3 shards of \d+ accounts in \d+ connected components .* the largest component has \d+ accounts and [\d.]+% of the account events/);
    // Both workers took shards, and the run's jobs and keys are gone once it is done.
    for (const w of workers) expect(w.err).toMatch(/shard \d\/3: \d+ accounts/);
    const queue = new Queue('simulate', { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
    expect(Object.values(await queue.getJobCounts()).every((n) => n === 0)).toBe(true);
    await queue.close();
    await (queue.opts.connection as Redis).quit();
  }, 240_000);

  it('survives a worker killed with SIGKILL mid-shard: the shard is retried by a fresh worker and the report is unchanged', async () => {
    const prefix = newPrefix();
    const doomed = await startWorker(prefix);
    const run = simulateOnWorkers(prefix, ['--shards', '2', '--json', join(dir, 'killed.json')]);
    await until('the first worker starts a shard', () => /shard (\d)\/2: \d+ accounts/.test(doomed.err), 120_000);
    const shard = /shard (\d)\/2: \d+ accounts/.exec(doomed.err)?.[1];
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect(doomed.err).not.toContain(`shard ${shard}/2: done`);
    const fresh = await startWorker(prefix);
    expect(await run.exited, run.err).toBe(0);
    expect(readFileSync(join(dir, 'killed.json'), 'utf8')).toBe(reference);
    // The fresh worker replayed the shard the killed one held, after its lock expired.
    expect(fresh.err).toContain(`shard ${shard}/2: done`);
  }, 240_000);

  it('hands a shard back on SIGTERM: the worker exits cleanly and another one finishes the run', async () => {
    const prefix = newPrefix();
    const leaving = await startWorker(prefix);
    const run = simulateOnWorkers(prefix, ['--shards', '2', '--json', join(dir, 'handed.json')]);
    await until('the worker starts a shard', () => /shard \d\/2: \d+ accounts/.test(leaving.err), 120_000);
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toBe(0);
    expect(leaving.err).toMatch(/handed back|done in/);
    await startWorker(prefix);
    expect(await run.exited, run.err).toBe(0);
    expect(readFileSync(join(dir, 'handed.json'), 'utf8')).toBe(reference);
  }, 240_000);

  it('reports bad lines as a single process does, and --strict stops with the single process\'s error', async () => {
    const lines = readFileSync(history, 'utf8').split('\n');
    // The first bad line names an account (its shard reports it), the second none (shard 0 does).
    lines.splice(500, 0, lines[500]!.replace(/"amount":[\d.]+/, '"amount":"12"'));
    lines.splice(9000, 0, 'not json');
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, lines.join('\n'));
    const single1 = await single(['--history', bad, '--candidate', candidate, '--json', join(dir, 'bad-single.json')]);
    expect(single1.code).toBe(0);
    const strict1 = await single(['--history', bad, '--candidate', candidate, '--strict']);
    expect(strict1.code).toBe(1);

    const prefix = newPrefix();
    await Promise.all([startWorker(prefix), startWorker(prefix)]);
    const args = (extra: string[]) => ['simulate', '--history', bad, '--candidate', candidate, '--workers', redisUrl, '--prefix', prefix, '--shards', '2', ...extra];
    const run = cli(args(['--json', join(dir, 'bad-workers.json')]));
    expect(await run.exited, run.err).toBe(0);
    expect(readFileSync(join(dir, 'bad-workers.json'), 'utf8')).toBe(readFileSync(join(dir, 'bad-single.json'), 'utf8'));
    const badLinesOf = (text: string) => text.split('\n').filter((l) => l.startsWith(`${bad}:`));
    expect(badLinesOf(run.err)).toEqual(badLinesOf(single1.err));
    expect(badLinesOf(run.err)).toHaveLength(2);

    const strict = cli(args(['--strict']));
    expect(await strict.exited).toBe(1);
    expect(strict.err).toContain(strict1.err.trim());
  }, 240_000);

  it('cancels the run on Ctrl-C: exit 130, its jobs and keys removed', async () => {
    const prefix = newPrefix();
    // No worker: the shards wait in the queue.
    const run = simulateOnWorkers(prefix, ['--shards', '2']);
    const queue = new Queue('simulate', { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
    await until('the shards are enqueued', async () => (await queue.getJobCounts('wait')).wait === 2, 120_000);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.err).toContain('simulation cancelled');
    expect(Object.values(await queue.getJobCounts()).every((n) => n === 0)).toBe(true);
    const redis = queue.opts.connection as Redis;
    expect(await redis.keys(`${prefix}:simulate:run:*`)).toEqual([]);
    await queue.close();
    await redis.quit();
  }, 240_000);

  it('fails the run with the error of a shard that fails for good', async () => {
    const moved = join(dir, 'moving.ndjson');
    cpSync(history, moved);
    const prefix = newPrefix();
    const run = cli(['simulate', '--history', moved, '--candidate', candidate, '--workers', redisUrl, '--prefix', prefix, '--shards', '2']);
    const queue = new Queue('simulate', { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
    await until('the shards are enqueued', async () => (await queue.getJobCounts('wait')).wait === 2, 120_000);
    // The history is gone by the time a worker looks for it.
    renameSync(moved, `${moved}.gone`);
    await startWorker(prefix);
    expect(await run.exited).toBe(1);
    expect(run.err).toMatch(/the run failed in shard \d: history_unreadable: cannot read history .*moving\.ndjson on this worker/);
    await queue.close();
    await (queue.opts.connection as Redis).quit();
  }, 240_000);
});
