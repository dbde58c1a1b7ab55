import type { BundleDiff, DecisionPoint } from '../../engine/index.js';

/** Action → count. */
export type ActionCounts = Record<string, number>;
/** "<from>-><to>" → count. */
export type FlipCounts = Record<string, number>;

export interface PointTally {
  baseline: ActionCounts;
  candidate: ActionCounts;
  flips: FlipCounts;
}

export interface LabelMetrics {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  precisionCI95: [number, number];
  recallCI95: [number, number];
}

/** Refund amounts in currency units (summed in integer cents, so shard merges are exact). */
export interface MoneyMetrics {
  /** Refund amount of `abuse` requests that got a positive (stronger than approve). */
  protected: number;
  /** Refund amount of `legit` requests that got a positive: honest buyers bothered. */
  friction: number;
}

export interface RuleTally {
  baseline: { enforced: number; shadow: number };
  candidate: { enforced: number; shadow: number };
}

export interface CohortTally {
  baseline: ActionCounts;
  candidate: ActionCounts;
  flips: FlipCounts;
}

export interface DayTally {
  /** Positives at refund.requested. */
  baseline: { positives: number };
  candidate: { positives: number };
  /** Flipped decisions that day, at every point. */
  flips: number;
}

export interface SideSample {
  action: string;
  reasons: { policy: string; version: number; rule: string; action: string; reason: string }[];
}

export interface FlipSample {
  eventId: string;
  point: DecisionPoint;
  at: string;
  account: string;
  merchant: string;
  amount: number;
  label: string | null;
  baseline: SideSample;
  candidate: SideSample;
}

export interface BadLine {
  line: number;
  message: string;
}

/** The `--json` report (DESIGN §6). Every count is additive across shards; derived numbers are recomputed on merge. */
export interface SimulationReport {
  /**
   * What changed from the baseline to the candidate bundle (policies, versions, rollout, rules,
   * features, cohorts), so the counts below can be read against the edit that produced them.
   * Absent from reports written before it existed.
   */
  edit?: BundleDiff;
  history: {
    events: number;
    decisions: number;
    badLines: number;
    firstBadLines: BadLine[];
  };
  points: Partial<Record<DecisionPoint, PointTally>>;
  labels: { baseline: LabelMetrics; candidate: LabelMetrics };
  money: { baseline: MoneyMetrics; candidate: MoneyMetrics };
  /** "policy/rule" → enforced and shadow matches per side. */
  byRule: Record<string, RuleTally>;
  /** Merchant cohort → per-side action counts and flips; merchants in no cohort under "(none)". */
  byCohort: Record<string, CohortTally>;
  /** UTC date (YYYY-MM-DD) → positives per side and flips. */
  byDay: Record<string, DayTally>;
  samples: FlipSample[];
}

export type Side = 'baseline' | 'candidate';
export const sides: readonly Side[] = ['baseline', 'candidate'];
