import type { RefundGuardEvent } from '../events/index.js';

/**
 * Where account features live. Implementations: MemoryFeatureStore (simulator, tests, no-Redis
 * server) and RedisFeatureStore (server/stores). Both pass test/feature-store-contract.test.ts.
 */
export interface FeatureStore {
  /**
   * Applies already-validated events; idempotent by eventId per account (a re-sent event or batch
   * never counts twice); out-of-order OK. `merchant.updated` carries no account and counts as applied.
   */
  apply(events: readonly RefundGuardEvent[]): Promise<{ applied: number; duplicates: number }>;
  /** Every defined feature of the account as of asOf (epoch ms). Redis: ONE round trip. */
  read(accountId: string, asOf: number): Promise<Record<string, number>>;
  close(): Promise<void>;
}
