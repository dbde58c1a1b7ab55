import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { openRedis } from '../../server/stores/redis/redis-target.js';
import { OwnRedisCluster } from './own-redis-cluster.js';

/**
 * A Redis Cluster of the test file's own (own-redis-cluster.ts) and a client of it, for a contract
 * suite: started before the file's tests, stopped after them (the cluster and its keys go with it).
 * Stores get a fresh key prefix each, as on the shared standalone Redis.
 */
export function clusterForSuite(name: string, hooks: { beforeAll(fn: () => Promise<void>, timeout?: number): void; afterAll(fn: () => Promise<void>, timeout?: number): void }) {
  let cluster: OwnRedisCluster | undefined;
  let client: Cluster | undefined;
  const prefix = `rgtest-${name}-${randomBytes(6).toString('hex')}`;
  let storeNo = 0;
  hooks.beforeAll(async () => {
    cluster = await OwnRedisCluster.start();
    client = openRedis({ clusterNodes: cluster.seeds }, { lazyConnect: true, maxRetriesPerRequest: 1 }) as Cluster;
    await client.connect();
  }, 90_000);
  hooks.afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  }, 30_000);
  return {
    get client(): Cluster {
      if (client === undefined) throw new Error('the test cluster is not started');
      return client;
    },
    get cluster(): OwnRedisCluster {
      if (cluster === undefined) throw new Error('the test cluster is not started');
      return cluster;
    },
    nextPrefix: (): string => `${prefix}:${++storeNo}`,
  };
}
