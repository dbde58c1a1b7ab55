/** The PostgreSQL event log's paging: rebuilds and exports read every event exactly once, in order. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefundGuardEvent } from '../engine/events/index.js';
import { historyLines, PgEventLog } from '../server/postgres/event-log.js';
import type { PgPool } from '../server/postgres/pool.js';
import { closeSchemaPools, createTestDatabase, migratedSchemaPool, type TestDatabase } from './support/test-postgres.js';

let db: TestDatabase;
let pool: PgPool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = await migratedSchemaPool(db);
});
afterAll(async () => {
  await closeSchemaPools();
  await db.drop();
});

const T = Date.parse('2027-01-01T00:00:00Z');
// 25 events sent in an order unlike their times: seq runs 1..25 (past 9, where text order differs), times descend.
const events = Array.from({ length: 25 }, (_, i) => ({
  eventId: `pg-${i}`, type: 'order.placed', at: new Date(T + (25 - i) * 60_000).toISOString(), accountId: `a${i % 3}`, merchantId: 'm1', orderId: `o${i}`, amount: i,
})) as RefundGuardEvent[];

describe('PgEventLog', () => {
  it('pages by log position through every event once, also past seq 9 and with a since bound', async () => {
    const log = new PgEventLog(pool);
    expect((await log.append(events)).fresh.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    const read: string[] = [];
    for (let after = '0'; ; ) {
      const page = await log.page(after, 4);
      if (page.length === 0) break;
      read.push(...page.map((p) => p.event.eventId));
      after = page[page.length - 1]!.seq;
    }
    expect(read).toEqual(events.map((e) => e.eventId));
    const since = new Date(T + 20 * 60_000).toISOString(); // events 0..5 are at or after it
    expect((await log.page('0', 100, since)).map((p) => p.event.eventId)).toEqual(['pg-0', 'pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5']);
  });

  it('exports in time order across pages', async () => {
    const lines: string[] = [];
    for await (const page of historyLines(pool, undefined, 4)) lines.push(...page);
    expect(lines.map((l) => JSON.parse(l).eventId)).toEqual([...events].reverse().map((e) => e.eventId));
  });

  it('commits a batch with known and repeated ids once each, keeps every body as sent, and queues one outbox row for the batch', async () => {
    const log = new PgEventLog(pool);
    const one = { eventId: 'pg-dup-1', type: 'order.placed', at: new Date(T).toISOString(), accountId: 'd1', merchantId: 'm1', orderId: 'o-"q"\\', amount: 1 } as RefundGuardEvent;
    const two = { ...one, eventId: 'pg-dup-2', orderId: 'o-é' } as RefundGuardEvent;
    const again = { ...one, orderId: 'o-other' } as RefundGuardEvent; // same id as `one`: not new
    const before = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cache_outbox');
    const first = await log.append([one, two, again]);
    expect(first.fresh).toEqual([one, two]);
    expect(first.outbox).toBeDefined();
    const second = await log.append([two, one]);
    expect(second).toEqual({ fresh: [], outbox: undefined });
    const bodies = await pool.query<{ body: string }>("SELECT body::text AS body FROM events WHERE event_id LIKE 'pg-dup-%' ORDER BY seq");
    expect(bodies.rows.map((r) => r.body)).toEqual([JSON.stringify(one), JSON.stringify(two)]);
    const outbox = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cache_outbox');
    expect(outbox.rows[0]!.n).toBe(before.rows[0]!.n + 1);
    const due = await log.unapplied(500, 0);
    expect(due.outbox).toContain(first.outbox);
    expect(due.events.filter((e) => e.eventId.startsWith('pg-dup-'))).toEqual([one, two]);
    await log.confirmApplied(due.outbox);
    expect((await log.unapplied(500, 0)).outbox).toEqual([]);
  });
});
