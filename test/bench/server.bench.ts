/**
 * Decision server benchmark: POST /v1/decisions against a bare Hono route that reads one Redis
 * hash (the baseline), both over loopback on the same Redis, measured in the same run with
 * autocannon (64 connections). Also Redis commands per decision from INFO commandstats.
 * Run: npx tsx test/bench/server.bench.ts [seconds]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { deleteKeys, redisUrl } from '../support/runtime.js';

const seconds = Number(process.argv[2] ?? 10);
const prefix = `rgbench-${randomUUID().slice(0, 8)}`;
const accounts = 2000;
const merchants = 200;

function start(args: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer) => {
      if (/ready|listening/i.test(chunk.toString())) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
}

async function load(url: string, bodies: string[], extraHeaders: Record<string, string> = {}) {
  let i = 0;
  const result = await autocannon({
    url,
    connections: 64,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...extraHeaders },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length]! }) }],
  });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx, total: result.requests.total };
}

async function commandCount(client: Redis): Promise<number> {
  const info = await client.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) if (!['info', 'ping', 'client|setname', 'hello'].includes(match[1]!)) total += Number(match[2]);
  return total;
}

const bodies = Array.from({ length: 4096 }, (_, k) =>
  JSON.stringify({
    point: 'refund.requested',
    account: { id: `a${k % accounts}` },
    merchant: { id: `m${k % merchants}`, category: 'apparel' },
    order: { id: `o${k}`, amount: 40 + (k % 100) },
    refund: { type: k % 3 === 0 ? 'fast_refund' : 'refund_only', reason: 'damaged', amount: 40 },
  }),
);

const seeder = new Redis(redisUrl);
const rg = await start(['server/cli/bin.mjs', 'serve', '--redis', redisUrl, '--redis-prefix', prefix, '--port', '18787', '--no-watch'], { REFUND_GUARD_TOKENS: '' });
const bare = await start(['--import', 'tsx', 'test/bench/fixtures/bare-hono-server.ts', '18788', prefix]);
try {
  // Seed: accounts with a few orders and refunds each, merchants with settings.
  const base = Date.now() - 20 * 86_400_000;
  for (let start = 0; start < accounts; start += 100) {
    const events = [];
    for (let a = start; a < start + 100; a++) {
      for (let j = 0; j < 5; j++) events.push({ eventId: `s-${a}-${j}`, type: 'order.placed', at: new Date(base + (a * 7 + j) * 60_000).toISOString(), accountId: `a${a}`, merchantId: `m${a % merchants}`, orderId: `so-${a}-${j}`, amount: 30, deviceId: `d${a}` });
      if (a % 4 === 0) events.push({ eventId: `s-${a}-r`, type: 'refund.requested', at: new Date(base + a * 7 * 60_000 + 1).toISOString(), accountId: `a${a}`, merchantId: `m${a % merchants}`, orderId: `so-${a}-0`, amount: 30, refund: { type: 'fast_refund', reason: 'x' } });
    }
    const r = await fetch('http://127.0.0.1:18787/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    if (r.status !== 200) throw new Error(`seeding failed: ${r.status} ${await r.text()}`);
  }
  for (let m = 0; m < merchants; m++) {
    await fetch(`http://127.0.0.1:18787/v1/merchants/m${m}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings: { interceptAbnormalRefunds: m % 2 === 0, oneClickReject: m % 5 === 0 } }) });
  }
  // Warm-up both, then measure alternately.
  await load('http://127.0.0.1:18788/bare', bodies.slice(0, 100));
  await load('http://127.0.0.1:18787/v1/decisions', bodies.slice(0, 100));
  const baseline = await load('http://127.0.0.1:18788/bare', bodies);
  const before = await commandCount(seeder);
  const decisions = await load('http://127.0.0.1:18787/v1/decisions', bodies);
  await new Promise((r) => setTimeout(r, 200)); // let the last decision-log batch land
  const commands = (await commandCount(seeder)) - before;
  console.log(`decision server (${seconds}s per run, 64 connections, loopback, Redis on the same 2 cores)`);
  console.log(`  bare Hono + 1 HGETALL:  ${Math.round(baseline.rps)} req/s  p99 ${baseline.p99} ms  errors ${baseline.errors}`);
  console.log(`  POST /v1/decisions:     ${Math.round(decisions.rps)} req/s  p99 ${decisions.p99} ms  errors ${decisions.errors}`);
  console.log(`  throughput ratio:       ${(decisions.rps / baseline.rps).toFixed(2)}x  (goal >= 0.8x)`);
  console.log(`  p99 ratio:              ${(decisions.p99 / Math.max(baseline.p99, 1)).toFixed(2)}x  (goal <= 1.5x)`);
  console.log(`  Redis commands/decision: ${(commands / decisions.total).toFixed(3)} (INFO commandstats, all commands incl. batched log writes)`);
} finally {
  rg.kill('SIGTERM');
  bare.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await deleteKeys(prefix);
  seeder.disconnect();
}
