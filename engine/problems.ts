/**
 * Problems are data: a stable code, a human message and where it happened.
 * Only server/ maps codes to HTTP statuses; the CLI prints them as FILE:LINE:COL CODE MESSAGE.
 */
export type ProblemCode =
  | 'policy_io_error'
  | 'policy_yaml_error'
  | 'policy_yaml_too_complex'
  | 'policy_schema_error'
  | 'policy_unknown_operator'
  | 'policy_duplicate_policy'
  | 'policy_duplicate_rule'
  | 'policy_action_not_allowed'
  | 'policy_unknown_point'
  | 'policy_unknown_fact'
  | 'policy_unknown_feature'
  | 'policy_unknown_condition'
  | 'policy_condition_cycle'
  | 'policy_type_mismatch'
  | 'policy_unknown_setting'
  | 'policy_unknown_cohort'
  | 'policy_version_not_raised'
  | 'policy_stage_order'
  | 'policy_test_error'
  | 'feature_schema_error'
  | 'feature_duplicate'
  | 'feature_unknown_reference'
  | 'feature_cycle'
  | 'feature_yaml_error'
  | 'feature_unknown_field'
  | 'cohort_schema_error'
  | 'eval_unknown_point'
  | 'eval_bad_facts';

export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export interface Problem extends SourceLocation {
  code: ProblemCode;
  message: string;
  /** JSON pointer inside the document, when the problem is about a node. */
  pointer?: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col} ${p.code} ${p.message}`;
}

export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
