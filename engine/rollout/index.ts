export { rolloutBucket, percentToBuckets, bucketCount } from './bucket.js';
export { compileGate, gateResult, SKIP, SHADOW, ENFORCE, type Gate, type GateResult, type MerchantView, type StaticCohorts } from './gate.js';
