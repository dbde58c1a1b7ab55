/**
 * A server killed with SIGKILL in the middle of ingestion: every acknowledged event is in
 * PostgreSQL, no batch is there in part, and after a restart the cache holds exactly what
 * PostgreSQL holds (the outbox applies what the dead process committed but never applied).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnPostgres } from './support/own-postgres.js';
import { deleteKeys, redisUrl } from './support/runtime.js';
import { spawnServer, type SpawnedServer } from './support/spawned-server.js';

let postgres: OwnPostgres;
const prefix = `rgtest-kill-${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  postgres = await OwnPostgres.start();
}, 60_000);
afterAll(async () => {
  await postgres.stop();
  await deleteKeys(prefix);
});

const batches = 40;
const perBatch = 100;
const batchOf = (b: number) =>
  Array.from({ length: perBatch }, (_, i) => ({ eventId: `k9-${b}-${i}`, type: 'order.placed', at: '2027-01-30T10:00:00Z', accountId: `k9-${b}`, merchantId: 'm-k', orderId: `o-${b}-${i}`, amount: 5 }));

/** orders90d as of just after the events; undefined while the server cannot read the account. */
const ordersOf = async (server: SpawnedServer, accountId: string): Promise<number | undefined> => {
  const r = await fetch(`${server.baseUrl}/v1/accounts/${accountId}?asOf=2027-02-01T00:00:00Z`);
  return r.status === 200 ? ((await r.json()) as { features: { orders90d: number } }).features.orders90d : undefined;
};

describe('kill -9 in the middle of ingestion', () => {
  it('loses no acknowledged event and leaves no half-applied batch', async () => {
    const args = ['--redis', redisUrl, '--redis-prefix', prefix, '--postgres', postgres.url];
    const first = await spawnServer(args);
    const acknowledged = new Set<number>();
    let next = 0;
    let killed = false;
    const sender = async () => {
      while (next < batches && !killed) {
        const b = next++;
        try {
          const r = await fetch(`${first.baseUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: batchOf(b) }) });
          if (r.status === 200) acknowledged.add(b);
        } catch {
          // the connection died with the server: not acknowledged
        }
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    while (acknowledged.size < 8) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    killed = true;
    await first.exited;
    await Promise.all(senders);
    expect(acknowledged.size).toBeGreaterThanOrEqual(8);

    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    let committed: Map<string, number>;
    try {
      const { rows } = await client.query<{ account_id: string; n: number }>("SELECT account_id, count(*)::int AS n FROM events WHERE account_id LIKE 'k9-%' GROUP BY account_id");
      committed = new Map(rows.map((r) => [r.account_id, r.n]));
    } finally {
      await client.end();
    }
    for (const b of acknowledged) expect(committed.get(`k9-${b}`)).toBe(perBatch);
    for (const [, n] of committed) expect(n).toBe(perBatch); // whole batches or nothing

    const second = await spawnServer(args);
    try {
      const deadline = Date.now() + 20_000;
      const pending = new Set(Array.from({ length: batches }, (_, b) => b));
      while (pending.size > 0 && Date.now() < deadline) {
        for (const b of [...pending]) {
          if ((await ordersOf(second, `k9-${b}`)) === (committed.get(`k9-${b}`) ?? 0)) pending.delete(b);
        }
        if (pending.size > 0) await new Promise((r) => setTimeout(r, 250));
      }
      expect([...pending]).toEqual([]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);
});
