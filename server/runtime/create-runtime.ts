import type { Cluster } from 'ioredis';
import { MemoryAccountReader, MemoryAccountStateStore, MemoryMerchantStore, RefundGuardService, formatProblem, type AccountReader, type AccountStateStore, type MerchantStore } from '../../engine/index.js';
import { MemoryFeatureStore, type FeatureStore } from '../../engine/features/index.js';
import { MemoryWorkflowStore, type WorkflowStore } from '../../engine/workflows/index.js';
import { createApp } from '../app.js';
import { memoryConsoleStores, type ConsoleStores } from '../console/index.js';
import type { ServerContext } from '../context.js';
import { MemoryDecisionLog, newDecisionId, type DecisionLog } from '../decision-log/index.js';
import { parseTokens } from '../http/auth.js';
import { defaultClockLimits, type ClockLimits } from '../http/permissions.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { BundleHolder } from '../policies/bundle-holder.js';
import { openSystemOfRecord, type SystemOfRecord } from '../postgres/system-of-record.js';
import type { CacheSentinel } from '../postgres/cache-rebuild.js';
import { maxWindowDays, memorySentinel } from '../postgres/cache-wiring.js';
import { publishBundle } from '../postgres/policy-bundles.js';
import type { RedisTarget } from '../stores/redis/redis-target.js';
import { openRedisStores } from './redis-stores.js';
import { repairCacheAfterFailovers } from './failover-wiring.js';
import { readPolicyDirectory } from '../../engine/bundle/sources.js';

export interface RuntimeOptions {
  policies: string;
  /** No URL (and no cluster): the in-memory store (the embedded default). */
  redisUrl?: string;
  /** Seed nodes ("host:port") of a Redis Cluster, instead of redisUrl (DESIGN §10). */
  redisCluster?: readonly string[];
  /** On a cluster with PostgreSQL: how far before a failover's first node error the cache is replayed from the event log (default 30 s). */
  failoverReplayMs?: number;
  redisPrefix?: string;
  /** The system of record; without it the cache (Redis or memory) holds the only copy. */
  postgresUrl?: string;
  /** REFUND_GUARD_TOKENS (role:token or role:name:token, comma-separated); unset or empty: open mode. */
  tokens?: string;
  /** Defaults in permissions.ts: decisions within 5 min of now, events from 30 days back to 1 day ahead. */
  clockLimits?: Partial<ClockLimits>;
  logger?: Logger;
  now?: () => number;
  watchPolicies?: boolean;
  /** Per-command budget on the decision path; past it the decision is made degraded. */
  decisionTimeoutMs?: number;
  writeTimeoutMs?: number;
  processMetrics?: boolean;
  /** Write the decision log from a worker thread (default); false keeps it in this thread. */
  decisionLogThread?: boolean;
}

export interface Runtime {
  ctx: ServerContext;
  app: ReturnType<typeof createApp>['app'];
  routes: ReturnType<typeof createApp>['routes'];
  /** PostgreSQL and its cache repair, when configured. */
  systemOfRecord?: SystemOfRecord;
  close(): Promise<void>;
}

export class StartupError extends Error {
  override name = 'StartupError';
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  // First: a token list the server must not start with is refused before anything is opened.
  const tokens = parseTokens(options.tokens);
  const logger = options.logger ?? createLogger();
  const metrics = new Metrics(options.processMetrics ?? true);
  const now = options.now ?? Date.now;
  let publish: ((revision: string) => void) | undefined;
  const opened = BundleHolder.open(options.policies, ({ bundle, failure }) => {
    if (bundle) {
      publish?.(bundle.revision);
      metrics.setBundle(bundle.revision);
      logger.info({ revision: bundle.revision, policies: bundle.policies.length }, 'policy bundle activated');
    }
    if (failure) {
      metrics.bundleLoadFailures.inc();
      logger.warn({ problems: failure.problems.map(formatProblem) }, 'policy bundle refused; the active bundle stays');
    }
  });
  if (!opened.ok) throw new StartupError(`the policy bundle in ${options.policies} does not load:\n${opened.problems.map(formatProblem).join('\n')}`);
  const bundles = opened.holder;
  metrics.setBundle(bundles.bundle.revision);
  if (options.watchPolicies) bundles.watch();

  const definitions = bundles.bundle.features;
  let features: FeatureStore;
  let reader: AccountReader;
  let state: AccountStateStore;
  let reviewReader: AccountReader | undefined;
  let merchants: MerchantStore;
  let workflows: WorkflowStore;
  let decisionLog: DecisionLog;
  let decisionIds: (at: number) => string = newDecisionId;
  let ready: () => Promise<boolean>;
  let consoleStores: ConsoleStores;
  let sentinel: CacheSentinel;
  const closers: (() => Promise<unknown>)[] = [];

