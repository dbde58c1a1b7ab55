/**
 * Event ingestion through POST /v1/events into Redis, in batches of 500 with 4 batches in flight,
 * against a bare Hono route that only parses the same batches (the HTTP + JSON ceiling), measured
 * in the same run, and Redis's own command counts (INFO commandstats, before/after) per event.
 * Run: npx tsx test/bench/ingest.bench.ts [events]   (INGEST_NODE_ARGS="--cpu-prof --cpu-prof-dir=D"
 * passes extra node flags to the refund-guard server, e.g. to profile it)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from '../support/own-redis.js';
import { startServer, stopServers } from '../support/bench-servers.js';
import { redisUrl } from '../support/redis-keys.js';
import { ingestBatches, postBatches } from './fixtures/ingest-batches.js';

const total = Number(process.argv[2] ?? 100_000);
const batchSize = 500;
const inFlight = 4;
const prefix = `rgingest-${randomUUID().slice(0, 8)}`;

/** Ordinary traffic: orders with devices and addresses, a refund on one order in eight. */
function batches(): string[] {
  return ingestBatches(total, batchSize, 'i');
}

/** calls per command from INFO commandstats (Redis's own count; the Redis is shared, so other clients' commands show up too). */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of String(await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    out.set(m[1] as string, Number(m[2]));
    out.set(`${m[1] as string} usec`, Number(m[3]));
  }
  return out;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux): robust to other load on the machine. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return Number.NaN;
  }
}

function send(url: string, bodies: string[]): Promise<number> {
  return postBatches(url, bodies, inFlight, total);
}

const [rgPort, barePort] = [await freePort(), await freePort()];
const nodeArgs = (process.env['INGEST_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
const rg = await startServer([...nodeArgs, 'server/cli/bin.mjs', 'serve', '--redis', redisUrl, '--redis-prefix', prefix, '--port', String(rgPort), '--no-watch'], { REFUND_GUARD_TOKENS: '' });
const bare = await startServer(['--import', 'tsx', 'test/bench/fixtures/bare-ingest-server.ts', String(barePort)]);
const redis = new Redis(redisUrl);
try {
  const bodies = batches();
  const baseline = await send(`http://127.0.0.1:${barePort}/bare-events`, bodies);
  const before = await commandCalls(redis);
  const cpuBefore = cpuMs(rg.pid);
  const ingest = await send(`http://127.0.0.1:${rgPort}/v1/events`, bodies);
  const cpuAfter = cpuMs(rg.pid);
  const after = await commandCalls(redis);
  const calls: [string, number][] = [];
  for (const [command, n] of after) {
    const d = n - (before.get(command) ?? 0);
    if (d > 0 && command !== 'info' && !command.endsWith(' usec')) calls.push([command, d]);
  }
  calls.sort((x, y) => y[1] - x[1]);
  let keys = 0;
  let cursor = '0';
  do {
    const [nextCursor, found] = await redis.scan(cursor, 'MATCH', `${prefix}:a:*`, 'COUNT', 5000);
    keys += found.length;
    cursor = nextCursor;
  } while (cursor !== '0');
  console.log(`ingestion: ${total} events in batches of ${batchSize}, ${inFlight} in flight, loopback, Redis on the same 2 cores`);
  console.log(`  bare Hono route (parse only):  ${Math.round(baseline)} events/s`);
  console.log(`  POST /v1/events into Redis:    ${Math.round(ingest)} events/s  (goal >= 20,000)`);
  console.log(`  ratio to the parse-only route: ${(ingest / baseline).toFixed(2)}x; ${keys} account hashes written`);
  const top = calls.filter(([c]) => c === 'evalsha' || c === 'eval' || c === 'script|load').concat(calls.filter(([c]) => c !== 'evalsha' && c !== 'eval' && c !== 'script|load').slice(0, 8));
  const evalUsec = ['evalsha', 'eval'].reduce((sum, c) => sum + (after.get(`${c} usec`) ?? 0) - (before.get(`${c} usec`) ?? 0), 0);
  console.log(`  CPU per event: server ${((cpuAfter - cpuBefore) * 1000 / total).toFixed(1)} µs, Redis scripts ${(evalUsec / total).toFixed(1)} µs (commandstats usec)`);
  console.log(`  Redis calls per event (INFO commandstats, incl. commands run inside scripts): ${top.map(([c, n]) => `${c}=${(n / total).toFixed(2)}`).join(' ')}`);
} finally {
  await stopServers([rg, bare], prefix);
  redis.disconnect();
}
