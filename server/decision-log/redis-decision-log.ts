import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { DecisionRecord } from '../../engine/index.js';
import { DEFAULT_CLUSTER_SHARDS, DecisionLogKeys } from './decision-log-keys.js';
import { countInto, dayCountDays, decisionDay, loggedJson, mergeRecent, recentPerAccount, type DecisionCounts, type DecisionLog } from './decision-log.js';

/** Counts `by` decisions of a "<point>|<action>" tally. */
export function countTally(counts: Record<string, Record<string, number>>, tally: string, by: number): void {
  const bar = tally.indexOf('|');
  countInto(counts, tally.slice(0, bar), tally.slice(bar + 1), by);
}

export interface RedisDecisionLogOptions {
  prefix: string;
  /** Flush at least this often. */
  intervalMs?: number;
  /** Flush early when this many decisions wait. */
  batchSize?: number;
  /** Most decisions held while Redis cannot take them; beyond it the oldest are dropped and counted. */
  maxBuffered?: number;
  /** Most characters of decision JSON held while Redis cannot take them (default 64 Mi); beyond it, as maxBuffered. */
  maxBufferedChars?: number;
  /** Approximate bound on stream entries (over all shards); each entry is one batch of up to `batchSize` decisions (default 1,000 × 500). */
  maxStreamEntries?: number;
  /** Stream shards `{dlog:0}`…`{dlog:K-1}` (decision-log-keys.ts). Default: 16 on a Redis Cluster, none (one stream) on a server. */
  shards?: number;
  onFlushError?(error: unknown): void;
  onDropped?(count: number): void;
  /** After each batch written: how many decisions it carried. */
  onWritten?(count: number): void;
}

/** A batch is written when it holds this many decisions or is this old, whichever comes first. */
export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_FLUSH_MS = 50;

/** A decision as the log holds it until written: serialized once, when appended. */
export interface PendingDecision {
  readonly decisionId: string;
  /** "<point>|<action>", the stats field it counts towards. */
  readonly tally: string;
  /** The UTC day it counts towards ('' for none), see decisionDay. */
  readonly day: string;
  readonly accountId: string;
  readonly json: string;
}

export function pendingDecisionOf(record: DecisionRecord): PendingDecision {
  return { decisionId: record.decisionId, tally: `${record.point}|${record.action}`, day: decisionDay(record), accountId: record.accountId, json: loggedJson(record) };
}

/** Counts the tallies of `pending` (those of `day` only, when given) into `counts`. */
export function countPending(counts: DecisionCounts, pending: Iterable<Pick<PendingDecision, 'tally' | 'day'>>, day: string | undefined): DecisionCounts {
  for (const p of pending) if (day === undefined || p.day === day) countTally(counts, p.tally, 1);
  return counts;
}

/** Ids of `accountId`'s decisions among `pending`, in the order appended. */
export function pendingIdsOf(accountId: string, pending: Iterable<Pick<PendingDecision, 'decisionId' | 'accountId'>>): string[] {
  const ids: string[] = [];
  for (const p of pending) if (p.accountId === accountId) ids.push(p.decisionId);
  return ids;
}

/** Decisions as the threaded log hands them over: parallel arrays, cheaper to post between threads than objects. */
export interface DecisionChunk {
  readonly ids: readonly string[];
  readonly tallies: readonly string[];
  readonly days: readonly string[];
  readonly accountIds: readonly string[];
  readonly jsons: readonly string[];
}

/** Appends a chunk's decisions to `into`, as PendingDecisions. */
export function appendChunk(chunk: DecisionChunk, into: PendingDecision[]): PendingDecision[] {
  for (let i = 0; i < chunk.ids.length; i++) into.push({ decisionId: chunk.ids[i] as string, tally: chunk.tallies[i] as string, day: chunk.days[i] as string, accountId: chunk.accountIds[i] as string, json: chunk.jsons[i] as string });
  return into;
}

