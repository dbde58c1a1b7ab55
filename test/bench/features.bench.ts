/**
 * Feature store figures: Redis memory per active account, read latency/throughput and commands per
 * read, plus MemoryFeatureStore applySync/readSync rates. Run: npx tsx test/bench/features.bench.ts
 * (needs Redis on 127.0.0.1:6379 or REDIS_URL; uses a random key prefix and deletes its keys).
 */
import { deleteKeys } from '../support/redis-keys.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { validateEvent, type RefundGuardEvent } from '../../engine/events/index.js';
import { loadFeatureDefinitions, MemoryFeatureStore } from '../../engine/features/index.js';
import { RedisFeatureStore } from '../../server/stores/redis-feature-store.js';

const DAY = 86_400_000;
const NOW = Date.parse('2027-06-01T00:00:00Z');
const loaded = loadFeatureDefinitions('policies/features.yaml', readFileSync(new URL('../../policies/features.yaml', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const definitions = loaded.definitions;

/** 90 days of ordinary activity: ~10 orders (device + address), 2 refunds with completion, 1 return. */
function ordinaryAccount(n: number, uuidIds: boolean): RefundGuardEvent[] {
  const a = `acct-${n}`;
  const id = (k: number): string => (uuidIds ? `${randomBytes(16).toString('hex').replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}` : `e${n}-${k}`);
  const at = (k: number): string => new Date(NOW - 90 * DAY + k * 8 * DAY + (n % 1000) * 1000).toISOString();
  const events: RefundGuardEvent[] = [];
  for (let k = 0; k < 10; k++) {
    events.push({ eventId: id(k), type: 'order.placed', at: at(k), accountId: a, merchantId: `m${k % 4}`, orderId: `o${n}-${k}`, amount: 20 + k * 7.5, category: 'apparel', deviceId: `dev-${n}`, addressId: `adr-${n}` });
  }
  events.push({ eventId: id(20), type: 'refund.requested', at: at(3), accountId: a, merchantId: 'm3', orderId: `o${n}-3`, amount: 42.5, refund: { type: 'fast_refund', reason: 'damaged' } });
  events.push({ eventId: id(21), type: 'refund.completed', at: at(4), accountId: a, merchantId: 'm3', orderId: `o${n}-3`, amount: 42.5 });
  events.push({ eventId: id(22), type: 'refund.requested', at: at(8), accountId: a, merchantId: 'm0', orderId: `o${n}-8`, amount: 80, refund: { type: 'return_refund', reason: 'size' } });
  events.push({ eventId: id(23), type: 'return.received', at: at(9), accountId: a, merchantId: 'm0', orderId: `o${n}-8` });
  events.push({ eventId: id(24), type: 'refund.completed', at: at(9), accountId: a, merchantId: 'm0', orderId: `o${n}-8`, amount: 80 });
  return events;
}

function commandStats(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1] as string, Number(m[2]));
  return out;
}

async function redisBench(): Promise<void> {
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const prefix = `rgbench:${randomBytes(4).toString('hex')}`;
  try {
    const store = new RedisFeatureStore(redis, definitions, { prefix });
    const accounts = 2000;
    for (const uuid of [false, true]) {
      const mem: number[] = [];
      const sample = uuid ? 200 : accounts;
      for (let n = 0; n < sample; n++) await store.apply(ordinaryAccount(uuid ? 100_000 + n : n, uuid));
      for (let n = 0; n < 200; n++) {
        const key = store.accountKey(`acct-${uuid ? 100_000 + n : n}`);
        mem.push(Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')));
      }
      const enc = await redis.call('OBJECT', 'ENCODING', store.accountKey(`acct-${uuid ? 100_000 : 0}`));
      const avg = mem.reduce((x, y) => x + y, 0) / mem.length;
      console.log(`redis memory per account (15 events/90 days, ${uuid ? 'UUID event ids' : 'short event ids'}): avg ${avg.toFixed(0)} B, max ${Math.max(...mem)} B, encoding ${String(enc)}, keys/account 1 (+1 index zset per device/address value: ${Number(await redis.call('MEMORY', 'USAGE', `${prefix}:x:linkedFlaggedAccounts365d:{deviceId=dev-0}`, 'SAMPLES', '0'))} B)`);
    }
    // Commands per read.
    await redis.call('CONFIG', 'RESETSTAT');
    const reads = 1000;
    for (let i = 0; i < reads; i++) await store.read(`acct-${i % accounts}`, NOW);
    const stats = commandStats(String(await redis.call('INFO', 'commandstats')));
    const data = [...stats].filter(([c]) => c !== 'info' && c !== 'config|resetstat');
    console.log(`commands per read: ${data.map(([c, n]) => `${c}=${(n / reads).toFixed(2)}`).join(' ')} (one round trip)`);
    // Sequential latency.
    const lat: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = process.hrtime.bigint();
      await store.read(`acct-${i % accounts}`, NOW);
      lat.push(Number(process.hrtime.bigint() - t) / 1e3);
    }
    lat.sort((x, y) => x - y);
    const q = (p: number): string => (lat[Math.floor(p * (lat.length - 1))] ?? 0).toFixed(0);
    console.log(`read latency sequential (µs): p50 ${q(0.5)} p99 ${q(0.99)} max ${q(1)}`);
    // Throughput with 64 concurrent readers (ioredis pipelines them on one connection).
    const total = 50_000;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < total) await store.read(`acct-${next++ % accounts}`, NOW);
    }));
    console.log(`read throughput, 64 concurrent: ${((total / (performance.now() - t0)) * 1000).toFixed(0)} reads/s`);
    // Write throughput in batches of 100 events.
    const writeEvents = Array.from({ length: 500 }, (_, n) => ordinaryAccount(200_000 + n, false)).flat();
    const t1 = performance.now();
    for (let i = 0; i < writeEvents.length; i += 100) await store.apply(writeEvents.slice(i, i + 100));
    console.log(`apply throughput, batches of 100: ${((writeEvents.length / (performance.now() - t1)) * 1000).toFixed(0)} events/s`);
  } finally {
    await deleteKeys(prefix);
    redis.disconnect();
  }
}

function memoryBench(): void {
  const store = new MemoryFeatureStore(definitions);
  const accounts = 20_000;
  const events: RefundGuardEvent[] = [];
  for (let n = 0; n < accounts; n++) events.push(...ordinaryAccount(n, false));
  events.sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
  let t = performance.now();
  for (const e of events) store.applySync(e);
  const applyRate = (events.length / (performance.now() - t)) * 1000;
  const reads = 1_000_000;
  let sink = 0;
  t = performance.now();
  for (let i = 0; i < reads; i++) sink += store.readSync(`acct-${i % accounts}`, NOW)['orders90d'] ?? 0;
  const readRate = (reads / (performance.now() - t)) * 1000;
  const lines = events.map((e) => JSON.stringify(e));
  t = performance.now();
  for (const line of lines) if (!validateEvent(JSON.parse(line)).ok) throw new Error('invalid');
  const parseRate = (lines.length / (performance.now() - t)) * 1000;
  console.log(`MemoryFeatureStore: applySync ${applyRate.toFixed(0)} events/s, readSync ${readRate.toFixed(0)} reads/s (${events.length} events, ${accounts} accounts, checksum ${sink})`);
  console.log(`JSON.parse + validateEvent: ${parseRate.toFixed(0)} lines/s`);
}

memoryBench();
await redisBench();
