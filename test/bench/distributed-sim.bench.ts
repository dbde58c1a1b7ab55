/**
 * Distributed simulation against a single process on the same history, in the same run, interleaved
 * rounds, medians: `refund-guard simulate` alone, then `simulate --workers --shards 2` with two
 * `refund-guard worker` processes on this machine (Redis at REDIS_URL or 127.0.0.1:6379, a key
 * prefix of its own, deleted at the end). Prints wall times, peak RSS of each worker against the
 * single process (VmHWM from /proc), the planning pass's time, and whether the reports are identical.
 * Run: npx tsx test/bench/distributed-sim.bench.ts [orders, default 1000000] [rounds, default 3]
 * Goal: distributed wall time < 1.5× the single process (on 2 cores the gain is memory per worker).
 * Runs the prebuilt JavaScript (builds it first) with the replay's Node flags given, so no process relaunches.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const orders = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `{bench-distsim-${randomBytes(4).toString('hex')}}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;

const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
if (build.status !== 0 || !existsSync('dist/server/cli/main.js')) throw new Error('npm run build failed');
const NODE_ARGS = ['--max-semi-space-size=64', 'server/cli/bin.mjs'];

/** Peak resident set of a live process, in KiB. */
function peakRssKb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function timed(args: string[]): Promise<{ wall: number; peakKb: number; stderr: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, peakRssKb(child.pid!))), 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${args.join(' ')} failed (${code}): ${stderr}`);
  return { wall: (performance.now() - started) / 1000, peakKb, stderr };
}

function startWorker(): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [...NODE_ARGS, 'worker', '--redis', redisUrl, '--prefix', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  return new Promise((resolve, reject) => {
    const wait = setInterval(() => {
      if (log.includes('worker: ready')) {
        clearInterval(wait);
        resolve({ child, log: () => log });
      } else if (child.exitCode !== null) {
        clearInterval(wait);
        reject(new Error(`worker failed: ${log}`));
      }
    }, 50);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'rg-distsim-bench-'));
const workers: ChildProcess[] = [];
try {
  const history = join(dir, 'history.ndjson');
  const gen = spawnSync(process.execPath, ['server/cli/bin.mjs', 'history', 'generate', '--orders', String(orders), '--out', history], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(gen.stderr);
  console.log(gen.stdout.trim());
  const pair = await Promise.all([startWorker(), startWorker()]);
  workers.push(...pair.map((w) => w.child));

  const single: { wall: number; peakKb: number }[] = [];
  const distributed: { wall: number; plan: number }[] = [];
  let identical = true;
  for (let r = 0; r < rounds; r++) {
    const s = await timed(['simulate', '--history', history, '--candidate', 'policies', '--json', join(dir, 'single.json')]);
    single.push(s);
    const d = await timed(['simulate', '--history', history, '--candidate', 'policies', '--json', join(dir, 'workers.json'), '--workers', redisUrl, '--prefix', prefix, '--shards', '2']);
    const plan = Number(/connected components in ([\d.]+) s/.exec(d.stderr)?.[1] ?? NaN);
    distributed.push({ wall: d.wall, plan });
    identical &&= readFileSync(join(dir, 'single.json'), 'utf8') === readFileSync(join(dir, 'workers.json'), 'utf8');
    console.log(`round ${r + 1}: single ${s.wall.toFixed(1)} s (peak ${mib(s.peakKb)}), 2 workers ${d.wall.toFixed(1)} s (planning ${plan.toFixed(1)} s)`);
    if (r === 0) console.log(d.stderr.split('\n').find((l) => l.startsWith('planned')) ?? '');
  }
  const workerPeaks = workers.map((w) => peakRssKb(w.pid!));
  const singleWall = median(single.map((x) => x.wall));
  const distWall = median(distributed.map((x) => x.wall));
  const singlePeak = median(single.map((x) => x.peakKb));
  console.log(`\n${orders} orders, ${rounds} round(s), medians:`);
  console.log(`  wall: single process ${singleWall.toFixed(1)} s, 2 workers ${distWall.toFixed(1)} s: ratio ${(distWall / singleWall).toFixed(2)}× (goal < 1.5×)`);
  console.log(`  planning pass: ${median(distributed.map((x) => x.plan)).toFixed(1)} s (${((median(distributed.map((x) => x.plan)) / distWall) * 100).toFixed(0)}% of the distributed run)`);
  console.log(`  peak RSS: single process ${mib(singlePeak)}; workers ${workerPeaks.map(mib).join(', ')}: ${workerPeaks.map((p) => `${(p / singlePeak).toFixed(2)}×`).join(', ')} of the single process`);
  console.log(`  reports identical: ${identical ? 'yes' : 'NO'}`);
  if (!identical) process.exitCode = 1;
} finally {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(undefined) : w.once('exit', resolve)))));
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
}
