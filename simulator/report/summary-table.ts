import { editText } from './edit-text.js';
import type { SimulationReport } from './types.js';

/** The compact stdout summary: the edit (when the report has it), per point and action, baseline vs candidate, then labels and money. */
export function summaryTable(report: SimulationReport): string {
  const rows: string[][] = [['point', 'action', 'baseline', 'candidate', 'delta']];
  for (const [point, t] of Object.entries(report.points)) {
    for (const action of [...new Set([...Object.keys(t.baseline), ...Object.keys(t.candidate)])]) {
      const b = t.baseline[action] ?? 0;
      const c = t.candidate[action] ?? 0;
      rows.push([point, action, String(b), String(c), signed(c - b)]);
    }
  }
  const flips = Object.values(report.points).reduce((s, t) => s + Object.values(t.flips).reduce((a, b) => a + b, 0), 0);
  const lb = report.labels.baseline;
  const lc = report.labels.candidate;
  const h = report.history;
  return [
    ...(report.edit ? [editText(report.edit), ''] : []),
    `${h.events} events, ${h.decisions} decisions, ${flips} flipped, ${h.badLines} bad lines`,
    '',
    align(rows, 2),
    '',
    align([
      ['refund.requested', 'precision', 'recall', 'tp', 'fp', 'protected', 'friction'],
      ['baseline', pct(lb.precision), pct(lb.recall), String(lb.tp), String(lb.fp), money(report.money.baseline.protected), money(report.money.baseline.friction)],
      ['candidate', pct(lc.precision), pct(lc.recall), String(lc.tp), String(lc.fp), money(report.money.candidate.protected), money(report.money.candidate.friction)],
    ], 1),
    '',
  ].join('\n');
}

/** Name columns (the first `textColumns`) left-aligned, number columns right-aligned. */
function align(rows: string[][], textColumns: number): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i < textColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function money(x: number): string {
  return x.toFixed(2);
}
