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

interface Selector {
  readonly fromMs: number;
  readonly cohorts: CohortSelector;
  /** Merchants placed in one of `cohorts` by cohorts.yaml: one lookup instead of a list per merchant. */
  readonly staticMembers: ReadonlySet<string>;
  readonly buckets: number;
}

/** One policy's gate as data; the functions below read it (module functions, so V8 inlines them into the one gate body). */
export interface GateSpec {
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
  const spec = compileGateSpec(policy, staticCohorts);
  return (merchant, now) => gateResult(spec, merchant, now);
}

export function compileGateSpec(policy: PolicyDefinition, staticCohorts: StaticCohorts): GateSpec {
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

/** The gate's verdict for one decision (what a compiled Gate returns). */
export function gateResult(spec: GateSpec, merchant: MerchantView | undefined, now: number): GateResult {
  if (spec.off) return SKIP;
  if (spec.optIn !== undefined && !optedIn(spec, merchant)) return spec.outside;
  const selected = selectorAt(spec, now);
  if (selected === undefined) return spec.outside; // before the first stage
  if (!inCohorts(selected, merchant)) return spec.outside;
  if (selected.buckets >= 10_000) return spec.inside;
  const id = merchant?.id;
  if (typeof id !== 'string' || selected.buckets <= 0) return spec.outside;
  return bucketOf(spec, id) < selected.buckets ? spec.inside : spec.outside;
}

function optedIn(spec: GateSpec, merchant: MerchantView | undefined): boolean {
  const settings = merchant?.settings;
  return settings !== null && typeof settings === 'object' && load(spec.optInSite, settings, spec.optIn!) === true;
}

/** Stages are decided by the decision's clock, never the wall clock, so a replay gates as production did. */
function selectorAt(spec: GateSpec, now: number): Selector | undefined {
  const stages = spec.stages;
  if (stages.length === 0) return spec.always;
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

function bucketOf(spec: GateSpec, merchantId: string): number {
  let b = spec.buckets.get(merchantId);
  if (b === undefined) {
    if (spec.buckets.size >= maxMemoizedMerchants) spec.buckets.clear();
    b = rolloutBucket(spec.policyId, merchantId);
    spec.buckets.set(merchantId, b);
  }
  return b;
}
