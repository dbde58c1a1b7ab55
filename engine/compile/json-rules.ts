import type { ConditionNode, Operator, PolicyDefinition, RuleDefinition } from '../policy/model.js';

/**
 * The interchange format: json-rules-engine rules. Missing facts follow three-valued logic
 * (a comparison on a missing fact is "unknown"; not/all/any propagate it), which plain
 * json-rules-engine cannot express, so each rule's condition is expanded into the two-valued
 * conditions "definitely true" (T) and "definitely false" (F) using one custom operator,
 * `present` (the value is neither undefined nor null). A rule fires on T(when), or on
 * not F(when) when the policy fails closed (onMissingFact: true).
 */
export interface JsonFactCondition {
  fact: string;
  path: string;
  operator: string;
  value: unknown;
}
export type JsonCondition =
  | { all: JsonCondition[] }
  | { any: JsonCondition[] }
  | { not: JsonCondition }
  | JsonFactCondition;

export interface JsonRule {
  name: string;
  priority: number;
  conditions: { all: JsonCondition[] } | { any: JsonCondition[] } | { not: JsonCondition };
  event: { type: 'rule-matched'; params: { policy: string; version: number; rule: string; ruleIndex: number; action: string; reason: string } };
}

export interface CompiledPolicyJson {
  policy: string;
  version: number;
  point: string;
  rollout: PolicyDefinition['rollout'];
  customOperators: { present: string };
  rules: JsonRule[];
}

const builtIn: Record<Exclude<Operator, 'between'>, string> = {
  eq: 'equal',
  ne: 'notEqual',
  gt: 'greaterThan',
  gte: 'greaterThanInclusive',
  lt: 'lessThan',
  lte: 'lessThanInclusive',
  in: 'in',
  notIn: 'notIn',
  contains: 'contains',
  notContains: 'doesNotContain',
};

export function splitFactPath(path: string): { fact: string; path: string } {
  const dot = path.indexOf('.');
  return { fact: path.slice(0, dot), path: `$.${path.slice(dot + 1)}` };
}

function present(path: string): JsonFactCondition {
  return { ...splitFactPath(path), operator: 'present', value: true };
}

function comparisonCore(node: Extract<ConditionNode, { kind: 'compare' }>): JsonCondition {
  const { fact, path } = splitFactPath(node.path);
  const value = node.operand.kind === 'fact' ? splitFactPath(node.operand.path) : node.operand.value;
  if (node.operator === 'between') {
    const [lo, hi] = node.operand.kind === 'value' ? (node.operand.value as readonly number[]) : [];
    return {
      all: [
        { fact, path, operator: 'greaterThanInclusive', value: lo },
        { fact, path, operator: 'lessThanInclusive', value: hi },
      ],
    };
  }
  return { fact, path, operator: builtIn[node.operator], value };
}

function presenceOf(node: Extract<ConditionNode, { kind: 'compare' }>): JsonCondition[] {
  return node.operand.kind === 'fact' ? [present(node.path), present(node.operand.path)] : [present(node.path)];
}

/** Definitely true. */
export function definitelyTrue(node: ConditionNode): JsonCondition {
  switch (node.kind) {
    case 'all':
      return { all: flatten('all', node.items.map(definitelyTrue)) };
    case 'any':
      return { any: flatten('any', node.items.map(definitelyTrue)) };
    case 'not':
      return definitelyFalse(node.item);
    case 'compare':
      return { all: flatten('all', [...presenceOf(node), comparisonCore(node)]) };
  }
}

/** Definitely false. */
export function definitelyFalse(node: ConditionNode): JsonCondition {
  switch (node.kind) {
    case 'all':
      return { any: flatten('any', node.items.map(definitelyFalse)) };
    case 'any':
      return { all: flatten('all', node.items.map(definitelyFalse)) };
    case 'not':
      return definitelyTrue(node.item);
    case 'compare':
      return { all: [...presenceOf(node), { not: comparisonCore(node) }] };
  }
}

/** all-inside-all and any-inside-any say nothing more; flattening keeps `policy compile` readable. */
function flatten(kind: 'all' | 'any', items: JsonCondition[]): JsonCondition[] {
  return items.flatMap((item) => (kind in item ? (item as Record<typeof kind, JsonCondition[]>)[kind] : [item]));
}

export function compileRuleToJson(policy: PolicyDefinition, rule: RuleDefinition, ruleIndex: number): JsonRule {
  const top = rule.onMissingFact ? { not: definitelyFalse(rule.when) } : definitelyTrue(rule.when);
  const conditions = 'not' in top || 'all' in top || 'any' in top ? top : { all: [top] };
  return {
    name: `${policy.id}/${rule.id}`,
    priority: 1,
    conditions: conditions as JsonRule['conditions'],
    event: {
      type: 'rule-matched',
      params: { policy: policy.id, version: policy.version, rule: rule.id, ruleIndex, action: rule.then.action, reason: rule.then.reason },
    },
  };
}

export function compilePolicyToJson(policy: PolicyDefinition): CompiledPolicyJson {
  return {
    policy: policy.id,
    version: policy.version,
    point: policy.point,
    rollout: policy.rollout,
    customOperators: { present: 'true when the fact value is neither undefined nor null' },
    rules: policy.rules.map((rule, i) => compileRuleToJson(policy, rule, i)),
  };
}
