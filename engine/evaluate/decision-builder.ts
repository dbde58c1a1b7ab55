import type { Slots } from '../compile/closures.js';
import { defaultAction, type DecisionPoint } from '../points/index.js';
import { ENFORCE, type GateResult } from '../rollout/index.js';
import type { Decision } from './decision.js';
import type { PointPlan } from './point-plan.js';
import type { PreparedPolicy, PreparedRule } from './prepared-policy.js';

/**
 * Turns "which rules matched under which gate" into a Decision. Both evaluators feed it, so
 * they can only differ in matching, which the differential tests check. It sits on the hot
 * path: no allocation beyond the decision and its arrays.
 */
/** Shared by every decision with nothing to list; frozen, so a caller that tries to mutate it fails loudly. */
const none: never[] = Object.freeze([]) as unknown as never[];

export class DecisionBuilder {
  private decision!: Decision;
  /** Strengths of decision.reasons, kept in the same (strongest-first) order. */
  private strengths: number[] | undefined;
  private winner: PreparedRule | undefined;
  /** Policies that passed their gate, as a bit set over the point's policy indexes. */
  private gatedBits = 0;
  private gatedOverflow: PreparedPolicy[] | undefined;
  private gatedCount = 0;

  /**
   * `reuseDecision`: every decision is the same object, filled again, for callers that read each
   * decision before asking for the next (a replay tallying a report); otherwise each is a new object.
   */
  constructor(private readonly point: DecisionPoint, private readonly plan: PointPlan, private readonly reuseDecision = false) {
    this.decision = this.freshDecision();
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
    this.strengths = undefined;
    this.winner = undefined;
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
    if (this.winner === undefined) {
      this.winner = rule;
      this.decision.reasons = [rule.outcome];
      return;
    }
    const reasons = this.decision.reasons;
    // Strongest first; equal strength keeps bundle order (insert after the last equal one).
    const strengths = (this.strengths ??= [this.winner.strength]);
    let at = reasons.length;
    while (at > 0 && strengths[at - 1]! < rule.strength) at--;
    reasons.splice(at, 0, rule.outcome);
    strengths.splice(at, 0, rule.strength);
    if (rule.strength > this.winner.strength) this.winner = rule;
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
    if (this.winner !== undefined) {
      d.action = this.winner.outcome.action;
      d.params = this.winner.params;
    }
    return d;
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
