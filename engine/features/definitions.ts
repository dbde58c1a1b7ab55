/**
 * Normalised feature definitions (what policies/features.yaml means after loading).
 * Filter values are kept as canonical strings: events are compared on String(value), the same
 * form the Redis store persists, so both stores agree on equality by construction.
 */
import type { EventType } from '../events/index.js';

export interface WhereClause {
  /** Dotted event field path, e.g. "refund.type". */
  path: string;
  /** Accepted values (equality is a one-element list), canonical strings. */
  values: readonly string[];
}

interface Windowed {
  name: string;
  description?: string;
  events: readonly EventType[];
  windowDays: number;
  where: readonly WhereClause[];
}

export interface CountDefinition extends Windowed { kind: 'count' }
/** Total of a numeric field over matching events. */
export interface SumDefinition extends Windowed { kind: 'sum'; field: string }
/** Number of distinct values of a field over matching events. */
export interface DistinctDefinition extends Windowed { kind: 'distinct'; field: string }
/** Numeric field of the most recent matching event in the window; 0 when none. */
export interface LatestDefinition extends Windowed { kind: 'latest'; field: string }
/** Distinct values of a field of this account's events that another account also used (at any time up to asOf). */
export interface SharedDefinition extends Windowed { kind: 'shared'; field: string }
/** numerator / denominator; 0 when the denominator is 0. */
export interface RatioDefinition { kind: 'ratio'; name: string; description?: string; numerator: string; denominator: string }
/** Whole days since the account's first event (any type); 0 when none as of asOf. */
export interface AgeDefinition { kind: 'age'; name: string; description?: string }
/**
 * Other accounts linked through a shared `via` value (linked as of asOf) that were flagged — had an event
 * matching one of the `flaggedBy` count features — within the window.
 */
export interface LinkedDefinition {
  kind: 'linked';
  name: string;
  description?: string;
  events: readonly EventType[];
  via: readonly string[];
  flaggedBy: readonly string[];
  windowDays: number;
  maxAccountsPerValue: number;
}

export type FeatureDefinition =
  | CountDefinition
  | SumDefinition
  | DistinctDefinition
  | LatestDefinition
  | SharedDefinition
  | RatioDefinition
  | AgeDefinition
  | LinkedDefinition;

export type FeatureKind = FeatureDefinition['kind'];

/** Definitions in file order. */
export interface FeatureDefinitions {
  readonly features: readonly FeatureDefinition[];
}

export function featureNames(definitions: FeatureDefinitions): string[] {
  return definitions.features.map((f) => f.name);
}

export const DEFAULT_MAX_ACCOUNTS_PER_VALUE = 100;
