import { actionStrength, defaultAction, type DecisionRecord } from '../../engine/index.js';
import { cohortsOf, type DecisionTally, type TallyPair } from '../replay/decision-pair.js';
import { canonicalReport } from './canonical.js';
import { fromCents, labelMetrics, toCents, utcDate } from './metrics.js';
import type { BadLine, CohortTally, DayTally, FlipSample, PointTally, RuleTally, Side, SideSample, SimulationReport } from './types.js';

export const MAX_BAD_LINES = 20;
export const MAX_SAMPLES = 50;
/** Bucket for merchants in no cohort, so cohort rows still add up to the total. */
export const NO_COHORT = '(none)';
const ONLY_NO_COHORT: readonly string[] = [NO_COHORT];

interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Accumulates decision pairs into a SimulationReport; memory grows with rules, cohorts and days, never with events. */
export class ReportBuilder {
  private events = 0;
  private decisions = 0;
  private badLines = 0;
  private readonly firstBadLines: BadLine[] = [];
  private readonly points: SimulationReport['points'] = {};
  private readonly confusion: Record<Side, Confusion> = { baseline: zeroConfusion(), candidate: zeroConfusion() };
  private readonly cents: Record<Side, { protected: number; friction: number }> = {
    baseline: { protected: 0, friction: 0 },
    candidate: { protected: 0, friction: 0 },
  };
  private readonly byRule: Record<string, RuleTally> = {};
  private readonly byCohort: Record<string, CohortTally> = {};
  private readonly byDay: Record<string, DayTally> = {};
  private readonly samples: FlipSample[] = [];
  private readonly talliesByList = new WeakMap<readonly string[], CohortTally[]>();
  private readonly rulesByPolicy = new Map<string, Map<string, RuleTally>>();
  private noCohortTallies: CohortTally[] | undefined;

  addEvent(): void {
    this.events++;
  }

  addBadLine(bad: BadLine): void {
    this.badLines++;
    if (this.firstBadLines.length < MAX_BAD_LINES) this.firstBadLines.push(bad);
  }

  add(pair: TallyPair): void {
    this.decisions++;
    const { point, baseline, candidate } = pair;
    const flipped = baseline.action !== candidate.action;
    const flipKey = flipped ? `${baseline.action}->${candidate.action}` : '';

    const tally = (this.points[point] ??= { baseline: {}, candidate: {}, flips: {} } satisfies PointTally);
    inc(tally.baseline, baseline.action);
    inc(tally.candidate, candidate.action);
    if (flipped) inc(tally.flips, flipKey);

    this.rules('baseline', baseline);
    this.rules('candidate', candidate);
    this.cohorts(baseline, candidate, flipped, flipKey);

    const isRefund = point === 'refund.requested';
    if (isRefund) {
      this.labels('baseline', pair, baseline);
      this.labels('candidate', pair, candidate);
    }
    if (isRefund || flipped) {
      const day = (this.byDay[utcDate(pair.at)] ??= { baseline: { positives: 0 }, candidate: { positives: 0 }, flips: 0 });
      if (isRefund && isPositive(baseline)) day.baseline.positives++;
      if (isRefund && isPositive(candidate)) day.candidate.positives++;
      if (flipped) day.flips++;
    }
    if (flipped && this.samples.length < MAX_SAMPLES) this.samples.push(sampleOf(pair));
  }

  finish(): SimulationReport {
    const c = this.confusion;
    return canonicalReport({
      history: { events: this.events, decisions: this.decisions, badLines: this.badLines, firstBadLines: [...this.firstBadLines] },
      points: structuredClone(this.points),
      labels: {
        baseline: labelMetrics(c.baseline.tp, c.baseline.fp, c.baseline.fn, c.baseline.tn),
        candidate: labelMetrics(c.candidate.tp, c.candidate.fp, c.candidate.fn, c.candidate.tn),
      },
      money: {
        baseline: { protected: fromCents(this.cents.baseline.protected), friction: fromCents(this.cents.baseline.friction) },
        candidate: { protected: fromCents(this.cents.candidate.protected), friction: fromCents(this.cents.candidate.friction) },
      },
      byRule: structuredClone(this.byRule),
      byCohort: structuredClone(this.byCohort),
      byDay: structuredClone(this.byDay),
      samples: structuredClone(this.samples),
    });
  }

