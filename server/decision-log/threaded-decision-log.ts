import type { Worker } from 'node:worker_threads';
import type { DecisionRecord } from '../../engine/index.js';
import type { RedisTarget } from '../stores/redis/redis-target.js';
import { startTsWorker } from '../../engine/threads/index.js';
import { mergeRecent, type DecisionCounts, type DecisionLog } from './decision-log.js';
import type { FromLogThread, LogThreadCall, LogThreadInput, ToLogThread } from './log-thread.js';
import { BatchedDecisionIds, DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_MS, RedisDecisionLog, appendChunk, countPending, pendingDecisionOf, type DecisionChunk, type RedisDecisionLogOptions } from './redis-decision-log.js';

export interface ThreadedDecisionLogOptions extends RedisDecisionLogOptions {
  redisUrl?: string;
  /** Seed nodes of a Redis Cluster ("host:port"), instead of redisUrl. */
  redisCluster?: readonly string[];
  /** Budget of each Redis command of the log thread. */
  commandTimeoutMs: number;
  /** How long serialized decisions wait in this thread before they are handed over. */
  handOverMs?: number;
}

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

/**
 * The server's decision log on Redis, written by a worker thread (log-thread.ts). This thread only
 * serializes each decision (JSON.stringify, as the in-thread log does) and hands the strings over
 * every few milliseconds; joining batches, encoding them for Redis, the socket writes, retries and
 * their garbage are the worker's. Measured with the decision benchmark, the in-thread log took
 * about a fifth of the decision throughput and most of its p99; this way the strings die young
 * and the flush never blocks a request.
 *
 * This thread still decides where batches end (every `batchSize` decisions or `intervalMs`), since
 * decision ids name their batch (the index maps batches to stream entries). Look-ups and stats ask
 * the worker, which holds what it has not written yet. If the worker dies, the decisions it held
 * are counted as dropped and the log carries on in this thread (`fallback`), reading the same stream.
 */
