export { loadBundle, type BundleLoadResult, type BundleLoadOptions } from './load-bundle.js';
export { PreparedBundle } from './prepared-bundle.js';
export { readPolicyDirectory, classifySource, type SourceFile, type SourceKind } from './sources.js';
export { borrowedNotes, completeWithShippedDefinitions, shippedDefinitions, shippedPolicyDirectory, type CompletedSources } from './shipped-definitions.js';
export type { CohortTable } from './cohorts.js';
export { diffBundles, type BundleDiff, type PolicyDiff, type RuleDiff, type ValueChange, type NameChanges, type Change } from './diff.js';
