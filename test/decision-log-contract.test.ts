/**
 * The DecisionLog contract for what the console reads besides single decisions: counts per UTC
 * day and each account's recent decision ids. Run against the in-process log, the Redis log
 * written from this thread, and the Redis log written from its worker thread (real Redis,
 * 127.0.0.1:6379, a key prefix per store, every key deleted afterwards). Each check is made while
 * decisions still wait to be written and again after they are.
 */
import { redisTestPrefix } from './support/redis-keys.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../engine/index.js';
import { MemoryDecisionLog, RedisDecisionLog, ThreadedDecisionLog, dayCountDays, recentPerAccount, type DecisionLog } from '../server/decision-log/index.js';
import { redisUrl } from './support/runtime.js';
import { clusterForSuite } from './support/test-cluster.js';

const { redis, nextPrefix } = redisTestPrefix('decision-log', { beforeAll, afterAll, expectClean: (left) => expect(left).toBe(0) });
const onCluster = clusterForSuite('decision-log', { beforeAll, afterAll });

interface Made {
  log: DecisionLog;
  /** The Redis key prefix, for the Redis logs on the standalone server (whose keys the checks read). */
  prefix?: string;
}

const factories: [string, () => Promise<Made>][] = [
  ['MemoryDecisionLog', async () => ({ log: new MemoryDecisionLog() })],
  [
    'RedisDecisionLog',
    async () => {
      const prefix = nextPrefix();
      return { log: new RedisDecisionLog(redis, { prefix, intervalMs: 60_000 }), prefix };
    },
  ],
  [
    'ThreadedDecisionLog',
    async () => {
      const prefix = nextPrefix();
      const log = await ThreadedDecisionLog.start({ prefix, redisUrl, commandTimeoutMs: 2000, intervalMs: 60_000 }, () => new RedisDecisionLog(redis, { prefix }));
      if (log === undefined) throw new Error('the decision-log thread did not start');
      return { log, prefix };
    },
  ],
  [
    'RedisDecisionLog on a Redis Cluster (sharded)',
    async () => ({ log: new RedisDecisionLog(onCluster.client, { prefix: onCluster.nextPrefix(), intervalMs: 60_000 }) }),
  ],
  [
    'ThreadedDecisionLog on a Redis Cluster (sharded)',
    async () => {
      const prefix = onCluster.nextPrefix();
      const log = await ThreadedDecisionLog.start({ prefix, redisCluster: onCluster.cluster.seeds, commandTimeoutMs: 2000, intervalMs: 60_000 }, () => new RedisDecisionLog(onCluster.client, { prefix }));
      if (log === undefined) throw new Error('the decision-log thread did not start');
      return { log };
    },
  ],
];

let n = 0;
function decision(accountId: string, decidedAt: string, action = 'approve', point = 'refund.requested'): DecisionRecord {
  const ms = Date.parse(decidedAt);
  return {
    decisionId: `d-${ms.toString(36)}-t${(n++).toString(36)}`, point, action, params: undefined, reasons: [{ policy: 'p', rule: 'r', reason: 'because' }], shadow: [], missingFacts: [],
    policyRevision: 'r1', degraded: false, occurredAt: decidedAt, decidedAt, accountId, merchantId: 'm1', facts: {},
  } as unknown as DecisionRecord;
}

