/** The simulator's public surface: replay a history under two policy bundles and report the difference. */
export { simulateHistory, type SimulateOptions } from './simulate.js';
export type { DecisionPair } from './replay/decision-pair.js';
export { cohortsOf, rulesOf } from './replay/decision-pair.js';
export { replayHistory, BadLineError, type ReplayOptions, type BadLineInfo } from './replay/replay.js';
export { decisionLine, DecisionFileWriter, type DecisionLine } from './replay/decision-lines.js';
export { parseShard, shardOf, type Shard } from './replay/shard.js';
export { forEachLine } from './replay/line-reader.js';
export { ReportBuilder, isPositive, MAX_SAMPLES, MAX_BAD_LINES, NO_COHORT } from './report/builder.js';
export { mergeReports, isSimulationReport } from './report/merge.js';
export { summaryTable } from './report/summary-table.js';
export { wilson95 } from './report/wilson.js';
export type * from './report/types.js';
export { renderHtml, type HtmlContext } from './html/render.js';
export { escapeHtml } from './html/escape.js';
export { loadBaseline, loadCandidate, readDirectoryAtRevision, type SideLoad } from './policies/load-sides.js';
export { historyGenerateCommand, simulateCommand, simulateMergeCommand, type CommandIO } from './cli.js';
