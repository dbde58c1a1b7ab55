import type { Cluster, Redis } from 'ioredis';
import { MemoryClaimStore, type ClaimStore } from './claim-store.js';
import { RedisClaimStore } from './redis-claim-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import { MemorySessionStore, type SessionStore } from './session-store.js';

export * from './session-store.js';
export * from './claim-store.js';
export { RedisSessionStore } from './redis-session-store.js';
export { RedisClaimStore } from './redis-claim-store.js';

/** Where the console keeps its sessions and claims: beside the server's own store. */
export interface ConsoleStores {
  sessions: SessionStore;
  claims: ClaimStore;
}

export function memoryConsoleStores(): ConsoleStores {
  return { sessions: new MemorySessionStore(), claims: new MemoryClaimStore() };
}

export function redisConsoleStores(client: Redis | Cluster, prefix: string): ConsoleStores {
  return { sessions: new RedisSessionStore(client, prefix), claims: new RedisClaimStore(client, prefix) };
}
