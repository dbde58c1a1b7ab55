/**
 * The per-account state both stores hand to `computeFeatures`: a compact log of feature-relevant
 * event entries plus the cross-account facts recorded at write time. Everything is time-stamped so a
 * read "as of" any instant within retention sees exactly what was known to have happened by then.
 */

/** One event, reduced to the fields the definitions read (escaped canonical strings, '' = missing). */
export interface Entry {
  /** Event time, epoch ms. */
  readonly t: number;
  /** Encoded payload (type code, layout tag, fields); also the tie-breaker so both stores order ties alike. */
  readonly key: string;
  readonly f: readonly string[];
  /** Event id in the memory store, the hash field (id or id digest) in Redis. */
  readonly id: string;
}

/** "Account `x` was flagged at `t`", copied onto every account linked to x. */
export interface FlagEntry {
  readonly x: string;
  readonly t: number;
}

export interface AccountLog {
  /** Time of the account's first event of any type; +Infinity when none. */
  firstSeen: number;
  /** Per event type index: entries sorted by (t, key). */
  readonly buckets: Entry[][];
  /** Per linked feature: other account → time from which the two are linked. */
  readonly links: Map<string, number>[];
  /** Per linked feature: flags of linked accounts, sorted by t. */
  readonly flags: FlagEntry[][];
  /** Per shared feature: value → earliest time another account used it. */
  readonly shared: Map<string, number>[];
}

export function emptyAccountLog(types: number, linked: number, shared: number): AccountLog {
  return {
    firstSeen: Number.POSITIVE_INFINITY,
    buckets: Array.from({ length: types }, () => []),
    links: Array.from({ length: linked }, () => new Map<string, number>()),
    flags: Array.from({ length: linked }, () => []),
    shared: Array.from({ length: shared }, () => new Map<string, number>()),
  };
}

export function compareEntries(a: Entry, b: Entry): number {
  return a.t - b.t || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Inserts keeping (t, key) order; appends in O(1) for the usual in-order case. */
export function insertEntry(list: Entry[], entry: Entry): void {
  let i = list.length;
  while (i > 0 && compareEntries(list[i - 1] as Entry, entry) > 0) i--;
  if (i === list.length) list.push(entry);
  else list.splice(i, 0, entry);
}

export function insertFlag(list: FlagEntry[], flag: FlagEntry): void {
  let i = list.length;
  while (i > 0 && (list[i - 1] as FlagEntry).t > flag.t) i--;
  if (i === list.length) list.push(flag);
  else list.splice(i, 0, flag);
}

/** First index whose t >= from. */
export function lowerBound(list: readonly { readonly t: number }[], from: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as { t: number }).t < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose t > to. */
export function upperBound(list: readonly { readonly t: number }[], to: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as { t: number }).t <= to) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
