import type { LabelMetrics } from './types.js';
import { ratio, wilson95 } from './wilson.js';

/** Precision and recall with their intervals, from the four counts alone (so merges recompute them). */
export function labelMetrics(tp: number, fp: number, fn: number, tn: number): LabelMetrics {
  return {
    tp,
    fp,
    fn,
    tn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    precisionCI95: wilson95(tp, tp + fp),
    recallCI95: wilson95(tp, tp + fn),
  };
}

/** Money is summed in integer cents: exact, and independent of the order shards are added in. */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

/** UTC calendar date of an epoch-ms instant. */
export function utcDate(ms: number): string {
  // Decisions come in time order: most fall on the day asked for last. (Integer ms: Date truncates fractions toward 0.)
  if (!Number.isInteger(ms)) return new Date(ms).toISOString().slice(0, 10);
  if (!(ms >= lastDayStart && ms < lastDayStart + DAY)) {
    lastDayStart = Math.floor(ms / DAY) * DAY;
    lastDay = new Date(ms).toISOString().slice(0, 10);
  }
  return lastDay;
}

const DAY = 86_400_000;
let lastDayStart = Number.NaN;
let lastDay = '';
