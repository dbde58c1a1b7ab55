import type { DecisionPoint } from '../points/index.js';
import { conditionToDsl, valueToDsl } from '../policy/condition-dsl.js';
import type { PolicyDefinition, RolloutDefinition, RuleDefinition } from '../policy/model.js';
import { stableStringify } from '../policy/parse-policy.js';
import type { BundleParts } from './prepared-bundle.js';

/**
 * What an edit changed between two bundles, in the terms an analyst wrote it: the answer to
 * "which change produced these flips". Values are text in the policy DSL (conditions as the
 * YAML shorthand, lists as `[a, b]`); null means "absent on that side".
 */
export interface BundleDiff {
  baseline: { revision: string; policies: number };
  candidate: { revision: string; policies: number };
  /** Policies added, removed or changed, by id. */
  policies: PolicyDiff[];
  /** Ids of policies identical on both sides. */
  unchanged: string[];
  /** Account feature definitions (features.yaml) and static cohorts (cohorts.yaml), by name. */
  features: NameChanges;
  cohorts: NameChanges;
}

export type Change = 'added' | 'removed' | 'changed';

export interface ValueChange {
  /** `point`, `rollout.mode`, `rollout.cohorts`, `rollout.stages`, `rollout.percent`, `rollout.optIn`, `rollout.outside`; for rules `condition`, `action`, `params`, `reason`, `onMissingFact`. */
  field: string;
  baseline: string | null;
  candidate: string | null;
}

export interface PolicyDiff {
  id: string;
  change: Change;
  /** The candidate's point, or the baseline's for a removed policy. */
  point: DecisionPoint;
  version: { baseline: number | null; candidate: number | null };
  /** Policy-level fields that differ (for an added or removed policy: its rollout as it is on the side that has it). */
  changes: ValueChange[];
  rules: RuleDiff[];
}

export interface RuleDiff {
  id: string;
  change: Change;
  /** Fields that differ; an added or removed rule lists its condition, action and params. */
  changes: ValueChange[];
}

export interface NameChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

type BundleSide = Pick<BundleParts, 'revision' | 'policies' | 'features' | 'cohorts'>;

export function diffBundles(baseline: BundleSide, candidate: BundleSide): BundleDiff {
  const before = new Map(baseline.policies.map((p) => [p.id, p]));
  const after = new Map(candidate.policies.map((p) => [p.id, p]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  const policies: PolicyDiff[] = [];
  const unchanged: string[] = [];
  for (const id of ids) {
    const diff = diffPolicy(before.get(id), after.get(id));
    if (diff === undefined) unchanged.push(id);
    else policies.push(diff);
  }
  return {
    baseline: { revision: baseline.revision, policies: baseline.policies.length },
    candidate: { revision: candidate.revision, policies: candidate.policies.length },
    policies,
    unchanged,
    features: nameChanges(
      new Map(baseline.features.features.map((f) => [f.name, stableStringify(f)])),
      new Map(candidate.features.features.map((f) => [f.name, stableStringify(f)])),
    ),
    cohorts: nameChanges(
      new Map([...baseline.cohorts.cohorts].map(([name, c]) => [name, stableStringify([...c.merchants].sort())])),
      new Map([...candidate.cohorts.cohorts].map(([name, c]) => [name, stableStringify([...c.merchants].sort())])),
    ),
  };
}

/** Undefined when the policy is the same on both sides. */
function diffPolicy(before: PolicyDefinition | undefined, after: PolicyDefinition | undefined): PolicyDiff | undefined {
  const only = after ?? before;
  if (only === undefined) return undefined;
  if (before === undefined || after === undefined) {
    const change: Change = after ? 'added' : 'removed';
    return {
      id: only.id,
      change,
      point: only.point,
      version: { baseline: before?.version ?? null, candidate: after?.version ?? null },
      changes: compareFields(before ? rolloutFields(before.rollout) : {}, after ? rolloutFields(after.rollout) : {}),
      rules: only.rules.map((rule) => ({ id: rule.id, change, changes: compareFields(before ? ruleFields(rule) : {}, after ? ruleFields(rule) : {}) })),
    };
  }
  const changes = compareFields({ point: before.point, ...rolloutFields(before.rollout) }, { point: after.point, ...rolloutFields(after.rollout) });
  const rules = diffRules(before.rules, after.rules);
  if (before.version === after.version && before.contentHash === after.contentHash && changes.length === 0 && rules.length === 0) return undefined;
  return { id: after.id, change: 'changed', point: after.point, version: { baseline: before.version, candidate: after.version }, changes, rules };
}

/** Candidate rules in their order, then the baseline's removed rules in theirs. */
function diffRules(before: readonly RuleDefinition[], after: readonly RuleDefinition[]): RuleDiff[] {
  const old = new Map(before.map((r) => [r.id, r]));
  const kept = new Set(after.map((r) => r.id));
  const out: RuleDiff[] = [];
  for (const rule of after) {
    const previous = old.get(rule.id);
    if (previous === undefined) {
      out.push({ id: rule.id, change: 'added', changes: compareFields({}, ruleFields(rule)) });
      continue;
    }
    const changes = compareFields(ruleFields(previous, true), ruleFields(rule, true));
    if (changes.length > 0) out.push({ id: rule.id, change: 'changed', changes });
  }
  for (const rule of before) if (!kept.has(rule.id)) out.push({ id: rule.id, change: 'removed', changes: compareFields(ruleFields(rule), {}) });
  return out;
}

type Fields = Record<string, string | null>;

/**
 * What decides a rule's effect. An added or removed rule shows its condition, action and params
 * (`full` false); a changed one compares the reason and the missing-fact stance too.
 */
function ruleFields(rule: RuleDefinition, full = false): Fields {
  const fields: Fields = {
    condition: conditionToDsl(rule.when),
    action: rule.then.action,
    params: rule.then.params ? valueToDsl(rule.then.params) : null,
  };
  if (full) {
    fields['reason'] = rule.then.reason;
    fields['onMissingFact'] = rule.onMissingFact ? 'match' : 'no match';
  }
  return fields;
}

function rolloutFields(r: RolloutDefinition): Fields {
  return {
    'rollout.mode': r.mode,
    'rollout.cohorts': r.cohorts === 'all' ? 'all' : valueToDsl(r.cohorts),
    'rollout.stages':
      r.stages.length === 0
        ? null
        : r.stages.map((s) => `- { from: ${valueToDsl(s.from)}, cohorts: ${s.cohorts === 'all' ? 'all' : valueToDsl(s.cohorts)}, percent: ${s.percent} }`).join('\n'),
    'rollout.percent': String(r.percent),
    'rollout.optIn': r.optIn ?? null,
    'rollout.outside': r.outside,
  };
}

/** The fields whose values differ, in the order of `after`'s (or `before`'s) keys; absent on both sides is no change. */
function compareFields(before: Fields, after: Fields): ValueChange[] {
  const fields = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  const out: ValueChange[] = [];
  for (const field of fields) {
    const b = before[field] ?? null;
    const a = after[field] ?? null;
    if (a !== b) out.push({ field, baseline: b, candidate: a });
  }
  return out;
}

function nameChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): NameChanges {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  return {
    added: names.filter((n) => !before.has(n)),
    removed: names.filter((n) => !after.has(n)),
    changed: names.filter((n) => before.has(n) && after.has(n) && before.get(n) !== after.get(n)),
  };
}
