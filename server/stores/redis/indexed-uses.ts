/**
 * The Redis feature store's uses of indexed values: each event's link values (per via path) and
 * shared values, as use records (index key, flag key, the account's "u|" done field), and what this
 * process remembers of uses already done, so a repeat use of a device or address skips the index.
 * Losing any of this memory only costs work, never changes a read.
 */
import { createHash } from 'node:crypto';
import type { CompiledFeatures } from '../../../engine/features/index.js';

/** An indexed value used by an event: a link value (per via path) or a shared value. */
export interface Use {
  /** Done field in the account hash ("u|" + the index key without the prefix). */
  field: string;
  indexKey: string;
  /** Link values: the index's flag hash (same hash tag). */
  flagKey: string;
  cap: number;
  linked: boolean;
  feature: string;
  value: string;
}
/** Index work of one account and value in a batch, at the earliest time the batch uses it. */
export interface Pending {
  a: string;
  /** The account's key. */
  key: string;
  t: number;
  use: Use;
}
/** A slot of an event type holding indexed values, with its use records by value. */
interface UseSlot {
  slot: number;
  cache: Map<string, Use>;
  linked: boolean;
  feature: string;
  cap: number;
  /** Short code naming the "u|" fields of this (feature, path). */
  code: string;
  id: (value: string) => string;
}

/** A done use is re-indexed after this long (wall clock) even when nothing is new, refreshing the index key's TTL. */
const REFRESH_MS = 86_400_000;
/** Accounts whose done uses wait for their next apply call; beyond this the waiting list is dropped (it only saves work). */
const MAX_DONE_ACCOUNTS = 100_000;
/** Accounts whose done uses this process remembers (to skip index work); beyond this it forgets them all. */
export const MAX_KNOWN_ACCOUNTS = 200_000;
/** Done uses remembered per account (the oldest forgotten first). */
const MAX_KNOWN_PER_ACCOUNT = 64;
/** Values per slot whose use records (keys, fields) are cached; beyond this the cache starts again. */
const MAX_CACHED_USES = 200_000;

export class IndexedUses {
  /** Per account key: done uses to record with the account's next apply call, flat [field, first use ms, ...] (accounts use few values: no Map each). */
  private readonly done = new Map<string, (string | number)[]>();
  /** Per account key: done uses known to this process, flat [field, first use ms, wall ms, ...], from its own work and apply replies. */
  private readonly known = new Map<string, (string | number)[]>();
  /** Per event type index: the slots holding indexed values (built on first use). */
  private readonly usePlans = new Map<number, UseSlot[]>();
  /** Short code of each link (feature, path) and shared feature, naming its "u|" fields; and back. */
  private readonly codeOf = new Map<string, string>();
  private readonly linkOfCode = new Map<string, { feature: string; path: string }>();

  constructor(private readonly compiled: CompiledFeatures, private readonly prefix: string) {
    const names: string[] = [];
    for (const lf of compiled.linked) {
      for (const slots of lf.viaSlots.values()) for (const { path } of slots) names.push(`x\0${lf.name}\0${path}`);
    }
    for (const sf of compiled.shared) names.push(`s\0${sf.name}`);
    for (const [name, code] of shortCodes(names)) {
      this.codeOf.set(name, code);
      const [kind, feature, path] = name.split('\0') as [string, string, string?];
      if (kind === 'x') this.linkOfCode.set(code, { feature, path: path ?? '' });
    }
  }

  /** The link (feature, via path) whose "u|" fields carry this code, if any (other codes: shared values). */
  linkOf(code: string): { feature: string; path: string } | undefined {
    return this.linkOfCode.get(code);
  }

  /** The account's done uses known to this process, flat [field, first use ms, wall ms, ...] (read with isKnownDone). */
  knownOf(key: string): readonly (string | number)[] | undefined {
    return this.known.get(key);
  }

  /** The account's done uses waiting for its next apply call, flat [field, first use ms, ...]; they are handed over once. */
  takeDone(key: string): (string | number)[] | undefined {
    const done = this.done.get(key);
    if (done !== undefined) this.done.delete(key);
    return done;
  }

  /** The indexed values of an event (its link values per via slot, its shared values), each with its index key and done field. */
  usesOf(ti: number, f: readonly string[]): Use[] {
    let plan = this.usePlans.get(ti);
    if (plan === undefined) this.usePlans.set(ti, (plan = this.usePlan(ti)));
    if (plan.length === 0) return [];
    const uses: Use[] = [];
    for (const slot of plan) {
      const raw = f[slot.slot];
      if (!raw) continue;
      if (raw.includes(',')) for (const v of raw.split(',')) uses.push(this.use(slot, v));
      else uses.push(this.use(slot, raw));
    }
    return uses;
  }

