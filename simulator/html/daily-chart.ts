import type { DayTally } from '../report/types.js';
import { escapeHtml } from './escape.js';

const W = 900;
const H = 260;
const PAD = { left: 48, right: 16, top: 16, bottom: 36 };

/**
 * Inline SVG: positives at refund.requested per day for each side (lines) and flips per day
 * (bars). Hand-written rather than a chart library: the page must work offline and stay small.
 */
export function dailyChart(byDay: Record<string, DayTally>): string {
  const days = Object.keys(byDay).sort();
  if (days.length === 0) return '<p class="muted">No refund decisions or flips to chart.</p>';
  const rows = days.map((d) => byDay[d]!);
  const max = Math.max(1, ...rows.map((r) => Math.max(r.baseline.positives, r.candidate.positives, r.flips)));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const step = iw / days.length;
  const x = (i: number): number => PAD.left + step * (i + 0.5);
  const y = (v: number): number => PAD.top + ih - (v / max) * ih;
  const line = (pick: (r: DayTally) => number): string =>
    rows.map((r, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(pick(r)).toFixed(1)}`).join(' ');
  const barWidth = Math.max(1, step * 0.6);
  const bars = rows
    .map((r, i) =>
      r.flips === 0
        ? ''
        : `<rect class="flip" x="${(x(i) - barWidth / 2).toFixed(1)}" y="${y(r.flips).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(PAD.top + ih - y(r.flips)).toFixed(1)}"><title>${escapeHtml(days[i])}: ${r.flips} flips</title></rect>`,
    )
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const v = Math.round(max * f);
      return `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="axis" x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`;
    })
    .join('');
  const labelEvery = Math.max(1, Math.ceil(days.length / 8));
  const dayLabels = days
    .map((d, i) => (i % labelEvery === 0 ? `<text class="axis" x="${x(i).toFixed(1)}" y="${H - 12}" text-anchor="middle">${escapeHtml(d)}</text>` : ''))
    .join('');
  return `<svg id="daily-chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Positives per day at refund.requested, baseline and candidate, and flips per day">
${ticks}${bars}
<path class="baseline" d="${line((r) => r.baseline.positives)}"/>
<path class="candidate" d="${line((r) => r.candidate.positives)}"/>
${dayLabels}
</svg>
<p class="legend"><span class="key baseline"></span>baseline positives <span class="key candidate"></span>candidate positives <span class="key flip"></span>flips (all points)</p>`;
}
