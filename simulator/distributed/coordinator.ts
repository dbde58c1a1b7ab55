/**
 * `simulate --workers URL`: plans the shards (plan.ts), enqueues them as one BullMQ flow (a run job
 * with a child per shard), shows their progress, and merges their partial reports into the report
 * a single run writes. The caller writes the outputs; Ctrl-C (the signal) cancels the run.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { FlowProducer, Queue, QueueEvents, type Job } from 'bullmq';
import type { PreparedBundle, SourceFile } from '../../engine/index.js';
import { mergeReports } from '../report/merge.js';
import type { SimulationReport } from '../report/types.js';
import { linkFieldsOf } from './link-fields.js';
import { planShards, type PlanStats, type ShardPlan } from './plan.js';
import {
  decodeFailure,
  QUEUE_NAME,
  RUN_JOB,
  RUN_KEY_TTL_SECONDS,
  runKey,
  SHARD_JOB,
  type RunJobData,
  type RunPolicies,
  type ShardFailure,
  type ShardJobData,
  type ShardProgress,
  type ShardResult,
} from './protocol.js';

export interface DistributedRunOptions {
  redisUrl: string;
  prefix: string;
  shards: number;
  history: string;
  strict: boolean;
  baseline: { bundle: PreparedBundle; sources: SourceFile[] };
  candidate: { bundle: PreparedBundle; sources: SourceFile[] };
  /** Notes for stderr (the plan, a missing worker, a cancelled run). */
  log(line: string): void;
  progress(bytesRead: number, totalBytes: number, events: number): void;
  /** Aborted by Ctrl-C: the run is cancelled and its jobs removed. */
  signal?: AbortSignal;
  /** How long to wait before saying no worker is listening. */
  noWorkerNoticeMs?: number;
}

export type DistributedOutcome =
  | { ok: true; report: SimulationReport; plan: PlanStats; shards: ShardResult[] }
  | { ok: false; failure: ShardFailure; shard?: number };

export async function simulateOnWorkers(options: DistributedRunOptions): Promise<DistributedOutcome> {
  const links = linkFieldsOf([options.baseline.bundle.features, options.candidate.bundle.features]);
  const plan = await planShards(options.history, links, options.shards);
  options.log(describePlan(plan));
  if (options.signal?.aborted) return cancelledOutcome();

  const run = new Run(options, plan);
  try {
    await run.enqueue();
    const finished = await run.finished();
    if (finished === 'cancelled') {
      options.log('refund-guard: cancelling the run: its shards stop and its jobs are removed');
      await run.cancel();
      return cancelledOutcome();
    }
    if (finished === 'failed' || (await run.anyFailed())) {
      const failure = await run.failure();
      await run.cancel();
      return failure;
    }
    const results = await run.results();
    const report = mergeReports(
      results.map((r) => r.report),
      results.map((r) => r.sampleLines),
    );
    await run.remove();
    return { ok: true, report, plan: plan.stats, shards: results };
  } finally {
    await run.close();
  }
}

function cancelledOutcome(): DistributedOutcome {
  return { ok: false, failure: { code: 'cancelled', message: 'the run was cancelled' } };
}

/** One line on the plan: shards, components, and the largest component's share of the events. */
export function describePlan(plan: ShardPlan): string {
  const s = plan.stats;
  const largest = s.largestComponent;
  return (
    `planned ${plan.shards.length} shard${plan.shards.length === 1 ? '' : 's'} of ${s.accounts} accounts in ${s.components} connected components ` +
    `in ${(s.ms / 1000).toFixed(1)} s; the largest component has ${largest.accounts} accounts and ${(largest.share * 100).toFixed(1)}% of the account events; ` +
    `events per shard: ${plan.shards.map((x) => x.events).join(', ')} (+${s.merchantEvents} merchant events each)`
  );
}

/** One run's jobs and keys in Redis. */
class Run {
  readonly id = randomUUID();
  private readonly redis: Redis;
  private readonly eventsRedis: Redis;
  private readonly events: QueueEvents;
  private readonly queue: Queue;
  private readonly flows: FlowProducer;
  private readonly keys: { accounts: string[]; policies: string; cancel: string };
  private parent: Job | undefined;
  /** Child job id → shard index. */
  private readonly shardOfJob = new Map<string, number>();
  private readonly progress: (ShardProgress | undefined)[];
  /** Shard jobs seen failing for good. */
  private readonly failedShards = new Set<string>();

