import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { formatProblem } from '../../engine/index.js';
import type { Logger } from '../observability/logger.js';
import type { BundleHolder } from '../policies/bundle-holder.js';
import type { PolicyControl } from '../policies/policy-control.js';
import { PgPublicationStore } from '../postgres/pg-publication-store.js';
import type { PgPool } from '../postgres/pool.js';
import type { CachedMerchantStore } from '../stores/cached-merchant-store.js';
import { RedisPublicationStore } from '../stores/redis/redis-publication-store.js';
import { Heartbeats } from './heartbeats.js';
import { InstanceBus, type SharedRedis } from './instance-bus.js';
import { PolicySync } from './policy-sync.js';

export interface SharedInstanceOptions {
  holder: BundleHolder;
  /** An existing connection of the runtime (commands, PUBLISH); the bus clones it for its subscription. */
  client: SharedRedis;
  prefix: string;
  /** With PostgreSQL the published bundle lives there (durable); without, in Redis. */
  pool?: PgPool;
  /** The process's merchant cache: invalidated by other instances' writes, announcing its own. */
  merchants?: CachedMerchantStore;
  logger: Logger;
  watch: boolean;
  pollMs?: number;
  heartbeatMs?: number;
}

export interface SharedInstance {
  control: PolicyControl;
  close(): Promise<void>;
}

/** A process-unique id a person can read: host, pid, and a few random characters (pids repeat across restarts). */
export function newInstanceId(host = hostname()): string {
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * Joins this instance to the others sharing its Redis (and PostgreSQL): it serves the published
 * policy bundle and publishes on reload, beats its heartbeat, and hears of other instances'
 * publications and merchant writes over pub/sub.
 */
export async function startSharedInstance(options: SharedInstanceOptions): Promise<SharedInstance> {
  const { holder, client, prefix, merchants, logger } = options;
  const host = hostname();
  const id = newInstanceId(host);
  const startedAt = new Date().toISOString();
  const warn = (operation: string) => (err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err), operation }, 'instance coordination failed; the backstop (polling, cache ttl) covers it');
  const store = options.pool !== undefined ? new PgPublicationStore(options.pool) : new RedisPublicationStore(client, prefix);
  let bus: InstanceBus | undefined;
  const sync = new PolicySync(
    holder,
    store,
    id,
    {
      error: (err, operation) => warn(operation)(err),
      refused: (publication, problems) =>
        logger.error({ revision: publication.revision, publishedBy: publication.publishedBy, problems: problems.map(formatProblem) }, 'the published policy bundle does not load here; this instance keeps its bundle'),
      announce: async (seq) => {
        await bus?.announcePolicy(seq);
      },
    },
    options.pollMs,
  );
  const heartbeats = new Heartbeats(client, prefix, () => ({ id, host, pid: process.pid, revision: holder.bundle.revision, startedAt }), warn('heartbeat'), options.heartbeatMs);
  bus = await InstanceBus.open(
    client,
    prefix,
    id,
    {
      policy: (seq) => sync.notified(seq),
      merchant: (merchantId) => merchants?.invalidate(merchantId),
      subscribed: () => {
        merchants?.invalidate();
        sync.notified();
      },
    },
    (err) => logger.debug({ err: err.message }, 'instance bus connection error'),
  );
  if (merchants !== undefined) {
    const announce = bus;
    merchants.onWrite = (merchantId) => void announce.announceMerchant(merchantId).catch(warn('merchant-announce'));
  }
  await sync.start(heartbeats).catch(warn('policy-start'));
  heartbeats.start();
  logger.info({ instance: id, store: store.kind, revision: holder.bundle.revision }, 'serving the published policy bundle');
  if (options.watch) holder.watch(250, () => sync.reload().catch(warn('policy-watch-reload')));
  return {
    control: sync,
    async close() {
      sync.close();
      await heartbeats.stop();
      await bus?.close();
    },
  };
}