describe.each(factories)('%s', (_name, make) => {
  let made: Made;
  beforeEach(async () => {
    made = await make();
  });
  afterEach(async () => made.log.close());

  it('counts decisions per UTC day next to the running totals, before and after they are written', async () => {
    const { log } = made;
    log.append(decision('a1', '2027-02-01T23:59:59.999Z', 'approve'));
    log.append(decision('a1', '2027-02-02T00:00:00.000Z', 'return_first'));
    log.append(decision('a2', '2027-02-02T10:00:00.000Z', 'return_first'));
    log.append(decision('a2', '2027-02-02T11:00:00.000Z', 'allow', 'order.checkout'));
    const expectDays = async () => {
      expect(await log.stats('2027-02-01')).toEqual({ 'refund.requested': { approve: 1 } });
      expect(await log.stats('2027-02-02')).toEqual({ 'refund.requested': { return_first: 2 }, 'order.checkout': { allow: 1 } });
      expect(await log.stats('2027-02-03')).toEqual({});
      expect(await log.stats()).toEqual({ 'refund.requested': { approve: 1, return_first: 2 }, 'order.checkout': { allow: 1 } });
    };
    await expectDays(); // still waiting to be written
    await log.flush();
    await expectDays();
    log.append(decision('a3', '2027-02-02T12:00:00.000Z', 'return_first'));
    expect((await log.stats('2027-02-02'))['refund.requested']).toEqual({ return_first: 3 });
    await log.flush();
    expect((await log.stats('2027-02-02'))['refund.requested']).toEqual({ return_first: 3 });
    expect((await log.stats())['refund.requested']).toEqual({ approve: 1, return_first: 3 });
    if (made.prefix !== undefined) {
      const ttl = await redis.ttl(`${made.prefix}:stats:day:2027-02-02`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(dayCountDays * 86_400);
    }
  });

  it("keeps each account's last decision ids, newest first, across batches and while they wait", async () => {
    const { log } = made;
    const ids: string[] = [];
    const at = (i: number) => new Date(Date.parse('2027-02-01T00:00:00Z') + i * 1000).toISOString();
    for (let i = 0; i < 15; i++) {
      const d = decision('a1', at(i));
      ids.push(d.decisionId);
      log.append(d);
      log.append(decision('other', at(i)));
    }
    expect(await log.recentForAccount('a1')).toEqual([...ids].reverse());
    await log.flush();
    expect(await log.recentForAccount('a1')).toEqual([...ids].reverse());
    for (let i = 15; i < 25; i++) {
      const d = decision('a1', at(i));
      ids.push(d.decisionId);
      log.append(d);
    }
    const newest = [...ids].reverse().slice(0, recentPerAccount);
    expect(await log.recentForAccount('a1')).toEqual(newest); // 10 waiting ahead of 10 of the 15 written
    await log.flush();
    expect(await log.recentForAccount('a1')).toEqual(newest);
    expect(await log.recentForAccount('other')).toHaveLength(15);
    expect(await log.recentForAccount('nobody')).toEqual([]);
    if (made.prefix !== undefined) expect(await redis.llen(`${made.prefix}:account-decisions:a1`)).toBe(recentPerAccount);
  });
});

describe('RedisDecisionLog batches', () => {
  it('writes the counters, day counts and account index of a batch in the one pipeline with the stream entry', async () => {
    const prefix = nextPrefix();
    const log = new RedisDecisionLog(redis, { prefix, intervalMs: 60_000 });
    let execs = 0;
    const pipeline = redis.pipeline.bind(redis);
    // Count the round trips of one batch: the pipeline carrying the stream entry, then the index's.
    const counting = Object.assign(Object.create(redis) as typeof redis, {
      pipeline: (...args: Parameters<typeof redis.pipeline>) => {
        const p = pipeline(...args);
        const exec = p.exec.bind(p);
        p.exec = (...a: Parameters<typeof p.exec>) => {
          execs += 1;
          return exec(...a);
        };
        return p;
      },
    });
    (log as unknown as { client: typeof redis }).client = counting;
    for (let i = 0; i < 50; i++) log.append(decision(`a${i % 7}`, '2027-02-02T10:00:00.000Z'));
    await log.flush();
    expect(execs).toBe(2); // as before the day counts and the account index: stream + counters, then the batch index
    expect(await redis.hget(`${prefix}:stats:day:2027-02-02`, 'refund.requested|approve')).toBe('50');
    expect(await redis.llen(`${prefix}:account-decisions:a0`)).toBe(8);
    await log.close();
  });
});

describe('RedisDecisionLog on a Redis Cluster', () => {
  it('writes successive batches to different {dlog:i} shards on more than one master, and finds every decision by its id', async () => {
    const prefix = onCluster.nextPrefix();
    const log = new RedisDecisionLog(onCluster.client, { prefix, intervalMs: 60_000, shards: 6 });
    const written: DecisionRecord[] = [];
    for (let batch = 0; batch < 6; batch++) {
      for (let i = 0; i < 5; i++) {
        const d = { ...decision(`a${i}`, '2027-02-02T10:00:00.000Z'), decisionId: log.newDecisionId(Date.parse('2027-02-02T10:00:00.000Z')) } as DecisionRecord;
        written.push(d);
        log.append(d);
      }
      await log.flush();
    }
    const streams = await Promise.all(onCluster.client.nodes('master').map((node) => node.keys(`${prefix}:decisions:*`)));
    expect(streams.flat().sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `${prefix}:decisions:{dlog:${i}}`).sort());
    expect(streams.filter((keys) => keys.length > 0).length).toBeGreaterThan(1);
    for (const d of written) expect((await log.get(d.decisionId))?.decisionId).toBe(d.decisionId);
    expect(await log.stats('2027-02-02')).toEqual({ 'refund.requested': { approve: 30 } });
    await log.close();
  });
});
