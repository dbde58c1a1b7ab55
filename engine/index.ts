/**
 * The engine's public surface: load → validate → compile → evaluate.
 * Pure: no HTTP, no Redis. The server, the CLI and the simulator all go through here.
 */
export { loadBundle, PreparedBundle, readPolicyDirectory, classifySource, borrowedNotes, completeWithShippedDefinitions, shippedDefinitions, shippedPolicyDirectory, type BundleLoadResult, type BundleLoadOptions, type SourceFile, type CohortTable, type CompletedSources } from './bundle/index.js';
export type { Decision, RuleOutcome } from './evaluate/decision.js';
export type { Facts } from './compile/closures.js';
export { compilePolicyToJson, type CompiledPolicyJson, type JsonRule } from './compile/json-rules.js';
export { decisionPoints, decisionPointNames, isDecisionPoint, actionsOf, actionStrength, defaultAction, type DecisionPoint } from './points/index.js';
export type { PolicyDefinition, RuleDefinition, RolloutDefinition, ConditionNode } from './policy/model.js';
export { rolloutBucket, bucketCount, percentToBuckets } from './rollout/index.js';
export { formatProblem, sortProblems, type Problem, type ProblemCode, type SourceLocation } from './problems.js';
export { loadYaml, type LoadedYaml } from './load/yaml-document.js';
export { parsePolicyTestFile, runPolicyTestCase, type PolicyTestCase, type PolicyTestResult } from './testing/index.js';
export * from './service/index.js';
export * from './state/index.js';
export { MemoryFeatureStore, featureNames, loadFeatureDefinitions, type FeatureStore, type FeatureDefinitions } from './features/index.js';
export { validateEvent, validateEventBatch, atMs, type RefundGuardEvent, type EventType } from './events/index.js';
export { diffBundles, type BundleDiff, type Change, type PolicyDiff, type RuleDiff, type ValueChange, type NameChanges } from './bundle/index.js';
export { conditionToDsl, valueToDsl } from './policy/condition-dsl.js';
