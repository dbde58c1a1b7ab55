/**
 * What the coordinator (`simulate --workers`) and the workers (`refund-guard worker`) say to each
 * other through Redis: the queue, the keys a run keeps beside its jobs, a shard job's descriptor,
 * its progress, its result, and a shard's failure as data with a stable code.
 */
import type { SourceFile } from '../../engine/index.js';
import type { SimulationReport } from '../report/types.js';

/**
 * BullMQ's key prefix. The braces are a Redis Cluster hash tag: every key of the queue (and the
 * run's own keys, which share the prefix) hashes to one slot, which BullMQ's scripts need there.
 */
export const DEFAULT_PREFIX = '{sim}';
export const QUEUE_NAME = 'simulate';
/** Job names: the run (the flow's parent, done once all its shards are) and its shards. */
export const RUN_JOB = 'run';
export const SHARD_JOB = 'shard';

/** A key the run keeps beside its jobs (the same hash tag as the queue's keys). */
export function runKey(prefix: string, runId: string, what: string): string {
  return `${prefix}:${QUEUE_NAME}:run:${runId}:${what}`;
}

/** The run's keys expire on their own should the coordinator die before it deletes them. */
export const RUN_KEY_TTL_SECONDS = 7 * 24 * 3600;

/** The policies of both sides, as the coordinator loaded them (a worker needs no policy directory). */
export interface RunPolicies {
  baseline: SourceFile[];
  candidate: SourceFile[];
}

export interface ShardJobData {
  runId: string;
  index: number;
  count: number;
  /** A history file every worker can read at this path. */
  history: string;
  strict: boolean;
  /** The shard's accounts, one a line. */
  accountsKey: string;
  /** Events of the shard's accounts (sizes its feature stores). */
  events: number;
  /** RunPolicies as JSON. */
  policiesKey: string;
  /** Set when the run is cancelled: its shards stop at their next progress tick. */
  cancelKey: string;
}

export interface RunJobData {
  runId: string;
  shards: number;
}

export interface ShardProgress {
  events: number;
  bytesRead: number;
  totalBytes: number;
}

/** What a shard job returns: counts, never events. */
export interface ShardResult {
  report: SimulationReport;
  /** History line of each of report.samples, for a merge in single-run order. */
  sampleLines: number[];
  /** Peak resident memory of the worker process when the shard ended. */
  maxRssBytes: number;
  ms: number;
}

/** shard_failed: a crash or an error no code names, after the retries (the message says which). */
export type ShardFailureCode = 'bad_line' | 'history_unreadable' | 'policies_invalid' | 'run_missing' | 'cancelled' | 'shard_failed';

/** A shard's failure for good, carried as a job's failed reason (JSON). */
export interface ShardFailure {
  code: ShardFailureCode;
  message: string;
  /** bad_line: where, and the detail a single run prints. */
  file?: string;
  line?: number;
  detail?: string;
}

export function encodeFailure(failure: ShardFailure): string {
  return JSON.stringify(failure);
}

/** The failure a job's failed reason carries, or a plain message (a crash, an exhausted retry). */
export function decodeFailure(reason: string): ShardFailure | undefined {
  if (!reason.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(reason) as Partial<ShardFailure>;
    return typeof value.code === 'string' && typeof value.message === 'string' ? (value as ShardFailure) : undefined;
  } catch {
    return undefined;
  }
}