/**
 * Decision ids naming this process and the batch they are written in: `d-<ms>-<process>-<batch>-<n>`.
 * The process part is random, so processes sharing a stream never collide; the batch advances
 * when the decisions of the current one are taken for writing.
 */
export class BatchedDecisionIds {
  private readonly processTag = randomUUID().replace(/-/g, '').slice(0, 10);
  private batch = 0;
  private inBatch = 0;

  next(now: number): string {
    return `d-${now.toString(36)}-${this.processTag}-${this.batch.toString(36)}-${(this.inBatch++).toString(36)}`;
  }

  /** Ids made from now on belong to the next batch. */
  advance(): void {
    this.batch += 1;
    this.inBatch = 0;
  }
}

/**
 * Decisions go to a Redis Stream in batches: one XADD per batch (field "decisions": the batch as
 * a JSON array) plus one HINCRBY per point/action for the counts, the same per day into a hash
 * per UTC day (expiring after dayCountDays days), and per account an LPUSH of its decision ids
 * trimmed to the last recentPerAccount (expiring after a month idle), all in one pipeline; then
 * one HSET indexing the batch. The stream is trimmed by MAXLEN ~, so it stays bounded.
 *
 * The index maps batches, not decisions, to stream entries: a decision id names the process and
 * the batch it was appended to (`d-<ms>-<process>-<batch>-<n>`), so indexing costs one hash field
 * per batch (a few a second) instead of one per decision (thousands a second, for a week).
 *
 * A decision is serialized when it is appended, not when its batch is written: held until the
 * next flush, the record and its facts would survive a young-generation GC and be copied (and
 * often promoted), which cost more than the serialization itself. Held as one string, it is a
 * single flat object to the collector.
 */
