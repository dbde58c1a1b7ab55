import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../engine/index.js';
import { RedisDecisionLog, ThreadedDecisionLog } from '../server/decision-log/index.js';
import { deleteKeys, redisUrl } from './support/runtime.js';
import { until } from './support/until.js';

const client = new Redis(redisUrl);
const prefixes: string[] = [];
const logs: ThreadedDecisionLog[] = [];

afterEach(async () => {
  for (const log of logs.splice(0)) await log.close().catch(() => undefined);
  for (const prefix of prefixes.splice(0)) await deleteKeys(prefix);
});
afterAll(() => client.disconnect());

interface Started {
  log: ThreadedDecisionLog;
  prefix: string;
  dropped: number[];
  record(i: number, action?: string): DecisionRecord;
}

async function started(options: { batchSize?: number; intervalMs?: number; threadRedisUrl?: string; onFlushError?: (err: unknown) => void } = {}): Promise<Started> {
  const prefix = `rgtlog-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  const dropped: number[] = [];
  const onDropped = (n: number): void => void dropped.push(n);
  const { threadRedisUrl = redisUrl, ...rest } = options;
  const log = await ThreadedDecisionLog.start({ prefix, redisUrl: threadRedisUrl, commandTimeoutMs: 2000, onDropped, ...rest }, () => new RedisDecisionLog(client, { prefix, onDropped }));
  if (log === undefined) throw new Error('the decision-log thread did not start');
  logs.push(log);
  const record = (i: number, action = 'approve'): DecisionRecord =>
    ({ decisionId: log.newDecisionId(Date.now()), point: 'refund.requested', action, reasons: [], shadow: [], missingFacts: [], policyRevision: 'r1', degraded: false, occurredAt: '', decidedAt: '', accountId: `a-${i}`, merchantId: 'm', facts: {} }) as unknown as DecisionRecord;
  return { log, prefix, dropped, record };
}

/** The thread has posted every decision appended so far to its worker (none wait in this thread). */
const handedOver = (log: ThreadedDecisionLog): Promise<void> => until('decisions handed over to the log thread', () => (log as unknown as { chunkIds: string[] }).chunkIds.length === 0);

const streamDecisions = async (prefix: string): Promise<string[]> => {
  const entries = (await client.xrange(`${prefix}:decisions`, '-', '+')) as [string, string[]][];
  return entries.flatMap(([, fields]) => (JSON.parse(fields[1] as string) as DecisionRecord[]).map((d) => d.decisionId));
};

describe('the decision log written from a worker thread', () => {
  it('finds a decision by id at once, while its thread holds it, and after it is written to the stream', async () => {
    const { log, prefix, record } = await started({ intervalMs: 60_000 });
    const first = record(1);
    log.append(first);
    expect(await log.get(first.decisionId)).toEqual(first); // not handed over yet
    await handedOver(log); // its batch still open
    expect(await log.get(first.decisionId)).toEqual(first);
    expect(await streamDecisions(prefix)).toEqual([]);
    await log.flush();
    expect(await streamDecisions(prefix)).toEqual([first.decisionId]);
    expect(await log.get(first.decisionId)).toEqual(first);
  });

  it('counts every decision in stats, wherever it waits', async () => {
    const { log, record } = await started({ intervalMs: 60_000 });
    log.append(record(1, 'approve'));
    log.append(record(2, 'return_first'));
    await log.flush();
    log.append(record(3, 'approve'));
    await handedOver(log);
    log.append(record(4, 'approve'));
    expect(await log.stats()).toEqual({ 'refund.requested': { approve: 3, return_first: 1 } });
  });

  it('ends a batch at its size: ids name their batch, and the index holds one field per batch', async () => {
    const { log, prefix, record } = await started({ batchSize: 4, intervalMs: 60_000 });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = record(i);
      ids.push(r.decisionId);
      log.append(r);
    }
    await log.flush();
    expect(await streamDecisions(prefix)).toEqual(ids);
    const batches = new Set(ids.map((id) => id.split('-').slice(2, 4).join('-')));
    expect(batches.size).toBe(3);
    const indexKeys = await client.keys(`${prefix}:decision-index:*`);
    const fields = (await Promise.all(indexKeys.map((k) => client.hkeys(k)))).flat();
    expect(new Set(fields)).toEqual(batches);
    for (const id of ids) expect((await log.get(id))?.decisionId).toBe(id);
  });

  it('writes everything on close', async () => {
    const { log, prefix, record } = await started({ intervalMs: 60_000 });
    const ids = Array.from({ length: 25 }, (_, i) => {
      const r = record(i);
      log.append(r);
      return r.decisionId;
    });
    await log.close();
    expect(await streamDecisions(prefix)).toEqual(ids);
  });

  it('carries on in this thread when its thread dies, counting as dropped what the dead thread held', async () => {
    // The thread's Redis is unreachable, so it holds what it is handed; this thread's client is not.
    const flushErrors: unknown[] = [];
    const { log, prefix, dropped, record } = await started({ intervalMs: 10, threadRedisUrl: 'redis://127.0.0.1:1', onFlushError: (err) => flushErrors.push(err) });
    const lost = record(1);
    log.append(lost);
    await handedOver(log);
    await until('the thread reports its writes failing', () => flushErrors.length > 0);
    expect(await log.get(lost.decisionId)).toEqual(lost); // the thread still holds it
    await (log as unknown as { worker: Worker }).worker.terminate();
    await until('the dead thread\'s decision counted as dropped', () => dropped.length > 0);
    expect(dropped).toEqual([1]);
    const after = record(2);
    log.append(after);
    await log.flush();
    expect(await streamDecisions(prefix)).toEqual([after.decisionId]);
    expect((await log.get(after.decisionId))?.decisionId).toBe(after.decisionId);
    expect(await log.get(lost.decisionId)).toBeUndefined();
    expect(await log.stats()).toEqual({ 'refund.requested': { approve: 1 } });
  });
});
