/**
 * `npm run soak [-- seconds]`: a bounded run (default 600 s, loopback only) of mixed decisions and
 * event batches at a steady rate against a server on Redis. Reports throughput, p99, errors (must
 * be 0) and the server's RSS at start and end (must be flat).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { freePort } from '../support/own-redis.js';
import { deleteKeys, redisUrl } from '../support/runtime.js';

const seconds = Number(process.argv[2] ?? process.env['SOAK_SECONDS'] ?? 600);
const rate = Number(process.env['SOAK_RATE'] ?? 2000); // requests per second, all connections together
const prefix = `rgsoak-${randomUUID().slice(0, 8)}`;
const port = await freePort();
const base = `http://127.0.0.1:${port}`;

const server: ChildProcess = spawn(process.execPath, ['server/cli/bin.mjs', 'serve', '--redis', redisUrl, '--redis-prefix', prefix, '--port', String(port), '--no-watch'], {
  env: { ...process.env, REFUND_GUARD_TOKENS: '', LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
await new Promise<void>((resolve) => server.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));

async function rssMiB(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = /process_resident_memory_bytes (\d+)/.exec(text);
  return match ? Math.round(Number(match[1]) / 1048576) : NaN;
}

let n = 0;
const accounts = 5000;
const started = Date.now();
const body = () => {
  n += 1;
  const account = `a${n % accounts}`;
  const at = new Date(started - 86_400_000 + n).toISOString();
  if (n % 4 === 0) {
    // One event batch for every three decisions: orders and refunds, unique ids.
    return { path: '/v1/events', body: JSON.stringify({ events: [
      { eventId: `soak-${n}-o`, type: 'order.placed', at, accountId: account, merchantId: `m${n % 100}`, orderId: `o${n}`, amount: 25, deviceId: `d${n % accounts}` },
      { eventId: `soak-${n}-r`, type: 'refund.requested', at, accountId: account, merchantId: `m${n % 100}`, orderId: `o${n}`, amount: 25, refund: { type: 'fast_refund', reason: 'damaged' } },
    ] }) };
  }
  const point = ['refund.requested', 'order.checkout', 'refund.intervention'][n % 3];
  return { path: '/v1/decisions', body: JSON.stringify({ point, account: { id: account }, merchant: { id: `m${n % 100}` }, order: { id: `o${n}`, amount: 25 }, refund: { type: 'fast_refund', reason: 'damaged', amount: 25 } }) };
};

const rssStart = await rssMiB();
const result = await autocannon({
  url: base,
  connections: 32,
  duration: seconds,
  overallRate: rate,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  requests: [{ setupRequest: (req) => ({ ...req, ...body() }) }],
});
const rssEnd = await rssMiB();
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
await deleteKeys(prefix);
console.log(`soak: ${seconds}s at a target of ${rate} req/s (3 decisions : 1 batch of 2 events), 32 connections, loopback`);
console.log(`  throughput ${Math.round(result.requests.average)} req/s, ${result.requests.total} requests`);
console.log(`  latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
console.log(`  errors ${result.errors}, non-2xx ${result.non2xx}, timeouts ${result.timeouts}`);
console.log(`  server RSS ${rssStart} MiB at start, ${rssEnd} MiB at end`);
process.exitCode = result.errors + result.non2xx + result.timeouts === 0 ? 0 : 1;
