/**
 * Where the server's Redis is: one standalone server (a URL) or a Redis Cluster (its seed nodes).
 * Every store takes an ioredis client of either kind; this opens one with the same fail-fast
 * behaviour (client-options.ts) for both.
 *
 * On a cluster the clients are ioredis Cluster objects: they route each command (and each Lua
 * script, whose keys are in KEYS) to the master of its key's slot, follow MOVED and ASK while slots
 * migrate, and re-read the slot map after a failover. The lean RESP connection of the feature store
 * stays standalone-only; it is not taught slot routing, because ioredis already does all of it and a
 * decision still costs one command (HGETALL of the account key) either way.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

export type RedisTarget = { url: string } | { clusterNodes: readonly string[] };

export interface ClusterNode {
  host: string;
  port: number;
}

export class ClusterNodesError extends Error {
  override name = 'ClusterNodesError';
}

/** "host:port,host:port" (or a list of such) → seed nodes; throws ClusterNodesError on a malformed entry. */
export function parseClusterNodes(spec: string | readonly string[]): ClusterNode[] {
  const parts = (typeof spec === 'string' ? spec.split(',') : spec.flatMap((s) => s.split(','))).map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new ClusterNodesError('no cluster nodes given (expected HOST:PORT,HOST:PORT,...)');
  return parts.map((part) => {
    const bare = part.replace(/^redis:\/\//, '');
    const colon = bare.lastIndexOf(':');
    const host = colon > 0 ? bare.slice(0, colon).replace(/^\[(.*)\]$/, '$1') : '';
    const port = Number(bare.slice(colon + 1));
    if (host === '' || !Number.isInteger(port) || port <= 0 || port > 65535) throw new ClusterNodesError(`cluster node "${part}" is not HOST:PORT`);
    return { host, port };
  });
}

/**
 * Cluster-level settings of every cluster client: no offline queue (a command fails at once rather
 * than pile up while the cluster is down), slot map re-read every 2 s as well as on MOVED, and
 * short retry delays while a failover or a migration is under way.
 */
export function clusterOptions(node: RedisOptions, extra: Partial<ClusterOptions> = {}): ClusterOptions {
  return {
    redisOptions: node,
    enableOfflineQueue: false,
    lazyConnect: node.lazyConnect ?? true,
    scaleReads: 'master',
    slotsRefreshInterval: 2000,
    slotsRefreshTimeout: 1000,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 50,
    maxRedirections: 16,
    clusterRetryStrategy: (times: number) => Math.min(50 * times, 1000),
    ...extra,
  };
}

/** A client of `target` with these per-connection options (on a cluster: per node). */
export function openRedis(target: RedisTarget, options: RedisOptions, cluster: Partial<ClusterOptions> = {}): Redis | Cluster {
  if ('url' in target) return new Redis(target.url, options);
  // Per node: the cluster object has its own offline queue setting and retries; a node reconnects on its own back-off.
  const { enableAutoPipelining, ...node } = options;
  return new Cluster(parseClusterNodes(target.clusterNodes), clusterOptions(node, { ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}), ...cluster }));
}

/** Every master of a cluster client (one client: itself). */
export function mastersOf(client: Redis | Cluster): Redis[] {
  return client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
}
