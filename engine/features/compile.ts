/**
 * Turns definitions into closures once, so reading features is a loop over precompiled evaluators
 * with binary-searched windows and no per-read allocation beyond the result object.
 */
import { DAY_MS } from '../events/time.js';
import { eventTypes, type EventType } from '../events/types.js';
import { lowerBound, lowerBoundTime, upperBound, upperBoundTime, type AccountLog, type Entry, type TimeList } from './account-log.js';
import { buildLayouts, escapeValue, type TypeLayout } from './layout.js';
import type { CountDefinition, FeatureDefinition, FeatureDefinitions, LinkedDefinition, WhereClause } from './definitions.js';

/** Writes one feature value into `out`. Evaluators run in dependency order. */
export type Evaluator = (log: AccountLog, asOf: number, out: Record<string, number>) => void;
/** Does this entry (of the given type index) match a filter? */
export type EntryPredicate = (typeIndex: number, entry: Entry) => boolean;

export interface CompiledLinked {
  readonly name: string;
  /** Type index → slots of the `via` fields in that type's layout. */
  readonly viaSlots: ReadonlyMap<number, readonly { slot: number; path: string }[]>;
  /** Whether an entry flags its account (matches one of the flaggedBy count features). */
  readonly isFlag: EntryPredicate;
  readonly cap: number;
}

export interface CompiledShared {
  readonly name: string;
  readonly slots: ReadonlyMap<number, number>;
  readonly cap: number;
}

export interface CompiledFeatures {
  readonly definitions: FeatureDefinitions;
  readonly names: readonly string[];
  readonly layouts: readonly TypeLayout[];
  readonly typeIndex: ReadonlyMap<string, number>;
  /** Longest window plus a margin: how long events (and idempotency ids) must be kept. */
  readonly retentionMs: number;
  readonly linked: readonly CompiledLinked[];
  readonly shared: readonly CompiledShared[];
  readonly evaluators: readonly Evaluator[];
  /**
   * Per type index: whether some feature reads that type's entries when reading (a filter, a summed,
   * latest or distinct field). Where none does, reads look at the type's times alone, and a store may
   * keep just those (the fields still count when writing: links, shared values, flags).
   */
  readonly entriesRead: readonly boolean[];
  /**
   * Per type index: whether some windowed feature counts that type's events (reads its times, and
   * maybe its entries). Events of other types matter to reads only through the account's first-seen
   * time and what they write: links, shared values, flags.
   */
  readonly timesRead: readonly boolean[];
  /** Every feature at 0, keys in definition order; results are shallow copies (fast clone, stable shape). */
  readonly zero: Readonly<Record<string, number>>;
}

export const RETENTION_MARGIN_MS = 7 * DAY_MS;
/** Shared values (fingerprints) used by more accounts stop creating links. */
export const DEFAULT_SHARED_CAP = 100;

export function compileFeatures(definitions: FeatureDefinitions): CompiledFeatures {
  const features = definitions.features;
  const layouts = buildLayouts(features);
  const typeIndex = new Map<string, number>(eventTypes.map((t, i) => [t, i]));
  const byName = new Map(features.map((f) => [f.name, f]));
  const slotOf = (type: EventType, path: string): number => layouts[typeIndex.get(type) ?? -1]?.paths.indexOf(path) ?? -1;
  const linked: CompiledLinked[] = [];
  const shared: CompiledShared[] = [];
  const evaluators: Evaluator[] = [];
  const entriesRead = eventTypes.map(() => false);
  const timesRead = eventTypes.map(() => false);
  let maxWindow = 0;

  const predicateOf = (f: CountDefinition | Exclude<FeatureDefinition, { kind: 'ratio' | 'age' | 'linked' }>): EntryPredicate => {
    const perType = new Map<number, (e: Entry) => boolean>();
    for (const type of f.events) perType.set(typeIndex.get(type) ?? -1, wherePredicate(f.where, (p) => slotOf(type, p)));
    return (ti, e) => perType.get(ti)?.(e) ?? false;
  };

  for (const f of features) {
    if (f.kind === 'ratio' || f.kind === 'age') continue;
    maxWindow = Math.max(maxWindow, f.windowDays);
    if (f.kind === 'linked') {
      linked.push(compileLinked(f, byName, typeIndex, slotOf, predicateOf));
      evaluators.push(linkedEvaluator(f.name, linked.length - 1, f.windowDays * DAY_MS));
      continue;
    }
    const windowMs = f.windowDays * DAY_MS;
    const sources = f.events.map((type) => ({
      ti: typeIndex.get(type) ?? -1,
      match: wherePredicate(f.where, (p) => slotOf(type, p)),
      slot: f.kind === 'count' ? -1 : slotOf(type, f.field),
      unfiltered: f.where.length === 0,
    }));
    for (const source of sources) {
      if (source.ti < 0) continue;
      timesRead[source.ti] = true;
      if (f.kind !== 'count' || !source.unfiltered) entriesRead[source.ti] = true;
    }
    if (f.kind === 'shared') {
      shared.push({ name: f.name, slots: new Map(sources.map((s) => [s.ti, s.slot])), cap: DEFAULT_SHARED_CAP });
    }
    evaluators.push(windowedEvaluator(f, shared.length - 1, windowMs, sources));
  }
  const ageNames = features.filter((f) => f.kind === 'age').map((f) => f.name);
  for (const name of ageNames) {
    evaluators.push((log, asOf, out) => {
      out[name] = log.firstSeen <= asOf ? Math.floor((asOf - log.firstSeen) / DAY_MS) : 0;
    });
  }
  for (const f of ratioOrder(features)) {
    const { name, numerator, denominator } = f;
    evaluators.push((_log, _asOf, out) => {
      const d = out[denominator] ?? 0;
      out[name] = d === 0 ? 0 : (out[numerator] ?? 0) / d;
    });
  }
  const zero: Record<string, number> = {};
  for (const f of features) zero[f.name] = 0;
  return {
    definitions,
    zero,
    names: features.map((f) => f.name),
    layouts,
    typeIndex,
    retentionMs: maxWindow * DAY_MS + RETENTION_MARGIN_MS,
    linked,
    shared,
    evaluators,
    entriesRead,
    timesRead,
  };
}

