/**
 * Timestamps are kept as whole seconds since the Unix epoch and formatted only when a line
 * is written. Lines leave in time order, so caching the date part for the current day turns
 * most formatting into a few string concatenations instead of a Date allocation.
 */

const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

export const SECOND = 1;
export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;

export type IsoFormatter = (epochSeconds: number) => string;

/** Formats like `2027-01-03T10:00:00Z` (no milliseconds, always UTC). */
export function createIsoFormatter(): IsoFormatter {
  let cachedDay = Number.NaN;
  let prefix = '';
  return (sec) => {
    const day = Math.floor(sec / DAY);
    if (day !== cachedDay) {
      cachedDay = day;
      prefix = new Date(day * DAY * 1000).toISOString().slice(0, 11);
    }
    const rest = sec - day * DAY;
    const h = Math.floor(rest / HOUR);
    const m = Math.floor((rest - h * HOUR) / MINUTE);
    const s = rest - h * HOUR - m * MINUTE;
    return `${prefix}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[s]}Z`;
  };
}

/** Accepts `2027-01-01` (midnight UTC) or any full ISO-8601 timestamp; returns epoch seconds. */
export function parseStart(start: string): number {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(start) ? `${start}T00:00:00Z` : start;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new RangeError(`history: start "${start}" is not an ISO-8601 date`);
  return Math.floor(ms / 1000);
}
