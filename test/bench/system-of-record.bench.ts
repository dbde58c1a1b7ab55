/**
 * What PostgreSQL as the system of record costs ingestion, and how fast a lost cache is rebuilt.
 * Two servers in the same run, same batches (500 events, 4 in flight, loopback): one on Redis
 * alone, one committing every batch to PostgreSQL first. Then the second one's cache is deleted
 * and `refund-guard features rebuild` refills it from PostgreSQL.
 * Run: npx tsx test/bench/system-of-record.bench.ts [events]   (default 100,000; a fresh database
 * on TEST_POSTGRES_URL, dropped afterwards)
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { freePort } from '../support/own-redis.js';
import { startServer, stopServers } from '../support/bench-servers.js';
import { deleteKeys, redisUrl } from '../support/redis-keys.js';
import { createTestDatabase } from '../support/test-postgres.js';
import { ingestBatches, postBatches } from './fixtures/ingest-batches.js';

const total = Number(process.argv[2] ?? 100_000);
const batchSize = 500;
const inFlight = 4;
const run = randomUUID().slice(0, 8);
const [redisOnlyPrefix, durablePrefix] = [`rgsor-r-${run}`, `rgsor-p-${run}`];

/** Orders with devices and addresses, a refund on one order in eight (the ingest benchmark's traffic). */
function batches(): string[] {
  return ingestBatches(total, batchSize, 's');
}

function send(url: string, bodies: string[]): Promise<number> {
  return postBatches(url, bodies, inFlight, total);
}

const database = await createTestDatabase();
const [redisOnlyPort, durablePort] = [await freePort(), await freePort()];
const profileDir = process.env['PROFILE_DIR'];
const serve = (port: number, prefix: string, extra: string[] = []) =>
  startServer([...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', `${profileDir}/${prefix.startsWith('rgsor-r') ? 'redis-only' : 'durable'}`] : []), 'server/cli/bin.mjs', 'serve', '--redis', redisUrl, '--redis-prefix', prefix, '--port', String(port), '--no-watch', ...extra], { REFUND_GUARD_TOKENS: '', DATABASE_URL: '' });
const redisOnly = await serve(redisOnlyPort, redisOnlyPrefix);
const durable = await serve(durablePort, durablePrefix, ['--postgres', database.url]);
/** Goals are reported, not enforced: on a loaded shared machine the absolute rates move; the ratio is the steadier figure. */
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
try {
  const bodies = batches();
  const redisRate = await send(`http://127.0.0.1:${redisOnlyPort}/v1/events`, bodies);
  const durableRate = await send(`http://127.0.0.1:${durablePort}/v1/events`, bodies);
  console.log(`ingestion: ${total} events in batches of ${batchSize}, ${inFlight} in flight, loopback; Redis and PostgreSQL on the same 2 cores`);
  console.log(`  Redis only:             ${Math.round(redisRate)} events/s`);
  console.log(`  PostgreSQL, then Redis: ${Math.round(durableRate)} events/s  (goal >= 20,000: ${verdict(durableRate >= 20_000)})`);
  console.log(`  ratio:                  ${(durableRate / redisRate).toFixed(2)}x  (goal >= 0.6x: ${verdict(durableRate / redisRate >= 0.6)})`);

  // The cache is lost; the server is stopped first so the rebuild measured is the command's alone.
  durable.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await deleteKeys(durablePrefix);
  const rebuild = spawnSync(process.execPath, [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', `${profileDir}/rebuild`] : []), 'server/cli/bin.mjs', 'features', 'rebuild', '--postgres', database.url, '--redis', redisUrl, '--redis-prefix', durablePrefix], { encoding: 'utf8' });
  if (rebuild.status !== 0) throw new Error(`features rebuild failed: ${rebuild.stderr}`);
  const rate = Number(/\((\d+) events\/s\)/.exec(rebuild.stdout)?.[1] ?? 0);
  console.log(`rebuild from PostgreSQL: ${rebuild.stdout.trim()}  (goal >= 50,000 events/s: ${verdict(rate >= 50_000)})`);
} finally {
  await stopServers([redisOnly, durable], redisOnlyPrefix);
  await deleteKeys(durablePrefix);
  await database.drop();
}
