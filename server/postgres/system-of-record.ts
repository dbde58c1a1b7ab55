import type { AccountStateStore, MerchantStore } from '../../engine/index.js';
import type { FeatureStore } from '../../engine/features/index.js';
import type { WorkflowStore } from '../../engine/workflows/index.js';
import type { DecisionLog } from '../decision-log/index.js';
import type { AccountReader, AccountSnapshot } from '../../engine/index.js';
import { CacheRebuilder, type CacheSentinel, type RebuildResult } from './cache-rebuild.js';
import { CacheRepair } from './cache-repair.js';
import { DurableAccountStateStore } from './durable-account-state.js';
import { DurableDecisionLog } from './durable-decision-log.js';
import { DurableFeatureStore } from './durable-feature-store.js';
import { DurableMerchantStore } from './durable-merchant-store.js';
import { PgEventLog } from './event-log.js';
import { migrate } from './migrate.js';
import { createPool, type PgPool } from './pool.js';
import { PgWorkflowStore } from './pg-workflow-store.js';

/** The cache-side stores the runtime built (Redis, or memory); PostgreSQL goes in front of them. */
export interface CacheStores {
  features: FeatureStore;
  state: AccountStateStore;
  merchants: MerchantStore;
  decisionLog: DecisionLog;
}

export interface SystemOfRecord extends CacheStores {
  pool: PgPool;
  log: PgEventLog;
  workflows: WorkflowStore;
  repair: CacheRepair;
  rebuilder: CacheRebuilder;
  /** A reader that fails (the decision answers degraded) while the cache is being rebuilt. */
  guardReader(reader: AccountReader): AccountReader;
  close(): Promise<void>;
}

export interface CacheOptions {
  sentinel: CacheSentinel;
  /** The longest feature window, in days. */
  windowDays: number;
  now(): number;
}

export interface SystemOfRecordHooks {
  onCacheError?(err: unknown): void;
  onPostgresError?(err: unknown, operation: string): void;
  onRepaired?(count: number): void;
  onDecisionsDropped?(n: number): void;
  onRebuildStart?(): void;
  onRebuildDone?(result: RebuildResult): void;
}

/**
 * Opens PostgreSQL (migrating it under the advisory lock) and puts it in front of the cache stores:
 * each write is committed there before it reaches the cache. Case files (reports, complaints)
 * live in PostgreSQL only: no decision reads them.
 */
export async function openSystemOfRecord(url: string, cache: CacheStores, cacheOptions: CacheOptions, hooks: SystemOfRecordHooks = {}, poolSize = 8): Promise<SystemOfRecord> {
  const pool = createPool(url, { max: poolSize });
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  const log = new PgEventLog(pool);
  const decisionLog = new DurableDecisionLog(pool, cache.decisionLog, {
    onError: (err) => hooks.onPostgresError?.(err, 'decisions'),
    ...(hooks.onDecisionsDropped ? { onDropped: hooks.onDecisionsDropped } : {}),
  });
  const rebuilder = new CacheRebuilder(pool, log, cache, cacheOptions.sentinel, {
    windowDays: cacheOptions.windowDays,
    now: cacheOptions.now,
    onError: (err) => hooks.onCacheError?.(err),
    ...(hooks.onRebuildStart ? { onStart: hooks.onRebuildStart } : {}),
    ...(hooks.onRebuildDone ? { onDone: hooks.onRebuildDone } : {}),
  });
  const features = new DurableFeatureStore(log, cache.features, hooks.onCacheError);
  // A cache write that failed after its commit: the write stands, and the cache is rebuilt once it answers.
  const cacheStale = (err: unknown): void => {
    hooks.onCacheError?.(err);
    rebuilder.markStale();
  };
  const repair = new CacheRepair(log, cache.features, {
    onError: (err) => hooks.onCacheError?.(err),
    ...(hooks.onRepaired ? { onRepaired: hooks.onRepaired } : {}),
  });
  repair.start();
  await rebuilder.start();
  return {
    rebuilder,
    guardReader: (reader) => ({
      snapshot(accountId: string, asOf: number): Promise<AccountSnapshot> {
        if (rebuilder.rebuilding) return Promise.reject(new Error('the cache is being rebuilt from PostgreSQL'));
        return reader.snapshot(accountId, asOf);
      },
    }),
    pool,
    log,
    features,
    // The decision that created a restriction is in PostgreSQL before the restriction is.
    state: new DurableAccountStateStore(pool, cache.state, () => decisionLog.persist(), cacheStale),
    merchants: new DurableMerchantStore(pool, cache.merchants, cacheStale),
    decisionLog,
    workflows: new PgWorkflowStore(pool),
    repair,
    async close() {
      await rebuilder.stop();
      await repair.stop();
      await features.close();
      await pool.end().catch(() => undefined);
    },
  };
}