export class RedisDecisionLog implements DecisionLog {
  private buffer: PendingDecision[] = [];
  /** Characters of JSON in `buffer`. */
  private bufferedChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private writing: PendingDecision[] | undefined;
  private readonly keys: DecisionLogKeys;
  /** The shard the next batch is written to (round robin). */
  private nextShard = 0;
  private readonly ids = new BatchedDecisionIds();
  dropped = 0;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly options: RedisDecisionLogOptions,
  ) {
    this.keys = new DecisionLogKeys(options.prefix, options.shards ?? (client.isCluster ? DEFAULT_CLUSTER_SHARDS : 0));
    this.timer = setInterval(() => void this.flush(), options.intervalMs ?? DEFAULT_FLUSH_MS);
    this.timer.unref();
  }

  get buffered(): number {
    return this.buffer.length;
  }

  get bufferedCharCount(): number {
    return this.bufferedChars;
  }

  /** Ids for decisions this log will hold: generate one just before appending the decision. */
  newDecisionId(now: number): string {
    return this.ids.next(now);
  }

  append(record: DecisionRecord): void {
    const pending = pendingDecisionOf(record);
    this.buffer.push(pending);
    this.bufferedChars += pending.json.length;
    this.enforceBound();
    if (this.buffer.length >= (this.options.batchSize ?? DEFAULT_BATCH_SIZE) && !this.flushing) void this.flush();
  }

  /**
   * Takes a whole batch serialized elsewhere (the decision-log thread: its ids were made by the
   * appending thread, which also chose where batches end) and starts writing it.
   */
  appendBatch(batch: readonly PendingDecision[]): void {
    for (const p of batch) {
      this.buffer.push(p);
      this.bufferedChars += p.json.length;
    }
    this.enforceBound();
    if (!this.flushing) void this.flush();
  }

  async get(decisionId: string): Promise<DecisionRecord | undefined> {
    // Not yet written: still in the buffer (or in the batch being written, retried on failure).
    const waiting = this.buffer.find((r) => r.decisionId === decisionId) ?? this.writing?.find((r) => r.decisionId === decisionId);
    if (waiting) return JSON.parse(waiting.json) as DecisionRecord;
    const since = decisionTime(decisionId);
    if (since === undefined) return undefined;
    // Sharded: the batch's shard is not in the id (a retried batch may join a later one), so every shard's index is asked.
    const field = batchFieldOf(decisionId);
    const found = await Promise.all(this.keys.shards.map((shard) => this.client.hget(this.keys.index(shard, since), field)));
    const shard = found.findIndex((entryId) => entryId !== null);
    const entryId = found[shard];
    if (entryId === undefined || entryId === null) return undefined;
    const entries = (await this.client.xrange(this.keys.stream(shard), entryId, entryId)) as [string, string[]][];
    const fields = entries[0]?.[1] ?? [];
    const batch = fields[1];
    if (fields[0] !== 'decisions' || batch === undefined) return undefined; // trimmed from the stream
    return (JSON.parse(batch) as DecisionRecord[]).find((r) => r.decisionId === decisionId);
  }

  async stats(day?: string): Promise<DecisionCounts> {
    // Decisions still buffered count too, so a caller sees its own decisions at once: those buffered
    // as the call starts, as the counters read are those before any later flush (one connection, in order).
    const buffered = this.buffer.map((r) => ({ tally: r.tally, day: r.day }));
    const flats = await Promise.all(this.keys.shards.map((shard) => this.client.hgetall(day === undefined ? this.keys.stats(shard) : this.keys.day(shard, day))));
    const counts: DecisionCounts = {};
    for (const flat of flats) for (const [field, value] of Object.entries(flat)) countTally(counts, field, Number(value));
    return countPending(counts, buffered, day);
  }

  async recentForAccount(accountId: string): Promise<string[]> {
    // Still buffered or being written: newer than anything in the list (a failed write goes back to the buffer's head).
    const waiting = [...pendingIdsOf(accountId, this.writing ?? []), ...pendingIdsOf(accountId, this.buffer)];
    const written = await this.client.lrange(this.keys.account(accountId), 0, recentPerAccount - 1);
    return mergeRecent(waiting, written);
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return Promise.resolve();
    const batch = this.buffer;
    this.buffer = [];
    this.bufferedChars = 0;
    this.ids.advance();
    this.writing = batch;
    this.flushing = this.write(batch)
      .then(
        () => this.options.onWritten?.(batch.length),
        (error: unknown) => {
          // Put the batch back, oldest first, to be retried; the bound still holds.
          this.buffer = [...batch, ...this.buffer];
          this.bufferedChars = this.buffer.reduce((sum, p) => sum + p.json.length, 0);
          this.enforceBound();
          this.options.onFlushError?.(error);
        },
      )
      .finally(() => {
        this.flushing = undefined;
        this.writing = undefined;
      });
    return this.flushing;
  }

  private enforceBound(): void {
    const max = this.options.maxBuffered ?? 50_000;
    const maxChars = this.options.maxBufferedChars ?? 64 * 1024 * 1024;
    if (this.buffer.length <= max && this.bufferedChars <= maxChars) return;
    // Oldest first, until both bounds hold.
    let excess = Math.max(0, this.buffer.length - max);
    for (let i = 0; i < excess; i++) this.bufferedChars -= (this.buffer[i] as PendingDecision).json.length;
    while (this.bufferedChars > maxChars && excess < this.buffer.length) this.bufferedChars -= (this.buffer[excess++] as PendingDecision).json.length;
    this.buffer.splice(0, excess);
    this.dropped += excess;
    this.options.onDropped?.(excess);
  }

  private async write(batch: PendingDecision[]): Promise<void> {
    const counts: Record<string, number> = {};
    const dayCounts = new Map<string, Record<string, number>>();
    const byAccount = new Map<string, string[]>();
    for (const r of batch) {
      counts[r.tally] = (counts[r.tally] ?? 0) + 1;
      if (r.day !== '') {
        let day = dayCounts.get(r.day);
        if (day === undefined) dayCounts.set(r.day, (day = {}));
        day[r.tally] = (day[r.tally] ?? 0) + 1;
      }
      let ids = byAccount.get(r.accountId);
      if (ids === undefined) byAccount.set(r.accountId, (ids = []));
      ids.push(r.decisionId);
    }
    const array = `[${batch.map((r) => r.json).join(',')}]`;
    const keys = this.keys;
    const shard = keys.shards[this.nextShard++ % keys.shards.length]!;
    // One field holding the batch as a JSON array: one argument to encode and send, not two per decision.
    // The shard's keys share a slot: one pipeline (on one server, everything goes in it).
    const pipeline = this.client.pipeline();
    const maxEntries = Math.max(1, Math.ceil((this.options.maxStreamEntries ?? 1_000) / keys.shards.length));
    pipeline.xadd(keys.stream(shard), 'MAXLEN', '~', String(maxEntries), '*', 'decisions', array);
    for (const [key, n] of Object.entries(counts)) pipeline.hincrby(keys.stats(shard), key, n);
    for (const [day, tallies] of dayCounts) {
      for (const [key, n] of Object.entries(tallies)) pipeline.hincrby(keys.day(shard, day), key, n);
      pipeline.expire(keys.day(shard, day), dayCountDays * 86_400);
    }
    // Each account's list is a slot of its own on a cluster: its three commands go on their own
    // (auto-pipelined by the cluster client, one write per node), not in the shard's pipeline.
    const own: Promise<unknown>[] | undefined = keys.sharded ? [] : undefined;
    for (const [accountId, ids] of byAccount) {
      // Newest ends up first; only the last recentPerAccount are worth sending.
      const key = keys.account(accountId);
      const newest = ids.slice(-recentPerAccount);
      if (own === undefined) pipeline.lpush(key, ...newest).ltrim(key, 0, recentPerAccount - 1).expire(key, 30 * 86_400);
      else own.push(this.client.lpush(key, ...newest), this.client.ltrim(key, 0, recentPerAccount - 1), this.client.expire(key, 30 * 86_400));
    }
    // A list write that fails (its master failing over) is not retried with the batch: the stream
    // entry and counters are written, and writing them again would count the batch twice.
    const [results] = await Promise.all([pipeline.exec().then((r) => r ?? []), Promise.allSettled(own ?? [])]);
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    const entryId = results[0]![1] as string;
    // Usually one field: a retried batch carries its predecessors, a batch may straddle an hour.
    const byHour = new Map<string, Set<string>>();
    for (const r of batch) {
      const key = keys.index(shard, decisionTime(r.decisionId) ?? 0);
      let fields = byHour.get(key);
      if (fields === undefined) byHour.set(key, (fields = new Set()));
      fields.add(batchFieldOf(r.decisionId));
    }
    const index = this.client.pipeline();
    for (const [key, fields] of byHour) index.hset(key, ...[...fields].flatMap((field) => [field, entryId])).expire(key, 7 * 86_400);
    await index.exec();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    if (this.buffer.length > 0) await this.flush();
  }
}

/**
 * The index field for a decision: "<process>-<batch>" for ids this log made, the whole id for
 * any other (a caller-made id is indexed on its own).
 */
function batchFieldOf(decisionId: string): string {
  const match = /^d-[0-9a-z]+-([0-9a-z]+-[0-9a-z]+)-[0-9a-z]+$/.exec(decisionId);
  return match ? match[1]! : decisionId;
}

/** "d-<epoch ms base36>-…" → epoch ms. */
export function decisionTime(decisionId: string): number | undefined {
  const match = /^d-([0-9a-z]+)-/.exec(decisionId);
  if (!match) return undefined;
  const ms = parseInt(match[1]!, 36);
  return Number.isFinite(ms) ? ms : undefined;
}

export function newDecisionId(now: number = Date.now()): string {
  return `d-${now.toString(36)}-${randomUUID().slice(0, 13).replace('-', '')}`;
}
