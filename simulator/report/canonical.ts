import type { SimulationReport } from './types.js';

/**
 * Sorts every keyed table of a report so that equal reports serialise identically, whatever
 * order decisions or shards arrived in (diffs of two reports then show real changes only).
 */
export function canonicalReport(report: SimulationReport): SimulationReport {
  const points: SimulationReport['points'] = {};
  for (const [point, t] of sorted(report.points)) points[point as keyof typeof points] = { baseline: sortKeys(t.baseline), candidate: sortKeys(t.candidate), flips: sortKeys(t.flips) };
  const byCohort: SimulationReport['byCohort'] = {};
  for (const [name, c] of sorted(report.byCohort)) byCohort[name] = { baseline: sortKeys(c.baseline), candidate: sortKeys(c.candidate), flips: sortKeys(c.flips) };
  return { ...report, points, byRule: sortKeys(report.byRule), byCohort, byDay: sortKeys(report.byDay) };
}

export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(sorted(record));
}

function sorted<T>(record: Partial<Record<string, T>>): [string, T][] {
  return (Object.entries(record) as [string, T][]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