/** A fresh result object with every feature at 0, keys in definition order (stable hidden class). */
export function emptyResult(compiled: CompiledFeatures): Record<string, number> {
  return { ...compiled.zero };
}

function wherePredicate(where: readonly WhereClause[], slotOf: (path: string) => number): (e: Entry) => boolean {
  if (where.length === 0) return () => true;
  const checks = where.map((w): ((e: Entry) => boolean) => {
    const slot = slotOf(w.path);
    const values = w.values.map(escapeValue);
    if (values.length === 1) {
      const v = values[0] as string;
      return (e: Entry) => e.f[slot] === v;
    }
    const set = new Set(values);
    return (e: Entry) => set.has(e.f[slot] ?? '');
  });
  if (checks.length === 1) return checks[0] as (e: Entry) => boolean;
  return (e) => {
    for (const check of checks) if (!check(e)) return false;
    return true;
  };
}

interface Source {
  ti: number;
  match: (e: Entry) => boolean;
  slot: number;
  unfiltered: boolean;
}

/**
 * Counts distinct strings, reused across reads: a linear scan while small (the usual case: a handful
 * of values), a Set beyond. No allocation per read.
 */
class DistinctCounter {
  private readonly small: string[] = [];
  private n = 0;
  private big: Set<string> | undefined;
  private static readonly SMALL = 24;
  reset(): void {
    this.n = 0;
    this.big = undefined;
  }
  get size(): number {
    return this.big === undefined ? this.n : this.big.size;
  }
  add(v: string): void {
    if (this.big !== undefined) {
      this.big.add(v);
      return;
    }
    const small = this.small;
    for (let i = 0; i < this.n; i++) if (small[i] === v) return;
    if (this.n < DistinctCounter.SMALL) {
      small[this.n++] = v;
      return;
    }
    this.big = new Set(small.slice(0, this.n));
    this.big.add(v);
  }
}

