import type { Slots } from '../compile/closures.js';
import { defaultAction, type DecisionPoint } from '../points/index.js';
import { ENFORCE, type GateResult } from '../rollout/index.js';
import type { Decision, RuleOutcome } from './decision.js';
import type { PointPlan } from './point-plan.js';
import type { PreparedPolicy, PreparedRule } from './prepared-policy.js';

/**
 * Turns "which rules matched under which gate" into a Decision. Both evaluators feed it, so
 * they can only differ in matching, which the differential tests check. It sits on the hot
 * path: no allocation beyond the decision and its arrays, each allocated at its final length.
 */
/** Shared by every decision with nothing to list; frozen, so a caller that tries to mutate it fails loudly. */
const none: never[] = Object.freeze([]) as unknown as never[];
/** At most this many distinct sets of matches get a shared reasons array per point; others get their own. */
const maxSharedReasonSets = 4096;

export class DecisionBuilder {
  private decision!: Decision;
  /**
   * Enforced matches of this decision as a bit set over PreparedRule.rank (32 ranks a word):
   * reading the set bits in order lists the reasons strongest first, ties in bundle order,
   * so nothing is sorted per decision. Cleared as finish() reads it.
   */
  private readonly matchedRanks: Int32Array;
  private matchedCount = 0;
  /** The lowest matched rank: the winning rule. */
  private winnerRank = -1;
  /** Policies that passed their gate, as a bit set over the point's policy indexes. */
  private gatedBits = 0;
  private gatedOverflow: PreparedPolicy[] | undefined;
  private gatedCount = 0;
  /**
   * The reasons of each set of enforced matches seen so far, keyed by the bit set when the point
   * has at most 32 rules: one frozen array shared by every decision with the same matches, so a
   * decision that fires many rules allocates nothing for them. Bounded, as fact sets are not.
   */
  private readonly reasonsBySet: Map<number, readonly RuleOutcome[]> | undefined;

  /**
   * `reuseDecision`: every decision is the same object, filled again, for callers that read each
   * decision before asking for the next (a replay tallying a report); otherwise each is a new object.
   */
  constructor(private readonly point: DecisionPoint, private readonly plan: PointPlan, private readonly reuseDecision = false) {
    this.decision = this.freshDecision();
    this.matchedRanks = new Int32Array(Math.max(1, Math.ceil(plan.byRank.length / 32)));
    this.reasonsBySet = plan.byRank.length <= 32 ? new Map() : undefined;
  }

  /** Starts the next decision: the synchronous evaluator reuses one builder per point (see PointPlan.buffer). */
  reset(): this {
    if (this.reuseDecision) {
      // The arrays of the decision before are never written again: matches start new ones.
      const d = this.decision;
      d.action = defaultAction(this.point);
      d.params = undefined;
      d.reasons = none;
      d.shadow = none;
      d.missingFacts = none;
    } else {
      this.decision = this.freshDecision();
    }
    if (this.matchedCount !== 0) this.matchedRanks.fill(0); // a decision abandoned half-way (a throwing fact getter)
    this.matchedCount = 0;
    this.winnerRank = -1;
    this.gatedBits = 0;
    this.gatedOverflow = undefined;
    this.gatedCount = 0;
    return this;
  }

  /** The point's default: its weakest action, nothing matched, nothing missing. */
  private freshDecision(): Decision {
    return { point: this.point, action: defaultAction(this.point), params: undefined, reasons: none, shadow: none, missingFacts: none };
  }

  matched(rule: PreparedRule, gate: GateResult): void {
    if (gate !== ENFORCE) {
      if (this.decision.shadow === none) this.decision.shadow = [rule.outcome];
      else this.decision.shadow.push(rule.outcome);
      return;
    }
    const rank = rule.rank;
    this.matchedRanks[rank >> 5]! |= 1 << (rank & 31);
    this.matchedCount += 1;
    if (this.winnerRank < 0 || rank < this.winnerRank) this.winnerRank = rank;
  }

  /** The policy passed its gate (enforce or shadow): its facts count for the missing-facts report. */
  evaluated(policy: PreparedPolicy): void {
    this.gatedCount += 1;
    if (policy.index < 30) this.gatedBits |= 1 << policy.index;
    else (this.gatedOverflow ??= []).push(policy);
  }

  finish(slots: Slots): Decision {
    this.collectMissing(slots);
    const d = this.decision;
    if (this.matchedCount > 0) {
      const byRank = this.plan.byRank;
      const winner = byRank[this.winnerRank]!;
      d.action = winner.outcome.action;
      d.params = winner.params;
      d.reasons = this.reasonsBySet === undefined ? this.takeReasons(byRank) : this.sharedReasons(this.reasonsBySet, byRank);
    }
    return d;
  }

  private sharedReasons(cache: Map<number, readonly RuleOutcome[]>, byRank: readonly PreparedRule[]): readonly RuleOutcome[] {
    const set = this.matchedRanks[0]!;
    const known = cache.get(set);
    if (known !== undefined) {
      this.matchedRanks[0] = 0;
      return known;
    }
    const reasons = Object.freeze(this.takeReasons(byRank));
    if (cache.size < maxSharedReasonSets) cache.set(set, reasons);
    return reasons;
  }

  /** The matched outcomes in rank order, clearing the bit set on the way. */
  private takeReasons(byRank: readonly PreparedRule[]): RuleOutcome[] {
    const reasons = new Array<RuleOutcome>(this.matchedCount);
    const words = this.matchedRanks;
    let k = 0;
    for (let w = 0; w < words.length; w++) {
      let bits = words[w]!;
      if (bits === 0) continue;
      words[w] = 0;
      const base = w << 5;
      while (bits !== 0) {
        const lowest = bits & -bits;
        reasons[k++] = byRank[base + 31 - Math.clz32(lowest)]!.outcome;
        bits ^= lowest;
      }
    }
    return reasons;
  }

  private collectMissing(slots: Slots): void {
    const paths = this.plan.slots.paths;
    if (this.gatedCount === this.plan.policies.length) {
      // Usual case: every policy of the point was evaluated, so every slot counts.
      for (let i = 0; i < slots.length; i++) {
        const value = slots[i];
        if (value === undefined || value === null) {
          if (this.decision.missingFacts === none) this.decision.missingFacts = [];
          this.decision.missingFacts.push(paths[i]!);
        }
      }
      return;
    }
    const missing: string[] = [];
    if (this.gatedCount === 0) return;
    const wanted = new Set<number>();
    for (const policy of this.plan.policies) {
      const gated = policy.index < 30 ? (this.gatedBits & (1 << policy.index)) !== 0 : this.gatedOverflow?.includes(policy) === true;
      if (gated) for (const slot of policy.slots) wanted.add(slot);
    }
    for (const slot of [...wanted].sort((a, b) => a - b)) {
      const value = slots[slot];
      if (value === undefined || value === null) missing.push(paths[slot]!);
    }
    if (missing.length > 0) this.decision.missingFacts = missing;
  }
}
