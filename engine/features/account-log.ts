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

/** Times of one type's events, sorted: an array (Redis reads) or a view of the memory store's time lists. */
export type TimeList = ArrayLike<number>;

/** "Account `x` was flagged at `t`", copied onto every account linked to x. */
export interface FlagEntry {
  readonly x: string;
  readonly t: number;
}

export interface AccountLog {
  /** Time of the account's first event of any type; +Infinity when none. */
  firstSeen: number;
  /**
   * Per event type index: entries sorted by (t, key). A store may leave the list of a type whose
   * entries no feature reads (CompiledFeatures.entriesRead) empty: its times say all there is to know.
   */
  readonly buckets: Entry[][];
  /**
   * Per event type index: the times of the type's events, sorted; where the type's entries are kept,
   * those of `buckets[ti]` in the same order (times[ti][i] === buckets[ti][i].t).
   * Windows are binary-searched here: one contiguous array of doubles instead of an object per probe.
   */
  readonly times: readonly TimeList[];
  /** Per linked feature: other account → time from which the two are linked. */
  readonly links: Map<string, number>[];
  /** Per linked feature: flags of linked accounts, sorted by t. */
  readonly flags: FlagEntry[][];
  /** Per shared feature: value → earliest time another account used it. */
  readonly shared: Map<string, number>[];
}

export function emptyAccountLog(types: number, linked: number, shared: number): AccountLog {
  // Plain loops: Array.from with a callback is several times slower, and every Redis read builds one of these.
  const buckets: Entry[][] = new Array(types);
  const times: number[][] = new Array(types);
  for (let i = 0; i < types; i++) {
    buckets[i] = [];
    times[i] = [];
  }
  const links: Map<string, number>[] = new Array(linked);
  const flags: FlagEntry[][] = new Array(linked);
  for (let i = 0; i < linked; i++) {
    links[i] = new Map();
    flags[i] = [];
  }
  const sharedMaps: Map<string, number>[] = new Array(shared);
  for (let i = 0; i < shared; i++) sharedMaps[i] = new Map();
  return { firstSeen: Number.POSITIVE_INFINITY, buckets, times, links, flags, shared: sharedMaps };
}

/**
 * For a log filled in any order (Redis decode): sorts entries by (t, key) and flags by t, then
 * derives `times` from the entries.
 */
export function finishAccountLog(log: AccountLog): AccountLog {
  const { buckets, times } = log;
  for (let ti = 0; ti < buckets.length; ti++) {
    const bucket = buckets[ti] as Entry[];
    if (bucket.length > 1) bucket.sort(compareEntries);
    const ts: number[] = (times[ti] as number[]);
    ts.length = 0;
    for (const e of bucket) ts.push(e.t);
  }
  for (const flags of log.flags) if (flags.length > 1) flags.sort((x, y) => x.t - y.t);
  return log;
}

/** Inserts into both `buckets[ti]` and `times[ti]`, keeping (t, key) order; O(1) for the usual in-order case. */
export function insertLogEntry(log: AccountLog, ti: number, entry: Entry): void {
  const list = log.buckets[ti] as Entry[];
  const ts = log.times[ti] as number[];
  const i = insertionIndex(list, entry);
  if (i === list.length) {
    list.push(entry);
    ts.push(entry.t);
  } else {
    list.splice(i, 0, entry);
    ts.splice(i, 0, entry.t);
  }
}

/** Where `entry` goes in a (t, key)-sorted list: after every entry not greater. Keys are compared only on equal times. */
export function insertionIndex(list: readonly Entry[], entry: Entry): number {
  let i = list.length;
  const t = entry.t;
  while (i > 0) {
    const prev = list[i - 1] as Entry;
    if (prev.t < t || (prev.t === t && prev.key <= entry.key)) break;
    i--;
  }
  return i;
}

export function compareEntries(a: Entry, b: Entry): number {
  return a.t - b.t || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Inserts into one entry list keeping (t, key) order (a log's `times` must follow: use insertLogEntry for logs). */
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

/** First index in [0, hi) whose time >= from (hi when none). */
export function lowerBoundTime(times: TimeList, from: number, hi: number = times.length): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose time > to. */
export function upperBoundTime(times: TimeList, to: number): number {
  let lo = 0;
  let hi = times.length;
  // Reads are mostly "as of now": the answer is usually the end.
  if (hi === 0 || (times[hi - 1] as number) <= to) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) <= to) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
