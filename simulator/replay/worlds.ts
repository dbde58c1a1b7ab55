import type { RefundGuardEvent } from '../../engine/events/index.js';
import {
  MemoryMerchantStore,
  MemoryAccountStateStore,
  MemoryAccountReader,
  RefundGuardService,
  decisionPointNames,
  type AccountSnapshot,
  type DecisionPoint,
  type PreparedBundle,
} from '../../engine/index.js';
import { MemoryFeatureStore, featureNames, type FeatureStore } from '../../engine/features/index.js';
import { READ_BASELINE, READ_CANDIDATE } from './store-ops.js';

/**
 * Where a world's features come from: the in-memory store, or in a pipelined replay the values
 * the feature thread computed (`line` names the event a read belongs to; `reviewLine` the event
 * whose integrity reviews read next).
 */
export interface FeatureSource {
  readSync(accountId: string, asOf: number, line?: number): Record<string, number>;
  applySync(event: RefundGuardEvent): boolean;
  reviewLine?(line: number): void;
}

/**
 * One side of the comparison. Restrictions and order marks depend on decisions (an upheld
 * complaint restricts per the bundle's integrity.review), so each world has its own state;
 * merchants are bundle-independent and shared.
 */
export class World {
  readonly state = new MemoryAccountStateStore();
  readonly service: RefundGuardService;
  /** Points at which this bundle reads a feature: elsewhere the feature read is skipped. */
  private readonly readsFeatures: ReadonlySet<DecisionPoint>;

  constructor(
    readonly name: 'baseline' | 'candidate',
    readonly bundle: PreparedBundle,
    readonly features: FeatureSource & FeatureStore,
    merchants: MemoryMerchantStore,
    clock: number,
  ) {
    let next = 0;
    const prefix = name === 'baseline' ? 'sim-b-' : 'sim-c-';
    this.service = new RefundGuardService({
      bundle: () => bundle,
      features,
      reader: new MemoryAccountReader(features, this.state),
      state: this.state,
      merchants,
      // Replays are deterministic: decisions carry their event's clock, ids are a counter.
      now: () => clock,
      newDecisionId: () => prefix + String(++next),
    });
    this.readsFeatures = pointsReadingFeatures(bundle);
  }

  needsFeatures(point: DecisionPoint): boolean {
    return this.readsFeatures.has(point);
  }

  /** The account as of `now`, with features already read (shared by both worlds when they share a store). */
  snapshot(accountId: string, features: Record<string, number>): AccountSnapshot {
    const state = this.state.stateSync(accountId);
    // Accounts without state share one state object, and most decisions read no features: those
    // decisions share one snapshot (facts are copied from it, never written to it).
    if (state !== this.lastState || features !== this.lastSnapshot.features) {
      this.lastState = state;
      this.lastSnapshot = { features, restrictions: state.restrictions, orders: state.orders };
    }
    return this.lastSnapshot;
  }

  private lastState: object | undefined;
  private lastSnapshot: AccountSnapshot = { features: {}, restrictions: [], orders: new Map() };
}

/**
 * Reading features is the costliest step of a decision (it folds the account's event log), and
 * most decisions are checkouts whose policies read restrictions only. A policy can only be
 * influenced by facts it reads (PolicyDefinition.factPaths), so skipping the read there cannot
 * change an action, a reason or the missing-facts list.
 */
export function pointsReadingFeatures(bundle: PreparedBundle): Set<DecisionPoint> {
  const names = new Set(featureNames(bundle.features).map((n) => `account.${n}`));
  const points = new Set<DecisionPoint>();
  for (const point of decisionPointNames) {
    if (bundle.policiesAt(point).some((p) => p.factPaths.some((path) => names.has(path)))) points.add(point);
  }
  return points;
}

/** Whether both bundles define the same features: then one store serves both worlds (features depend only on events). */
export function sameFeatures(baseline: PreparedBundle, candidate: PreparedBundle): boolean {
  return JSON.stringify(baseline.features) === JSON.stringify(candidate.features);
}

/** The stores of a replay of about `expectedEvents` events (a size hint). */
export function featureStoresFor(baseline: PreparedBundle, candidate: PreparedBundle, expectedEvents = 0): [MemoryFeatureStore, MemoryFeatureStore] {
  // Lean: a replay reads features, never duplicate counts.
  const b = new MemoryFeatureStore(baseline.features, { lean: true, expectedEvents });
  return [b, sameFeatures(baseline, candidate) ? b : new MemoryFeatureStore(candidate.features, { lean: true, expectedEvents })];
}

/**
 * The two worlds of a replay, with their feature sources (one serving both when they share a store)
 * and the merchants they share.
 */
export class WorldPair {
  readonly merchants = new MemoryMerchantStore();
  readonly b: World;
  readonly c: World;

  constructor(
    baseline: PreparedBundle,
    candidate: PreparedBundle,
    readonly featuresB: FeatureSource & FeatureStore,
    readonly featuresC: FeatureSource & FeatureStore,
    /** One store serves both worlds (their features are the same). */
    readonly sharedFeatures: boolean,
  ) {
    const clock = Date.now();
    this.b = new World('baseline', baseline, featuresB, this.merchants, clock);
    this.c = new World('candidate', candidate, featuresC, this.merchants, clock);
  }

  /** The feature stores a decision at `point` reads (READ_* bits): the baseline's serves both worlds when they share it. */
  storesReadAt(point: DecisionPoint): number {
    const needB = this.b.needsFeatures(point);
    const needC = this.c.needsFeatures(point);
    const shared = this.sharedFeatures;
    return (needB || (needC && shared) ? READ_BASELINE : 0) | (!shared && needC ? READ_CANDIDATE : 0);
  }
}
