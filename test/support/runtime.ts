import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../server/observability/logger.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../server/runtime/create-runtime.js';

import { contractRequest } from './openapi-contract.js';
import { deleteKeys, redisUrl } from './redis-keys.js';

export { deleteKeys, redisUrl };

export const tokens = {
  service: 'svc-token-0001',
  analyst: 'anl-token-0001',
  appraiser: 'apr-token-0001',
  admin: 'adm-token-0001',
  /** History imports and replays: judgement events, and any clock. */
  backfill: 'bkf-token-0001',
};
export const tokenSpec = Object.entries(tokens).map(([role, token]) => `${role}:${token}`).join(',');

/** A settable clock for tests: decisions, SLAs and expiries follow it, never the wall clock. */
export class TestClock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface TestRuntime extends Runtime {
  prefix?: string;
  clock: TestClock;
  request(path: string, init?: { method?: string; body?: unknown; role?: keyof typeof tokens | 'none'; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any }>;
  cleanup(): Promise<void>;
}

/** A copy of the shipped policies a test may edit (reloads, broken bundles). */
export function copyPolicies(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rg-policies-'));
  cpSync('policies', dir, { recursive: true });
  return dir;
}

export async function startTestRuntime(options: Partial<RuntimeOptions> & { redis?: boolean; clock?: TestClock } = {}): Promise<TestRuntime> {
  const clock = options.clock ?? new TestClock(Date.parse('2027-02-01T12:00:00Z'));
  const prefix = options.redis ? `rgtest-${randomUUID().slice(0, 8)}` : undefined;
  const runtime = await createRuntime({
    policies: 'policies',
    tokens: tokenSpec,
    logger: createLogger({ level: 'silent' }),
    processMetrics: false,
    now: clock.now,
    ...(options.redis ? { redisUrl, redisPrefix: prefix } : {}),
    ...options,
  });
  return {
    ...runtime,
    ...(prefix !== undefined ? { prefix } : {}),
    clock,
    async request(path, init = {}) {
      const role = init.role ?? 'admin';
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(init.headers ?? {}) };
      if (role !== 'none') headers['authorization'] = `Bearer ${tokens[role]}`;
      const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
      const response = await contractRequest(runtime.app, path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // metrics and other text bodies stay text
      }
      return { status: response.status, body: parsed };
    },
    async cleanup() {
      await runtime.close();
      if (prefix !== undefined) await deleteKeys(prefix);
    },
  };
}
