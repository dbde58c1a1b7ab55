import murmurhash from 'murmurhash';

export const bucketCount = 10_000;

/**
 * A merchant's bucket for one policy: MurmurHash3 (x86, 32-bit, seed 0) of "policyId:merchantId"
 * modulo 10,000. A policy at p% covers buckets [0, p×100), so raising p only adds merchants,
 * and each policy's buckets are independent of every other's.
 * Ids are ASCII (validated), where the package's char-code hashing equals hashing the UTF-8 bytes.
 */
export function rolloutBucket(policyId: string, merchantId: string): number {
  return murmurhash.v3(`${policyId}:${merchantId}`, 0) % bucketCount;
}

export function percentToBuckets(percent: number): number {
  return Math.round(percent * 100);
}
