import type { Facts } from '../compile/closures.js';
import { actionStrength, defaultAction, type DecisionPoint } from '../points/index.js';
import { ENFORCE, type GateResult } from '../rollout/index.js';
import type { Decision } from './decision.js';
import type { PreparedPolicy, PreparedRule } from './prepared-policy.js';

/**
 * Turns "which rules matched under which gate" into a Decision. Both evaluators feed it, so
 * they can only differ in matching, which the differential tests check.
 */
export class DecisionBuilder {
  private winner: PreparedRule | undefined;
  private readonly decision: Decision;

  constructor(point: DecisionPoint) {
    this.decision = { point, action: defaultAction(point), reasons: [], shadow: [], missingFacts: [] };
  }

  matched(rule: PreparedRule, gate: GateResult): void {
    if (gate === ENFORCE) {
      this.decision.reasons.push(rule.outcome);
      if (this.winner === undefined || rule.strength > this.winner.strength) this.winner = rule;
    } else {
      this.decision.shadow.push(rule.outcome);
    }
  }

  evaluated(policy: PreparedPolicy, facts: Facts): void {
    const missing = this.decision.missingFacts;
    for (const check of policy.factChecks) {
      const value = check.read(facts);
      if ((value === undefined || value === null) && !missing.includes(check.path)) missing.push(check.path);
    }
  }

  finish(): Decision {
    const d = this.decision;
    const winner = this.winner;
    if (winner !== undefined) {
      d.action = winner.outcome.action;
      if (winner.params !== undefined) d.params = winner.params;
      if (d.reasons.length > 1) {
        // Array.prototype.sort is stable, so equal actions keep bundle order.
        d.reasons.sort((a, b) => actionStrength(d.point, b.action) - actionStrength(d.point, a.action));
      }
    }
    return d;
  }
}
