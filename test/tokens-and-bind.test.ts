import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseTokens, TokenSpecError } from '../server/http/tokens.js';
import { createRuntime } from '../server/runtime/create-runtime.js';
import { createLogger } from '../server/observability/logger.js';
import { freePort } from './support/own-redis.js';

/** Issue 19 item 2: REFUND_GUARD_TOKENS parsing, and the bind guard that relies on it. */
describe('REFUND_GUARD_TOKENS', () => {
  it('is open mode only when unset or empty', () => {
    expect(parseTokens(undefined).open).toBe(true);
    expect(parseTokens('').open).toBe(true);
    expect(parseTokens('   ').open).toBe(true);
    expect(parseTokens('').callerOf(undefined)).toEqual({ role: 'admin', name: 'local-open-mode' });
  });

  it('refuses a value that is set but holds no token', () => {
    for (const spec of [',', ' , ,', ',,,,']) {
      expect(() => parseTokens(spec)).toThrow(TokenSpecError);
      expect(() => parseTokens(spec)).toThrow(/holds no token/);
    }
  });

  it('reads role:token and role:name:token, the name being who audit records name', () => {
    const table = parseTokens('service:svc-secret-1, admin:alice:adm-secret-1 ,backfill:importer-7:bkf:secret:2');
    expect(table.open).toBe(false);
    expect(table.callerOf('Bearer svc-secret-1')).toEqual({ role: 'service', name: 'service' });
    expect(table.callerOf('Bearer adm-secret-1')).toEqual({ role: 'admin', name: 'alice' });
    // With a name, the token is everything after the second colon.
    expect(table.callerOf('Bearer bkf:secret:2')).toEqual({ role: 'backfill', name: 'importer-7' });
    expect(table.callerOf('Bearer alice:adm-secret-1')).toBeUndefined();
    expect(table.callerOf('Bearer nope-nope-nope')).toBeUndefined();
    expect(table.callerOf(undefined)).toBeUndefined();
    expect(table.callerOf('Basic svc-secret-1')).toBeUndefined();
  });

  it('names the entry and the rule it breaks', () => {
    expect(() => parseTokens('service:svc-secret-1,root:abcdefghij')).toThrow(/entry 2: must be role:token or role:name:token/);
    expect(() => parseTokens('service:short')).toThrow(/entry 1: the token must have 8\+ characters/);
    expect(() => parseTokens('admin:bad name:abcdefghij')).toThrow(/entry 1: the name must be/);
    expect(() => parseTokens('service:same-token-1,admin:same-token-1')).toThrow(/entry 2: the same token appears twice/);
    expect(() => parseTokens('servicetokenwithoutcolon')).toThrow(/entry 1/);
  });

  it('keeps a runtime from starting on a value with no token', async () => {
    await expect(createRuntime({ policies: 'policies', tokens: ',', logger: createLogger({ level: 'silent' }), processMetrics: false })).rejects.toThrow(TokenSpecError);
  });
});

/** The CLI: exit code and stderr of `serve` with the given tokens and host. */
async function serveOnce(tokens: string | undefined, host: string, startedText = 'listening'): Promise<{ code: number | null; stderr: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env['REFUND_GUARD_TOKENS'];
  delete env['REDIS_URL'];
  if (tokens !== undefined) env['REFUND_GUARD_TOKENS'] = tokens;
  const child = spawn(process.execPath, ['server/cli/bin.mjs', 'serve', '--host', host, '--port', String(port), '--no-watch'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve neither exited nor failed in time: ${stderr}`));
    }, 20_000);
    child.stderr.on('data', () => {
      // Started after all: stop it, the caller checks it did not refuse.
      if (stderr.includes(startedText)) child.kill('SIGTERM');
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('serve refuses to start open to others', () => {
  it('refuses REFUND_GUARD_TOKENS="," with a message, on loopback and on 0.0.0.0', async () => {
    for (const host of ['0.0.0.0', '127.0.0.1']) {
      const { code, stderr } = await serveOnce(',', host);
      expect(code).toBe(2);
      expect(stderr).toContain('REFUND_GUARD_TOKENS is set but holds no token');
      expect(stderr).not.toContain('listening');
    }
  }, 60_000);

  it('refuses a non-loopback bind without tokens, and starts open on loopback', async () => {
    const refused = await serveOnce(undefined, '0.0.0.0');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to bind 0.0.0.0 without tokens');
    // Stopped once its last start-up line is out.
    const open = await serveOnce('', '127.0.0.1', 'loopback only');
    expect(open.stderr).toContain('listening');
    expect(open.stderr).toContain('loopback only');
  }, 60_000);

});
