/**
 * The server's stores on Redis, one standalone server or a Redis Cluster: three clients (decision
 * reads, writes, feature ingestion), the stores over them, the decision log (written from its
 * worker thread) and readiness. Every key of an account carries its `{accountId}` hash tag, every
 * multi-key script and command stays within one slot, so the same stores run on both.
 */
import type { Cluster, Redis } from 'ioredis';
import type { AccountReader, AccountStateStore, MerchantStore } from '../../engine/index.js';
import type { CompiledFeatures, FeatureDefinitions, FeatureStore } from '../../engine/features/index.js';
import type { WorkflowStore } from '../../engine/workflows/index.js';
import { redisConsoleStores, type ConsoleStores } from '../console/index.js';
import { RedisDecisionLog, ThreadedDecisionLog, type DecisionLog } from '../decision-log/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { CacheSentinel } from '../postgres/cache-rebuild.js';
import { redisSentinel } from '../postgres/cache-wiring.js';
import { CachedMerchantStore } from '../stores/cached-merchant-store.js';
import { RedisAccountStore } from '../stores/redis-account-state.js';
import { RedisFeatureStore } from '../stores/redis-feature-store.js';
import { RedisMerchantStore } from '../stores/redis-merchant-store.js';
import { RedisWorkflowStore } from '../stores/redis-workflow-store.js';
import { failFastClientOptions } from '../stores/redis/client-options.js';
import { openRedis, type RedisTarget } from '../stores/redis/redis-target.js';

export interface RedisStoreOptions {
  redisPrefix?: string;
  decisionTimeoutMs?: number;
  writeTimeoutMs?: number;
  decisionLogThread?: boolean;
  now(): number;
  metrics: Metrics;
  logger: Logger;
}

export interface RedisStores {
  features: FeatureStore;
  state: AccountStateStore;
  reader: AccountReader;
  reviewReader: AccountReader;
  merchants: MerchantStore;
  workflows: WorkflowStore;
  consoleStores: ConsoleStores;
  sentinel: CacheSentinel;
  decisionLog: DecisionLog;
  decisionIds(at: number): string;
  ready(): Promise<boolean>;
  /** On a cluster: the feature-ingestion client (the failover repair watches its topology). */
  cluster?: Cluster;
  closers: (() => Promise<unknown>)[];
}

export async function openRedisStores(target: RedisTarget, definitions: FeatureDefinitions | CompiledFeatures, options: RedisStoreOptions): Promise<RedisStores> {
  const { metrics, logger, now } = options;
  const prefix = options.redisPrefix ?? 'rg';
  const onCluster = 'clusterNodes' in target;
  // Reads on the decision path fail fast (degraded answer), writes get longer.
  // Decision reads go over the read feature store's lean connection on standalone Redis; this
  // client serves readiness pings, and the reads themselves on Cluster or TLS (auto-pipelined:
  // the reads of concurrent decisions leave in one socket write per tick, per node).
  // On a cluster the 50 ms budget is the read's own (feature-script-calls.ts), not a per-command
  // timeout of the node connections, which would also cut the slot-map refreshes short.
  const readClient = openRedis(target, { ...failFastClientOptions('refund-guard-read', onCluster ? undefined : (options.decisionTimeoutMs ?? 50)), enableAutoPipelining: true });
  // On a cluster the write side is auto-pipelined too: its commands go one by one to their slots' masters.
  const writeClient = openRedis(target, { ...failFastClientOptions('refund-guard-write', options.writeTimeoutMs ?? 2000), ...(onCluster ? { enableAutoPipelining: true } : {}) });
  // Feature writes (ingestion: pipelines of script calls) time out per round trip, not per command.
  // On a cluster each script call is its own command (its keys, one slot, in KEYS), auto-pipelined per node.
  const featureClient = openRedis(target, { ...failFastClientOptions('refund-guard-features'), ...(onCluster ? { enableAutoPipelining: true } : {}) });
  const clients: (Redis | Cluster)[] = [readClient, writeClient, featureClient];
  for (const [client, name] of [[readClient, 'read'], [writeClient, 'write'], [featureClient, 'features']] as const) {
    const onError = (err: Error): void => {
      metrics.redisErrors.inc({ operation: `connection-${name}` });
      logger.debug({ err: err.message, connection: name }, 'redis connection error');
    };
    client.on('error', onError);
    if (onCluster) client.on('node error', onError);
  }
  await Promise.all(clients.map((client) => client.connect().catch(() => undefined)));
  const featureStore = new RedisFeatureStore(featureClient, definitions, { prefix, timeoutMs: options.writeTimeoutMs ?? 2000 });
  const writeSide = new RedisAccountStore(writeClient, featureStore, prefix, now);
  const readFeatures = new RedisFeatureStore(readClient, definitions, { prefix, timeoutMs: options.decisionTimeoutMs ?? 50 });
  await readFeatures.warmUp();
  const logOptions = {
    prefix,
    onFlushError: (err: unknown) => {
      metrics.redisErrors.inc({ operation: 'decision-log' });
      logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'decision log flush failed; will retry');
    },
    onDropped: (n: number) => metrics.decisionLogDropped.inc(n),
  };
  const inThread = (): RedisDecisionLog => new RedisDecisionLog(writeClient, logOptions);
  // The log's writing runs in a worker thread; where one cannot start, in this thread.
  const where = 'url' in target ? { redisUrl: target.url } : { redisCluster: target.clusterNodes };
  const threaded = options.decisionLogThread === false ? undefined : await ThreadedDecisionLog.start({ ...logOptions, ...where, commandTimeoutMs: options.writeTimeoutMs ?? 2000 }, inThread);
  const redisLog = threaded ?? inThread();
  return {
    features: featureStore,
    state: writeSide,
    // Integrity reviews read through the write side (its budget is seconds, not 50 ms): a review
    // refuses to decide on a degraded read, and it is not on a caller's hot path.
    reviewReader: writeSide,
    reader: new RedisAccountStore(readClient, readFeatures, prefix, now),
    merchants: new CachedMerchantStore(new RedisMerchantStore(writeClient, prefix), 2000, now),
    workflows: new RedisWorkflowStore(writeClient, prefix),
    consoleStores: redisConsoleStores(writeClient, prefix),
    sentinel: redisSentinel(writeClient, prefix),
    decisionLog: redisLog,
    decisionIds: (at) => redisLog.newDecisionId(at),
    // Ready when every connection answers: each reconnects on its own back-off, and a write refused
    // by a connection still reconnecting must not follow a "ready".
    ready: async () => (await Promise.all(clients.map((client) => client.ping().catch(() => 'down')))).every((reply) => reply === 'PONG'),
    ...(onCluster ? { cluster: featureClient as Cluster } : {}),
    closers: [
      () => redisLog.close(),
      () => featureStore.close(),
      () => readFeatures.close(),
      ...clients.map((client) => () => client.quit().catch(() => client.disconnect())),
    ],
  };
}