function windowedEvaluator(f: Exclude<FeatureDefinition, { kind: 'ratio' | 'age' | 'linked' }>, sharedIndex: number, windowMs: number, sources: readonly Source[]): Evaluator {
  const name = f.name;
  switch (f.kind) {
    case 'count':
      return (log, asOf, out) => {
        let n = 0;
        for (const s of sources) {
          const times = log.times[s.ti] as TimeList;
          if (times.length === 0) continue;
          const hi = upperBoundTime(times, asOf);
          const lo = lowerBoundTime(times, asOf - windowMs, hi);
          if (s.unfiltered) n += hi - lo;
          else {
            const list = log.buckets[s.ti] as Entry[];
            for (let i = lo; i < hi; i++) if (s.match(list[i] as Entry)) n++;
          }
        }
        out[name] = n;
      };
    case 'sum':
      return (log, asOf, out) => {
        let total = 0;
        for (const s of sources) {
          const times = log.times[s.ti] as TimeList;
          if (times.length === 0) continue;
          const list = log.buckets[s.ti] as Entry[];
          const hi = upperBoundTime(times, asOf);
          for (let i = lowerBoundTime(times, asOf - windowMs, hi); i < hi; i++) {
            const e = list[i] as Entry;
            const v = e.f[s.slot];
            if (v && s.match(e)) total += Number(v);
          }
        }
        out[name] = total;
      };
    case 'latest':
      return (log, asOf, out) => {
        let best: Entry | undefined;
        let bestSlot = -1;
        for (const s of sources) {
          const times = log.times[s.ti] as TimeList;
          if (times.length === 0) continue;
          const list = log.buckets[s.ti] as Entry[];
          const hi = upperBoundTime(times, asOf);
          for (let i = hi - 1, lo = lowerBoundTime(times, asOf - windowMs, hi); i >= lo; i--) {
            const e = list[i] as Entry;
            if (e.f[s.slot] && s.match(e)) {
              if (best === undefined || e.t >= best.t) { best = e; bestSlot = s.slot; }
              break;
            }
          }
        }
        out[name] = best === undefined ? 0 : Number(best.f[bestSlot]);
      };
    case 'distinct':
    case 'shared': {
      // Reused across reads: this closure is never re-entered (evaluation is synchronous).
      const seen = new DistinctCounter();
      const isShared = f.kind === 'shared';
      return (log, asOf, out) => {
        seen.reset();
        const others = isShared ? (log.shared[sharedIndex] as Map<string, number>) : undefined;
        if (others !== undefined && others.size === 0) { out[name] = 0; return; }
        for (const s of sources) {
          const times = log.times[s.ti] as TimeList;
          if (times.length === 0) continue;
          const list = log.buckets[s.ti] as Entry[];
          const hi = upperBoundTime(times, asOf);
          for (let i = lowerBoundTime(times, asOf - windowMs, hi); i < hi; i++) {
            const e = list[i] as Entry;
            const v = e.f[s.slot];
            if (!v || !s.match(e)) continue;
            if (v.includes(',')) {
              for (const part of v.split(',')) if (others === undefined || (others.get(part) ?? Infinity) <= asOf) seen.add(part);
            } else if (others === undefined || (others.get(v) ?? Infinity) <= asOf) seen.add(v);
          }
        }
        out[name] = seen.size;
      };
    }
  }
}

function compileLinked(
  f: LinkedDefinition,
  byName: ReadonlyMap<string, FeatureDefinition>,
  typeIndex: ReadonlyMap<string, number>,
  slotOf: (type: EventType, path: string) => number,
  predicateOf: (f: CountDefinition) => EntryPredicate,
): CompiledLinked {
  const viaSlots = new Map<number, { slot: number; path: string }[]>();
  for (const type of f.events) viaSlots.set(typeIndex.get(type) ?? -1, f.via.map((path) => ({ slot: slotOf(type, path), path })));
  const flagPredicates = f.flaggedBy.map((n) => byName.get(n)).filter((d): d is CountDefinition => d?.kind === 'count').map(predicateOf);
  return {
    name: f.name,
    viaSlots,
    isFlag: (ti, e) => {
      for (const p of flagPredicates) if (p(ti, e)) return true;
      return false;
    },
    cap: f.maxAccountsPerValue,
  };
}

function linkedEvaluator(name: string, index: number, windowMs: number): Evaluator {
  const seen = new DistinctCounter();
  return (log, asOf, out) => {
    const flags = log.flags[index] ?? [];
    if (flags.length === 0) { out[name] = 0; return; }
    seen.reset();
    const links = log.links[index] as Map<string, number>;
    for (let i = lowerBound(flags, asOf - windowMs), hi = upperBound(flags, asOf); i < hi; i++) {
      const x = (flags[i] as { x: string }).x;
      if ((links.get(x) ?? Infinity) <= asOf) seen.add(x);
    }
    out[name] = seen.size;
  };
}

/** Ratios in dependency order (the loader has already refused cycles). */
function ratioOrder(features: readonly FeatureDefinition[]): Extract<FeatureDefinition, { kind: 'ratio' }>[] {
  const ratios = new Map(features.filter((f): f is Extract<FeatureDefinition, { kind: 'ratio' }> => f.kind === 'ratio').map((f) => [f.name, f]));
  const ordered: Extract<FeatureDefinition, { kind: 'ratio' }>[] = [];
  const done = new Set<string>();
  const visit = (name: string, depth: number): void => {
    const f = ratios.get(name);
    if (f === undefined || done.has(name) || depth > ratios.size) return;
    visit(f.numerator, depth + 1);
    visit(f.denominator, depth + 1);
    if (!done.has(name)) { done.add(name); ordered.push(f); }
  };
  for (const name of ratios.keys()) visit(name, 0);
  return ordered;
}