  private rules(side: Side, record: DecisionTally): void {
    // Indexed loops and a lookup by policy then rule: no iterator and no "policy/rule" string per match.
    const { reasons, shadow } = record;
    for (let k = 0; k < reasons.length; k++) this.ruleTallyOf(reasons[k] as RuleMatch)[side].enforced++;
    for (let k = 0; k < shadow.length; k++) this.ruleTallyOf(shadow[k] as RuleMatch)[side].shadow++;
  }

  private ruleTallyOf(match: RuleMatch): RuleTally {
    let byRule = this.rulesByPolicy.get(match.policy);
    if (byRule === undefined) this.rulesByPolicy.set(match.policy, (byRule = new Map()));
    let tally = byRule.get(match.rule);
    if (tally === undefined) byRule.set(match.rule, (tally = ruleTally(this.byRule, `${match.policy}/${match.rule}`)));
    return tally;
  }

  private cohorts(baseline: DecisionTally, candidate: DecisionTally, flipped: boolean, flipKey: string): void {
    // Each side counts under the cohorts its own bundle saw (cohorts.yaml may differ); flips under either.
    const cb = cohortsOf(baseline);
    const cc = cohortsOf(candidate);
    const tb = this.talliesOf(cb);
    const tc = cc === cb ? tb : this.talliesOf(cc);
    for (let k = 0; k < tb.length; k++) inc((tb[k] as CohortTally).baseline, baseline.action);
    for (let k = 0; k < tc.length; k++) inc((tc[k] as CohortTally).candidate, candidate.action);
    if (!flipped) return;
    const union = cb.length === 0 && cc.length === 0 ? ONLY_NO_COHORT : [...new Set([...cb, ...cc])];
    for (const name of union) inc(cohortTally(this.byCohort, name).flips, flipKey);
  }

  /**
   * The tallies of a cohort list. Decisions of one merchant share its list (the facts hold the stored
   * array), so the lookups by name are done once per list, not once per decision.
   */
  private talliesOf(cohorts: readonly string[]): readonly CohortTally[] {
    if (cohorts.length === 0) return (this.noCohortTallies ??= [cohortTally(this.byCohort, NO_COHORT)]);
    let tallies = this.talliesByList.get(cohorts);
    if (tallies === undefined) this.talliesByList.set(cohorts, (tallies = cohorts.map((name) => cohortTally(this.byCohort, name))));
    return tallies;
  }

  private labels(side: Side, pair: TallyPair, record: DecisionTally): void {
    if (pair.label === undefined) return;
    const positive = isPositive(record);
    const abuse = pair.label === 'abuse';
    const c = this.confusion[side];
    if (positive && abuse) c.tp++;
    else if (positive) c.fp++;
    else if (abuse) c.fn++;
    else c.tn++;
    if (positive) this.cents[side][abuse ? 'protected' : 'friction'] += toCents(pair.amount);
  }
}

type RuleMatch = DecisionRecord['reasons'][number];

/** A positive is any action stronger than the point's default (at refund.requested: anything but approve). */
export function isPositive(record: Pick<DecisionRecord, 'point' | 'action'>): boolean {
  return actionStrength(record.point, record.action) > actionStrength(record.point, defaultAction(record.point));
}

function sampleOf(pair: TallyPair): FlipSample {
  return {
    eventId: pair.eventId,
    point: pair.point,
    at: new Date(pair.at).toISOString(),
    account: pair.accountId,
    merchant: pair.merchantId,
    amount: pair.amount,
    label: pair.label ?? null,
    baseline: sideSample(pair.baseline),
    candidate: sideSample(pair.candidate),
  };
}

function sideSample(record: DecisionTally): SideSample {
  return { action: record.action, reasons: record.reasons.map((r) => ({ policy: r.policy, version: r.version, rule: r.rule, action: r.action, reason: r.reason })) };
}

function zeroConfusion(): Confusion {
  return { tp: 0, fp: 0, fn: 0, tn: 0 };
}

function inc(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

function ruleTally(table: Record<string, RuleTally>, key: string): RuleTally {
  return (table[key] ??= { baseline: { enforced: 0, shadow: 0 }, candidate: { enforced: 0, shadow: 0 } });
}

function cohortTally(table: Record<string, CohortTally>, key: string): CohortTally {
  return (table[key] ??= { baseline: {}, candidate: {}, flips: {} });
}

export { inc as increment };
