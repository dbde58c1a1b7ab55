/**
 * Replays a history file through two worlds (baseline, candidate), in file order. A history line
 * goes through these stages, in this order, one module each:
 *
 *   1. read            line-reader.ts (lines of the file), read-event.ts (parse and check one line),
 *                      shard.ts (lines of other shards are skipped)
 *   2. store ops       store-ops.ts: the event reduced to what the feature stores keep, and the reads
 *                      its decision and reviews will take (pipelined replay only; the worker applies
 *                      them through the same module)
 *   3. feature thread  feature-feed.ts (this thread's end) and feature-thread.ts (the worker): the
 *                      feature stores applied and read off the main thread; in one thread, the
 *                      worlds' own memory stores (worlds.ts) do this
 *   4. decide          decide.ts: a decision point decided in both worlds, before its event applies
 *   5. apply           apply.ts: the event's features and other effects, in each world
 *   6. tally           tally.ts: each decision pair to onTally / onDecision
 *
 * Two drivers run the stages: in-thread.ts (1, then 4 to 6, line by line) and pipelined.ts (1 and 2
 * a batch ahead, 3 in the worker, 4 to 6 on each batch once its features come back). This module
 * picks one and joins the stages into the step each line goes through (`ReplayStep`).
 *
 * Sharding: events of accounts hashing to other shards are skipped; merchant.updated goes to every
 * shard. Bad lines are checked by every shard (so --strict fails everywhere) but counted by shard 0
 * only, and merchant.updated is counted as an event by shard 0 only, so shard reports add up. Component
 * shards (Shard.accounts) skip compact lines of other shards' accounts unparsed, and count (or, under
 * --strict, stop at) the bad lines naming one of their accounts; shard 0 also those naming none.
 */
import { stat } from 'node:fs/promises';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import { ApplyStage } from './apply.js';
import { DecideStage } from './decide.js';
import { FeatureFeed, FeatureThreadUnavailable } from './feature-feed.js';
import { replayInThread } from './in-thread.js';
import { BadLineError, type ReplayOptions, type ReplayStep } from './options.js';
import { replayPipelined } from './pipelined.js';
import { TallyStage } from './tally.js';
import { WorldPair, featureStoresFor } from './worlds.js';

export { BadLineError, type BadLineInfo, type ReplayOptions } from './options.js';

export async function replayHistory(options: ReplayOptions): Promise<void> {
  const bytes = (await stat(options.historyPath)).size;
  // Feature stores are sized for the events the history may hold, not grown to them (see TimeLists).
  const expectedEvents = options.shard?.events ?? Math.ceil(bytes / (options.shard?.count ?? 1) / MIN_BYTES_PER_LINE);
  const useThread = options.featureThread ?? bytes >= FEATURE_THREAD_MIN_BYTES;
  if (useThread) {
    // By default, a worker that cannot start (an environment without worker threads) leaves the replay
    // to this thread, from the start (it fails before any decision is taken); asked for explicitly, it must start.
    const required = options.featureThread === true;
    const feed = FeatureFeed.start(options, expectedEvents, required);
    if (feed !== undefined) {
      try {
        return await replay(options, bytes, expectedEvents, feed);
      } catch (err) {
        if (required || !(err instanceof FeatureThreadUnavailable)) throw err;
      } finally {
        await feed.close();
      }
    }
  }
  return replay(options, bytes, expectedEvents, undefined);
}

/**
 * Fewer bytes than a line of history takes (they run at 150 to 300): the size hint overestimates the
 * events, which costs address space only.
 */
const MIN_BYTES_PER_LINE = 100;

/** Below this size a worker's start-up (a second module graph: about half a second) costs more than it saves. */
const FEATURE_THREAD_MIN_BYTES = 16 << 20;

async function replay(options: ReplayOptions, totalBytes: number, expectedEvents: number, feed: FeatureFeed | undefined): Promise<void> {
  const { baseline, candidate, onProgress } = options;
  let worlds: WorldPair;
  if (feed === undefined) {
    const [featuresB, featuresC] = featureStoresFor(baseline, candidate, expectedEvents);
    worlds = new WorldPair(baseline, candidate, featuresB, featuresC, featuresB === featuresC);
  } else {
    worlds = new WorldPair(baseline, candidate, feed.source('baseline'), feed.source('candidate'), feed.shared);
  }
  const step = new Step(options, worlds);
  const progress = onProgress ? (bytes: number) => onProgress(bytes, totalBytes) : undefined;
  if (feed === undefined) return replayInThread(options.historyPath, options.shard, step, progress);
  return replayPipelined(options, worlds, feed, step, progress);
}

/** What each line of this shard goes through, in history order: stages 4 to 6 for an event; a bad line is counted or thrown. */
class Step implements ReplayStep {
  private readonly decideStage: DecideStage;
  private readonly applyStage: ApplyStage;
  private readonly onEvent: ReplayOptions['onEvent'];
  private readonly onBadLine: ReplayOptions['onBadLine'];
  private readonly strict: boolean;
  private readonly historyPath: string;
  /** Shard 0 (or no sharding) counts bad lines and merchant.updated events. */
  private readonly countsHere: boolean;
  /** Component shards count the bad lines of their own accounts, and stop only at bad lines they count. */
  private readonly byComponents: boolean;

  constructor(options: ReplayOptions, worlds: WorldPair) {
    const tally = new TallyStage(options);
    this.decideStage = new DecideStage(worlds, tally);
    this.applyStage = new ApplyStage(worlds, tally);
    this.onEvent = options.onEvent;
    this.onBadLine = options.onBadLine;
    this.strict = options.strict ?? false;
    this.historyPath = options.historyPath;
    this.countsHere = options.shard === undefined || options.shard.index === 0;
    this.byComponents = options.shard?.accounts !== undefined;
  }

  event(event: RefundGuardEvent, line: number, now: number): void | Promise<void> {
    if (event.type === 'merchant.updated') {
      if (this.countsHere) this.onEvent?.();
    } else {
      this.onEvent?.();
      this.decideStage.decide(event, line, now);
    }
    return this.applyStage.apply(event, line);
  }

  bad(line: number, message: string, owned: boolean): void {
    const counts = this.countsHere || (this.byComponents && owned);
    if (this.strict && (counts || !this.byComponents)) throw new BadLineError(this.historyPath, line, message);
    if (counts) this.onBadLine({ line, message });
  }
}
