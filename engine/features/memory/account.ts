/**
 * One account of the memory feature store, and the writes onto it that other accounts cause: links,
 * flags of linked accounts, shared values. An account shares the store's empty lists and maps until
 * it writes its own (most accounts never link, never get flagged, share nothing).
 */
import type { Entry, FlagEntry, TimeList } from '../account-log.js';
import { NO_FIELDS } from '../entry.js';

/** Never written: stands for "nothing yet" until an account writes its own list or map. */
export const EMPTY_LIST: never[] = [];
export const EMPTY_MAP: Map<string, number> = new Map();
export const NO_TIMES: TimeList = Object.freeze([]);

/**
 * One account. The times and id codes of the events it keeps are in the store's TimeLists (one list
 * per kept type, handles `lists + k`); the entries of types whose entries a feature reads are here,
 * in `buckets`, in the same order as their list's times. Until it writes one, an account shares the
 * store's empty buckets, links, flags and shared maps. Its times (first seen, latest, writes since
 * the last trim) and its link cache are in the store's rows (see AccountRows), at its `index`.
 */
export class MemoryAccount {
  /** Per linked feature: times this account was flagged (null until flagged). */
  ownFlags: Set<number>[] | null = null;
  /** The ids without a code (longer than idCode takes) of the events kept, each after its time: [t, id, t, id, ...]. */
  uncodedIds: (number | string)[] | null = null;
  constructor(
    readonly id: string,
    /** The account's number: accounts are numbered 0, 1, ... as they are first seen. */
    readonly index: number,
    /** Handle of the account's first time list in the store's TimeLists. */
    readonly lists: number,
    public buckets: Entry[][],
    public links: Map<string, number>[],
    public flags: FlagEntry[][],
    public shared: Map<string, number>[],
  ) {}
}

/**
 * The entry of an event whose entry is not kept, as its writes (links, shared values, flags) read it:
 * one object, reused from event to event.
 */
export class PassingEntry implements Entry {
  t = 0;
  f: readonly string[] = NO_FIELDS;
  readonly id = '';
  readonly key = '';
  of(t: number, f: readonly string[]): this {
    this.t = t;
    this.f = f;
    return this;
  }
}

export function ownFlagsOf(acc: MemoryAccount, i: number, linked: number): Set<number> {
  if (acc.ownFlags === null) acc.ownFlags = Array.from({ length: linked }, () => new Set<number>());
  return acc.ownFlags[i] as Set<number>;
}

export function linksOf(acc: MemoryAccount, i: number, empty: readonly Map<string, number>[]): Map<string, number> {
  if (acc.links === empty) acc.links = empty.map(() => EMPTY_MAP);
  let m = acc.links[i] as Map<string, number>;
  if (m === EMPTY_MAP) acc.links[i] = m = new Map();
  return m;
}

export function sharedOf(acc: MemoryAccount, j: number, empty: readonly Map<string, number>[]): Map<string, number> {
  if (acc.shared === empty) acc.shared = empty.map(() => EMPTY_MAP);
  let m = acc.shared[j] as Map<string, number>;
  if (m === EMPTY_MAP) acc.shared[j] = m = new Map();
  return m;
}

/** "x was flagged at t", once: the flag list is sorted by t, so a duplicate sits among the equal times. */
export function addFlag(target: MemoryAccount, i: number, x: string, t: number): void {
  let list = target.flags[i] as FlagEntry[];
  let k = list.length;
  while (k > 0 && (list[k - 1] as FlagEntry).t > t) k--;
  for (let j = k - 1; j >= 0 && (list[j] as FlagEntry).t === t; j--) if ((list[j] as FlagEntry).x === x) return;
  if (list === EMPTY_LIST) {
    // First flag of this feature: the account gets its own lists (the outer array may be the shared empty one).
    target.flags = target.flags.slice();
    target.flags[i] = list = [];
  }
  if (k === list.length) list.push({ x, t });
  else list.splice(k, 0, { x, t });
}

export function setMin(map: Map<string, number>, key: string, t: number): void {
  const cur = map.get(key);
  if (cur === undefined || t < cur) map.set(key, t);
}
