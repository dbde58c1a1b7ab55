/**
 * The bulk rebuild (the Redis feature store's image, folded in process and written at once) leaves
 * the cache state the live writes leave: the same history is ingested through the normal path
 * (PostgreSQL, then the Redis scripts) under one prefix and rebuilt from PostgreSQL under another,
 * and every key, field, value and expiry is compared.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefundGuardEvent } from '../engine/events/index.js';
import { loadFeatureDefinitions, MemoryFeatureStore, type FeatureDefinitions } from '../engine/features/index.js';
import { MemoryAccountStateStore, MemoryMerchantStore } from '../engine/index.js';
import { CacheRebuilder } from '../server/postgres/cache-rebuild.js';
import { maxWindowDays, memorySentinel, redisSentinel } from '../server/postgres/cache-wiring.js';
import { DurableFeatureStore } from '../server/postgres/durable-feature-store.js';
import { PgEventLog } from '../server/postgres/event-log.js';
import { RedisAccountStore } from '../server/stores/redis-account-state.js';
import { RedisFeatureStore } from '../server/stores/redis-feature-store.js';
import { RedisMerchantStore } from '../server/stores/redis-merchant-store.js';
import { generateHistory } from '../simulator/history/generate.js';
import { redisTestPrefix } from './support/redis-keys.js';
import { schemaPoolsForSuite } from './support/test-postgres.js';

const { redis, nextPrefix } = redisTestPrefix('rebuild-image', { beforeAll, afterAll, expectClean: (left) => expect(left).toBe(0) });
const schemaPool = schemaPoolsForSuite({ beforeAll, afterAll });

function shipped(): FeatureDefinitions {
  const r = loadFeatureDefinitions('policies/features.yaml', readFileSync(new URL('../policies/features.yaml', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error('the shipped features do not load');
  return r.definitions;
}

const DAY = 86_400_000;

/**
 * A generated history (abuse rings: shared devices and addresses, forged evidence, upheld complaints,
 * reused evidence pictures) inside the windows, plus: a device used by more accounts than a value
 * indexes (the first ones in log order are kept), events sent out of time order, and re-sent ids.
 */
function history(): RefundGuardEvent[] {
  const events: RefundGuardEvent[] = [];
  generateHistory({ orders: 1500, seed: 7, start: new Date(Date.now() - 80 * DAY).toISOString().slice(0, 10), days: 60 }, (line) => events.push(JSON.parse(line) as RefundGuardEvent));
  const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();
  for (let i = 0; i < 105; i++) {
    events.push({ eventId: `cap-${i}`, type: 'order.placed', at: at(10 - i / 100), accountId: `cap-a${i}`, merchantId: 'm1', orderId: `cap-o${i}`, amount: 5, deviceId: 'public-device' } as RefundGuardEvent);
  }
  events.push({ eventId: 'cap-flag', type: 'evidence.appraised', at: at(5), accountId: 'cap-a104', merchantId: 'm1', orderId: 'cap-o104', reportId: 'r-cap', verdict: 'forged' } as unknown as RefundGuardEvent);
  events.push({ eventId: 'cap-flag2', type: 'evidence.appraised', at: at(5), accountId: 'cap-a3', merchantId: 'm1', orderId: 'cap-o3', reportId: 'r-cap2', verdict: 'forged' } as unknown as RefundGuardEvent);
  // Late arrivals: earlier than events already sent.
  events.push({ eventId: 'late-1', type: 'order.placed', at: at(79), accountId: 'cap-a7', merchantId: 'm1', orderId: 'late-o1', amount: 9, deviceId: 'public-device', addressId: 'late-h' } as RefundGuardEvent);
  events.push({ eventId: 'late-2', type: 'order.placed', at: at(78), accountId: 'cap-a3', merchantId: 'm1', orderId: 'late-o2', amount: 9, addressId: 'late-h' } as RefundGuardEvent);
  return events;
}

type Dump = Map<string, { type: string; value: unknown; pttl: number }>;

/** Every key under the prefix (the sentinel aside), by its name after the prefix. */
async function dump(prefix: string): Promise<Dump> {
  const out: Dump = new Map();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const name = key.slice(prefix.length + 1);
      if (name === 'cache:sentinel') continue;
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else value = `(${type})`;
      out.set(name, { type, value, pttl: await redis.pttl(key) });
    }
  } while (cursor !== '0');
  return out;
}

/**
 * "u|" fields record that a use's cross-account work is done, with the wall clock of that record
 * ("<first use>:<wall ms>"), or '' until the account's next batch writes it (the rebuild writes them
 * all done): compared by name here, by first use where both are done.
 */
