/**
 * One shard's replay on a worker: the history's events of the shard's accounts (and every merchant
 * event), through the same replay and report builder as a single run, into a partial report.
 */
import { diffBundles, type PreparedBundle } from '../../engine/index.js';
import { replayHistory } from '../replay/replay.js';
import { ReportBuilder } from '../report/builder.js';
import type { ShardJobData, ShardProgress, ShardResult } from './protocol.js';

export interface ShardHooks {
  /** Called after each chunk of the history read (the caller throttles what it sends on). */
  progress(progress: ShardProgress): void;
  /** Why the replay must stop now, if it must: thrown between two chunks. */
  stopReason(): Error | undefined;
}

export async function replayShard(data: ShardJobData, baseline: PreparedBundle, candidate: PreparedBundle, accounts: ReadonlySet<string>, hooks: ShardHooks): Promise<ShardResult> {
  const started = performance.now();
  const builder = new ReportBuilder(diffBundles(baseline, candidate));
  let events = 0;
  await replayHistory({
    historyPath: data.history,
    baseline,
    candidate,
    // Room beyond the counted events: the stores are sized, not grown, from this (see TimeLists).
    shard: { index: data.index, count: data.count, accounts, events: data.events + 1024 },
    // Each shard reports (and under --strict stops at) the bad lines of its own accounts, shard 0 also
    // those of no account: the coordinator takes the lowest line any shard stopped at.
    strict: data.strict,
    onTally: (pair) => builder.add(pair),
    onBadLine: (bad) => builder.addBadLine(bad),
    onEvent: () => {
      events++;
      builder.addEvent();
    },
    onProgress: (bytesRead, totalBytes) => {
      const stop = hooks.stopReason();
      if (stop !== undefined) throw stop;
      hooks.progress({ events, bytesRead, totalBytes });
    },
  });
  return { report: builder.finish(), sampleLines: builder.sampleLineNumbers(), maxRssBytes: process.resourceUsage().maxRSS * 1024, ms: performance.now() - started };
}
