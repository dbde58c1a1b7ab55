export { rolloutBucket, percentToBuckets, bucketCount } from './bucket.js';
export { compileGate, compileGateSpec, gateResult, SKIP, SHADOW, ENFORCE, type Gate, type GateResult, type GateSpec, type MerchantView, type StaticCohorts } from './gate.js';
