import { MAX_BAD_LINES, MAX_SAMPLES, increment } from './builder.js';
import { canonicalReport } from './canonical.js';
import { fromCents, labelMetrics, toCents } from './metrics.js';
import { sides, type FlipSample, type SimulationReport } from './types.js';

/**
 * Adds shard reports. Every count adds; money adds in cents; precision, recall and their
 * intervals are recomputed from the summed confusion counts (intervals do not add).
 * Bad lines and samples are concatenated in history order and truncated as a single run would.
 * Samples are ordered by time, or, given `sampleLines` (each report's samples' history lines, as
 * ReportBuilder.sampleLineNumbers gives them), by line: the order of a single run even where times tie.
 */
export function mergeReports(reports: readonly SimulationReport[], sampleLines?: readonly (readonly number[])[]): SimulationReport {
  const out: SimulationReport = {
    history: { events: 0, decisions: 0, badLines: 0, firstBadLines: [] },
    points: {},
    labels: { baseline: labelMetrics(0, 0, 0, 0), candidate: labelMetrics(0, 0, 0, 0) },
    money: { baseline: { protected: 0, friction: 0 }, candidate: { protected: 0, friction: 0 } },
    byRule: {},
    byCohort: {},
    byDay: {},
    samples: [],
  };
  const confusion = { baseline: [0, 0, 0, 0], candidate: [0, 0, 0, 0] };
  const cents = { baseline: [0, 0], candidate: [0, 0] };
  for (const r of reports) {
    out.history.events += r.history.events;
    out.history.decisions += r.history.decisions;
    out.history.badLines += r.history.badLines;
    out.history.firstBadLines.push(...r.history.firstBadLines);
    for (const [point, tally] of Object.entries(r.points)) {
      const into = (out.points[point as keyof SimulationReport['points']] ??= { baseline: {}, candidate: {}, flips: {} });
      addCounts(into.baseline, tally.baseline);
      addCounts(into.candidate, tally.candidate);
      addCounts(into.flips, tally.flips);
    }
    for (const side of sides) {
      const l = r.labels[side];
      const c = confusion[side];
      c[0]! += l.tp;
      c[1]! += l.fp;
      c[2]! += l.fn;
      c[3]! += l.tn;
      cents[side][0]! += toCents(r.money[side].protected);
      cents[side][1]! += toCents(r.money[side].friction);
    }
    for (const [key, rule] of Object.entries(r.byRule)) {
      const into = (out.byRule[key] ??= { baseline: { enforced: 0, shadow: 0 }, candidate: { enforced: 0, shadow: 0 } });
      for (const side of sides) {
        into[side].enforced += rule[side].enforced;
        into[side].shadow += rule[side].shadow;
      }
    }
    for (const [key, cohort] of Object.entries(r.byCohort)) {
      const into = (out.byCohort[key] ??= { baseline: {}, candidate: {}, flips: {} });
      addCounts(into.baseline, cohort.baseline);
      addCounts(into.candidate, cohort.candidate);
      addCounts(into.flips, cohort.flips);
    }
    for (const [key, day] of Object.entries(r.byDay)) {
      const into = (out.byDay[key] ??= { baseline: { positives: 0 }, candidate: { positives: 0 }, flips: 0 });
      into.baseline.positives += day.baseline.positives;
      into.candidate.positives += day.candidate.positives;
      into.flips += day.flips;
    }
    out.samples.push(...r.samples);
  }
  const lines = sampleLines?.length === reports.length && reports.every((r, i) => sampleLines[i]?.length === r.samples.length) ? sampleLines.flat() : undefined;
  // Every shard replays the same two bundles, so any shard's edit is the whole run's.
  const edit = reports.find((r) => r.edit !== undefined)?.edit;
  for (const side of sides) {
    const [tp, fp, fn, tn] = confusion[side] as [number, number, number, number];
    out.labels[side] = labelMetrics(tp, fp, fn, tn);
    out.money[side] = { protected: fromCents(cents[side][0]!), friction: fromCents(cents[side][1]!) };
  }
  out.history.firstBadLines.sort((a, b) => a.line - b.line).splice(MAX_BAD_LINES);
  if (lines === undefined) out.samples.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).splice(MAX_SAMPLES);
  else {
    // A line's decisions belong to one account, so to one shard, which lists them in order: a stable sort by line keeps it.
    const order = out.samples.map((_, i) => i).sort((a, b) => (lines[a] as number) - (lines[b] as number));
    out.samples = order.slice(0, MAX_SAMPLES).map((i) => out.samples[i] as FlipSample);
  }
  return canonicalReport(edit ? { edit, ...out } : out);
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) increment(into, key, n);
}

/** Loose structural check of a report read from a file, so a wrong file fails with a message rather than NaNs. */
export function isSimulationReport(value: unknown): value is SimulationReport {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return ['history', 'points', 'labels', 'money', 'byRule', 'byCohort', 'byDay', 'samples'].every((k) => typeof v[k] === 'object' && v[k] !== null);
}
