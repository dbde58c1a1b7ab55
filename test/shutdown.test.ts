import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/own-redis.js';
import { deleteKeys, redisUrl } from './support/runtime.js';
import { until } from './support/until.js';

const prefix = `rgshut-${randomUUID().slice(0, 8)}`;
afterAll(async () => {
  await deleteKeys(prefix);
});

describe('SIGTERM', () => {
  it('finishes in-flight requests, flushes the decision log, closes Redis and exits 0 within 5 s', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['server/cli/bin.mjs', 'serve', '--redis', redisUrl, '--redis-prefix', prefix, '--port', String(port), '--no-watch'], {
      env: { ...process.env, REFUND_GUARD_TOKENS: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15_000);
      child.stderr.on('data', () => {
        if (stderr.includes('listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const decide = (i: number) =>
      fetch(`http://127.0.0.1:${port}/v1/decisions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ point: 'order.checkout', requestId: `req-${i}`, account: { id: `a${i}` }, merchant: { id: 'm1' } }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { decisionId: string } }));
    const settled = await Promise.all(Array.from({ length: 20 }, (_, i) => decide(i)));
    // One request surely in flight when the signal comes: its headers are in, half its body is not.
    const slowBody = JSON.stringify({ point: 'order.checkout', requestId: 'req-slow', account: { id: 'a-slow' }, merchant: { id: 'm1' } });
    const slow = request({ host: '127.0.0.1', port, path: '/v1/decisions', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(slowBody) } });
    const slowAnswer = new Promise<{ status: number; body: { decisionId: string } }>((resolve, reject) => {
      slow.once('error', reject);
      slow.once('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { decisionId: string } }));
      });
    });
    slow.write(slowBody.slice(0, 20));
    // A round trip on another connection: the server has read the slow request's headers by then.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Requests racing the signal: those the server accepted must be answered; the others are refused at connect.
    const inFlight = Promise.allSettled(Array.from({ length: 20 }, (_, i) => decide(100 + i)));
    await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    child.kill('SIGTERM');
    await until('the server takes the signal', () => stderr.includes('SIGTERM received'));
    slow.end(slowBody.slice(20));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const elapsed = Date.now() - started;
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(5000);
    const answered = (await inFlight).filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ status: number; body: { decisionId: string } }>).value);
    for (const r of answered) expect(r.status).toBe(200);
    const slowDecision = await slowAnswer;
    expect(slowDecision.status).toBe(200);
    answered.push(slowDecision);
    // Every answered decision reached the log before the process exited.
    const client = new Redis(redisUrl);
    try {
      const entries = (await client.xrange(`${prefix}:decisions`, '-', '+')) as [string, string[]][];
      const logged = new Set(entries.flatMap(([, fields]) => (JSON.parse(fields[1]!) as { decisionId: string }[]).map((d) => d.decisionId)));
      for (const r of [...settled, ...answered]) expect(logged.has(r.body.decisionId)).toBe(true);
    } finally {
      client.disconnect();
    }
    expect(stderr).toContain('SIGTERM received');
  }, 30_000);
});
