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
