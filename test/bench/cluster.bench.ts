/**
 * Decisions on a Redis Cluster against a standalone Redis, measured in the same run on this machine:
 * two refund-guard servers (one `--redis` on a private redis-server, one `--redis-cluster` on a
 * private 3-master + 3-replica cluster), seeded alike, loaded in alternating rounds with autocannon
 * (64 connections). Prints decisions/s, p99, their ratio, and Redis commands per decision (INFO
 * commandstats deltas over every master / decisions; all commands, including the batched decision
 * log, and the reads alone). Then the read alone over each client path (lean connection, ioredis,
 * ioredis Cluster), and what `WAIT 1` on every master after each ingestion batch would cost.
 * Run: npx tsx test/bench/cluster.bench.ts [seconds per round, default 5]
 */
import { Redis, type Cluster } from 'ioredis';
import { loadFeatureDefinitions } from '../../engine/features/index.js';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import { RedisFeatureStore } from '../../server/stores/redis-feature-store.js';
import { openRedis } from '../../server/stores/redis/redis-target.js';
import { startServer } from '../support/bench-servers.js';
import { accounts, decisionBodies, loadDecisions, seedDecisionServer } from './fixtures/decision-load.js';
import { OwnRedis, freePort } from '../support/own-redis.js';
import { OwnRedisCluster } from '../support/own-redis-cluster.js';
import { readFileSync } from 'node:fs';

const seconds = Number(process.argv[2] ?? 5);
const ignored = new Set(['info', 'ping', 'client|setname', 'hello', 'cluster|slots', 'cluster|info', 'cluster|nodes', 'cluster|shards', 'command', 'command|docs', 'readonly', 'script|load', 'evalsha', 'eval']);

const load = (url: string, bodies: readonly string[], duration = seconds) => loadDecisions(url, bodies, duration);

/** Command calls summed over `ports` (each a master): total, and HGETALL alone. */
async function commandCalls(ports: readonly number[]): Promise<{ all: number; reads: number }> {
  let all = 0;
  let reads = 0;
  for (const port of ports) {
    const client = new Redis(port, '127.0.0.1');
    const info = await client.info('commandstats');
    client.disconnect();
    for (const match of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) {
      if (ignored.has(match[1]!)) continue;
      all += Number(match[2]);
      if (match[1] === 'hgetall') reads += Number(match[2]);
    }
  }
  return { all, reads };
}

const bodies = decisionBodies;
const seed = seedDecisionServer;

/** Ingestion batches of 50 events into a feature store on the cluster, with and without WAIT 1 on every master after each: ms per batch (median of 5 runs). */
async function waitCost(seeds: readonly string[]): Promise<{ plain: number; waited: number }> {
  const parsed = loadFeatureDefinitions('features.yaml', readFileSync('policies/features.yaml', 'utf8'));
  if (!parsed.ok) throw new Error('policies/features.yaml does not load');
  const client = openRedis({ clusterNodes: seeds }, { lazyConnect: true, maxRetriesPerRequest: 1, enableAutoPipelining: true }) as Cluster;
  await client.connect();
  const store = new RedisFeatureStore(client, parsed.definitions, { prefix: 'rgwait' });
  let n = 0;
  const batch = (): RefundGuardEvent[] =>
    Array.from({ length: 50 }, () => {
      const k = n++;
      return { eventId: `w-${k}`, type: 'order.placed', at: new Date(Date.now() - 86_400_000).toISOString(), accountId: `wa${k % 5000}`, merchantId: 'm1', orderId: `wo-${k}`, amount: 10, deviceId: `wd${k % 3000}` } as RefundGuardEvent;
    });
  const run = async (wait: boolean): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) {
      await store.apply(batch());
      if (wait) await Promise.all(client.nodes('master').map((m) => m.call('WAIT', 1, 1000)));
    }
    return Number(process.hrtime.bigint() - started) / 1e6 / 100;
  };
  const plain: number[] = [];
  const waited: number[] = [];
  await run(false); // warm-up: new accounts and device indexes cost more than later batches
  for (let round = 0; round < 5; round++) {
    // Alternating which goes first, as the machine's speed drifts.
    if (round % 2 === 0) {
      plain.push(await run(false));
      waited.push(await run(true));
    } else {
      waited.push(await run(true));
      plain.push(await run(false));
    }
  }
  client.disconnect();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return { plain: median(plain), waited: median(waited) };
}

/**
 * The decision read alone, in this process: HGETALL of the seeded account hashes, 64 at a time, over
 * the lean connection (standalone), ioredis auto-pipelined on the standalone Redis, ioredis
 * Cluster auto-pipelined, and lean connections routed by slot on the cluster (cluster-reads.ts). Separates what the client costs from what the cluster costs. Reads/s.
 */