  // --redis-cluster wins over --redis: the two cannot both hold the cache.
  const target: RedisTarget | undefined = options.redisCluster !== undefined && options.redisCluster.length > 0 ? { clusterNodes: options.redisCluster } : options.redisUrl !== undefined ? { url: options.redisUrl } : undefined;
  let cluster: Cluster | undefined;
  if (target === undefined) {
    const memoryFeatures = new MemoryFeatureStore(definitions);
    const memoryState = new MemoryAccountStateStore();
    features = memoryFeatures;
    state = memoryState;
    reader = new MemoryAccountReader(memoryFeatures, memoryState);
    merchants = new MemoryMerchantStore();
    workflows = new MemoryWorkflowStore();
    decisionLog = new MemoryDecisionLog();
    consoleStores = memoryConsoleStores();
    ready = async () => true;
    sentinel = memorySentinel();
  } else {
    const redis = await openRedisStores(target!, definitions, { ...options, now, metrics, logger });
    ({ features, state, reader, reviewReader, merchants, workflows, consoleStores, sentinel, decisionLog, decisionIds, ready } = redis);
    cluster = redis.cluster;
    closers.push(...redis.closers);
  }

  let systemOfRecord: SystemOfRecord | undefined;
  if (options.postgresUrl !== undefined) {
    try {
      const windowDays = maxWindowDays(definitions);
      systemOfRecord = await openSystemOfRecord(options.postgresUrl, { features, state, merchants, decisionLog }, { sentinel, windowDays, now }, {
        onCacheError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cache apply failed; committed in PostgreSQL, the repair applies it when the cache answers'),
        onPostgresError: (err, operation) => logger.warn({ err: err instanceof Error ? err.message : String(err), operation }, 'PostgreSQL write failed; will retry'),
        onRepaired: (count) => logger.info({ count }, 'cache repaired from the PostgreSQL outbox'),
        onDecisionsDropped: (n) => metrics.decisionLogDropped.inc(n),
        onRebuildStart: () => logger.warn('the feature cache is empty or incomplete: rebuilding it from PostgreSQL; decisions answer degraded meanwhile'),
        onRebuildDone: (result) => logger.info(result, 'feature cache rebuilt from PostgreSQL'),
      });
    } catch (err) {
      for (const close of closers) await close().catch(() => undefined);
      throw new StartupError(`PostgreSQL at ${redactUrl(options.postgresUrl)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // The Redis stores, before PostgreSQL goes in front of them: a replay writes to the cache only.
    const cache = { features, state, merchants };
    ({ features, state, merchants, decisionLog, workflows } = systemOfRecord);
    const pool = systemOfRecord.pool;
    publish = (revision) =>
      void publishBundle(pool, revision, readPolicyDirectory(options.policies)).catch((err: unknown) =>
        logger.warn({ err: err instanceof Error ? err.message : String(err), revision }, 'could not record the policy bundle in PostgreSQL'),
      );
    publish(bundles.bundle.revision);
    reader = systemOfRecord.guardReader(reader);
    if (reviewReader !== undefined) reviewReader = systemOfRecord.guardReader(reviewReader);
    closers.unshift(() => systemOfRecord!.close());
    // Stopped before PostgreSQL closes: a replay under way reads from it.
    if (cluster !== undefined) closers.unshift(repairCacheAfterFailovers(cluster, systemOfRecord, cache, { replayMs: options.failoverReplayMs ?? 30_000, now: Date.now, logger }));
  }

  const service = new RefundGuardService({
    bundle: () => bundles.bundle,
    features,
    reader,
    reviewReader,
    state,
    merchants,
    now,
    newDecisionId: () => decisionIds(now()),
    recordDecision: (record) => decisionLog.append(record),
  });
  const clockLimits: ClockLimits = { ...defaultClockLimits, ...options.clockLimits };
  const ctx: ServerContext = {
    bundles, service, features, reader, state, merchants, workflows, decisionLog, metrics, logger, tokens, clockLimits, now, ready,
    storeKind: target === undefined ? 'memory' : 'redis',
    systemOfRecord: systemOfRecord === undefined ? 'none' : 'postgres',
    ...(systemOfRecord !== undefined ? { cacheRebuild: () => systemOfRecord.rebuilder.readiness() } : {}),
  };
  metrics.setEvidenceQueueSource(async () => {
    const [pending, overdue] = await Promise.all([workflows.reports.count({ status: 'pending' }), workflows.reports.count({ status: 'pending', before: now() })]);
    return { pending, overdue };
  });
  const { app, routes } = createApp(ctx, { console: consoleStores });
  return {
    ctx,
    app,
    routes,
    ...(systemOfRecord !== undefined ? { systemOfRecord } : {}),
    async close() {
      bundles.close();
      await decisionLog.flush().catch(() => undefined);
      for (const close of closers) await close().catch(() => undefined);
    },
  };
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
