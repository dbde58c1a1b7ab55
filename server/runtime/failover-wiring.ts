import type { Cluster } from 'ioredis';
import type { AccountStateStore, MerchantStore } from '../../engine/index.js';
import type { FeatureStore } from '../../engine/features/index.js';
import type { Logger } from '../observability/logger.js';
import { FailoverReplay } from '../postgres/failover-replay.js';
import type { SystemOfRecord } from '../postgres/system-of-record.js';
import { ClusterFailoverWatch } from '../stores/redis/cluster-failover-watch.js';

/**
 * On a Redis Cluster with PostgreSQL: when a master is failed over, the cache is replayed from the
 * event log since `replayMs` before the first trouble seen with that master (see failover-replay.ts
 * for why). Returns the closer.
 */
export function repairCacheAfterFailovers(
  cluster: Cluster,
  systemOfRecord: SystemOfRecord,
  cache: { features: FeatureStore; state: AccountStateStore; merchants: MerchantStore },
  options: { replayMs: number; now(): number; logger: Logger },
): () => Promise<void> {
  const { logger } = options;
  const replay = new FailoverReplay(systemOfRecord.pool, systemOfRecord.log, cache, {
    now: options.now,
    onReplayed: (result) => logger.info(result, 'cache replayed from PostgreSQL after a Redis Cluster failover'),
    onError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'failover replay step failed; retrying'),
  });
  replay.start();
  // Wall clock for both: the event log's received_at is PostgreSQL's clock, not a test's.
  const watch = new ClusterFailoverWatch(cluster, (seen) => {
    logger.warn({ retired: seen.retired, troubleAt: new Date(seen.troubleAt).toISOString() }, 'Redis Cluster master failed over: replaying recent events into the cache');
    void replay.replaySince(seen.troubleAt - options.replayMs).catch(() => undefined);
  });
  watch.start();
  return async () => {
    watch.stop();
    await replay.stop();
  };
}