  constructor(
    private readonly options: DistributedRunOptions,
    private readonly plan: ShardPlan,
  ) {
    const { prefix } = options;
    this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    // QueueEvents blocks on its connection (XREAD): one of its own.
    this.eventsRedis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.events = new QueueEvents(QUEUE_NAME, { connection: this.eventsRedis, prefix });
    this.queue = new Queue(QUEUE_NAME, { connection: this.redis, prefix });
    this.flows = new FlowProducer({ connection: this.redis, prefix });
    this.keys = {
      accounts: plan.shards.map((_, i) => runKey(prefix, this.id, `accounts:${i}`)),
      policies: runKey(prefix, this.id, 'policies'),
      cancel: runKey(prefix, this.id, 'cancel'),
    };
    this.progress = plan.shards.map(() => undefined);
    // Connection errors surface as the commands' own failures; an 'error' event nobody listens to
    // would end the process (QueueEvents' blocked read fails that way when its connection closes).
    const ignore = () => undefined;
    this.redis.on('error', ignore);
    this.eventsRedis.on('error', ignore);
    this.events.on('error', ignore);
    this.queue.on('error', ignore);
    this.flows.on('error', ignore);
  }

  async enqueue(): Promise<void> {
    const { options, plan, keys } = this;
    const policies: RunPolicies = { baseline: options.baseline.sources, candidate: options.candidate.sources };
    const write = this.redis.multi();
    plan.shards.forEach((shard, i) => write.set(keys.accounts[i] as string, shard.accounts.join('\n'), 'EX', RUN_KEY_TTL_SECONDS));
    write.set(keys.policies, JSON.stringify(policies), 'EX', RUN_KEY_TTL_SECONDS);
    await write.exec();
    await this.events.waitUntilReady();
    const children = plan.shards.map((shard, index) => ({
      name: SHARD_JOB,
      queueName: QUEUE_NAME,
      data: {
        runId: this.id,
        index,
        count: plan.shards.length,
        // Workers run elsewhere (another directory, another machine with the same mount): an absolute path.
        history: resolve(options.history),
        strict: options.strict,
        accountsKey: keys.accounts[index] as string,
        events: shard.events,
        policiesKey: keys.policies,
        cancelKey: keys.cancel,
      } satisfies ShardJobData,
      // A crash (not a data error, which fails at once) is retried. A shard that fails for good fails the
      // run at once, but one stopped at a bad line (--strict): another shard may stop at an earlier line,
      // and the run reports the first, as a single run does, so the run job waits for every shard.
      opts: { attempts: 3, backoff: { type: 'fixed', delay: 1000 }, ignoreDependencyOnFailure: true },
    }));
    const tree = await this.flows.add({ name: RUN_JOB, queueName: QUEUE_NAME, data: { runId: this.id, shards: plan.shards.length } satisfies RunJobData, children });
    this.parent = tree.job;
    (tree.children ?? []).forEach((child, i) => this.shardOfJob.set(child.job.id as string, i));
  }

