import { compileRuleCondition, type Predicate, type SlotOf } from '../compile/closures.js';
import { MaskedRules } from '../compile/literal-masks.js';
import { actionStrength } from '../points/index.js';
import type { ConditionNode, PolicyDefinition, RuleParams } from '../policy/model.js';
import { compileGate, type Gate, type StaticCohorts } from '../rollout/index.js';
import type { RuleOutcome } from './decision.js';

export interface PreparedRule {
  readonly index: number;
  /**
   * The rule's place in the order reasons are listed (strongest first, ties in bundle order),
   * among every rule of its decision point: fixed when the bundle is compiled, so a decision
   * never sorts its reasons (see DecisionBuilder).
   */
  readonly rank: number;
  /** Frozen and shared by every decision that matches the rule: no per-decision allocation. */
  readonly outcome: RuleOutcome;
  readonly strength: number;
  readonly params: RuleParams | undefined;
  readonly matches: Predicate;
}

/**
 * Consecutive rules that start with the same condition (a named condition they all reference)
 * share one test of it: `guard` (when present) must hold before any rule of the group is tried,
 * and each rule then tests only the rest of its `all`. The same three-valued outcomes as
 * `matches`: T(all[C, X]) = T(C) && T(X), and not F(all[C, X]) = not F(C) && not F(X).
 */
export interface RuleGroup {
  readonly guard: Predicate | undefined;
  readonly rules: readonly PreparedRule[];
  /** Per rule of the group: what it tests once the guard held. */
  readonly rests: readonly Predicate[];
}

export interface PreparedPolicy {
  /** Position among the policies of its decision point. */
  readonly index: number;
  readonly definition: PolicyDefinition;
  /** Read by gateResult() in both evaluators. */
  readonly gate: Gate;
  readonly rules: readonly PreparedRule[];
  /** Slots of the fact paths this policy reads, for the missing-facts report. */
  readonly slots: readonly number[];
  /** The rules in order, grouped by a shared leading condition (see RuleGroup). */
  readonly groups: readonly RuleGroup[];
  /**
   * When every rule of the policy fits (see literal-masks.ts): the rules as masks over the bits of
   * the policy's distinct comparisons. The evaluator then tests these instead of `groups`. Per
   * policy rather than per point, so a policy its gate skips costs no comparisons.
   */
  readonly masked: MaskedRules | undefined;
}

/** `rankOf(ruleIndex)`: the rule's PreparedRule.rank. */
export function preparePolicy(definition: PolicyDefinition, index: number, staticCohorts: StaticCohorts, slotOf: SlotOf, rankOf: (ruleIndex: number) => number): PreparedPolicy {
  const rules = definition.rules.map((rule, ruleIndex): PreparedRule => ({
    index: ruleIndex,
    rank: rankOf(ruleIndex),
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
    groups: groupRules(definition, rules, slotOf),
    masked: MaskedRules.of(definition.rules, slotOf),
  };
}


function groupRules(definition: PolicyDefinition, rules: readonly PreparedRule[], slotOf: SlotOf): RuleGroup[] {
  const leadOf = (i: number): ConditionNode | undefined => {
    const when = definition.rules[i]!.when;
    return when.kind === 'all' && when.items.length >= 2 ? when.items[0] : undefined;
  };
  const groups: RuleGroup[] = [];
  let i = 0;
  while (i < rules.length) {
    const lead = leadOf(i);
    const onMissingFact = definition.rules[i]!.onMissingFact;
    let end = i + 1;
    // Named conditions are inlined as one shared node, so "the same condition" is the same object.
    while (lead !== undefined && end < rules.length && leadOf(end) === lead && definition.rules[end]!.onMissingFact === onMissingFact) end++;
    if (end - i < 2 || lead === undefined) {
      groups.push({ guard: undefined, rules: [rules[i]!], rests: [rules[i]!.matches] });
      i += 1;
      continue;
    }
    const members = rules.slice(i, end);
    const rests = members.map((rule) => {
      const when = definition.rules[rule.index]!.when as Extract<ConditionNode, { kind: 'all' }>;
      const rest: ConditionNode = when.items.length === 2 ? when.items[1]! : { kind: 'all', items: when.items.slice(1) };
      return compileRuleCondition(rest, onMissingFact, slotOf);
    });
    groups.push({ guard: compileRuleCondition(lead, onMissingFact, slotOf), rules: members, rests });
    i = end;
  }
  return groups;
}
