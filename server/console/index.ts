/** The web console (/console): the app to mount, and where it keeps sessions and claims. */
export { consoleApp } from './console-app.js';
export { memoryConsoleStores, redisConsoleStores, type ConsoleStores, type SessionStore, type ClaimStore, type Session, type Person } from './stores/index.js';
export { MemorySessionStore, RedisSessionStore, MemoryClaimStore, RedisClaimStore, SESSION_IDLE_MS, CLAIM_IDLE_MS } from './stores/index.js';
export { signInWithToken } from './principal.js';
export { SESSION_COOKIE } from './security.js';
