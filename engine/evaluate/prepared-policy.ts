import { compileRuleCondition, type Predicate, type SlotOf } from '../compile/closures.js';
import { actionStrength } from '../points/index.js';
import type { PolicyDefinition, RuleParams } from '../policy/model.js';
import { compileGate, type Gate, type StaticCohorts } from '../rollout/index.js';
import type { RuleOutcome } from './decision.js';

export interface PreparedRule {
  readonly index: number;
  /** Frozen and shared by every decision that matches the rule: no per-decision allocation. */
  readonly outcome: RuleOutcome;
  readonly strength: number;
  readonly params: RuleParams | undefined;
  readonly matches: Predicate;
}

export interface PreparedPolicy {
  /** Position among the policies of its decision point. */
  readonly index: number;
  readonly definition: PolicyDefinition;
  readonly gate: Gate;
  readonly rules: readonly PreparedRule[];
  /** Slots of the fact paths this policy reads, for the missing-facts report. */
  readonly slots: readonly number[];
}

export function preparePolicy(definition: PolicyDefinition, index: number, staticCohorts: StaticCohorts, slotOf: SlotOf): PreparedPolicy {
  const rules = definition.rules.map((rule, ruleIndex): PreparedRule => ({
    index: ruleIndex,
    outcome: Object.freeze({ policy: definition.id, version: definition.version, rule: rule.id, action: rule.then.action, reason: rule.then.reason }),
    strength: actionStrength(definition.point, rule.then.action),
    params: rule.then.params ? Object.freeze({ ...rule.then.params }) : undefined,
    matches: compileRuleCondition(rule.when, rule.onMissingFact, slotOf),
  }));
  return {
    index,
    definition,
    gate: compileGate(definition, staticCohorts),
    rules,
    slots: definition.factPaths.map(slotOf),
  };
}
