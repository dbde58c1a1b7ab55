import type { BundleDiff, Change, ValueChange } from '../../engine/index.js';
import { ABSENT, fitsOneLine, isEmptyEdit, markedLines, namesLine, versionText } from '../report/edit-lines.js';
import { escapeHtml as e } from './escape.js';

export const editCss = `
#edit .policy{border:1px solid #e3e6ee;border-radius:8px;padding:8px 12px;margin:10px 0}
#edit h3{font-size:15px;margin:2px 0 6px}#edit h4{font-size:13px;margin:10px 0 4px}
#edit .badge{display:inline-block;font-size:11px;font-weight:600;border-radius:4px;padding:1px 6px;margin-right:6px;vertical-align:1px}
#edit .badge.added{background:#dff3e4;color:#1b7f3b}#edit .badge.removed{background:#fbe3e1;color:#b3261e}#edit .badge.changed{background:#fdf0d5;color:#8a5a00}
#edit h3 code{font-size:14px;font-weight:600}#edit h4 code{font-size:13px}
#edit table{margin:2px 0 6px;table-layout:fixed}#edit th.field{width:150px}#edit td:first-child{color:#4a5263}#edit .rule{margin-left:14px}
#edit pre b{display:inline-block;width:1.4em;font-weight:700}
#edit pre{margin:0;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap}
#edit pre span{display:block;padding:0 4px}#edit .gone{background:#fbe9e7;color:#8c1d18}#edit .new{background:#e6f4ea;color:#0f5c2a}
#edit td.absent{color:#9aa1b0}
`;

/**
 * The report's opening section: what changed from the baseline to the candidate bundle. Each
 * policy and rule is badged added, removed or changed; a changed condition is one block with the
 * lines the edit touched struck red (baseline) and green (candidate). Every value is escaped.
 */
export function editSection(edit: BundleDiff | undefined): string {
  if (edit === undefined) return '';
  const head = `<section id="edit"><h2>What changed</h2>
<p class="muted">${edit.baseline.policies} policies in the baseline, ${edit.candidate.policies} in the candidate.</p>`;
  if (isEmptyEdit(edit)) return `${head}\n<p id="edit-none">No change: both sides hold the same policies, features and cohorts.</p></section>`;
  const policies = edit.policies.map((p) => {
    const rules = p.rules
      .map((r) => `<div class="rule" data-rule="${e(r.id)}" data-change="${r.change}"><h4>${badge(r.change)}rule <code>${e(r.id)}</code></h4>${changesTable(r.changes, r.change)}</div>`)
      .join('\n');
    return `<div class="policy" data-policy="${e(p.id)}" data-change="${p.change}">
<h3>${badge(p.change)}<code>${e(p.id)}</code> <span class="muted">at ${e(p.point)} · ${e(versionText(p.version))}</span></h3>
${changesTable(p.changes, p.change)}
${rules}
</div>`;
  });
  const notes = [
    edit.unchanged.length > 0 ? `Unchanged: ${edit.unchanged.map((id) => `<code>${e(id)}</code>`).join(', ')}.` : '',
    namesLine(edit.features) ? `features.yaml: ${e(namesLine(edit.features))}.` : '',
    namesLine(edit.cohorts) ? `cohorts.yaml: ${e(namesLine(edit.cohorts))}.` : '',
  ].filter((n) => n !== '');
  return `${head}
${policies.join('\n')}
${notes.map((n) => `<p class="muted">${n}</p>`).join('\n')}
</section>`;
}

function badge(change: Change): string {
  return `<span class="badge ${change}">${change}</span>`;
}

/**
 * A changed policy or rule: field, baseline, candidate. An added or removed one: field and its
 * value on the side that has it (the other column would only say "(none)" on every row).
 */
function changesTable(changes: readonly ValueChange[], whole: Change): string {
  if (changes.length === 0) return '';
  const oneSided = whole !== 'changed';
  const rows = changes.map((c) => {
    const field = `<td>${e(c.field)}</td>`;
    if (oneSided) return `<tr>${field}<td>${block(c, false)}</td></tr>`;
    if (fitsOneLine(c)) return `<tr>${field}${side(c.baseline)}${side(c.candidate)}</tr>`;
    // A multi-line value (a condition, stages) is one marked block across both columns.
    return `<tr>${field}<td colspan="2">${block(c, true)}</td></tr>`;
  });
  const head = oneSided ? `<th class="field"></th><th>${whole === 'added' ? 'candidate' : 'baseline'}</th>` : '<th class="field"></th><th>baseline</th><th>candidate</th>';
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function block(change: ValueChange, marked: boolean): string {
  const lines = markedLines(change).map((l) => {
    if (!marked) return `<span>${e(l.text)}</span>`;
    const cls = l.mark === '-' ? ' class="gone"' : l.mark === '+' ? ' class="new"' : '';
    return `<span${cls}><b>${l.mark === ' ' ? '' : l.mark}</b>${e(l.text)}</span>`;
  });
  return `<pre>${lines.join('')}</pre>`;
}

function side(value: string | null): string {
  return value === null ? `<td class="absent">${ABSENT}</td>` : `<td><code>${e(value)}</code></td>`;
}
