/**
 * Decision server benchmark: POST /v1/decisions against a bare Hono route that reads one Redis
 * hash (the baseline), both over loopback on the same Redis, measured in the same run with
 * autocannon (64 connections). Also Redis commands per decision from INFO commandstats.
 * The baseline's ioredis client auto-pipelines (enableAutoPipelining), as a throughput-minded bare route would.
 * Run: npx tsx test/bench/server.bench.ts [seconds per round, default 5]
 * PROFILE_DIR=DIR also writes a V8 CPU profile of the refund-guard server's main thread there (--cpu-prof).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startServer, stopServers } from '../support/bench-servers.js';
import { redisUrl } from '../support/runtime.js';
import { decisionBodies, loadDecisions, seedDecisionServer } from './fixtures/decision-load.js';

const seconds = Number(process.argv[2] ?? 5);
const prefix = `rgbench-${randomUUID().slice(0, 8)}`;

const load = (url: string, bodies: readonly string[], extraHeaders: Record<string, string> = {}, duration = seconds) => loadDecisions(url, bodies, duration, extraHeaders);

async function commandCount(client: Redis): Promise<number> {
  const info = await client.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) if (!['info', 'ping', 'client|setname', 'hello'].includes(match[1]!)) total += Number(match[2]);
  return total;
}

const bodies = decisionBodies;

const seeder = new Redis(redisUrl);
const profileDir = process.env['PROFILE_DIR'];
const profileArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
const rg = await startServer([...profileArgs, 'server/cli/bin.mjs', 'serve', '--redis', redisUrl, '--redis-prefix', prefix, '--port', '18787', '--no-watch'], { REFUND_GUARD_TOKENS: '' });
const bare = await startServer(['--import', 'tsx', 'test/bench/fixtures/bare-hono-server.ts', '18788', prefix]);
try {
  await seedDecisionServer('http://127.0.0.1:18787');
  // Warm-up both, then alternate short rounds: the host's speed drifts over seconds, and one long
  // run of each side would compare two different machines. Figures are medians over the rounds.
  await load('http://127.0.0.1:18788/bare', bodies.slice(0, 100), {}, 3);
  await load('http://127.0.0.1:18787/v1/decisions', bodies.slice(0, 100), {}, 3);
  const rounds = 3;
  const bareRuns: Awaited<ReturnType<typeof load>>[] = [];
  const decisionRuns: Awaited<ReturnType<typeof load>>[] = [];
  let commands = 0;
  for (let round = 0; round < rounds; round++) {
    bareRuns.push(await load('http://127.0.0.1:18788/bare', bodies));
    const before = await commandCount(seeder);
    decisionRuns.push(await load('http://127.0.0.1:18787/v1/decisions', bodies));
    await new Promise((r) => setTimeout(r, 200)); // let the last decision-log batch land
    commands += (await commandCount(seeder)) - before;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const throughputRatios = decisionRuns.map((d, i) => d.rps / bareRuns[i]!.rps);
  const p99Ratios = decisionRuns.map((d, i) => d.p99 / Math.max(bareRuns[i]!.p99, 1));
  const errors = (runs: typeof bareRuns) => runs.reduce((n, r) => n + r.errors, 0);
  console.log(`decision server (${rounds} alternating rounds of ${seconds}s each, 64 connections, loopback, Redis on the same 2 cores; medians)`);
  console.log(`  bare Hono + 1 HGETALL (auto-pipelined):  ${Math.round(median(bareRuns.map((r) => r.rps)))} req/s  p99 ${median(bareRuns.map((r) => r.p99))} ms  errors ${errors(bareRuns)}`);
  console.log(`  POST /v1/decisions:                      ${Math.round(median(decisionRuns.map((r) => r.rps)))} req/s  p99 ${median(decisionRuns.map((r) => r.p99))} ms  errors ${errors(decisionRuns)}`);
  console.log(`  throughput ratio:       ${median(throughputRatios).toFixed(2)}x  (goal >= 0.8x; rounds ${throughputRatios.map((r) => r.toFixed(2)).join(', ')})`);
  console.log(`  p99 ratio:              ${median(p99Ratios).toFixed(2)}x  (goal <= 1.5x; rounds ${p99Ratios.map((r) => r.toFixed(2)).join(', ')})`);
  console.log(`  Redis commands/decision: ${(commands / decisionRuns.reduce((n, r) => n + r.total, 0)).toFixed(3)} (INFO commandstats, all commands incl. batched log writes)`);
} finally {
  await stopServers([rg, bare], prefix);
  seeder.disconnect();
}
