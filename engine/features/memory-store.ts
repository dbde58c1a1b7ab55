/**
 * In-memory FeatureStore for the simulator (≈300k events/s, synchronous API), tests and the server
 * without Redis. It keeps exactly what the Redis store keeps, in Maps, and reads through the same
 * `computeFeatures`; the cross-account bookkeeping below mirrors server/stores/redis-feature-store.ts
 * step for step (the contract and differential tests hold them together).
 */
import { atMs, type RefundGuardEvent } from '../events/index.js';
import { emptyAccountLog, insertEntry, insertFlag, type AccountLog, type Entry } from './account-log.js';
import { compileFeatures, emptyResult, type CompiledFeatures } from './compile.js';
import { computeFeatures } from './compute.js';
import type { FeatureDefinitions } from './definitions.js';
import { extractEntry } from './entry.js';
import type { FeatureStore } from './store.js';

interface MemoryAccount {
  readonly log: AccountLog;
  /** Event ids of the entries still kept (idempotency). */
  readonly ids: Set<string>;
  /** Per linked feature: times this account was flagged. */
  readonly ownFlags: Set<number>[];
  /** Per linked feature: "x|t" of flags already copied here. */
  readonly flagKeys: Set<string>[];
  maxT: number;
  sinceTrim: number;
}

/** Trim an account's old entries every this many writes (amortised; trimming never changes reads within retention). */
const TRIM_EVERY = 256;

export class MemoryFeatureStore implements FeatureStore {
  readonly compiled: CompiledFeatures;
  private readonly accounts = new Map<string, MemoryAccount>();
  /** Per linked feature: "path=value" → account → first time it used the value. */
  private readonly linkIndex: Map<string, Map<string, number>>[];
  /** Per shared feature: value → account → first time it used the value. */
  private readonly sharedIndex: Map<string, Map<string, number>>[];
  private readonly zero: Record<string, number>;

  constructor(definitions: FeatureDefinitions | CompiledFeatures) {
    this.compiled = 'evaluators' in definitions ? definitions : compileFeatures(definitions);
    this.linkIndex = this.compiled.linked.map(() => new Map());
    this.sharedIndex = this.compiled.shared.map(() => new Map());
    this.zero = emptyResult(this.compiled);
  }

  async apply(events: readonly RefundGuardEvent[]): Promise<{ applied: number; duplicates: number }> {
    let applied = 0;
    let duplicates = 0;
    for (const event of events) {
      if (this.applySync(event)) applied++;
      else duplicates++;
    }
    return { applied, duplicates };
  }

  async read(accountId: string, asOf: number): Promise<Record<string, number>> {
    return this.readSync(accountId, asOf);
  }

  async close(): Promise<void> {
    this.accounts.clear();
  }

  /** Applies one validated event; false when it is a duplicate (same eventId already applied to the account). */
  applySync(event: RefundGuardEvent): boolean {
    if (event.type === 'merchant.updated') return true;
    const a = event.accountId;
    const acc = this.account(a);
    if (acc.ids.has(event.eventId)) return false;
    const t = atMs(event);
    const entry = extractEntry(this.compiled, event, t);
    const ti = this.compiled.typeIndex.get(event.type);
    if (entry === undefined || ti === undefined) return true;
    acc.ids.add(event.eventId);
    if (t < acc.log.firstSeen) acc.log.firstSeen = t;
    insertEntry(acc.log.buckets[ti] as Entry[], entry);
    if (this.compiled.linked.length > 0) this.applyLinked(a, acc, ti, entry);
    if (this.compiled.shared.length > 0) this.applyShared(a, acc, ti, entry);
    if (t > acc.maxT) acc.maxT = t;
    if (++acc.sinceTrim >= TRIM_EVERY) this.trim(acc);
    return true;
  }

  /** Every feature of the account as of asOf. Allocates only the result object. */
  readSync(accountId: string, asOf: number): Record<string, number> {
    const acc = this.accounts.get(accountId);
    if (acc === undefined) return { ...this.zero };
    return computeFeatures(this.compiled, acc.log, asOf);
  }

  private account(id: string): MemoryAccount {
    let acc = this.accounts.get(id);
    if (acc === undefined) {
      const c = this.compiled;
      acc = {
        log: emptyAccountLog(c.layouts.length, c.linked.length, c.shared.length),
        ids: new Set(),
        ownFlags: c.linked.map(() => new Set<number>()),
        flagKeys: c.linked.map(() => new Set<string>()),
        maxT: Number.NEGATIVE_INFINITY,
        sinceTrim: 0,
      };
      this.accounts.set(id, acc);
    }
    return acc;
  }

