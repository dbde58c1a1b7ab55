/**
 * The pipelined replay: lines are read and checked here (stage 1) a batch ahead; each batch's store
 * ops (stage 2) go to the feature thread (stage 3), which applies them while this thread decides on
 * the batch before, then applies and tallies (stages 4 to 6), reading features from the thread's answers.
 */
import { atMs, type AccountEvent, type RefundGuardEvent } from '../../engine/events/index.js';
import { effectsOf, type EventEffect } from '../../engine/index.js';
import { compileFeatures } from '../../engine/features/index.js';
import { decisionPointOf } from '../../engine/service/decision-points-of-events.js';
import type { FeatureFeed } from './feature-feed.js';
import { forEachLine } from './line-reader.js';
import type { ReplayOptions, ReplayStep } from './options.js';
import { readEventLine } from './read-event.js';
import { inOtherShard, ownerOf } from './shard.js';
import { REVIEW_SHIFT, StoreOpsWriter } from './store-ops.js';
import type { WorldPair } from './worlds.js';

/**
 * Lines per batch of a pipelined replay, and batches read ahead of the decisions. Parsed events
 * wait here until their features come back: small batches let them die young (kept for long, they
 * outlive two scavenges and cost a full collection each), and 2048 lines ahead (~20 ms of work) ride
 * out most pauses of the feature thread (with 1024 the main thread waited ~17% of the time, ~12% now).
 */
const FEATURE_BATCH_LINES = 256;
const FEATURE_BATCHES_AHEAD = 8;
/** Batches read ahead while the feature thread starts (about half a second of reading). */
const FEATURE_BATCHES_WHILE_STARTING = 256;

/** The lines read since the last flush: `size` of them, in arrays of room for a whole batch. */
interface Batch {
  size: number;
  lines: Float64Array;
  /** The event read from each line, or its bad-line message (undefined once decided on). */
  items: (RefundGuardEvent | string | undefined)[];
  /** atMs of each event (NaN for a bad line). */
  times: Float64Array;
  /** 1 where the line is its account's shard's own (ownerOf): that shard reports it if bad. */
  owned: Uint8Array;
}

export async function replayPipelined(
  options: Pick<ReplayOptions, 'historyPath' | 'baseline' | 'candidate' | 'shard' | 'featureBatchLines'>,
  worlds: WorldPair,
  feed: FeatureFeed,
  step: ReplayStep,
  progress: ((bytes: number) => void) | undefined,
): Promise<void> {
  const { shard } = options;
  const batchLines = options.featureBatchLines ?? FEATURE_BATCH_LINES;
  const writer = new StoreOpsWriter(compileFeatures(options.baseline.features), worlds.sharedFeatures ? null : compileFeatures(options.candidate.features), batchLines);
  /** The reads the feature thread takes around an event: the ones decide and the reviews of apply will ask for, in that order. */
  const readsOf = (event: AccountEvent): number => {
    const point = decisionPointOf(event);
    let reads = point === undefined ? 0 : worlds.storesReadAt(point);
    const effects = effectsOf(event);
    for (let k = 0; k < effects.length; k++) if ((effects[k] as EventEffect).kind === 'review') reads += 1 << REVIEW_SHIFT;
    return reads;
  };
  /** Batches decided on, to be filled again (one batch's arrays serve the whole replay, not one batch). */
  const spare: Batch[] = [];
  const newBatch = (): Batch => spare.pop() ?? { size: 0, lines: new Float64Array(batchLines), items: new Array<RefundGuardEvent | string | undefined>(batchLines).fill(undefined), times: new Float64Array(batchLines), owned: new Uint8Array(batchLines) };
  let reading = newBatch();
  /** Batches sent, oldest first, whose decisions are still to be taken. */
  const sent: Batch[] = [];
  const decideOn = async (batch: Batch): Promise<void> => {
    await feed.take();
    const { lines, items, times, owned } = batch;
    for (let k = 0; k < batch.size; k++) {
      const item = items[k] as RefundGuardEvent | string;
      // Let go of the event as soon as it is done: the batch is kept for reuse.
      items[k] = undefined;
      const line = lines[k] as number;
      const pending = typeof item === 'string' ? step.bad(line, item, owned[k] === 1) : step.event(item, line, times[k] as number);
      if (pending !== undefined) await pending;
    }
    batch.size = 0;
    spare.push(batch);
  };
  const decideDownTo = async (ahead: number): Promise<void> => {
    while (sent.length > ahead) await decideOn(sent.shift() as Batch);
  };
  const flush = (): Promise<void> | undefined => {
    feed.send(writer.take());
    sent.push(reading);
    reading = newBatch();
    // While the worker starts, read on (up to a bound); once it answers, decide down to the usual lead.
    const ahead = feed.settled ? FEATURE_BATCHES_AHEAD : FEATURE_BATCHES_WHILE_STARTING;
    return sent.length > ahead ? decideDownTo(ahead) : undefined;
  };
  await forEachLine(
    options.historyPath,
    (text, line) => {
      const owner = ownerOf(text, shard);
      if (owner !== undefined && !shard?.accounts?.has(owner)) return;
      const read = readEventLine(text, line);
      if (read === undefined) return;
      let t = Number.NaN;
      if (typeof read !== 'string') {
        if (inOtherShard(read, shard)) return;
        t = atMs(read);
        if (read.type !== 'merchant.updated') writer.add(read, line, t, readsOf(read));
      }
      const k = reading.size++;
      reading.owned[k] = owner !== undefined ? 1 : 0;
      reading.lines[k] = line;
      reading.items[k] = read;
      reading.times[k] = t;
      return reading.size >= batchLines ? flush() : undefined;
    },
    progress,
  );
  await flush();
  for (let batch = sent.shift(); batch !== undefined; batch = sent.shift()) await decideOn(batch);
}
