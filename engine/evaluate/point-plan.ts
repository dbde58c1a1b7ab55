import { actionStrength } from '../points/index.js';
import type { PolicyDefinition } from '../policy/model.js';
import type { StaticCohorts } from '../rollout/index.js';
import { FactSlots } from './fact-slots.js';
import { preparePolicy, type PreparedPolicy, type PreparedRule } from './prepared-policy.js';

/** The policies of one decision point, prepared against one shared slot table. */
export interface PointPlan {
  readonly policies: readonly PreparedPolicy[];
  readonly slots: FactSlots;
  /** Reused by the synchronous evaluator: evaluate() never yields, so one buffer per point is safe. */
  readonly buffer: unknown[];
  /** Every rule of the point by PreparedRule.rank: the order a decision lists its reasons in. */
  readonly byRank: readonly PreparedRule[];
}

export function planPoint(definitions: readonly PolicyDefinition[], staticCohorts: StaticCohorts): PointPlan {
  const slots = new FactSlots(definitions.flatMap((d) => d.factPaths));
  const slotOf = (path: string) => slots.slotOf(path);
  const ranks = reasonRanks(definitions);
  const policies = definitions.map((d, i) => preparePolicy(d, i, staticCohorts, slotOf, (ruleIndex) => ranks[i]![ruleIndex]!));
  const byRank: PreparedRule[] = [];
  for (const policy of policies) for (const rule of policy.rules) byRank[rule.rank] = rule;
  return { policies, slots, buffer: new Array<unknown>(slots.size).fill(undefined), byRank };
}

/**
 * Per policy, per rule: its place when the point's rules are listed strongest action first,
 * equal strengths in bundle order (policy order, then rule order). Array.prototype.sort is stable.
 */
function reasonRanks(definitions: readonly PolicyDefinition[]): number[][] {
  const all = definitions.flatMap((d, policy) =>
    d.rules.map((rule, index) => ({ policy, index, strength: actionStrength(d.point, rule.then.action) })),
  );
  const ranks = definitions.map((d) => new Array<number>(d.rules.length));
  all
    .map((entry, bundleOrder) => ({ ...entry, bundleOrder }))
    .sort((a, b) => b.strength - a.strength || a.bundleOrder - b.bundleOrder)
    .forEach((entry, rank) => (ranks[entry.policy]![entry.index] = rank));
  return ranks;
}