export class ThreadedDecisionLog implements DecisionLog {
  private readonly ids = new BatchedDecisionIds();
  private chunkIds: string[] = [];
  private chunkTallies: string[] = [];
  private chunkDays: string[] = [];
  private chunkAccountIds: string[] = [];
  private chunkJsons: string[] = [];
  private inBatch = 0;
  private batchStarted = 0;
  /** Decisions handed over and not yet reported written or dropped. */
  private inWorker = 0;
  private readonly calls = new Map<number, Pending>();
  private nextCall = 0;
  private readonly timer: NodeJS.Timeout;
  private fallback: RedisDecisionLog | undefined;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    private readonly options: ThreadedDecisionLogOptions,
    private readonly makeFallback: () => RedisDecisionLog,
  ) {
    this.timer = setInterval(() => this.tick(), options.handOverMs ?? 5);
    this.timer.unref();
  }

  /** Starts the worker and waits until it runs; undefined when it cannot start (the caller logs in its own thread). */
  static async start(options: ThreadedDecisionLogOptions, fallback: () => RedisDecisionLog): Promise<ThreadedDecisionLog | undefined> {
    const { prefix, intervalMs, batchSize, maxBuffered, maxBufferedChars, maxStreamEntries, shards } = options;
    const target: RedisTarget = options.redisCluster !== undefined ? { clusterNodes: [...options.redisCluster] } : { url: options.redisUrl ?? 'redis://127.0.0.1:6379' };
    const input: LogThreadInput = { target, commandTimeoutMs: options.commandTimeoutMs, log: { prefix, intervalMs, batchSize, maxBuffered, maxBufferedChars, maxStreamEntries, shards } };
    let worker: Worker;
    try {
      worker = startTsWorker(new URL('./log-thread.ts', import.meta.url), { decisionLog: input });
    } catch {
      return undefined;
    }
    const started = await new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        worker.off('message', onMessage).off('error', onFailure).off('exit', onFailure);
        resolve(ok);
      };
      const onMessage = (m: FromLogThread): void => done(m.kind === 'ready');
      const onFailure = (): void => done(false);
      worker.on('message', onMessage).on('error', onFailure).on('exit', onFailure);
    });
    if (!started) {
      await worker.terminate();
      return undefined;
    }
    const log = new ThreadedDecisionLog(worker, options, fallback);
    log.listen();
    return log;
  }

  /** Ids for decisions this log will hold: generate one just before appending the decision. */
  newDecisionId(now: number): string {
    return this.fallback?.newDecisionId(now) ?? this.ids.next(now);
  }

  append(record: DecisionRecord): void {
    if (this.fallback !== undefined) return this.fallback.append(record);
    const p = pendingDecisionOf(record);
    if (this.inBatch === 0) this.batchStarted = Date.now();
    this.chunkIds.push(p.decisionId);
    this.chunkTallies.push(p.tally);
    this.chunkDays.push(p.day);
    this.chunkAccountIds.push(p.accountId);
    this.chunkJsons.push(p.json);
    if (++this.inBatch >= (this.options.batchSize ?? DEFAULT_BATCH_SIZE)) this.handOver(true);
  }

  async get(decisionId: string): Promise<DecisionRecord | undefined> {
    const here = this.chunkIds.indexOf(decisionId);
    if (here >= 0) return JSON.parse(this.chunkJsons[here] as string) as DecisionRecord;
    if (this.fallback !== undefined) return this.fallback.get(decisionId);
    return (await this.call({ op: 'get', decisionId })) as DecisionRecord | undefined;
  }

  async stats(day?: string): Promise<DecisionCounts> {
    if (this.fallback !== undefined) return this.fallback.stats(day);
    // What waits here now; handed over later, it reaches the worker after this call, so it counts once.
    const tallies = this.chunkTallies;
    const days = this.chunkDays;
    const counts = (await this.call({ op: 'stats', ...(day !== undefined ? { day } : {}) })) as DecisionCounts;
    return countPending(counts, tallies.map((tally, i) => ({ tally, day: days[i] as string })), day);
  }

  async recentForAccount(accountId: string): Promise<string[]> {
    if (this.fallback !== undefined) return this.fallback.recentForAccount(accountId);
    // Waiting here: newer than anything the worker holds or wrote.
    const here = this.chunkIds.filter((_, i) => this.chunkAccountIds[i] === accountId);
    const there = (await this.call({ op: 'recent', accountId })) as string[];
    return mergeRecent(here, there);
  }

  async flush(): Promise<void> {
    if (this.fallback !== undefined) return this.fallback.flush();
    this.handOver(true);
    await this.call({ op: 'flush' });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.fallback !== undefined) return this.fallback.close();
    if (this.closing) return;
    this.handOver(true);
    try {
      await this.call({ op: 'close' });
    } finally {
      this.closing = true;
      await this.worker.terminate();
    }
  }

  /** Hands the chunk over; at the batch's size or age, ends the batch (later ids name the next one). */
  private tick(): void {
    if (this.fallback !== undefined) return;
    const ends = this.inBatch > 0 && Date.now() - this.batchStarted >= (this.options.intervalMs ?? DEFAULT_FLUSH_MS);
    if (ends || this.chunkIds.length > 0) this.handOver(ends);
  }

  private handOver(endsBatch: boolean): void {
    if (this.chunkIds.length === 0 && !(endsBatch && this.inBatch > 0)) return;
    const { ids, tallies, days, accountIds, jsons } = this.takeChunk();
    this.inWorker += ids.length;
    if (endsBatch) {
      this.ids.advance();
      this.inBatch = 0;
    }
    this.worker.postMessage({ kind: 'chunk', ids, tallies, days, accountIds, jsons, endsBatch } satisfies ToLogThread);
  }

  /** The decisions waiting here; the chunk starts empty again. */
  private takeChunk(): DecisionChunk {
    const chunk = { ids: this.chunkIds, tallies: this.chunkTallies, days: this.chunkDays, accountIds: this.chunkAccountIds, jsons: this.chunkJsons };
    this.chunkIds = [];
    this.chunkTallies = [];
    this.chunkDays = [];
    this.chunkAccountIds = [];
    this.chunkJsons = [];
    return chunk;
  }

  private call(request: LogThreadCall): Promise<unknown> {
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'call', id, ...request } as ToLogThread);
    });
  }

  private listen(): void {
    this.worker.on('message', (m: FromLogThread) => {
      switch (m.kind) {
        case 'reply': {
          const pending = this.calls.get(m.id);
          this.calls.delete(m.id);
          if (m.error !== undefined) pending?.reject(new Error(m.error));
          else pending?.resolve(m.value);
          return;
        }
        case 'written':
          this.inWorker -= m.count;
          return;
        case 'dropped':
          this.inWorker -= m.count;
          this.options.onDropped?.(m.count);
          return;
        case 'flushError':
          this.options.onFlushError?.(new Error(m.message));
          return;
      }
    });
    const died = (err?: Error): void => {
      for (const [id, pending] of this.calls) {
        this.calls.delete(id);
        pending.reject(new Error('the decision-log thread stopped'));
      }
      if (this.closing || this.fallback !== undefined) return;
      this.fallback = this.makeFallback();
      this.options.onFlushError?.(err ?? new Error('the decision-log thread stopped'));
      if (this.inWorker > 0) this.options.onDropped?.(this.inWorker);
      this.inWorker = 0;
      // What waited here goes to the fallback, with the ids it was given.
      this.fallback.appendBatch(appendChunk(this.takeChunk(), []));
    };
    this.worker.on('error', died);
    this.worker.on('exit', () => died());
  }
}
