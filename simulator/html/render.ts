import type { SimulationReport } from '../report/types.js';
import { dailyChart } from './daily-chart.js';
import { editCss, editSection } from './edit-section.js';
import { escapeHtml as e, formatNumber as n, formatPercent as pct } from './escape.js';

export interface HtmlContext {
  /** Where each side's policies came from (directory or git:REF) and their revisions. */
  baseline: { source: string; revision: string };
  candidate: { source: string; revision: string };
  history: string;
}

const css = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e3e6ee;padding-bottom:4px}
.muted{color:#6b7385}.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin-top:16px}
.card{border:1px solid #e3e6ee;border-radius:8px;padding:10px 12px}.card .k{font-size:12px;color:#6b7385}.card .v{font-size:20px;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f5;vertical-align:top}
th{background:#f6f7fb;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:12px}.bad{color:#b3261e}.good{color:#1b7f3b}
svg .grid{stroke:#eef0f5}svg .axis{font-size:11px;fill:#6b7385}svg path{fill:none;stroke-width:2}
svg path.baseline,.key.baseline{stroke:#7a869a;background:#7a869a}svg path.candidate,.key.candidate{stroke:#2f6fde;background:#2f6fde}
svg rect.flip,.key.flip{fill:#f2a541;background:#f2a541;opacity:.75}.key{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px;vertical-align:-1px}
`;

/** One self-contained page: inline CSS and SVG, no script, no network. Every file-derived string is escaped. */
export function renderHtml(report: SimulationReport, ctx: HtmlContext): string {
  const lb = report.labels.baseline;
  const lc = report.labels.candidate;
  const mb = report.money.baseline;
  const mc = report.money.candidate;
  const flips = Object.values(report.points).reduce((s, t) => s + sum(t.flips), 0);
  const card = (id: string, label: string, value: string, detail = ''): string =>
    `<div class="card" id="${id}"><div class="k">${e(label)}</div><div class="v">${value}</div><div class="muted">${detail}</div></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>refund-guard simulation</title><style>${css}${editCss}</style></head><body>
<h1>Policy simulation</h1>
<p class="muted">History <code>${e(ctx.history)}</code> · baseline <code>${e(ctx.baseline.source)}</code> (${e(ctx.baseline.revision.slice(0, 12))}) · candidate <code>${e(ctx.candidate.source)}</code> (${e(ctx.candidate.revision.slice(0, 12))})</p>
${editSection(report.edit)}
<h2>Outcome</h2>
<div class="cards">
${card('h-events', 'events replayed', n(report.history.events), `${n(report.history.decisions)} decisions · ${n(report.history.badLines)} bad lines`)}
${card('h-flips', 'decisions flipped', n(flips))}
${card('h-protected', 'abuse refunds stopped (protected)', n(mc.protected), `baseline ${n(mb.protected)} · ${delta(mc.protected - mb.protected, true)}`)}
${card('h-friction', 'honest refunds bothered (friction)', n(mc.friction), `baseline ${n(mb.friction)} · ${delta(mc.friction - mb.friction, false)}`)}
${card('h-precision', 'precision (candidate)', pct(lc.precision), `baseline ${pct(lb.precision)} · 95% CI ${pct(lc.precisionCI95[0])}–${pct(lc.precisionCI95[1])}`)}
${card('h-recall', 'recall (candidate)', pct(lc.recall), `baseline ${pct(lb.recall)} · 95% CI ${pct(lc.recallCI95[0])}–${pct(lc.recallCI95[1])}`)}
</div>
<h2>Positives per day at refund.requested</h2>
${dailyChart(report.byDay)}
<h2>Labels at refund.requested</h2>
${table(['side', 'tp', 'fp', 'fn', 'tn', 'precision', 'recall'], (['baseline', 'candidate'] as const).map((s) => {
  const l = report.labels[s];
  return [e(s), num(l.tp), num(l.fp), num(l.fn), num(l.tn), `<td class="num">${pct(l.precision)}</td>`, `<td class="num">${pct(l.recall)}</td>`];
}))}
<h2>Flips by decision point</h2>
${table(['point', 'flip', 'count'], Object.entries(report.points).flatMap(([point, t]) => Object.entries(t.flips).map(([k, v]) => [`<code>${e(point)}</code>`, e(k), num(v)])), 'flips-table')}
<h2>Actions by decision point</h2>
${table(['point', 'action', 'baseline', 'candidate'], Object.entries(report.points).flatMap(([point, t]) =>
  [...new Set([...Object.keys(t.baseline), ...Object.keys(t.candidate)])].map((a) => [`<code>${e(point)}</code>`, e(a), num(t.baseline[a] ?? 0), num(t.candidate[a] ?? 0)])))}
<h2>Rules</h2>
${table(['policy/rule', 'baseline enforced', 'candidate enforced', 'baseline shadow', 'candidate shadow'], Object.entries(report.byRule).sort(([a], [b]) => a.localeCompare(b)).map(([k, r]) => [
  `<code>${e(k)}</code>`, num(r.baseline.enforced), num(r.candidate.enforced), num(r.baseline.shadow), num(r.candidate.shadow)]), 'rules-table')}
<h2>Cohorts</h2>
${table(['cohort', 'baseline actions', 'candidate actions', 'flips'], Object.entries(report.byCohort).sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => [
  e(k), counts(c.baseline), counts(c.candidate), counts(c.flips)]), 'cohorts-table')}
<h2>Sample flipped decisions</h2>
${table(['event', 'point', 'account', 'merchant', 'amount', 'label', 'baseline', 'candidate'], report.samples.map((s) => [
  `<code>${e(s.eventId)}</code>`, `<code>${e(s.point)}</code>`, e(s.account), e(s.merchant), num(s.amount), e(s.label ?? ''),
  explain(s.baseline), explain(s.candidate)]), 'samples-table')}
</body></html>
`;
}

type Cell = string;

/** Cells are pre-escaped HTML; plain strings become <td>, ones already starting with <td stay as they are. */
function table(head: string[], rows: Cell[][], id?: string): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  const th = head.map((h) => `<th>${e(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => (c.startsWith('<td') ? c : `<td>${c}</td>`)).join('')}</tr>`).join('\n');
  return `<table${id ? ` id="${id}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function num(v: number): string {
  return `<td class="num">${n(v)}</td>`;
}

function counts(c: Record<string, number>): string {
  const entries = Object.entries(c);
  return entries.length === 0 ? '<span class="muted">–</span>' : entries.map(([k, v]) => `${e(k)}&nbsp;${n(v)}`).join('<br>');
}

function explain(side: { action: string; reasons: { policy: string; rule: string; reason: string }[] }): string {
  const reasons = side.reasons.map((r) => `<br><code>${e(`${r.policy}/${r.rule}`)}</code> ${e(r.reason)}`).join('');
  return `<strong>${e(side.action)}</strong>${reasons}`;
}

/** Green when the change is good (more protected money, less friction), red otherwise. */
function delta(d: number, goodWhenUp: boolean): string {
  if (d === 0) return 'no change';
  const good = d > 0 === goodWhenUp;
  return `<span class="${good ? 'good' : 'bad'}">${d > 0 ? '+' : ''}${n(d)}</span>`;
}

function sum(c: Record<string, number>): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}
