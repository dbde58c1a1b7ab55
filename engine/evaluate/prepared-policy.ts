import { compileCondition, TRUE, FALSE, type Facts } from '../compile/closures.js';
import { factGetter } from '../facts/read-path.js';
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
  readonly matches: (facts: Facts) => boolean;
}

export interface PreparedPolicy {
  readonly definition: PolicyDefinition;
  readonly gate: Gate;
  readonly rules: readonly PreparedRule[];
  readonly factChecks: readonly { path: string; read: (facts: Facts) => unknown }[];
}

export function preparePolicy(definition: PolicyDefinition, staticCohorts: StaticCohorts): PreparedPolicy {
  const rules = definition.rules.map((rule, index): PreparedRule => {
    const condition = compileCondition(rule.when);
    const matches = rule.onMissingFact ? (f: Facts) => condition(f) !== FALSE : (f: Facts) => condition(f) === TRUE;
    return {
      index,
      outcome: Object.freeze({ policy: definition.id, version: definition.version, rule: rule.id, action: rule.then.action, reason: rule.then.reason }),
      strength: actionStrength(definition.point, rule.then.action),
      params: rule.then.params ? Object.freeze({ ...rule.then.params }) : undefined,
      matches,
    };
  });
  return {
    definition,
    gate: compileGate(definition, staticCohorts),
    rules,
    factChecks: definition.factPaths.map((path) => ({ path, read: factGetter(path) })),
  };
}
