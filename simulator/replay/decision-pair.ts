import type { DecisionPoint, DecisionRecord, Facts } from '../../engine/index.js';

/**
 * One decision taken twice on the same facts: once by the baseline bundle, once by the
 * candidate. This is what the report tallies, what `--decisions` writes, and what a
 * server-agreement test compares per eventId.
 */
/**
 * What the report reads of one side's decision: the action, the matches, and the merchant's cohorts
 * as the decision saw them, given as such (RefundGuardService.evaluateWith) or read back from the
 * facts of a record.
 */
export type DecisionTally = Pick<DecisionRecord, 'point' | 'action' | 'reasons' | 'shadow'> & ({ cohorts: readonly string[] } | { facts: Facts });

/**
 * A decision pair as the report tallies it. A replay whose pairs nobody else reads takes its
 * decisions this way, without making them records (ids, timestamps, a candidate's own copy).
 */
export type TallyPair = Omit<DecisionPair, 'baseline' | 'candidate'> & { baseline: DecisionTally; candidate: DecisionTally };

export interface DecisionPair {
  /** The event that asked for the decision (for integrity.review: the upheld complaint or forged verdict). */
  eventId: string;
  point: DecisionPoint;
  /** 1-based line of the event in the history file. */
  line: number;
  /** Decision clock, epoch ms. */
  at: number;
  accountId: string;
  merchantId: string;
  /** Money at stake (`amountAtStake`). */
  amount: number;
  label: 'abuse' | 'legit' | undefined;
  baseline: DecisionRecord;
  candidate: DecisionRecord;
}

/** Cohorts of the merchant as the decision saw them (stored ∪ static), read back from the assembled facts. */
export function cohortsOf(record: DecisionTally): readonly string[] {
  if ('cohorts' in record) return record.cohorts;
  const merchant = record.facts['merchant'];
  const cohorts = merchant !== null && typeof merchant === 'object' ? (merchant as { cohorts?: unknown }).cohorts : undefined;
  return Array.isArray(cohorts) ? (cohorts as string[]) : [];
}

/** "policy/rule" of each enforced match. */
export function rulesOf(record: DecisionTally): string[] {
  return record.reasons.map((r) => `${r.policy}/${r.rule}`);
}
