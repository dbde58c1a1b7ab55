/**
 * The server on a Redis Cluster of its own (3 masters, 3 replicas) with PostgreSQL, under decision
 * and event load while the cluster changes under it:
 *   - 500 slots migrate between two masters (redis-cli --cluster reshard): no decision and no event
 *     fails (ioredis follows MOVED and ASK; scripts carry their keys in KEYS, so they follow too);
 *   - a master is killed with SIGKILL: every decision answers 200 (degraded until the replica takes
 *     over), every event 200 or 503, and after the failover the cache is replayed from PostgreSQL,
 *     so the features of every account equal what the event log in PostgreSQL implies;
 *   - the replay itself puts back account hashes a failed-over master lost.
 */
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryFeatureStore } from '../engine/features/index.js';
import type { RefundGuardEvent } from '../engine/events/index.js';
import type { Cluster } from 'ioredis';
import { createLogger } from '../server/observability/logger.js';
import { FailoverReplay } from '../server/postgres/failover-replay.js';
import { RedisFeatureStore } from '../server/stores/redis-feature-store.js';
import { accountKeyOf } from '../server/stores/redis/account-hash.js';
import { openRedis } from '../server/stores/redis/redis-target.js';
import { OwnRedisCluster } from './support/own-redis-cluster.js';
import { startTestRuntime, type TestRuntime } from './support/runtime.js';
import { createTestDatabase, type TestDatabase } from './support/test-postgres.js';
import { until } from './support/until.js';

const T = Date.parse('2027-02-01T12:00:00Z');
const ACCOUNTS = 120;
const logLines: string[] = [];

let cluster: OwnRedisCluster;
let db: TestDatabase;
let runtime: TestRuntime;
beforeAll(async () => {
  [cluster, db] = await Promise.all([OwnRedisCluster.start({ nodeTimeoutMs: 2000 }), createTestDatabase()]);
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  runtime = await startTestRuntime({
    redisCluster: cluster.seeds,
    redisPrefix: 'rgcl',
    postgresUrl: db.url,
    decisionTimeoutMs: 50,
    writeTimeoutMs: 1000,
    logger: createLogger({ level: 'info', destination }),
  });
}, 120_000);
afterAll(async () => {
  await runtime?.close();
  await cluster?.stop();
  await db?.drop();
}, 60_000);

let eventNo = 0;
function eventBatch(n: number): RefundGuardEvent[] {
  const events: RefundGuardEvent[] = [];
  for (let i = 0; i < n; i++) {
    const k = eventNo++;
    const accountId = `acc-${k % ACCOUNTS}`;
    const at = new Date(T - 20 * 86_400_000 + (k % 1000) * 60_000).toISOString();
    if (k % 4 === 3) events.push({ eventId: `ev-${k}`, type: 'refund.requested', at, accountId, merchantId: `m${k % 5}`, orderId: `o-${k - 1}`, amount: 30, refund: { type: 'fast_refund', reason: 'damaged' } } as RefundGuardEvent);
    else events.push({ eventId: `ev-${k}`, type: 'order.placed', at, accountId, merchantId: `m${k % 5}`, orderId: `o-${k}`, amount: 40, deviceId: `dev-${k % 37}` } as RefundGuardEvent);
  }
  return events;
}

interface LoadResult {
  decisions: Map<number, number>;
  degraded: number;
  events: Map<number, number>;
}

/** Decision and event requests from a few concurrent loops until `stop` resolves. */
async function underLoad(stop: Promise<unknown>): Promise<LoadResult> {
  const result: LoadResult = { decisions: new Map(), degraded: 0, events: new Map() };
  let running = true;
  void stop.finally(() => (running = false));
  const count = (m: Map<number, number>, status: number) => m.set(status, (m.get(status) ?? 0) + 1);
  let d = 0;
  const decide = async () => {
    while (running) {
      const r = await runtime.request('/v1/decisions', { role: 'service', body: { point: 'order.checkout', account: { id: `acc-${d++ % ACCOUNTS}` }, merchant: { id: 'm1' } } });
      count(result.decisions, r.status);
      if (r.status === 200 && r.body.degraded === true) result.degraded++;
    }
  };
  const ingest = async () => {
    while (running) {
      const r = await runtime.request('/v1/events', { role: 'service', body: { events: eventBatch(10) } });
      count(result.events, r.status);
    }
  };
  await Promise.all([decide(), decide(), decide(), ingest(), ingest()]);
  return result;
}