  /** Per event type: the slots holding indexed values, each with its cache of use records by value. */
  private usePlan(ti: number): UseSlot[] {
    const c = this.compiled;
    const plan: UseSlot[] = [];
    for (const lf of c.linked) {
      for (const { slot, path } of lf.viaSlots.get(ti) ?? []) {
        plan.push({ slot, cache: new Map(), linked: true, feature: lf.name, cap: lf.cap, code: this.codeOf.get(`x\0${lf.name}\0${path}`) as string, id: (v) => `x:${lf.name}:{${path}=${v}}` });
      }
    }
    for (const sf of c.shared) {
      const slot = sf.slots.get(ti);
      if (slot !== undefined) plan.push({ slot, cache: new Map(), linked: false, feature: sf.name, cap: sf.cap, code: this.codeOf.get(`s\0${sf.name}`) as string, id: (v) => `s:${sf.name}:{${v}}` });
    }
    return plan;
  }

  /** The use record of a value, shared by every account and event using it (fewer strings built and kept). */
  private use(slot: UseSlot, value: string): Use {
    let u = slot.cache.get(value);
    if (u === undefined) {
      if (slot.cache.size >= MAX_CACHED_USES) slot.cache.clear();
      const id = slot.id(value);
      const flagKey = slot.linked ? `${this.prefix}:xf${id.slice(1)}` : '';
      u = { field: `u|${slot.code}|${value}`, indexKey: `${this.prefix}:${id}`, flagKey, cap: slot.cap, linked: slot.linked, feature: slot.feature, value };
      slot.cache.set(value, u);
    }
    return u;
  }

  /**
   * After every write of a batch succeeded: its accounts' uses of indexed values are done, which each
   * account's next apply call records (so a repeat use skips the index). Losing these only costs work.
   */
  recordDone(pending: readonly Pending[], now: number): void {
    if (this.done.size > MAX_DONE_ACCOUNTS) this.done.clear();
    for (const p of pending) {
      const key = p.key;
      const field = p.use.field;
      let m = this.done.get(key);
      if (m === undefined) this.done.set(key, (m = []));
      let k = 0;
      while (k < m.length && m[k] !== field) k += 2;
      if (k === m.length) m.push(field, p.t);
      else if (p.t < (m[k + 1] as number)) m[k + 1] = p.t;
      this.learn(key, field, p.t, now);
    }
  }

  /** Remembers a done use (first use ms, wall ms when its index was refreshed), keeping the earliest first use. */
  learn(key: string, field: string, first: number, wall: number): void {
    let m = this.known.get(key);
    if (m === undefined) {
      if (this.known.size >= MAX_KNOWN_ACCOUNTS) this.known.clear();
      this.known.set(key, (m = []));
    }
    let k = 0;
    while (k < m.length && m[k] !== field) k += 3;
    if (k === m.length) {
      if (k >= 3 * MAX_KNOWN_PER_ACCOUNT) m.splice(0, 3); // forget the oldest: scans stay short
      m.push(field, first, wall);
    }
    else {
      if (first < (m[k + 1] as number)) m[k + 1] = first;
      if (wall > (m[k + 2] as number)) m[k + 2] = wall;
    }
  }
}

/**
 * Short stable codes for names (base64url of their SHA-1, the shortest length of at least 3 that keeps
 * them distinct), so every process derives the same codes from the same definitions.
 */
function shortCodes(names: readonly string[]): Map<string, string> {
  const unique = [...new Set(names)];
  const digests = unique.map((n) => createHash('sha1').update(n).digest('base64url'));
  for (let len = 3; ; len++) {
    const codes = digests.map((d) => d.slice(0, len));
    if (new Set(codes).size === codes.length || len >= 27) return new Map(unique.map((n, i) => [n, codes[i] as string]));
  }
}

/** Whether `known` (flat [field, first use, wall, ...]) holds `field` done at or before t and refreshed recently. */
export function isKnownDone(known: readonly (string | number)[], field: string, t: number, now: number): boolean {
  for (let k = 0; k < known.length; k += 3) {
    if (known[k] === field) return (known[k + 1] as number) <= t && now - (known[k + 2] as number) <= REFRESH_MS;
  }
  return false;
}
