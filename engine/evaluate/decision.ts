import type { DecisionPoint } from '../points/index.js';
import type { RuleParams } from '../policy/model.js';

/** One matched rule, as shown to callers and analysts. */
export interface RuleOutcome {
  readonly policy: string;
  readonly version: number;
  readonly rule: string;
  readonly action: string;
  readonly reason: string;
}

export interface Decision {
  point: DecisionPoint;
  /** The strongest enforced action, or the point's weakest action when nothing enforced matched. */
  action: string;
  /** The `then.params` of the winning rule. */
  params?: RuleParams | undefined;
  /**
   * Enforced matches, strongest first; ties keep bundle order (file name, then rule order).
   * Frozen and shared by decisions with the same matches (see DecisionBuilder).
   */
  reasons: readonly RuleOutcome[];
  /** Matches of policies in shadow (never change `action`). */
  shadow: RuleOutcome[];
  /** Fact paths read by the evaluated policies that were absent (undefined or null). */
  missingFacts: string[];
}
