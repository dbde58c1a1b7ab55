import type { PolicyDefinition, CohortSelector } from '../policy/model.js';
import { internalized, load, loadSiteFor } from '../facts/load-site.js';
import { percentToBuckets, rolloutBucket } from './bucket.js';

/** What the rollout gate makes of one policy for one decision. */
export const SKIP = 0;
export const SHADOW = 1;
export const ENFORCE = 2;
export type GateResult = typeof SKIP | typeof SHADOW | typeof ENFORCE;

export interface MerchantView {
  id?: string;
  settings?: Readonly<Record<string, unknown>>;
  cohorts?: readonly string[];
}

export type StaticCohorts = ReadonlyMap<string, readonly string[]>;

export type Gate = (merchant: MerchantView | undefined, now: number) => GateResult;

/** Bucket memo per policy: hashing is the costliest part of the gate, and merchants repeat. */
const maxMemoizedMerchants = 100_000;

export function compileGate(policy: PolicyDefinition, staticCohorts: StaticCohorts): Gate {
  const { rollout } = policy;
  if (rollout.mode === 'off') return () => SKIP;
  const inside: GateResult = rollout.mode === 'enforce' ? ENFORCE : SHADOW;
  const outside: GateResult = rollout.outside === 'shadow' ? SHADOW : SKIP;
  const buckets = new Map<string, number>();
  const bucketOf = (merchantId: string): number => {
    let b = buckets.get(merchantId);
    if (b === undefined) {
      if (buckets.size >= maxMemoizedMerchants) buckets.clear();
      b = rolloutBucket(policy.id, merchantId);
      buckets.set(merchantId, b);
    }
    return b;
  };
  interface Selector {
    fromMs: number;
    cohorts: CohortSelector;
    /** Merchants placed in one of `cohorts` by cohorts.yaml: one lookup instead of a list per merchant. */
    staticMembers: ReadonlySet<string>;
    buckets: number;
  }
  const selector = (fromMs: number, cohorts: CohortSelector, percent: number): Selector => ({
    fromMs,
    cohorts,
    staticMembers: new Set(cohorts === 'all' ? [] : [...staticCohorts].filter(([, list]) => list.some((c) => cohorts.includes(c))).map(([id]) => id)),
    buckets: percentToBuckets(percent),
  });
  const inCohorts = (selected: Selector, merchant: MerchantView | undefined): boolean => {
    const cohorts = selected.cohorts;
    if (cohorts === 'all') return true;
    const id = merchant?.id;
    if (id !== undefined && selected.staticMembers.has(id)) return true;
    const own = merchant?.cohorts;
    if (!Array.isArray(own)) return false;
    for (let i = 0; i < cohorts.length; i++) if (own.includes(cohorts[i]!)) return true;
    return false;
  };
  const always = selector(-Infinity, rollout.cohorts, rollout.percent);
  const stages = rollout.stages.map((s) => selector(s.fromMs, s.cohorts, s.percent));
  // Stages are decided by the decision's clock, never the wall clock, so a replay gates as production did.
  const selectorAt = (now: number): Selector | undefined => {
    if (stages.length === 0) return always;
    let current: Selector | undefined;
    for (let i = 0; i < stages.length; i++) {
      if (stages[i]!.fromMs > now) break;
      current = stages[i];
    }
    return current;
  };
  const optIn = rollout.optIn === undefined ? undefined : internalized(rollout.optIn);
  const optInSite = optIn === undefined ? 0 : loadSiteFor(optIn);
  const optedIn = (merchant: MerchantView | undefined): boolean => {
    const settings = merchant?.settings;
    return settings !== null && typeof settings === 'object' && load(optInSite, settings, optIn!) === true;
  };
  return (merchant, now) => {
    if (optIn !== undefined && !optedIn(merchant)) return outside;
    const selected = selectorAt(now);
    if (selected === undefined) return outside; // before the first stage
    if (!inCohorts(selected, merchant)) return outside;
    if (selected.buckets >= 10_000) return inside;
    const id = merchant?.id;
    if (typeof id !== 'string' || selected.buckets <= 0) return outside;
    return bucketOf(id) < selected.buckets ? inside : outside;
  };
}
