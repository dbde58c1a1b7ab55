export type { FeatureStore } from './store.js';
export {
  featureNames,
  DEFAULT_MAX_ACCOUNTS_PER_VALUE,
  type FeatureDefinitions,
  type FeatureDefinition,
  type FeatureKind,
  type WhereClause,
  type CountDefinition,
  type SumDefinition,
  type DistinctDefinition,
  type LatestDefinition,
  type SharedDefinition,
  type RatioDefinition,
  type AgeDefinition,
  type LinkedDefinition,
} from './definitions.js';
export { loadFeatureDefinitions, featuresSchema, type FeatureLoadResult } from './load.js';
export { compileFeatures, emptyResult, RETENTION_MARGIN_MS, type CompiledFeatures, type CompiledLinked, type CompiledShared } from './compile.js';
export { computeFeatures } from './compute.js';
export { emptyAccountLog, finishAccountLog, insertEntry, insertLogEntry, insertFlag, type AccountLog, type Entry, type FlagEntry } from './account-log.js';
export { parseEventTime } from './time.js';
export { extractEntry, entryOf, fieldsOf, NO_FIELDS, FieldEntry, encodeEntryValue, decodeEntryValue } from './entry.js';
export { MemoryFeatureStore } from './memory-store.js';
export { idCode, type IdOrCode } from './id-code.js';
export { fnv1a } from './fnv1a.js';
