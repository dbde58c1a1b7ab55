/**
 * The simulator as users run it: `refund-guard simulate` as one whole process (start-up, the
 * relaunch under SIMULATE_NODE_FLAGS for a history this size, both threads, the report) against a
 * bare chunked JSON.parse of the same file in a fresh `node` process (test/support/bare-parse.mjs),
 * interleaved rounds, medians. Run: npx tsx test/bench/simulate-cli.bench.ts [orders, default 500000] [rounds, default 3]
 * Goal: ratio (parse seconds / simulate seconds, i.e. simulate's lines/s over the parse's) ≥ 0.5×.
 * Runs the prebuilt JavaScript (builds it first; editing a source during the run makes the bin fall back
 * to tsx, and the figures then include compiling). While the simulate process runs, its threads' CPU
 * times are sampled from /proc every 100 ms (relaunched child included), to show where the time goes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const orders = Number(process.argv[2] ?? 500_000);
const rounds = Number(process.argv[3] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ticks = 100; // USER_HZ on Linux

const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
if (build.status !== 0 || !existsSync('dist/server/cli/main.js')) throw new Error('npm run build failed');

/** Every descendant of `pid`, itself included (the relaunch runs the replay in a child). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (const tid of safeList(`/proc/${pid}/task`)) {
    for (const child of safeRead(`/proc/${pid}/task/${tid}/children`).split(' ').filter(Boolean)) out.push(...processTree(Number(child)));
  }
  return out;
}
function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

interface Run {
  wall: number;
  cpu: number;
  /** CPU seconds per thread ("pid main" or "pid thread tid"), over the process tree, last sample before exit. */
  threads: Map<string, number>;
}

/** Runs `args` under node, timing the whole process and sampling its threads' CPU. */
async function run(args: string[]): Promise<Run> {
  const started = performance.now();
  const child = spawn('bash', ['-c', `TIMEFORMAT='%U %S'; time node ${args.map((a) => `'${a}'`).join(' ')} >/dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const threads = new Map<string, number>();
  const sampler = setInterval(() => {
    for (const pid of processTree(child.pid!)) {
      for (const tid of safeList(`/proc/${pid}/task`)) {
        const stat = safeRead(`/proc/${pid}/task/${tid}/stat`);
        const close = stat.lastIndexOf(')');
        if (close < 0) continue;
        const comm = stat.slice(stat.indexOf('(') + 1, close);
        const fields = stat.slice(close + 2).split(' ');
        const name = String(pid) === tid ? `${comm} ${pid} main` : `${comm} ${pid} thread ${tid}`;
        threads.set(name, (Number(fields[11]) + Number(fields[12])) / ticks);
      }
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  const wall = (performance.now() - started) / 1000;
  const match = /([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (code !== 0 || match === null) throw new Error(`node ${args.join(' ')} failed: ${stderr}`);
  return { wall, cpu: Number(match[1]) + Number(match[2]), threads };
}

const dir = mkdtempSync(join(tmpdir(), 'simulate-cli-bench-'));
try {
  const history = join(dir, 'history.ndjson');
  const generated = spawnSync(process.execPath, ['server/cli/bin.mjs', 'history', 'generate', '--orders', String(orders), '--seed', 'bench', '--out', history], { encoding: 'utf8' });
  if (generated.status !== 0) throw new Error(generated.stderr);
  const lines = Number(/(\d+) events/.exec(generated.stderr + generated.stdout)?.[1] ?? 0);
  // The candidate differs from the shipped policies (serial-refunder threshold), as in simulate.bench.ts.
  const candidate = join(dir, 'candidate');
  cpSync('policies', candidate, { recursive: true });
  const policyFile = join(candidate, 'intercept-abnormal-fast-refund.yaml');
  writeFileSync(policyFile, readFileSync(policyFile, 'utf8').replace('refundRate90d: { gt: 0.6 }', 'refundRate90d: { gt: 0.4 }').replace(/^version: (\d+)/m, (_, v: string) => `version: ${Number(v) + 1}`));
  console.log(`history: ${orders} orders, ${lines} lines, ${(statSync(history).size / 2 ** 20).toFixed(0)} MiB`);

  const parses: Run[] = [];
  const sims: Run[] = [];
  for (let round = 0; round < rounds; round++) {
    parses.push(await run(['test/support/bare-parse.mjs', history]));
    sims.push(await run(['server/cli/bin.mjs', 'simulate', '--history', history, '--candidate', candidate, '--json', join(dir, 'report.json')]));
    const r = parses[round]!.wall / sims[round]!.wall;
    console.log(`round ${round + 1}: bare parse ${parses[round]!.wall.toFixed(2)} s (${parses[round]!.cpu.toFixed(2)} s CPU), simulate ${sims[round]!.wall.toFixed(2)} s (${sims[round]!.cpu.toFixed(2)} s CPU), ratio ${r.toFixed(2)}x`);
  }
  const ratios = parses.map((p, i) => p.wall / sims[i]!.wall);
  console.log(`simulate as one CLI process (prebuilt), ${rounds} interleaved rounds, medians:`);
  console.log(`  bare chunked JSON.parse, fresh process: ${median(parses.map((p) => p.wall)).toFixed(2)} s wall, ${median(parses.map((p) => p.cpu)).toFixed(2)} s CPU`);
  console.log(`  refund-guard simulate:                  ${median(sims.map((s) => s.wall)).toFixed(2)} s wall, ${median(sims.map((s) => s.cpu)).toFixed(2)} s CPU`);
  console.log(`  ratio (parse s / simulate s):           ${median(ratios).toFixed(2)}x  (goal >= 0.5x; rounds ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
  const cpuRatio = median(sims.map((s, i) => s.cpu / parses[i]!.cpu));
  console.log(`  simulate CPU / parse CPU:               ${cpuRatio.toFixed(1)}x (on 2 cores, 0.5x wall needs under ~4x CPU with both threads busy)`);
  const last = sims[sims.length - 1]!;
  console.log(`  where simulate's CPU went (last round, per thread of the process tree, from /proc every 100 ms; the first node process is the one that relaunches):`);
  for (const [name, seconds] of [...last.threads].sort((a, b) => b[1] - a[1])) if (seconds >= 0.05) console.log(`    ${name.padEnd(30)} ${seconds.toFixed(2)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
