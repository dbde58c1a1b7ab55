/**
 * One contract for the console's session and claim stores, run against the in-memory stores (the
 * embedded default) and Redis (when the server runs on Redis): sessions renew on use, lapse when
 * idle and end at once on sign-out; a claim belongs to one person until it lapses or is released.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryClaimStore, MemorySessionStore, RedisClaimStore, RedisSessionStore, type ClaimStore, type SessionStore } from '../server/console/index.js';
import { deleteKeys, redisUrl } from './support/redis-keys.js';

// Real time (Redis expires keys by its own clock): generous margins so a loaded machine does not flake.
const idleMs = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = `rgtest-console-${randomUUID().slice(0, 8)}`;
const client = new Redis(redisUrl, { lazyConnect: true });

afterAll(async () => {
  await deleteKeys(prefix);
  client.disconnect();
});

const variants: [string, () => Promise<{ sessions: SessionStore; claims: ClaimStore }>][] = [
  ['memory', async () => ({ sessions: new MemorySessionStore(idleMs), claims: new MemoryClaimStore(idleMs) })],
  [
    'Redis',
    async () => {
      if (client.status === 'wait') await client.connect();
      return { sessions: new RedisSessionStore(client, prefix, idleMs), claims: new RedisClaimStore(client, prefix, idleMs) };
    },
  ],
];

describe.each(variants)('console stores over %s', (_name, make) => {
  it('a session carries the person, renews on every use, and ends on sign-out', async () => {
    const { sessions } = await make();
    const session = await sessions.start({ role: 'appraiser', name: 'anna' });
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.touch(session.id)).toMatchObject({ id: session.id, role: 'appraiser', name: 'anna' });
    // Used within the idle period again and again: it stays alive past one idle period in total.
    for (let i = 0; i < 5; i++) {
      await sleep(idleMs / 4);
      expect(await sessions.touch(session.id), `use ${i}`).toBeDefined();
    }
    const other = await sessions.start({ role: 'admin', name: 'omar' });
    await sessions.end(session.id);
    expect(await sessions.touch(session.id)).toBeUndefined();
    expect(await sessions.touch(other.id)).toMatchObject({ name: 'omar' });
    expect(await sessions.touch('not-a-session')).toBeUndefined();
  });

  it('a session left idle past the idle period is gone', async () => {
    const { sessions } = await make();
    const session = await sessions.start({ role: 'analyst', name: 'ana' });
    await sleep(idleMs + 150);
    expect(await sessions.touch(session.id)).toBeUndefined();
  });

  it('a claim holds for its holder, shows to others, renews, lapses when idle, and is released by its holder only', async () => {
    const { claims } = await make();
    const item = `rep-${randomUUID().slice(0, 6)}`;
    expect(await claims.holderOf(item)).toBeUndefined();
    expect(await claims.claim(item, 'anna')).toBe('anna');
    expect(await claims.claim(item, 'ben')).toBe('anna');
    expect(await claims.holders([item, 'rep-none'])).toEqual(new Map([[item, 'anna']]));
    await claims.release(item, 'ben');
    expect(await claims.holderOf(item)).toBe('anna');
    await sleep(300);
    expect(await claims.claim(item, 'anna')).toBe('anna'); // renewed
    await sleep(800); // 1.1 idle periods after the first claim, 0.8 after the renewal
    expect(await claims.holderOf(item)).toBe('anna');
    await sleep(idleMs + 100);
    expect(await claims.holderOf(item)).toBeUndefined();
    expect(await claims.claim(item, 'ben')).toBe('ben');
    await claims.release(item, 'ben');
    expect(await claims.holderOf(item)).toBeUndefined();
  });
});
