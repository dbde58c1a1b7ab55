import { actionStrength, defaultAction, type BundleDiff, type DecisionPoint, type DecisionRecord } from '../../engine/index.js';
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
  /** History line of each sample: shards' samples merge in history order (mergeReports), where times may tie. */
  private readonly sampleLines: number[] = [];
  private readonly countsByList = new WeakMap<readonly string[], readonly SideCounts[]>();
  private readonly rulesByPolicy = new Map<string, Map<string, RuleTally>>();
  private noCohortCounts: readonly SideCounts[] | undefined;
  /**
   * Action counts are kept as numbers by action index and added into the report's records by
   * finish(): a decision then counts with array increments, where a count keyed by the action's
   * name costs a keyed lookup per cohort and side (a tenth of a replay's deciding thread).
   */
  private readonly actions = new ActionIndex();
  private readonly pointCounts: Partial<Record<DecisionPoint, SideCounts>> = {};
  private readonly countsByCohort = new Map<string, SideCounts>();

  /** `edit`: what changed from the baseline to the candidate bundle; the report opens with it. */
  constructor(private readonly edit?: BundleDiff) {}

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

    const actionB = this.actions.of(baseline.action);
    const actionC = flipped ? this.actions.of(candidate.action) : actionB;
    let counts = this.pointCounts[point];
    if (counts === undefined) {
      this.points[point] = { baseline: {}, candidate: {}, flips: {} } satisfies PointTally;
      counts = this.pointCounts[point] = new SideCounts();
    }
    counts.add(actionB, actionC);
    if (flipped) inc((this.points[point] as PointTally).flips, flipKey);

    this.rules('baseline', baseline);
    this.rules('candidate', candidate);
    this.cohorts(baseline, candidate, actionB, actionC, flipped, flipKey);

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
    if (flipped && this.samples.length < MAX_SAMPLES) {
      this.samples.push(sampleOf(pair));
      this.sampleLines.push(pair.line);
    }
  }

  finish(): SimulationReport {
    const c = this.confusion;
    const points = structuredClone(this.points);
    for (const [point, counts] of Object.entries(this.pointCounts)) counts.addInto(points[point as DecisionPoint] as PointTally, this.actions.names);
    const byCohort = structuredClone(this.byCohort);
    for (const [name, counts] of this.countsByCohort) counts.addInto(byCohort[name] as CohortTally, this.actions.names);
    return canonicalReport({
      ...(this.edit ? { edit: structuredClone(this.edit) } : {}),
      history: { events: this.events, decisions: this.decisions, badLines: this.badLines, firstBadLines: [...this.firstBadLines] },
      points,
      labels: {
        baseline: labelMetrics(c.baseline.tp, c.baseline.fp, c.baseline.fn, c.baseline.tn),
        candidate: labelMetrics(c.candidate.tp, c.candidate.fp, c.candidate.fn, c.candidate.tn),
      },
      money: {
        baseline: { protected: fromCents(this.cents.baseline.protected), friction: fromCents(this.cents.baseline.friction) },
        candidate: { protected: fromCents(this.cents.candidate.protected), friction: fromCents(this.cents.candidate.friction) },
      },
      byRule: structuredClone(this.byRule),
      byCohort,
      byDay: structuredClone(this.byDay),
      samples: structuredClone(this.samples),
    });
  }

  /** The history line of each of finish()'s samples, in the same order. */
  sampleLineNumbers(): number[] {
    return [...this.sampleLines];
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

  private cohorts(baseline: DecisionTally, candidate: DecisionTally, actionB: number, actionC: number, flipped: boolean, flipKey: string): void {
    // Each side counts under the cohorts its own bundle saw (cohorts.yaml may differ); flips under either.
    const cb = cohortsOf(baseline);
    const cc = cohortsOf(candidate);
    const lb = this.countsOf(cb);
    if (cc === cb) for (let k = 0; k < lb.length; k++) (lb[k] as SideCounts).add(actionB, actionC);
    else {
      for (let k = 0; k < lb.length; k++) (lb[k] as SideCounts).addBaseline(actionB);
      const lc = this.countsOf(cc);
      for (let k = 0; k < lc.length; k++) (lc[k] as SideCounts).addCandidate(actionC);
    }
    if (!flipped) return;
    const union = cb.length === 0 && cc.length === 0 ? ONLY_NO_COHORT : [...new Set([...cb, ...cc])];
    for (const name of union) inc(cohortTally(this.byCohort, name).flips, flipKey);
  }

  /**
   * The counts of each cohort of a list. Decisions of one merchant share its list (the facts hold the
   * stored array), so the lookups by name are done once per list, not once per decision.
   */
  private countsOf(cohorts: readonly string[]): readonly SideCounts[] {
    if (cohorts.length === 0) return (this.noCohortCounts ??= [this.cohortCounts(NO_COHORT)]);
    let counts = this.countsByList.get(cohorts);
    if (counts === undefined) this.countsByList.set(cohorts, (counts = cohorts.map((name) => this.cohortCounts(name))));
    return counts;
  }

  private cohortCounts(name: string): SideCounts {
    let counts = this.countsByCohort.get(name);
    if (counts === undefined) {
      // The row exists from the cohort's first decision on, as with counts kept by name.
      cohortTally(this.byCohort, name);
      this.countsByCohort.set(name, (counts = new SideCounts()));
    }
    return counts;
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

/** Numbers for action names, in order of first sight. */
class ActionIndex {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  private lastName = '';
  private lastIndex = -1;

  of(action: string): number {
    // Most decisions repeat the action before them (allow, approve): no lookup then.
    if (action === this.lastName) return this.lastIndex;
    let i = this.index.get(action);
    if (i === undefined) {
      i = this.names.length;
      this.index.set(action, i);
      this.names.push(action);
    }
    this.lastName = action;
    this.lastIndex = i;
    return i;
  }
}

function bump(counts: number[], action: number): void {
  while (counts.length <= action) counts.push(0);
  (counts[action] as number)++;
}

/** Decisions per action index of each side. */
class SideCounts {
  private readonly baseline: number[] = [];
  private readonly candidate: number[] = [];

  add(actionB: number, actionC: number): void {
    this.addBaseline(actionB);
    this.addCandidate(actionC);
  }

  addBaseline(action: number): void {
    bump(this.baseline, action);
  }

  addCandidate(action: number): void {
    bump(this.candidate, action);
  }

  /** Adds the counts into a tally's records, by action name. */
  addInto(tally: { baseline: Record<string, number>; candidate: Record<string, number> }, names: readonly string[]): void {
    for (let a = 0; a < this.baseline.length; a++) if ((this.baseline[a] as number) > 0) inc(tally.baseline, names[a] as string, this.baseline[a]);
    for (let a = 0; a < this.candidate.length; a++) if ((this.candidate[a] as number) > 0) inc(tally.candidate, names[a] as string, this.candidate[a]);
  }
}

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
