/**
 * The feature thread of a pipelined replay. Reading, parsing and validating every line and
 * keeping the account features (apply + read as of each decision) is more than half a replay's
 * work and depends on events only, never on decisions; so a worker thread does it, one step
 * ahead, while the main thread decides. Per chunk of the file the worker posts what the main
 * thread needs to know about each line:
 * - its kind: nothing to do (blank, another shard's account), bad (with the message), an event
 *   that is only counted (no decision, no effect), or an event the main thread parses itself (with
 *   the same parser: its own copy of the text is at hand, and parsing it again costs less than
 *   shipping the fields, whose thousands of strings per batch kept both garbage collectors busy);
 * - in history order, the feature values each decision (and each integrity review) of the main
 *   thread will read.
 * Both threads apply the same line, shard and point rules, so the main thread consumes exactly
 * what the worker produced, in the same order; each record starts with its line number, which
 * the main thread checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
// Module by module, not the engine's index: a worker starts faster loading only what it runs.
import { atMs } from '../../engine/events/time.js';
import type { RefundGuardEvent } from '../../engine/events/types.js';
import type { FeatureDefinitions } from '../../engine/features/definitions.js';
import { MemoryFeatureStore } from '../../engine/features/memory-store.js';
import type { DecisionPoint } from '../../engine/points/index.js';
import { decisionPointOf } from '../../engine/service/decision-points-of-events.js';
import { effectsOf, type EventEffect } from '../../engine/service/event-effects.js';
import { forEachLine } from './line-reader.js';
import { readEventLine } from './read-event.js';
import { shardOf, type Shard } from './shard.js';

export interface FeatureThreadInput {
  historyPath: string;
  baselineFeatures: FeatureDefinitions;
  /** Null when both bundles define the same features (one store serves both worlds). */
  candidateFeatures: FeatureDefinitions | null;
  /** Points at which each bundle reads features. */
  baselinePoints: DecisionPoint[];
  candidatePoints: DecisionPoint[];
  shard?: Shard;
}

/** What the main thread does with a line. */
export const LineKind = { parse: 0, skip: 1, bad: 2, count: 3 } as const;

export interface FeatureBatch {
  /** Lines first..first + kinds.length - 1 are covered. */
  first: number;
  kinds: Uint8Array;
  /** Bad lines of the batch, in order: [line, message]. */
  bad: [number, string][];
  /** Value vectors, each [line, ...values] in the order of the names of its side. */
  values: Float64Array;
  /** First batch only: feature names of each side, in the order values are sent. */
  names?: { baseline: string[]; candidate: string[] };
  done?: boolean;
}

/** Batches the worker may be ahead of the main thread: bounds the memory of a fast worker and a slow consumer. */
export const MAX_BATCHES_AHEAD = 32;

/**
 * `taken` (if given) resolves once the consumer has taken another batch; with it the worker stays
 * at most MAX_BATCHES_AHEAD batches ahead.
 */
export async function runFeatureThread(
  input: FeatureThreadInput,
  post: (batch: FeatureBatch, transfer: ArrayBuffer[]) => void,
  taken?: () => Promise<void>,
): Promise<void> {
  const storeB = new MemoryFeatureStore(input.baselineFeatures);
  const storeC = input.candidateFeatures === null ? storeB : new MemoryFeatureStore(input.candidateFeatures);
  const shared = storeB === storeC;
  const pointsB = new Set(input.baselinePoints);
  const pointsC = new Set(input.candidatePoints);
  const shard = input.shard;
  let names: FeatureBatch['names'] | undefined = {
    baseline: Object.keys(storeB.readSync('', 0)),
    candidate: Object.keys(storeC.readSync('', 0)),
  };
  let first = 1;
  let kinds: number[] = [];
  let bad: [number, string][] = [];
  let values: number[] = [];
  let ahead = 0;

  const push = (line: number, features: Record<string, number>): void => {
    values.push(line);
    for (const name in features) values.push(features[name] as number);
  };
  const flush = (done: boolean): void => {
    const batch: FeatureBatch = { first, kinds: Uint8Array.from(kinds), bad, values: new Float64Array(values) };
    if (names !== undefined) batch.names = names;
    if (done) batch.done = true;
    names = undefined;
    first += kinds.length;
    kinds = [];
    bad = [];
    values = [];
    post(batch, [batch.kinds.buffer as ArrayBuffer, batch.values.buffer as ArrayBuffer]);
    ahead++;
  };

  const kindOf = (text: string, line: number): number => {
    const read = readEventLine(text, line);
    if (read === undefined) return LineKind.skip;
    if (typeof read === 'string') {
      bad.push([line, read]);
      return LineKind.bad;
    }
    const event: RefundGuardEvent = read;
    if (event.type === 'merchant.updated') return LineKind.parse;
    if (shard !== undefined && shardOf(event.accountId, shard.count) !== shard.index) return LineKind.skip;
    const point = decisionPointOf(event);
    if (point !== undefined) {
      const needB = pointsB.has(point);
      const needC = pointsC.has(point);
      const now = atMs(event);
      if (needB || (needC && shared)) push(line, storeB.readSync(event.accountId, now));
      if (!shared && needC) push(line, storeC.readSync(event.accountId, now));
    }
    storeB.applySync(event);
    if (!shared) storeC.applySync(event);
    // Integrity reviews read the account after the event: each world's review reads once.
    const effects = effectsOf(event);
    // Indexed, not for-of: this runs for every line, and an iterator per line is garbage per line.
    for (let k = 0; k < effects.length; k++) {
      const effect = effects[k] as EventEffect;
      if (effect.kind !== 'review') continue;
      push(line, storeB.readSync(effect.accountId, effect.at));
      push(line, storeC.readSync(effect.accountId, effect.at));
    }
    return point === undefined && effects.length === 0 ? LineKind.count : LineKind.parse;
  };

  await forEachLine(
    input.historyPath,
    (text, line) => {
      if (taken !== undefined && ahead >= MAX_BATCHES_AHEAD) {
        return (async () => {
          while (ahead >= MAX_BATCHES_AHEAD) {
            await taken();
            ahead--;
          }
          kinds.push(kindOf(text, line));
        })();
      }
      kinds.push(kindOf(text, line));
    },
    () => flush(false),
  );
  flush(true);
}

if (parentPort !== null && (workerData as { featureThread?: FeatureThreadInput } | undefined)?.featureThread !== undefined) {
  const port = parentPort;
  // The main thread posts one message per batch it takes.
  let acks = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    acks++;
    wake?.();
  });
  const taken = (): Promise<void> => {
    if (acks > 0) {
      acks--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      wake = () => {
        wake = undefined;
        acks--;
        resolve();
      };
    });
  };
  runFeatureThread((workerData as { featureThread: FeatureThreadInput }).featureThread, (batch, transfer) => port.postMessage(batch, transfer), taken).catch((err: unknown) => {
    port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  });
}
