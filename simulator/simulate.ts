import { diffBundles, type PreparedBundle } from '../engine/index.js';
import type { DecisionPair } from './replay/decision-pair.js';
import { replayHistory } from './replay/replay.js';
import type { Shard } from './replay/shard.js';
import { ReportBuilder } from './report/builder.js';
import type { SimulationReport } from './report/types.js';

export interface SimulateOptions {
  /** NDJSON history file (DESIGN §5). */
  history: string;
  baseline: PreparedBundle;
  candidate: PreparedBundle;
  /** Keep only this shard's accounts (reports of all shards add up: mergeReports). */
  shard?: Shard;
  /** Fail on the first bad line (BadLineError) instead of counting it. */
  strict?: boolean;
  /** Every decision pair, in history order (a server-agreement test compares these per eventId). */
  onDecision?(pair: DecisionPair): void;
  onProgress?(progress: { bytesRead: number; totalBytes: number; events: number }): void;
  /** Keep features in a worker thread while the main thread parses and decides (same report). Default: for histories of 16 MiB or more. */
  featureThread?: boolean;
  /** Lines per batch sent to the feature thread (see ReplayOptions). */
  featureBatchLines?: number;
}

/** Replays `history` under both bundles and returns the report. The library entry point behind `refund-guard simulate`. */
export async function simulateHistory(options: SimulateOptions): Promise<SimulationReport> {
  const builder = new ReportBuilder(diffBundles(options.baseline, options.candidate));
  const { onDecision, onProgress } = options;
  let events = 0;
  await replayHistory({
    historyPath: options.history,
    baseline: options.baseline,
    candidate: options.candidate,
    ...(options.shard ? { shard: options.shard } : {}),
    strict: options.strict ?? false,
    ...(options.featureThread !== undefined ? { featureThread: options.featureThread } : {}),
    ...(options.featureBatchLines !== undefined ? { featureBatchLines: options.featureBatchLines } : {}),
    onTally: (pair) => builder.add(pair),
    ...(onDecision ? { onDecision } : {}),
    onBadLine: (bad) => builder.addBadLine(bad),
    onEvent: () => {
      events++;
      builder.addEvent();
    },
    ...(onProgress ? { onProgress: (bytesRead: number, totalBytes: number) => onProgress({ bytesRead, totalBytes, events }) } : {}),
  });
  return builder.finish();
}
