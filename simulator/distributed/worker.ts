/**
 * `refund-guard worker`: takes shard jobs from the simulate queue and replays them. Stopping
 * (SIGTERM, SIGINT) hands the shards it holds back to the queue for another worker; a worker
 * killed outright loses its job's lock, and BullMQ's stalled-job check gives the job to another.
 */
import { Redis } from 'ioredis';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { BadLineError } from '../replay/options.js';
import { loadSidesFromSources } from '../policies/load-sides.js';
import { encodeFailure, QUEUE_NAME, RUN_JOB, type RunJobData, type RunPolicies, type ShardFailure, type ShardJobData, type ShardProgress, type ShardResult } from './protocol.js';
import { replayShard } from './replay-shard.js';

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  /** A job's lock lasts this long unless renewed (every half of it) while the worker is alive. */
  lockDurationMs: number;
  /** How often workers look for jobs whose lock expired (their worker died) and put them back. */
  stalledIntervalMs: number;
  /** How often a shard sends its progress and looks whether the run was cancelled. */
  progressEveryMs: number;
  log(line: string): void;
}

/** Why a replay was stopped from outside: the worker stops (hand the job back) or the run was cancelled. */
class Stop extends Error {
  constructor(readonly why: 'shutdown' | 'cancelled') {
    super(why);
  }
}

export interface RunningWorker {
  /** Hands every job in progress back to the queue and disconnects. */
  stop(): Promise<void>;
  /** Resolves once connected and listening for jobs. */
  ready: Promise<void>;
}

export function startWorker(options: WorkerOptions): RunningWorker {
  // BullMQ's blocking commands want no per-request retry limit on the worker's connection.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const stopping = { now: false };
  const worker = new Worker<ShardJobData | RunJobData, ShardResult | { shards: number }>(
    QUEUE_NAME,
    async (job, token, signal) => {
      if (job.name === RUN_JOB) return { shards: (job.data as RunJobData).shards };
      return processShard(job as Job<ShardJobData>, token, signal, connection, options, stopping);
    },
    {
      connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      // A shard whose worker died is put back this many times before the run fails with it.
      maxStalledCount: 3,
      autorun: true,
    },
  );
  worker.on('error', (err) => options.log(`worker: ${err.message}`));
  return {
    ready: worker.waitUntilReady().then(() => undefined),
    async stop() {
      stopping.now = true;
      worker.cancelAllJobs('shutdown');
      await worker.close();
      connection.disconnect();
    },
  };
}

async function processShard(
  job: Job<ShardJobData>,
  token: string | undefined,
  signal: AbortSignal | undefined,
  redis: Redis,
  options: WorkerOptions,
  stopping: { now: boolean },
): Promise<ShardResult> {
  const data = job.data;
  const name = `run ${data.runId} shard ${data.index + 1}/${data.count}`;
  const [accountsText, policiesText] = await Promise.all([redis.get(data.accountsKey), redis.get(data.policiesKey)]);
  if (accountsText === null || policiesText === null) fail({ code: 'run_missing', message: `${name}: the run's keys are gone (cancelled or expired)` });
  const policies = JSON.parse(policiesText) as RunPolicies;
  const sides = loadSidesFromSources(policies.baseline, policies.candidate);
  if (!sides.ok) fail({ code: 'policies_invalid', message: `${name}: the run's policies do not load here: ${sides.problems.map((p) => p.message).join('; ')}` });
  const accounts = new Set(accountsText === '' ? [] : accountsText.split('\n'));
  options.log(`worker: ${name}: ${accounts.size} accounts, ${data.events} events (attempt ${job.attemptsMade + 1})`);

  let stop: Stop | undefined;
  let latest: ShardProgress | undefined;
  // Progress and the cancel check run on a timer: the replay's progress callback is synchronous.
  const tick = setInterval(() => {
    if (latest !== undefined) job.updateProgress({ ...latest }).catch(() => undefined);
    redis.exists(data.cancelKey).then((n) => {
      if (n > 0) stop ??= new Stop('cancelled');
    }, () => undefined);
  }, options.progressEveryMs);
  try {
    const result = await replayShard(data, sides.baseline, sides.candidate, accounts, {
      progress: (p) => {
        latest = p;
      },
      stopReason: () => stop ?? (signal?.aborted || stopping.now ? new Stop('shutdown') : undefined),
    });
    options.log(`worker: ${name}: done in ${(result.ms / 1000).toFixed(1)} s`);
    return result;
  } catch (err) {
    if (err instanceof Stop && err.why === 'shutdown') {
      // Hand the shard back: waiting again at once, for the next worker (its attempts are not used up).
      await job.moveToWait(token);
      options.log(`worker: ${name}: handed back`);
      throw new WaitingError();
    }
    if (err instanceof Stop) fail({ code: 'cancelled', message: `${name}: the run was cancelled` });
    if (err instanceof BadLineError) fail({ code: 'bad_line', message: err.message, file: err.file, line: err.line, detail: err.detail });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') fail({ code: 'history_unreadable', message: `cannot read history ${data.history} on this worker: ${(err as Error).message}` });
    throw err;
  } finally {
    clearInterval(tick);
  }
}

/** Fails the job for good (no retry would read the data differently). */
function fail(failure: ShardFailure): never {
  throw new UnrecoverableError(encodeFailure(failure));
}
