import type { DecisionPoint } from '../points/index.js';
import type { SourceLocation } from '../problems.js';

/** The typed form of a validated policy file. Named conditions are already inlined. */
export type Operator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'notIn' | 'contains' | 'notContains' | 'between';

export const operators: readonly Operator[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'contains', 'notContains', 'between'];

export type Scalar = string | number | boolean;

export type Operand =
  | { kind: 'value'; value: Scalar | readonly Scalar[] }
  | { kind: 'fact'; path: string };

export type ConditionNode =
  | { kind: 'all'; items: readonly ConditionNode[] }
  | { kind: 'any'; items: readonly ConditionNode[] }
  | { kind: 'not'; item: ConditionNode }
  | { kind: 'compare'; path: string; operator: Operator; operand: Operand };

export type RuleParams = Readonly<Record<string, string | number | boolean>>;

export interface RuleDefinition {
  id: string;
  description?: string;
  /** True: a condition left undecided by a missing fact counts as matched (fail closed). */
  onMissingFact: boolean;
  when: ConditionNode;
  then: { action: string; reason: string; params?: RuleParams };
  location: SourceLocation;
}

export type RolloutMode = 'off' | 'shadow' | 'enforce';
export type CohortSelector = 'all' | readonly string[];

export interface RolloutStage {
  fromMs: number;
  from: string;
  cohorts: CohortSelector;
  percent: number;
}

export interface RolloutDefinition {
  mode: RolloutMode;
  optIn?: string;
  cohorts: CohortSelector;
  percent: number;
  outside: 'skip' | 'shadow';
  stages: readonly RolloutStage[];
}

export interface PolicyDefinition {
  id: string;
  version: number;
  point: DecisionPoint;
  description?: string;
  owner?: string;
  rollout: RolloutDefinition;
  rules: readonly RuleDefinition[];
  /** File the policy came from (as given to the loader). */
  file: string;
  /** Hash of the file's normalised content; a change with an unchanged version is refused on reload. */
  contentHash: string;
  /** Every fact path the rules read, sorted, for the missing-facts report. */
  factPaths: readonly string[];
}
