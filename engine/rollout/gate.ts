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
  const inCohorts = (selector: CohortSelector, merchant: MerchantView | undefined): boolean => {
    if (selector === 'all') return true;
    const id = merchant?.id;
    const own = Array.isArray(merchant?.cohorts) ? merchant.cohorts : undefined;
    const fixed = id === undefined ? undefined : staticCohorts.get(id);
    for (const cohort of selector) {
      if (own !== undefined && own.includes(cohort)) return true;
      if (fixed !== undefined && fixed.includes(cohort)) return true;
    }
    return false;
  };
  interface Selector { fromMs: number; cohorts: CohortSelector; buckets: number }
  const always: Selector = { fromMs: -Infinity, cohorts: rollout.cohorts, buckets: percentToBuckets(rollout.percent) };
  const stages: Selector[] = rollout.stages.map((s) => ({ fromMs: s.fromMs, cohorts: s.cohorts, buckets: percentToBuckets(s.percent) }));
  // Stages are decided by the decision's clock, never the wall clock, so a replay gates as production did.
  const selectorAt = (now: number): Selector | undefined => {
    if (stages.length === 0) return always;
    let current: Selector | undefined;
    for (const stage of stages) {
      if (stage.fromMs > now) break;
      current = stage;
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
    const selector = selectorAt(now);
    if (selector === undefined) return outside; // before the first stage
    if (!inCohorts(selector.cohorts, merchant)) return outside;
    if (selector.buckets >= 10_000) return inside;
    const id = merchant?.id;
    if (typeof id !== 'string' || selector.buckets <= 0) return outside;
    return bucketOf(id) < selector.buckets ? inside : outside;
  };
}
