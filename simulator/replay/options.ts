/** What a replay is asked to do and what it reports through (see replay.ts), and how drivers hand it lines. */
import type { PreparedBundle } from '../../engine/index.js';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { DecisionPair, TallyPair } from './decision-pair.js';
import type { Shard } from './shard.js';

export interface BadLineInfo {
  line: number;
  message: string;
}

export interface ReplayOptions {
  historyPath: string;
  baseline: PreparedBundle;
  candidate: PreparedBundle;
  shard?: Shard;
  /** Throw BadLineError at the first bad line instead of counting it. */
  strict?: boolean;
  /**
   * Called with every decision pair, in history order, as the report tallies it. The pair is valid
   * during the call only: without onDecision, one object is filled again for every decision.
   */
  onTally(pair: TallyPair): void;
  /**
   * Called with every decision pair as records (ids, timestamps, the candidate's own revision), after
   * onTally. Without it, decisions that are not integrity reviews are not made into records at all.
   */
  onDecision?(pair: DecisionPair): void;
  onBadLine(bad: BadLineInfo): void;
  /** Called once per valid event this shard keeps. */
  onEvent?(): void;
  /** Called after each chunk with bytes read so far and the file size. */
  onProgress?(bytesRead: number, totalBytes: number): void;
  /**
   * Keep features in a worker thread while this one parses ahead and decides (same results;
   * faster on large files with a second core). Default: for files of 16 MiB or more.
   * `true` fails when the worker cannot start; by default the replay then stays in this thread.
   */
  featureThread?: boolean;
  /** Lines per batch sent to the feature thread (tests use small ones to cross many batches). */
  featureBatchLines?: number;
}

export class BadLineError extends Error {
  override name = 'BadLineError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

/**
 * What a driver (in-thread.ts, pipelined.ts) does with each line of this shard, in history order:
 * an event read and checked (decide, apply, tally), or a bad line.
 */
export interface ReplayStep {
  /** `now` is the event's time (atMs), read where the line was. */
  event(event: RefundGuardEvent, line: number, now: number): void | Promise<void>;
  /** `owned`: the line names one account (ownerOf) of this component shard, which alone reports it. */
  bad(line: number, message: string, owned: boolean): void;
}