async function readPaths(standaloneUrl: string, seeds: readonly string[]): Promise<Record<string, number>> {
  const parsed = loadFeatureDefinitions('features.yaml', readFileSync('policies/features.yaml', 'utf8'));
  if (!parsed.ok) throw new Error('policies/features.yaml does not load');
  const plain = new Redis(standaloneUrl, { enableAutoPipelining: true });
  const clustered = openRedis({ clusterNodes: seeds }, { lazyConnect: true, enableAutoPipelining: true }) as Cluster;
  await clustered.connect();
  const lean = new RedisFeatureStore(plain, parsed.definitions, { prefix: 'rgb', timeoutMs: 2000 });
  const leanCluster = new RedisFeatureStore(clustered, parsed.definitions, { prefix: 'rgb', timeoutMs: 2000 });
  await leanCluster.warmUp();
  const key = (k: number) => `rgb:a:{a${k % accounts}}`;
  const paths: Record<string, (k: number) => Promise<unknown>> = {
    'lean connection, standalone': (k) => lean.readAccountHash(`a${k % accounts}`),
    'ioredis, standalone': (k) => plain.call('HGETALL', key(k)),
    'ioredis Cluster': (k) => clustered.call('HGETALL', key(k)),
    'lean connections by slot, cluster (what the server uses)': (k) => leanCluster.readAccountHash(`a${k % accounts}`),
  };
  const out: Record<string, number> = {};
  for (const round of [0, 1]) {
    for (const [name, read] of Object.entries(paths)) {
      let next = 0;
      const total = 20_000;
      const started = process.hrtime.bigint();
      await Promise.all(Array.from({ length: 64 }, async () => {
        while (next < total) await read(next++);
      }));
      if (round === 1) out[name] = total / (Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
  await lean.close();
  await leanCluster.close();
  plain.disconnect();
  clustered.disconnect();
  return out;
}

const [standalone, cluster] = await Promise.all([OwnRedis.start(), OwnRedisCluster.start()]);
const [portA, portB] = [await freePort(), await freePort()];
const servers = [
  await startServer(['server/cli/bin.mjs', 'serve', '--redis', standalone.url, '--redis-prefix', 'rgb', '--port', String(portA), '--no-watch'], { REFUND_GUARD_TOKENS: '' }),
  await startServer(['server/cli/bin.mjs', 'serve', '--redis-cluster', cluster.seeds.join(','), '--redis-prefix', 'rgb', '--port', String(portB), '--no-watch'], { REFUND_GUARD_TOKENS: '' }),
];
try {
  const sides = [
    { name: 'standalone Redis (--redis)', url: `http://127.0.0.1:${portA}`, ports: [standalone.port] },
    { name: 'Redis Cluster, 3 masters (--redis-cluster)', url: `http://127.0.0.1:${portB}`, ports: (await cluster.masters()).map((m) => m.port) },
  ];
  for (const side of sides) await seed(side.url);
  for (const side of sides) await load(`${side.url}/v1/decisions`, bodies.slice(0, 100), 3); // warm-up
  const rounds = 3;
  const runs = sides.map(() => [] as Awaited<ReturnType<typeof load>>[]);
  const commands = sides.map(() => ({ all: 0, reads: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, side] of sides.entries()) {
      const before = await commandCalls(side.ports);
      runs[i]!.push(await load(`${side.url}/v1/decisions`, bodies));
      await new Promise((r) => setTimeout(r, 300)); // let the last decision-log batch land
      const after = await commandCalls(side.ports);
      commands[i]!.all += after.all - before.all;
      commands[i]!.reads += after.reads - before.reads;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(`decisions on a Redis Cluster vs a standalone Redis (${rounds} alternating rounds of ${seconds}s, 64 connections, loopback, all on this machine's 2 cores; medians)`);
  for (const [i, side] of sides.entries()) {
    const r = runs[i]!;
    const total = r.reduce((n, x) => n + x.total, 0);
    console.log(
      `  ${side.name.padEnd(44)} ${String(Math.round(median(r.map((x) => x.rps)))).padStart(6)} decisions/s  p99 ${median(r.map((x) => x.p99))} ms  errors ${r.reduce((n, x) => n + x.errors, 0)}  Redis commands/decision ${(commands[i]!.all / total).toFixed(3)} (reads ${(commands[i]!.reads / total).toFixed(3)})`,
    );
  }
  const ratios = runs[1]!.map((c, k) => c.rps / runs[0]![k]!.rps);
  console.log(`  cluster / standalone throughput: ${median(ratios).toFixed(2)}x (rounds ${ratios.map((x) => x.toFixed(2)).join(', ')})`);
  const reads = await readPaths(standalone.url, cluster.seeds);
  console.log(`  the read alone, in-process, 64 in flight (second of two rounds): ${Object.entries(reads).map(([name, rps]) => `${name} ${Math.round(rps)}/s`).join(', ')}`);
  const wait = await waitCost(cluster.seeds);
  console.log(`  ingestion batch of 50 events on the cluster: ${wait.plain.toFixed(1)} ms; with WAIT 1 on every master after it: ${wait.waited.toFixed(1)} ms (${(wait.waited / wait.plain).toFixed(2)}x)`);
} finally {
  for (const server of servers) server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await Promise.all([standalone.stop(), cluster.stop()]);
}