  private applyLinked(a: string, acc: MemoryAccount, ti: number, entry: Entry): void {
    this.compiled.linked.forEach((lf, i) => {
      // Flag first, then look at links (Redis: the apply script writes the flag and reads links atomically).
      if (lf.isFlag(ti, entry) && !(acc.ownFlags[i] as Set<number>).has(entry.t)) {
        (acc.ownFlags[i] as Set<number>).add(entry.t);
        for (const b of (acc.log.links[i] as Map<string, number>).keys()) this.addFlag(b, i, a, entry.t);
      }
      const slots = lf.viaSlots.get(ti);
      if (slots === undefined) return;
      for (const { slot, path } of slots) {
        for (const v of values(entry.f[slot])) {
          const key = `${path}=${v}`;
          const index = getOrCreate(this.linkIndex[i] as Map<string, Map<string, number>>, key);
          const mine = index.get(a);
          if (mine === undefined && index.size >= lf.cap) continue;
          const fa = mine === undefined ? entry.t : Math.min(mine, entry.t);
          index.set(a, fa);
          for (const [b, fb] of index) {
            if (b === a) continue;
            const since = Math.max(fa, fb);
            const accB = this.account(b);
            setMin(acc.log.links[i] as Map<string, number>, b, since);
            setMin(accB.log.links[i] as Map<string, number>, a, since);
            for (const ft of accB.ownFlags[i] as Set<number>) this.addFlag(a, i, b, ft);
            for (const ft of acc.ownFlags[i] as Set<number>) this.addFlag(b, i, a, ft);
          }
        }
      }
    });
  }

  private applyShared(a: string, acc: MemoryAccount, ti: number, entry: Entry): void {
    this.compiled.shared.forEach((sf, j) => {
      const slot = sf.slots.get(ti);
      if (slot === undefined) return;
      for (const v of values(entry.f[slot])) {
        const index = getOrCreate(this.sharedIndex[j] as Map<string, Map<string, number>>, v);
        const mine = index.get(a);
        if (mine === undefined && index.size >= sf.cap) continue;
        const fa = mine === undefined ? entry.t : Math.min(mine, entry.t);
        index.set(a, fa);
        for (const [b, fb] of index) {
          if (b === a) continue;
          setMin(acc.log.shared[j] as Map<string, number>, v, fb);
          setMin(this.account(b).log.shared[j] as Map<string, number>, v, fa);
        }
      }
    });
  }

  private addFlag(target: string, i: number, x: string, t: number): void {
    const acc = this.account(target);
    const key = `${x}|${t}`;
    const keys = acc.flagKeys[i] as Set<string>;
    if (keys.has(key)) return;
    keys.add(key);
    insertFlag(acc.log.flags[i] ?? [], { x, t });
  }

  /** Drops entries older than retention before the newest event seen; their ids go with them. */
  private trim(acc: MemoryAccount): void {
    acc.sinceTrim = 0;
    const horizon = acc.maxT - this.compiled.retentionMs;
    for (const list of acc.log.buckets) {
      let n = 0;
      while (n < list.length && (list[n] as Entry).t < horizon) acc.ids.delete((list[n++] as Entry).id);
      if (n > 0) list.splice(0, n);
    }
    acc.log.flags.forEach((list, i) => {
      let n = 0;
      while (n < list.length && (list[n] as { t: number }).t < horizon) {
        const f = list[n++] as { x: string; t: number };
        acc.flagKeys[i]?.delete(`${f.x}|${f.t}`);
      }
      if (n > 0) list.splice(0, n);
    });
  }
}

function getOrCreate(map: Map<string, Map<string, number>>, key: string): Map<string, number> {
  let inner = map.get(key);
  if (inner === undefined) map.set(key, (inner = new Map()));
  return inner;
}

function setMin(map: Map<string, number>, key: string, t: number): void {
  const cur = map.get(key);
  if (cur === undefined || t < cur) map.set(key, t);
}

/** Values of a slot: '' is missing; a list field holds values joined by ','. */
function values(v: string | undefined): readonly string[] {
  if (!v) return [];
  return v.includes(',') ? v.split(',') : [v];
}
