/**
 * What PostgreSQL as the system of record costs ingestion, and how fast a lost cache is rebuilt.
 * Ingestion: two servers in the same run, same traffic (batches of 500 events, 4 in flight, loopback):
 * one on Redis alone, one committing every batch to PostgreSQL first; rounds alternate between them
 * and the medians are compared (the machine is shared: absolute rates move, the ratio is steadier).
 * Each server's main-thread CPU per event is printed too (from /proc, Linux): it does not move with load.
 * Rebuild: the second server's log is topped up to EVENTS events (straight into PostgreSQL, the same
 * statement the server commits with), its cache is deleted, and `refund-guard features rebuild`
 * refills it; its wall time and (with /usr/bin/time) CPU are printed.
 * Run: npx tsx test/bench/system-of-record.bench.ts [EVENTS] [ROUNDS]
 *   EVENTS: events in the log rebuilt (default 150,000; 1000000 for the 1M goal); ingestion is measured
 *   on ROUNDS (default 3) rounds of min(EVENTS / ROUNDS, 50,000) events per server.
 * A fresh database on TEST_POSTGRES_URL, dropped afterwards. PROFILE_DIR=DIR writes V8 CPU profiles of
 * both servers and of the rebuild there (node test/bench/cpu-profile-summary.mjs DIR/durable).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { freePort } from '../support/own-redis.js';
import { startServer, stopServers } from '../support/bench-servers.js';
import { deleteKeys, redisUrl } from '../support/redis-keys.js';
import { createTestDatabase } from '../support/test-postgres.js';
import { fillEventLog } from './fixtures/fill-event-log.js';
import { ingestBatches, postBatches } from './fixtures/ingest-batches.js';

const total = Number(process.argv[2] ?? 150_000);
const rounds = Number(process.argv[3] ?? 3);
const perRound = Math.min(Math.floor(total / rounds), 50_000);
const batchSize = 500;
const inFlight = 4;
const run = randomUUID().slice(0, 8);
const [redisOnlyPrefix, durablePrefix] = [`rgsor-r-${run}`, `rgsor-p-${run}`];

/** Main-thread + helper CPU of a process so far (ms), from /proc; NaN where there is none. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in 100 Hz ticks
  } catch {
    return Number.NaN;
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;
/** Goals are reported, not enforced: on a loaded shared machine the absolute rates move. */
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

const database = await createTestDatabase();
const [redisOnlyPort, durablePort] = [await freePort(), await freePort()];
const profileDir = process.env['PROFILE_DIR'];
const profile = (name: string): string[] => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', `${profileDir}/${name}`] : []);
const serve = (port: number, prefix: string, name: string, extra: string[] = []) =>
  startServer([...profile(name), 'server/cli/bin.mjs', 'serve', '--redis', redisUrl, '--redis-prefix', prefix, '--port', String(port), '--no-watch', ...extra], { REFUND_GUARD_TOKENS: '', DATABASE_URL: '' });
const redisOnly = await serve(redisOnlyPort, redisOnlyPrefix, 'redis-only');
const durable = await serve(durablePort, durablePrefix, 'durable', ['--postgres', database.url]);
try {
  const rates = { redis: [] as number[], durable: [] as number[] };
  const cpu = { redis: 0, durable: 0 };
  for (let r = 0; r < rounds; r++) {
    const bodies = ingestBatches(perRound, batchSize, `s${r}-`);
    for (const [name, port, server] of [['redis', redisOnlyPort, redisOnly], ['durable', durablePort, durable]] as const) {
      const before = cpuMs(server.pid);
      rates[name].push(await postBatches(`http://127.0.0.1:${port}/v1/events`, bodies, inFlight, perRound));
      cpu[name] += cpuMs(server.pid) - before;
    }
    console.log(`  round ${r + 1}: Redis only ${k(rates.redis[r]!)} events/s, PostgreSQL + Redis ${k(rates.durable[r]!)} events/s (${(rates.durable[r]! / rates.redis[r]!).toFixed(2)}x)`);
  }
  const [redisRate, durableRate] = [median(rates.redis), median(rates.durable)];
  const perEvent = (ms: number): string => `${((ms * 1000) / (rounds * perRound)).toFixed(0)} µs`;
  console.log(`ingestion: ${rounds} rounds of ${perRound} events per server, batches of ${batchSize}, ${inFlight} in flight, loopback; Redis and PostgreSQL on the same cores; medians`);
  console.log(`  Redis only:             ${Math.round(redisRate)} events/s  (server CPU ${perEvent(cpu.redis)} per event)`);
  console.log(`  PostgreSQL, then Redis: ${Math.round(durableRate)} events/s  (server CPU ${perEvent(cpu.durable)} per event)  (goal >= 20,000: ${verdict(durableRate >= 20_000)})`);
  console.log(`  ratio:                  ${(durableRate / redisRate).toFixed(2)}x  (goal >= 0.6x: ${verdict(durableRate / redisRate >= 0.6)})`);

  // The cache is lost; the server is stopped first so the rebuild measured is the command's alone.
  durable.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const logged = rounds * perRound;
  if (total > logged) await fillEventLog(database.url, total - logged, 'fill-');
  await deleteKeys(durablePrefix);
  const command = [...profile('rebuild'), 'server/cli/bin.mjs', 'features', 'rebuild', '--postgres', database.url, '--redis', redisUrl, '--redis-prefix', durablePrefix];
  const timed = existsSync('/usr/bin/time');
  const rebuild = timed
    ? spawnSync('/usr/bin/time', ['-f', 'cpu %U s user %S s system, max RSS %M KB', process.execPath, ...command], { encoding: 'utf8' })
    : spawnSync(process.execPath, command, { encoding: 'utf8' });
  if (rebuild.status !== 0) throw new Error(`features rebuild failed: ${rebuild.stderr}`);
  const [, events, ms, rate] = (/rebuilt (\d+) events.* in (\d+) ms \((\d+) events\/s\)/.exec(rebuild.stdout) ?? []).map(Number);
  const usage = timed ? (rebuild.stderr.trim().split('\n').pop() ?? '') : 'CPU not measured (no /usr/bin/time)';
  console.log(`rebuild from PostgreSQL (refund-guard features rebuild): ${events} events in ${((ms ?? 0) / 1000).toFixed(1)} s, ${rate} events/s; the command's ${usage}`);
  console.log(`  goal >= 50,000 events/s: ${verdict((rate ?? 0) >= 50_000)}${(events ?? 0) >= 1_000_000 ? `; 1M events in under 20 s: ${verdict((ms ?? Infinity) < 20_000)}` : ''}`);
} finally {
  await stopServers([redisOnly, durable], redisOnlyPrefix);
  await deleteKeys(durablePrefix);
  await database.drop();
}
