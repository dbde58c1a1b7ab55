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

/** Bucket memo per policy: hashing is the costliest part of the gate, and merchants repeat. */
const maxMemoizedMerchants = 100_000;

interface Selector {
  readonly fromMs: number;
  readonly cohorts: CohortSelector;
  /** Merchants placed in one of `cohorts` by cohorts.yaml: one lookup instead of a list per merchant. */
  readonly staticMembers: ReadonlySet<string>;
  readonly buckets: number;
}

/**
 * One policy's rollout gate, compiled to data; gateResult() reads it. Plain data and module
 * functions rather than a closure per policy: V8 inlines them into the evaluator's loop.
 */
export interface Gate {
  /** mode: off — the policy is never evaluated. */
  readonly off: boolean;
  readonly policyId: string;
  readonly inside: GateResult;
  readonly outside: GateResult;
  readonly optIn: string | undefined;
  readonly optInSite: number;
  readonly always: Selector;
  readonly stages: readonly Selector[];
  readonly buckets: Map<string, number>;
}

export function compileGate(policy: PolicyDefinition, staticCohorts: StaticCohorts): Gate {
  const { rollout } = policy;
  const selector = (fromMs: number, cohorts: CohortSelector, percent: number): Selector => ({
    fromMs,
    cohorts,
    staticMembers: new Set(cohorts === 'all' ? [] : [...staticCohorts].filter(([, list]) => list.some((c) => cohorts.includes(c))).map(([id]) => id)),
    buckets: percentToBuckets(percent),
  });
  const optIn = rollout.optIn === undefined ? undefined : internalized(rollout.optIn);
  return {
    off: rollout.mode === 'off',
    policyId: policy.id,
    inside: rollout.mode === 'enforce' ? ENFORCE : SHADOW,
    outside: rollout.outside === 'shadow' ? SHADOW : SKIP,
    optIn,
    optInSite: optIn === undefined ? 0 : loadSiteFor(optIn),
    always: selector(-Infinity, rollout.cohorts, rollout.percent),
    stages: rollout.stages.map((st) => selector(st.fromMs, st.cohorts, st.percent)),
    buckets: new Map(),
  };
}

/** The gate's verdict for one decision. */
export function gateResult(gate: Gate, merchant: MerchantView | undefined, now: number): GateResult {
  if (gate.off) return SKIP;
  if (gate.optIn !== undefined && !optedIn(gate, merchant)) return gate.outside;
  const selected = selectorAt(gate, now);
  if (selected === undefined) return gate.outside; // before the first stage
  if (!inCohorts(selected, merchant)) return gate.outside;
  if (selected.buckets >= 10_000) return gate.inside;
  const id = merchant?.id;
  if (typeof id !== 'string' || selected.buckets <= 0) return gate.outside;
  return bucketOf(gate, id) < selected.buckets ? gate.inside : gate.outside;
}

function optedIn(gate: Gate, merchant: MerchantView | undefined): boolean {
  const settings = merchant?.settings;
  return settings !== null && typeof settings === 'object' && load(gate.optInSite, settings, gate.optIn!) === true;
}

/** Stages are decided by the decision's clock, never the wall clock, so a replay gates as production did. */
function selectorAt(gate: Gate, now: number): Selector | undefined {
  const stages = gate.stages;
  if (stages.length === 0) return gate.always;
  let current: Selector | undefined;
  for (let i = 0; i < stages.length; i++) {
    if (stages[i]!.fromMs > now) break;
    current = stages[i];
  }
  return current;
}

function inCohorts(selected: Selector, merchant: MerchantView | undefined): boolean {
  const cohorts = selected.cohorts;
  if (cohorts === 'all') return true;
  const id = merchant?.id;
  if (id !== undefined && selected.staticMembers.has(id)) return true;
  const own = merchant?.cohorts;
  if (!Array.isArray(own)) return false;
  for (let i = 0; i < cohorts.length; i++) if (own.includes(cohorts[i]!)) return true;
  return false;
}

function bucketOf(gate: Gate, merchantId: string): number {
  let b = gate.buckets.get(merchantId);
  if (b === undefined) {
    if (gate.buckets.size >= maxMemoizedMerchants) gate.buckets.clear();
    b = rolloutBucket(gate.policyId, merchantId);
    gate.buckets.set(merchantId, b);
  }
  return b;
}