  /** Resolves when the run job completed or a job of the run failed for good, or the run was cancelled. */
  finished(): Promise<'completed' | 'failed' | 'cancelled'> {
    const parentId = this.parent?.id as string;
    const totalBytes = this.plan.shards.length;
    return new Promise((resolve) => {
      const done = (how: 'completed' | 'failed' | 'cancelled') => {
        clearInterval(poll);
        clearTimeout(notice);
        this.options.signal?.removeEventListener('abort', onAbort);
        resolve(how);
      };
      const onAbort = () => done('cancelled');
      this.options.signal?.addEventListener('abort', onAbort);
      if (this.options.signal?.aborted) return done('cancelled');
      this.events.on('completed', ({ jobId }) => jobId === parentId && done('completed'));
      this.events.on('failed', ({ jobId, failedReason }) => {
        if (jobId === parentId) return done('failed');
        if (!this.shardOfJob.has(jobId)) return;
        this.failedShards.add(jobId);
        if (decodeFailure(failedReason)?.code !== 'bad_line') done('failed');
      });
      this.events.on('progress', ({ jobId, data }) => {
        const shard = this.shardOfJob.get(jobId);
        if (shard === undefined || typeof data !== 'object' || data === null) return;
        this.progress[shard] = data as ShardProgress;
        let bytes = 0;
        let total = 0;
        let events = 0;
        for (const p of this.progress) {
          bytes += p?.bytesRead ?? 0;
          total += p?.totalBytes ?? 0;
          events += p?.events ?? 0;
        }
        // Shards not started yet count as the file to read.
        const known = this.progress.filter((p) => p !== undefined).length;
        this.options.progress(bytes, known === 0 ? 0 : (total / known) * totalBytes, events);
      });
      // Events can be missed (a reconnect): the run job's state is read now and then as well.
      const poll = setInterval(() => {
        this.parent?.getState().then((state) => {
          if (state === 'completed' || state === 'failed') done(state);
        }, () => undefined);
      }, 2000);
      const notice = setTimeout(() => {
        this.queue.getWorkersCount().then((n) => {
          if (n === 0) this.options.log(`refund-guard: no worker is listening on ${this.options.prefix}:${QUEUE_NAME} yet: start one with refund-guard worker --redis URL (the shards wait in the queue)`);
        }, () => undefined);
      }, this.options.noWorkerNoticeMs ?? 3000);
    });
  }

  /** The shards' results, in shard order. */
  async results(): Promise<ShardResult[]> {
    const values = await (this.parent as Job).getChildrenValues<ShardResult>();
    const results: ShardResult[] = [];
    for (const [key, value] of Object.entries(values)) {
      const shard = this.shardOfJob.get(key.slice(key.lastIndexOf(':') + 1));
      if (shard !== undefined) results[shard] = value;
    }
    if (results.length !== this.plan.shards.length || results.some((r) => r === undefined)) throw new Error('a shard of the run returned no result');
    return results;
  }

  /** Whether a shard failed for good (read from the jobs: an event may have been missed). */
  async anyFailed(): Promise<boolean> {
    if (this.failedShards.size > 0) return true;
    const jobs = await Promise.all([...this.shardOfJob.keys()].map((id) => this.queue.getJob(id)));
    return (await Promise.all(jobs.map((job) => job?.isFailed() ?? false))).some(Boolean);
  }

  /** The failure of the run: the first bad line any shard stopped at, else the lowest failed shard's (or the run job's). */
  async failure(): Promise<DistributedOutcome> {
    const failed: { shard: number; failure: ShardFailure }[] = [];
    for (const [id, shard] of [...this.shardOfJob].sort((a, b) => a[1] - b[1])) {
      const job = await this.queue.getJob(id);
      if (job === undefined || !(await job.isFailed())) continue;
      const reason = job.failedReason ?? 'failed';
      failed.push({ shard, failure: decodeFailure(reason) ?? { code: 'shard_failed', message: reason } });
    }
    const other = failed.find((f) => f.failure.code !== 'bad_line');
    const badLines = failed.filter((f) => f.failure.code === 'bad_line').sort((a, b) => (a.failure.line ?? 0) - (b.failure.line ?? 0));
    const first = other ?? badLines[0];
    if (first !== undefined) return { ok: false, ...first };
    const reason = (await this.queue.getJob(this.parent?.id as string))?.failedReason ?? 'the run failed';
    return { ok: false, failure: decodeFailure(reason) ?? { code: 'shard_failed', message: reason } };
  }

  /** Stops the run's shards (at their next progress tick) and removes its jobs once none is active. */
  async cancel(): Promise<void> {
    await this.redis.set(this.keys.cancel, '1', 'EX', RUN_KEY_TTL_SECONDS);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const states = await Promise.all([...this.shardOfJob.keys()].map(async (id) => (await this.queue.getJob(id))?.getState()));
      if (!states.includes('active') || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.remove();
  }

  /** Removes the run's jobs and keys. */
  async remove(): Promise<void> {
    if (this.parent?.id !== undefined) await this.queue.remove(this.parent.id, { removeChildren: true }).catch(() => undefined);
    await this.redis.del(...this.keys.accounts, this.keys.policies, this.keys.cancel);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.flows.close(), this.queue.close()]);
    // BullMQ leaves connections it was given open.
    this.redis.disconnect();
    this.eventsRedis.disconnect();
  }
}
