/**
 * Harness for the workflow end-to-end tests: a real runtime (Redis at 127.0.0.1:6379 under a
 * random prefix, or memory), a settable clock, role tokens, and key cleanup by prefix.
 */
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../server/observability/logger.js';
import { contractRequest } from './openapi-contract.js';
import { deleteKeys, redisUrl } from './redis-keys.js';
import { createRuntime, type Runtime } from '../../server/runtime/create-runtime.js';
import { createTestDatabase, type TestDatabase } from './test-postgres.js';

/** Admin tokens name their holders (role:name:token): audit records (lifts) name ops-anna or ops-ben. */
export const tokenSpec = 'service:svc-token-1,appraiser:appr-token-1,analyst:anl-token-1,admin:ops-anna:adm-token-1,admin:ops-ben:adm-token-2,backfill:bkf-token-1';
export const tokenOf = { service: 'svc-token-1', appraiser: 'appr-token-1', analyst: 'anl-token-1', admin: 'adm-token-1', adminBen: 'adm-token-2', backfill: 'bkf-token-1' } as const;
export type Caller = keyof typeof tokenOf | 'none';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const T0 = Date.parse('2027-02-01T12:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

export interface Harness {
  runtime: Runtime;
  prefix: string | undefined;
  clock: { ms: number };
  call(method: string, path: string, as: Caller, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** Import events through POST /v1/events (role backfill: any type, any time); throws unless 200. */
  events(events: Record<string, unknown>[]): Promise<any>;
  decide(point: string, accountId: string, merchantId: string, extra?: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}

/** postgres: a fresh database of the harness's own as the system of record, dropped on close. */
export async function startHarness(options: { redis?: boolean; prefix?: string; start?: number; postgres?: boolean } = {}): Promise<Harness> {
  const useRedis = options.redis ?? true;
  const prefix = useRedis ? (options.prefix ?? `rgtest-${randomBytes(6).toString('hex')}`) : undefined;
  const clock = { ms: options.start ?? T0 };
  const db: TestDatabase | undefined = options.postgres ? await createTestDatabase() : undefined;
  const runtime = await createRuntime({
    policies: 'policies',
    ...(prefix !== undefined ? { redisUrl, redisPrefix: prefix } : {}),
    ...(db !== undefined ? { postgresUrl: db.url } : {}),
    tokens: tokenSpec,
    processMetrics: false,
    logger: createLogger({ level: 'silent' }),
    now: () => clock.ms,
  });
  const call: Harness['call'] = async (method, path, as, body, headers = {}) => {
    const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
    if (as !== 'none') h['authorization'] = `Bearer ${tokenOf[as]}`;
    const response = await contractRequest(runtime.app, path, { method, headers: h, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // text bodies (metrics) stay text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    runtime,
    prefix,
    clock,
    call,
    async events(events) {
      const r = await call('POST', '/v1/events', 'backfill', { events });
      if (r.status !== 200) throw new Error(`POST /v1/events answered ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async decide(point, accountId, merchantId, extra = {}) {
      // A decision as of another time than now is a backfill's to ask for (the service role is held to the clock).
      const role = 'occurredAt' in extra ? 'backfill' : 'service';
      const r = await call('POST', '/v1/decisions', role, { point, account: { id: accountId }, merchant: { id: merchantId }, ...extra });
      if (r.status !== 200) throw new Error(`POST /v1/decisions answered ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async close() {
      await runtime.close();
      if (prefix !== undefined) await deleteKeys(prefix);
      await db?.drop();
    },
  };
}

export { deleteKeys, redisUrl };

export const order = (accountId: string, orderId: string, at: number, extra: Record<string, unknown> = {}) => ({
  eventId: `ev-${orderId}-placed`, type: 'order.placed', at: iso(at), accountId, merchantId: 'm1', orderId, amount: 80, ...extra,
});

export const sha = (c: string): string => c.repeat(64).slice(0, 64);
