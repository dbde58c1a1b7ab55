import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** SCAN + DEL every key under `<prefix>:`; answers how many are left (0 when clean). */
export async function deleteKeys(prefix: string): Promise<number> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
    return (await client.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 100000))[1].length;
  } finally {
    client.disconnect();
  }
}

/**
 * A Redis client and a fresh key prefix for one test file (a contract suite over the Redis store):
 * connects before the tests, deletes every key under the prefix after them and checks none is left.
 */
export function redisTestPrefix(name: string, hooks: { beforeAll(fn: () => Promise<void>): void; afterAll(fn: () => Promise<void>): void; expectClean(left: number): void }) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const prefix = `rgtest-${name}-${randomBytes(6).toString('hex')}`;
  let storeNo = 0;
  hooks.beforeAll(async () => {
    await redis.connect();
  });
  hooks.afterAll(async () => {
    hooks.expectClean(await deleteKeys(prefix));
    redis.disconnect();
  });
  /** A prefix of its own for each store the suite creates. */
  const nextPrefix = (): string => `${prefix}:${++storeNo}`;
  return { redis, nextPrefix };
}
