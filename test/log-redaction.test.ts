/**
 * What is logged: method, path, status and request id of each request; never the Authorization
 * header or a token, wherever one appears in what is logged (pino redaction).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../server/observability/logger.js';
import { startTestRuntime, tokens } from './support/runtime.js';

/** A logger writing JSON lines into memory, at debug so every request is logged. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

describe('log redaction', () => {
  it('logs each request without its Authorization header or token, valid or not', async () => {
    const { logger, lines } = capturedLogger();
    const runtime = await startTestRuntime({ logger });
    const secrets = [tokens.service, tokens.admin, 'wrong-token-123456', 'malformed-secret-987'];
    try {
      const call = (path: string, authorization: string, body?: unknown) =>
        runtime.app.request(path, { method: body === undefined ? 'GET' : 'POST', headers: { authorization, 'content-type': 'application/json', 'x-request-id': 'req-redact-1' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      expect((await call('/v1/decisions', `Bearer ${tokens.service}`, { point: 'order.checkout', account: { id: 'a1' }, merchant: { id: 'm1' } })).status).toBe(200);
      expect((await call('/v1/policies', `Bearer ${tokens.admin}`)).status).toBe(200);
      expect((await call('/v1/policies', 'Bearer wrong-token-123456')).status).toBe(401);
      expect((await call('/v1/policies', 'Basic malformed-secret-987')).status).toBe(401);
      expect((await call('/v1/restrictions/rst-x/lift', `Bearer ${tokens.admin}`, { reason: 'r', by: 'b' })).status).toBe(404);
    } finally {
      await runtime.close();
    }
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request');
    expect(requests.map((r) => [r['method'], r['path'], r['status']])).toEqual([
      ['POST', '/v1/decisions', 200],
      ['GET', '/v1/policies', 200],
      ['GET', '/v1/policies', 401],
      ['GET', '/v1/policies', 401],
      ['POST', '/v1/restrictions/rst-x/lift', 404],
    ]);
    expect(requests.every((r) => r['requestId'] === 'req-redact-1')).toBe(true);
    const text = lines.join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/bearer|basic /i);
  });

  it('censors an Authorization header or a token wherever a log call carries one', () => {
    const { logger, lines } = capturedLogger();
    logger.info({ req: { method: 'GET', headers: { authorization: 'Bearer s3cret-1', accept: 'json' } } }, 'incoming');
    logger.info({ headers: { authorization: 'Bearer s3cret-2' } }, 'headers');
    logger.info({ authorization: 'Bearer s3cret-3', token: 's3cret-4', client: { token: 's3cret-5', name: 'svc' } }, 'flat');
    const logged = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.join('\n')).not.toMatch(/s3cret/);
    expect(logged[0]!.req.headers).toEqual({ authorization: '[redacted]', accept: 'json' });
    expect(logged[1]!.headers.authorization).toBe('[redacted]');
    expect(logged[2]).toMatchObject({ authorization: '[redacted]', token: '[redacted]', client: { token: '[redacted]', name: 'svc' } });
  });
});
