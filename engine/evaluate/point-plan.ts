import type { PolicyDefinition } from '../policy/model.js';
import type { StaticCohorts } from '../rollout/index.js';
import { FactSlots } from './fact-slots.js';
import { preparePolicy, type PreparedPolicy } from './prepared-policy.js';

/** The policies of one decision point, prepared against one shared slot table. */
export interface PointPlan {
  readonly policies: readonly PreparedPolicy[];
  readonly slots: FactSlots;
  /** Reused by the synchronous evaluator: evaluate() never yields, so one buffer per point is safe. */
  readonly buffer: unknown[];
}

export function planPoint(definitions: readonly PolicyDefinition[], staticCohorts: StaticCohorts): PointPlan {
  const slots = new FactSlots(definitions.flatMap((d) => d.factPaths));
  const slotOf = (path: string) => slots.slotOf(path);
  return {
    policies: definitions.map((d, i) => preparePolicy(d, i, staticCohorts, slotOf)),
    slots,
    buffer: new Array<unknown>(slots.size).fill(undefined),
  };
}
