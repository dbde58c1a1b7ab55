import type { RedisOptions } from 'ioredis';

/**
 * Every connection of the server: no offline queue and one retry, so while Redis is away a command
 * fails at once (a degraded decision, a 503 write) instead of piling up; reconnects back off to 1 s.
 * Connects only when asked (`connect()`), so start-up decides how long to wait.
 */
export function failFastClientOptions(connectionName: string, commandTimeout?: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
    connectionName,
    ...(commandTimeout !== undefined ? { commandTimeout } : {}),
  };
}