function withoutDoneStamps(hash: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(hash)) out[field] = field.startsWith('u|') ? '' : value;
  return out;
}

function firstUses(hash: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(hash)) if (field.startsWith('u|') && value !== '') out[field] = value.split(':')[0]!;
  return out;
}

describe('rebuilding the Redis cache from PostgreSQL in bulk', () => {
  it('leaves every key, field and value the live writes left (done-use stamps aside), with expiries within a minute, and the same features', async () => {
    const definitions = shipped();
    const pool = await schemaPool();
    const log = new PgEventLog(pool);
    const [live, rebuilt] = [nextPrefix(), nextPrefix()];
    const liveStore = new RedisFeatureStore(redis, definitions, { prefix: live });
    const ingest = new DurableFeatureStore(log, liveStore);
    const events = history();
    // Batches as clients send them, some of them twice (a re-send counts once).
    for (let i = 0; i < events.length; i += 250) {
      const batch = events.slice(i, i + 250);
      await ingest.apply(batch);
      if (i % 1000 === 0) await ingest.apply(batch.slice(0, 20));
    }
    await ingest.close();

    const rebuiltStore = new RedisFeatureStore(redis, definitions, { prefix: rebuilt });
    const rebuilder = new CacheRebuilder(pool, log, { features: rebuiltStore, state: new RedisAccountStore(redis, rebuiltStore, rebuilt, Date.now), merchants: new RedisMerchantStore(redis, rebuilt) }, redisSentinel(redis, rebuilt), {
      windowDays: maxWindowDays(definitions),
      now: Date.now,
      pageSize: 700, // several chunks of the cursor,
      imageStreamEvery: 2000, // and event fields sent while the fold goes on
    });
    const result = await rebuilder.rebuild();
    expect(result.events).toBe(events.length);

    const [a, b] = [await dump(live), await dump(rebuilt)];
    // The history exercises every kind of field: links, flags of linked accounts, own flags, shared values, indexes.
    const fields = [...a.values()].flatMap((k) => (k.type === 'hash' ? Object.keys(k.value as object) : []));
    for (const kind of ['l|', 'f|', 'g|', 's|', 'u|', 'n|', '^']) expect(fields.some((f) => f.startsWith(kind)), kind).toBe(true);
    expect([...a.keys()].some((k) => k.startsWith('xf:'))).toBe(true);
    expect([...a.keys()].some((k) => k.startsWith('s:'))).toBe(true);
    expect((a.get('x:linkedFlaggedAccounts365d:{deviceId=public-device}')?.value as string[]).length).toBe(2 * 100);

    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, want] of a) {
      const got = b.get(name)!;
      expect(got.type, name).toBe(want.type);
      if (want.type === 'hash') {
        expect(withoutDoneStamps(got.value as Record<string, string>), name).toEqual(withoutDoneStamps(want.value as Record<string, string>));
        expect(firstUses(got.value as Record<string, string>), name).toMatchObject(firstUses(want.value as Record<string, string>));
      }
      else expect(got.value, name).toEqual(want.value);
      expect(Math.abs(got.pttl - want.pttl), `${name} expiry`).toBeLessThan(60_000);
    }
    const accounts = [...a.keys()].filter((k) => k.startsWith('a:')).map((k) => k.slice(3, -1));
    for (const account of accounts) expect(await rebuiltStore.read(account, Date.now()), account).toEqual(await liveStore.read(account, Date.now()));
    await Promise.all([liveStore.close(), rebuiltStore.close()]);
  }, 120_000);

  it('rebuilds a cache without an image (the in-memory store) by replaying the log through its ordinary writes, to the same features', async () => {
    const definitions = shipped();
    const pool = await schemaPool();
    const log = new PgEventLog(pool);
    const liveStore = new RedisFeatureStore(redis, definitions, { prefix: nextPrefix() });
    const ingest = new DurableFeatureStore(log, liveStore);
    const events = history();
    for (let i = 0; i < events.length; i += 250) await ingest.apply(events.slice(i, i + 250));
    await ingest.close();
    const memory = new MemoryFeatureStore(definitions);
    const rebuilder = new CacheRebuilder(pool, log, { features: memory, state: new MemoryAccountStateStore(), merchants: new MemoryMerchantStore() }, memorySentinel(), {
      windowDays: maxWindowDays(definitions),
      now: Date.now,
      pageSize: 700,
    });
    expect((await rebuilder.rebuild()).events).toBe(events.length);
    const accounts = new Set(events.flatMap((e) => ('accountId' in e ? [e.accountId] : [])));
    for (const account of accounts) expect(await memory.read(account, Date.now()), account).toEqual(await liveStore.read(account, Date.now()));
    await liveStore.close();
  }, 120_000);
});
