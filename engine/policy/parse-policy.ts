import { createHash } from 'node:crypto';
import { actionsOf, isDecisionPoint } from '../points/index.js';
import type { FactCatalogue, FactType } from '../facts/index.js';
import { isSafePathSegment } from '../facts/read-path.js';
import type { LoadedYaml } from '../load/yaml-document.js';
import { escapePointer } from '../load/yaml-document.js';
import type { Problem, ProblemCode } from '../problems.js';
import { schemaErrorsToProblems } from '../schema/ajv-problems.js';
import type { CohortSelector, ConditionNode, Operand, Operator, PolicyDefinition, RolloutDefinition, RolloutStage, RuleDefinition, RuleParams, Scalar } from './model.js';
import { describePolicyOneOf, refinePolicySchemaError, validatePolicyShape } from './schema.js';

/** Raw shapes as the schema guarantees them. */
interface RawCondition { [key: string]: unknown }
interface RawRule { id: string; description?: string; onMissingFact?: boolean; when: RawCondition; then: { action: string; reason: string; params?: RuleParams } }
interface RawStage { from: string; cohorts?: CohortSelector; percent?: number }
interface RawPolicy {
  id: string; version: number; point: string; description?: string; owner?: string; onMissingFact?: boolean;
  rollout: { mode: RolloutDefinition['mode']; optIn?: string; cohorts?: CohortSelector; percent?: number; outside?: 'skip' | 'shadow'; stages?: RawStage[] };
  conditions?: Record<string, RawCondition>;
  rules: RawRule[];
}

export type ParsePolicyResult = { ok: true; policy: PolicyDefinition } | { ok: false; problems: Problem[] };

/** Schema check, then everything a schema cannot say: facts, types, actions, names, cycles. */
export function parsePolicy(doc: LoadedYaml, catalogue: FactCatalogue): ParsePolicyResult {
  const schemaErrors = validatePolicyShape(doc.value);
  if (schemaErrors.length > 0) {
    return {
      ok: false,
      problems: schemaErrorsToProblems(doc, schemaErrors, {
        code: 'policy_schema_error',
        refine: refinePolicySchemaError,
        describeOneOf: describePolicyOneOf,
      }),
    };
  }
  const raw = doc.value as RawPolicy;
  const problems: Problem[] = [];
  const report = (code: ProblemCode, pointer: string, message: string, atKey = false) => {
    problems.push({ ...(atKey ? doc.locateKey(pointer) : doc.locate(pointer)), code, message, pointer });
  };

  if (!isDecisionPoint(raw.point)) {
    report('policy_unknown_point', '/point', `unknown decision point "${raw.point}"`);
    return { ok: false, problems };
  }
  const point = raw.point;
  const allowed = actionsOf(point);
  const factPaths = new Set<string>();

  const checkFact = (path: string, pointer: string, atKey: boolean): FactType | undefined => {
    const root = path.split('.', 1)[0] ?? '';
    const unsafe = path.split('.').find((segment) => !isSafePathSegment(segment));
    if (unsafe !== undefined) {
      report('policy_unknown_fact', pointer, `"${unsafe}" cannot be used in a fact path (${path})`, atKey);
      return undefined;
    }
    if (!catalogue.isKnownRoot(root)) {
      report('policy_unknown_fact', pointer, `unknown fact root "${root}" in ${path}; known roots: account, merchant, order, refund, complaint, evidence, context`, atKey);
      return undefined;
    }
    const type = catalogue.lookup(path);
    if (type === undefined) {
      const code: ProblemCode = root === 'account' ? 'policy_unknown_feature' : 'policy_unknown_fact';
      const hint = suggest(path, catalogue.paths());
      report(code, pointer, `unknown ${root === 'account' ? 'account feature' : 'fact'} "${path}"${hint ? `; did you mean ${hint}?` : ''}`, atKey);
      return undefined;
    }
    factPaths.add(path);
    return type;
  };

  // Named conditions: resolve references, inline them, detect cycles.
  const named = raw.conditions ?? {};
  const resolving: string[] = [];
  const resolved = new Map<string, ConditionNode | null>();
  const resolveNamed = (name: string, pointer: string): ConditionNode | null => {
    if (resolved.has(name)) return resolved.get(name) ?? null;
    if (resolving.includes(name)) {
      report('policy_condition_cycle', pointer, `named condition cycle: ${[...resolving.slice(resolving.indexOf(name)), name].join(' -> ')}`);
      return null;
    }
    const body = named[name];
    if (body === undefined) {
      report('policy_unknown_condition', pointer, `unknown named condition "${name}"${Object.keys(named).length ? `; declared: ${Object.keys(named).join(', ')}` : ''}`);
      return null;
    }
    resolving.push(name);
    const node = build(body, `/conditions/${escapePointer(name)}`);
    resolving.pop();
    resolved.set(name, node);
    return node;
  };

  const build = (cond: RawCondition, pointer: string): ConditionNode | null => {
    const [key, value] = Object.entries(cond)[0] as [string, unknown];
    const here = `${pointer}/${escapePointer(key)}`;
    if (key === 'all' || key === 'any') {
      const items = (value as RawCondition[]).map((c, i) => build(c, `${here}/${i}`));
      return items.every((n): n is ConditionNode => n !== null) ? { kind: key, items } : null;
    }
    if (key === 'not') {
      const item = build(value as RawCondition, here);
      return item ? { kind: 'not', item } : null;
    }
    if (key === 'condition') return resolveNamed(value as string, here);
    return buildComparison(key, value as Record<string, unknown>, here);
  };

  const buildComparison = (path: string, comparison: Record<string, unknown>, pointer: string): ConditionNode | null => {
    const [operator, rawOperand] = Object.entries(comparison)[0] as [Operator, unknown];
    const factType = checkFact(path, pointer, true);
    const opPointer = `${pointer}/${operator}`;
    let operand: Operand;
    let operandType: FactType | undefined;
    if (isFactRef(rawOperand)) {
      operandType = checkFact(rawOperand.fact, opPointer, false);
      operand = { kind: 'fact', path: rawOperand.fact };
    } else {
      operand = { kind: 'value', value: rawOperand as Scalar | Scalar[] };
      operandType = literalType(rawOperand);
    }
    if (factType !== undefined && operandType !== undefined) {
      const mismatch = typeProblem(operator, factType, operandType, rawOperand);
      if (mismatch) report('policy_type_mismatch', opPointer, `${path} ${operator}: ${mismatch}`);
    }
    if (operator === 'between') {
      const [lo, hi] = rawOperand as [number, number];
      if (lo > hi) report('policy_type_mismatch', opPointer, `${path} between: lower bound ${lo} is above upper bound ${hi}`);
    }
    return { kind: 'compare', path, operator, operand };
  };

  for (const name of Object.keys(named)) resolveNamed(name, `/conditions/${escapePointer(name)}`);

  const rules: RuleDefinition[] = [];
  const ruleIds = new Map<string, number>();
  raw.rules.forEach((rule, i) => {
    const base = `/rules/${i}`;
    const first = ruleIds.get(rule.id);
    if (first !== undefined) {
      report('policy_duplicate_rule', `${base}/id`, `duplicate rule id "${rule.id}" (first used by rules[${first}])`);
    } else ruleIds.set(rule.id, i);
    if (!allowed.includes(rule.then.action)) {
      report('policy_action_not_allowed', `${base}/then/action`, `action "${rule.then.action}" is not allowed at ${point}; allowed: ${allowed.join(', ')}`);
    }
    const when = build(rule.when, `${base}/when`);
    if (when) {
      rules.push({
        id: rule.id,
        ...(rule.description !== undefined ? { description: rule.description } : {}),
        onMissingFact: rule.onMissingFact ?? raw.onMissingFact ?? false,
        when,
        then: { action: rule.then.action, reason: rule.then.reason, ...(rule.then.params ? { params: rule.then.params } : {}) },
        location: doc.locate(base),
      });
    }
  });

  const rollout = buildRollout(raw.rollout, report);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    policy: {
      id: raw.id,
      version: raw.version,
      point,
      ...(raw.description !== undefined ? { description: raw.description } : {}),
      ...(raw.owner !== undefined ? { owner: raw.owner } : {}),
      rollout,
      rules,
      file: doc.file,
      contentHash: contentHashOf(raw),
      factPaths: [...factPaths].sort(),
    },
  };
}

