import type { Cluster, Redis } from 'ioredis';
import type { FeatureDefinitions } from '../../engine/features/index.js';
import type { CacheSentinel } from './cache-rebuild.js';

/** The sentinel as one Redis key: a flushed or replaced Redis does not have it. */
export function redisSentinel(client: Redis | Cluster, prefix: string): CacheSentinel {
  const key = `${prefix}:cache:sentinel`;
  return {
    read: () => client.get(key),
    write: async (value) => void (await client.set(key, value)),
  };
}

/** The sentinel of an in-memory cache: empty at every start, as that cache is. */
export function memorySentinel(): CacheSentinel {
  let value: string | null = null;
  return {
    read: async () => value,
    write: async (next) => void (value = next),
  };
}

/** The longest window any feature looks back over, in days (what a rebuild must replay). */
export function maxWindowDays(definitions: FeatureDefinitions): number {
  return Math.max(0, ...definitions.features.map((f) => ('windowDays' in f ? f.windowDays : 0)));
}