/** Accounts whose cached features differ from those the PostgreSQL event log implies. */
async function accountsDifferingFromLog(): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query<{ body: RefundGuardEvent }>('SELECT body FROM events ORDER BY seq');
  await client.end();
  const expected = new MemoryFeatureStore(runtime.ctx.bundles.bundle.features);
  await expected.apply(rows.map((r) => r.body));
  const differing: string[] = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    const id = `acc-${a}`;
    const cached = await runtime.ctx.features.read(id, T).catch(() => undefined);
    if (JSON.stringify(cached) !== JSON.stringify(await expected.read(id, T))) differing.push(id);
  }
  return differing;
}

describe('the server on a Redis Cluster', () => {
  it('fails no decision and no event while 500 slots migrate between masters', async () => {
    const [from, to] = await cluster.masters();
    const reshard = cluster.reshard(from!, to!, 500);
    const load = await underLoad(reshard);
    expect([...load.decisions.keys()]).toEqual([200]);
    expect([...load.events.keys()]).toEqual([200]);
    expect(load.decisions.get(200)).toBeGreaterThan(10);
    expect((await cluster.masters()).find((m) => m.id === to!.id)!.slots).toBe(to!.slots + 500);
    // Every event the load posted reached the cache (the outbox repairs any apply that timed out).
    await until('the cache to equal the event log', async () => (await accountsDifferingFromLog()).length === 0, 30_000, 250);
  }, 180_000);

  it('answers every decision and keeps every acknowledged event through the SIGKILL of a master', async () => {
    const victim = (await cluster.masters())[0]!;
    let killedAt = 0;
    const failover = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000)); // load first
      killedAt = Date.now();
      await cluster.kill(victim.port);
      await cluster.waitFailover(victim.port);
      const failedOverAt = Date.now();
      // Load goes on after the replica took over: the cluster serves all slots again.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return failedOverAt;
    })();
    const load = await underLoad(failover);
    const failedOverAt = await failover;
    // Decisions: all answered, degraded allowed while the replica had not taken over yet.
    expect([...load.decisions.keys()]).toEqual([200]);
    for (const status of load.events.keys()) expect([200, 503]).toContain(status);
    expect(load.events.get(200)).toBeGreaterThan(0);
    // Acknowledged events: the failover is seen and the cache replayed from PostgreSQL.
    await until('the failover replay', () => logLines.some((l) => l.includes('cache replayed from PostgreSQL after a Redis Cluster failover')), 30_000, 100);
    await until('the cache to equal the event log', async () => (await accountsDifferingFromLog()).length === 0, 30_000, 250);
    const replayed = JSON.parse(logLines.find((l) => l.includes('cache replayed from PostgreSQL'))!) as { since: string; events: number; ms: number };
    // The replay reached back before the kill: writes the dead master took with it were received before it died.
    expect(Date.parse(replayed.since)).toBeLessThan(killedAt);
    expect(replayed.events).toBeGreaterThan(0);
    process.stdout.write(
      `failover: replica took over ${failedOverAt - killedAt} ms after the kill; decisions ${JSON.stringify(Object.fromEntries(load.decisions))} (${load.degraded} degraded), events ${JSON.stringify(Object.fromEntries(load.events))}; replay: ${replayed.events} events in ${replayed.ms} ms\n`,
    );
  }, 180_000);
});

describe('the failover replay', () => {
  it('puts back into the cache the events a failed-over master lost, from the PostgreSQL log', async () => {
    await until('the cache to equal the event log', async () => (await accountsDifferingFromLog()).length === 0, 30_000, 250);
    // A master that died before replicating its last writes: as if these accounts' hashes were lost.
    const client = openRedis({ clusterNodes: cluster.seeds }, { lazyConnect: true, maxRetriesPerRequest: 1 }) as Cluster;
    await client.connect();
    try {
      for (const a of [3, 17, 42]) await client.del(accountKeyOf('rgcl', `acc-${a}`));
      expect(await accountsDifferingFromLog()).toEqual(['acc-3', 'acc-17', 'acc-42']);
      const sor = runtime.systemOfRecord!;
      let result: { events: number } | undefined;
      const replay = new FailoverReplay(sor.pool, sor.log, { features: new RedisFeatureStore(client, runtime.ctx.bundles.bundle.features, { prefix: 'rgcl' }), state: runtime.ctx.state, merchants: runtime.ctx.merchants }, {
        now: Date.now,
        onReplayed: (r) => (result = r),
      });
      replay.start();
      await replay.replaySince(Date.now() - 10 * 60_000);
      await replay.stop();
      expect(result!.events).toBeGreaterThan(0);
      expect(await accountsDifferingFromLog()).toEqual([]);
    } finally {
      client.disconnect();
    }
  }, 120_000);
});