function buildRollout(raw: RawPolicy['rollout'], report: (code: ProblemCode, pointer: string, message: string) => void): RolloutDefinition {
  const cohorts = raw.cohorts ?? 'all';
  const percent = raw.percent ?? 100;
  const stages: RolloutStage[] = (raw.stages ?? []).map((s) => ({
    from: s.from,
    fromMs: Date.parse(s.from.length === 10 ? `${s.from}T00:00:00Z` : s.from),
    cohorts: s.cohorts ?? cohorts,
    percent: s.percent ?? percent,
  }));
  stages.forEach((stage, i) => {
    const previous = stages[i - 1];
    if (previous && stage.fromMs <= previous.fromMs) {
      report('policy_stage_order', `/rollout/stages/${i}/from`, `stage ${i} starts ${stage.from}, not after stage ${i - 1} (${previous.from}); list stages in time order`);
    }
  });
  return {
    mode: raw.mode,
    ...(raw.optIn !== undefined ? { optIn: raw.optIn } : {}),
    cohorts,
    percent,
    outside: raw.outside ?? 'skip',
    stages,
  };
}

function isFactRef(value: unknown): value is { fact: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { fact?: unknown }).fact === 'string';
}

function literalType(value: unknown): FactType | undefined {
  if (Array.isArray(value)) return undefined;
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return undefined;
}

const numericOperators = new Set<Operator>(['gt', 'gte', 'lt', 'lte', 'between']);

function typeProblem(operator: Operator, factType: FactType, operandType: FactType, operand: unknown): string | undefined {
  if (factType === 'any' || operandType === 'any') return undefined;
  if (numericOperators.has(operator)) {
    if (factType !== 'number') return `compares a ${factType} fact with a numeric operator`;
    if (operandType !== 'number') return `compares a number with a ${operandType}`;
    return undefined;
  }
  if (operator === 'contains' || operator === 'notContains') {
    if (factType !== 'string[]') return `needs a list fact, but the fact is a ${factType}`;
    if (operandType !== 'string') return `looks for a ${operandType} in a list of strings`;
    return undefined;
  }
  if (operator === 'in' || operator === 'notIn') {
    const items = operand as unknown[];
    const bad = items.find((item) => literalType(item) !== factType);
    return bad === undefined ? undefined : `list item ${JSON.stringify(bad)} is not a ${factType}`;
  }
  if (factType !== operandType) return `compares a ${factType} fact with a ${operandType}`;
  return undefined;
}

function suggest(path: string, known: readonly string[]): string | undefined {
  const root = path.split('.', 1)[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate.split('.', 1)[0] !== root) continue;
    const d = editDistance(path.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(path.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Content identity ignores formatting and comments: the parsed value, keys sorted. */
function contentHashOf(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex').slice(0, 16);
}

export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
