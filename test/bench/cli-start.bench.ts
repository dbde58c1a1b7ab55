/**
 * CLI start-up: `refund-guard --help` as a whole process, against `node -e 0` (Node's own start),
 * interleaved rounds, medians. Run: npx tsx test/bench/cli-start.bench.ts [rounds, default 15]
 * Goal: ≤ 0.3 s wall for the bin under `node` (what an installed or `npm link`ed command runs).
 * Also shown: the same bin forced onto the TypeScript sources (tsx compiling at start, as before the
 * build step) and `npx refund-guard --help` (npx's own start-up on top). Each process is timed by
 * bash's `time` (wall, and user + system CPU, which the other processes on this shared machine do
 * not inflate the way they inflate wall time).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const rounds = Number(process.argv[2] ?? 15);
// A build older than any source is not used by the bin (it falls back to tsx): build first.
const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
if (build.status !== 0 || !existsSync('dist/server/cli/main.js')) throw new Error('npm run build failed');

interface Candidate {
  name: string;
  command: string;
  env?: Record<string, string>;
}
const candidates: Candidate[] = [
  { name: 'node -e 0', command: 'node -e 0' },
  { name: 'node server/cli/bin.mjs --help (prebuilt dist/)', command: 'node server/cli/bin.mjs --help' },
  { name: 'the same from the sources (tsx)', command: 'node server/cli/bin.mjs --help', env: { REFUND_GUARD_FROM_SOURCE: '1' } },
  { name: 'npx refund-guard --help', command: 'npx refund-guard --help' },
];

function timed(candidate: Candidate): { wall: number; cpu: number } {
  const result = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time (${candidate.command} >/dev/null)`], { encoding: 'utf8', env: { ...process.env, ...candidate.env } });
  const match = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr);
  if (result.status !== 0 || match === null) throw new Error(`${candidate.command} failed: ${result.stderr}`);
  return { wall: Number(match[1]), cpu: Number(match[2]) + Number(match[3]) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
for (const c of candidates) timed(c); // warm the file cache
const walls = candidates.map(() => [] as number[]);
const cpus = candidates.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) {
  candidates.forEach((c, i) => {
    const t = timed(c);
    walls[i]!.push(t.wall);
    cpus[i]!.push(t.cpu);
  });
}
console.log(`CLI start (${rounds} interleaved rounds, medians; wall s / CPU s; "over node" = median over rounds of the difference to node -e 0)`);
candidates.forEach((c, i) => {
  const over = walls[i]!.map((w, r) => w - walls[0]![r]!);
  const cpuOver = cpus[i]!.map((x, r) => x - cpus[0]![r]!);
  const goal = i === 1 ? '  (goal <= 0.3 s wall)' : '';
  console.log(`  ${c.name.padEnd(48)} ${median(walls[i]!).toFixed(3)} s wall, ${median(cpus[i]!).toFixed(3)} s CPU` + (i === 0 ? '' : `; over node: ${median(over).toFixed(3)} s wall, ${median(cpuOver).toFixed(3)} s CPU`) + goal);
});
