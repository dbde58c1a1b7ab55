import { diffLines } from 'diff';
import type { BundleDiff, Change, ValueChange } from '../../engine/index.js';

/** ' ' on both sides, '-' only in the baseline, '+' only in the candidate. */
export type LineMark = ' ' | '-' | '+';

export interface MarkedLine {
  mark: LineMark;
  text: string;
}

/** Shown for a value one side does not have (no optIn, no params). */
export const ABSENT = '(none)';

/**
 * A value change read as one block whose lines are marked kept, removed or added, so an edit
 * deep inside a condition stands out from the lines around it. A value only one side has is all
 * '-' or all '+'.
 */
export function markedLines(change: ValueChange): MarkedLine[] {
  const { baseline, candidate } = change;
  if (baseline === null) return lines(candidate ?? '').map((text) => ({ mark: '+', text }));
  if (candidate === null) return lines(baseline).map((text) => ({ mark: '-', text }));
  return diffLines(`${baseline}\n`, `${candidate}\n`).flatMap((part) => {
    const mark: LineMark = part.added ? '+' : part.removed ? '-' : ' ';
    return lines(part.value.replace(/\n$/, '')).map((text) => ({ mark, text }));
  });
}

/** Whether a change reads best on one line (`field: old → new`) rather than as a marked block. */
export function fitsOneLine(change: ValueChange): boolean {
  return !(change.baseline ?? '').includes('\n') && !(change.candidate ?? '').includes('\n');
}

/** `old → new`, or the one side's value for something added or removed whole. */
export function oneLine(change: ValueChange, whole: Change): string {
  if (whole === 'added') return change.candidate ?? ABSENT;
  if (whole === 'removed') return change.baseline ?? ABSENT;
  return `${change.baseline ?? ABSENT} → ${change.candidate ?? ABSENT}`;
}

export function versionText(version: { baseline: number | null; candidate: number | null }): string {
  if (version.baseline === null) return `version ${version.candidate}`;
  if (version.candidate === null) return `version ${version.baseline}`;
  return version.baseline === version.candidate ? `version ${version.candidate} (unchanged)` : `version ${version.baseline} → ${version.candidate}`;
}

/** True when the two bundles are the same in every respect the diff looks at. */
export function isEmptyEdit(edit: BundleDiff): boolean {
  const none = (c: BundleDiff['features']) => c.added.length + c.removed.length + c.changed.length === 0;
  return edit.policies.length === 0 && none(edit.features) && none(edit.cohorts);
}

/** "features.yaml: changed a, b; added c" or undefined when nothing changed. */
export function namesLine(c: BundleDiff['features']): string | undefined {
  const parts = (['added', 'removed', 'changed'] as const).filter((k) => c[k].length > 0).map((k) => `${k} ${c[k].join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function lines(text: string): string[] {
  return text.split('\n');
}
