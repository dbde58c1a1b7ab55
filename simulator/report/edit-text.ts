import type { BundleDiff, Change, ValueChange } from '../../engine/index.js';
import { fitsOneLine, isEmptyEdit, markedLines, namesLine, oneLine, versionText } from './edit-lines.js';

const sign: Record<Change, string> = { added: '+', removed: '-', changed: '~' };

/**
 * The edit as the terminal summary opens with it: each policy added (+), removed (-) or
 * changed (~), its version, its rollout changes and its rules, conditions in the DSL with
 * the lines an edit touched marked - and +.
 */
export function editText(edit: BundleDiff): string {
  const out = [`Edit: baseline ${edit.baseline.revision} (${edit.baseline.policies} policies) → candidate ${edit.candidate.revision} (${edit.candidate.policies} policies)`];
  if (isEmptyEdit(edit)) {
    out.push('  no change: both sides hold the same policies, features and cohorts');
    return out.join('\n');
  }
  for (const p of edit.policies) {
    out.push(`  ${sign[p.change]} policy ${p.id} at ${p.point}, ${versionText(p.version)}${p.change === 'changed' ? '' : ` (${p.change})`}`);
    for (const c of p.changes) out.push(...changeLines(c, p.change, '      '));
    for (const r of p.rules) {
      out.push(`      ${sign[r.change]} rule ${r.id}${r.change === 'changed' ? '' : ` (${r.change})`}`);
      for (const c of r.changes) out.push(...changeLines(c, r.change, '          '));
    }
  }
  if (edit.unchanged.length > 0) out.push(`  unchanged: ${edit.unchanged.join(', ')}`);
  const features = namesLine(edit.features);
  if (features) out.push(`  features.yaml: ${features}`);
  const cohorts = namesLine(edit.cohorts);
  if (cohorts) out.push(`  cohorts.yaml: ${cohorts}`);
  return out.join('\n');
}

function changeLines(change: ValueChange, whole: Change, indent: string): string[] {
  if (fitsOneLine(change)) return [`${indent}${change.field}: ${oneLine(change, whole)}`];
  // A whole added or removed block needs no per-line marks: every line would carry the same one.
  const marked = markedLines(change);
  const marks = whole === 'changed';
  return [`${indent}${change.field}:`, ...marked.map((l) => `${indent}${marks ? `${l.mark} ` : '  '}  ${l.text}`)];
}
