/**
 * The feature thread of a pipelined replay. Reading, parsing and validating every line and
 * keeping the account features (apply + read as of each decision) is about half a replay's
 * work and depends on events only, never on decisions; so a worker thread does it, one step
 * ahead, while the main thread decides. Per chunk of the file the worker posts the bad lines
 * it found and, in history order, the feature values each decision (and each integrity review)
 * of the main thread will read. Both threads apply the same line, shard and point rules, so
 * the main thread consumes exactly what the worker produced, in the same order; each value
 * vector starts with its line number, which the main thread checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { atMs, type RefundGuardEvent } from '../../engine/events/index.js';
import { MemoryFeatureStore, type FeatureDefinitions } from '../../engine/features/index.js';
import { decisionInputFor, effectsOf, type DecisionPoint } from '../../engine/index.js';
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

export interface FeatureBatch {
  /** Lines up to this number (inclusive) are covered; Infinity on the last batch. */
  upTo: number;
  /** Bad lines of the batch, in order: [line, message]. */
  bad: [number, string][];
  /** Value vectors, each [line, ...values] in the order of the names of its side. */
  values: Float64Array;
  /** First batch only: feature names of each side, in the order values are sent. */
  names?: { baseline: string[]; candidate: string[] };
  done?: boolean;
}

export async function runFeatureThread(input: FeatureThreadInput, post: (batch: FeatureBatch, transfer: ArrayBuffer[]) => void): Promise<void> {
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
  let bad: [number, string][] = [];
  let values: number[] = [];
  let upTo = 0;

  const push = (line: number, features: Record<string, number>): void => {
    values.push(line);
    for (const name in features) values.push(features[name] as number);
  };
  const flush = (last: number, done: boolean): void => {
    const array = new Float64Array(values);
    const batch: FeatureBatch = { upTo: last, bad, values: array };
    if (names !== undefined) batch.names = names;
    if (done) batch.done = true;
    names = undefined;
    bad = [];
    values = [];
    post(batch, [array.buffer as ArrayBuffer]);
  };

  await forEachLine(
    input.historyPath,
    (text, line) => {
      upTo = line;
      const read = readEventLine(text, line);
      if (read === undefined) return;
      if (typeof read === 'string') {
        bad.push([line, read]);
        return;
      }
      const event: RefundGuardEvent = read;
      if (event.type === 'merchant.updated') return;
      if (shard !== undefined && shardOf(event.accountId, shard.count) !== shard.index) return;
      const decision = decisionInputFor(event);
      if (decision !== undefined) {
        const needB = pointsB.has(decision.point);
        const needC = pointsC.has(decision.point);
        const now = atMs(event);
        if (needB || (needC && shared)) push(line, storeB.readSync(event.accountId, now));
        if (!shared && needC) push(line, storeC.readSync(event.accountId, now));
      }
      storeB.applySync(event);
      if (!shared) storeC.applySync(event);
      // Integrity reviews read the account after the event: each world's review reads once.
      for (const effect of effectsOf(event)) {
        if (effect.kind !== 'review') continue;
        push(line, storeB.readSync(effect.accountId, effect.at));
        push(line, storeC.readSync(effect.accountId, effect.at));
      }
    },
    () => flush(upTo, false),
  );
  flush(Number.POSITIVE_INFINITY, true);
}

if (parentPort !== null && (workerData as { featureThread?: FeatureThreadInput } | undefined)?.featureThread !== undefined) {
  const port = parentPort;
  runFeatureThread((workerData as { featureThread: FeatureThreadInput }).featureThread, (batch, transfer) => port.postMessage(batch, transfer)).catch((err: unknown) => {
    port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  });
}
