/**
 * PostgreSQL as the system of record, over real Redis and real PostgreSQL: a 200 means committed
 * there, eventId idempotency survives a cache loss, case files and restrictions are read from it,
 * and the decision that created a restriction is in it before the restriction is acknowledged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { RefundGuardEvent } from '../engine/events/index.js';
import { PgEventLog } from '../server/postgres/event-log.js';
import { createPool } from '../server/postgres/pool.js';
import { DAY, HOUR, T0, deleteKeys, order, startHarness, type Harness } from './support/workflow-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sql = async <T extends pg.QueryResultRow>(harness: Harness, text: string, params: unknown[] = []): Promise<T[]> =>
  (await harness.runtime.systemOfRecord!.pool.query<T>(text, params)).rows;

const complaintBody = (accountId: string, merchantId: string, orderId: string) => ({
  kind: 'empty_package', accountId, merchantId, orderId, evidence: [{ kind: 'parcel_photo', url: 'https://evidence.example/p/1.jpg' }],
});

describe('PostgreSQL as the system of record', () => {
  it('commits each event once: a batch with an in-batch repeat, a re-send, and a re-send after the cache is lost all count once', async () => {
    h = await startHarness({ postgres: true });
    const batch = [order('a1', 'o1', T0 - 3 * DAY), order('a1', 'o2', T0 - 2 * DAY)];
    expect(await h.events([...batch, batch[0]!])).toMatchObject({ accepted: 3, applied: 2, duplicates: 1 });
    const rows = await sql<{ event_id: string; account_id: string; type: string }>(h, 'SELECT event_id, account_id, type FROM events ORDER BY seq');
    expect(rows).toEqual([
      { event_id: 'ev-o1-placed', account_id: 'a1', type: 'order.placed' },
      { event_id: 'ev-o2-placed', account_id: 'a1', type: 'order.placed' },
    ]);
    expect((await h.call('GET', '/v1/accounts/a1', 'analyst')).body.features.orders90d).toBe(2);
    expect(await h.events(batch)).toMatchObject({ applied: 0, duplicates: 2 });

    await deleteKeys(h.prefix!); // the cache is lost
    expect(await h.events(batch)).toMatchObject({ applied: 0, duplicates: 2 });
    expect((await sql<{ n: number }>(h, 'SELECT count(*)::int AS n FROM events'))[0]!.n).toBe(2);
    // Every applied event's outbox row was confirmed: nothing is left for the repair.
    await h.runtime.systemOfRecord!.features.close();
    expect((await sql<{ n: number }>(h, 'SELECT count(*)::int AS n FROM cache_outbox'))[0]!.n).toBe(0);
  });

  it('keeps complaints, restrictions, the audit trail and the review decision when the cache is lost; the decision is durable when the restriction is acknowledged', async () => {
    h = await startHarness({ postgres: true });
    await h.events([order('a1', 'o1', T0 - 5 * DAY)]);
    const filed = await h.call('POST', '/v1/complaints', 'service', complaintBody('a1', 'm1', 'o1'));
    expect(filed.status).toBe(201);
    h.clock.ms = T0 + HOUR;
    const upheld = await h.call('POST', `/v1/complaints/${filed.body.id}/resolution`, 'appraiser', { outcome: 'upheld' });
    expect(upheld.status).toBe(200);
    const restriction = upheld.body.restrictions[0];
    expect(restriction).toMatchObject({ kind: 'restrict_store', accountId: 'a1', status: 'active' });
    // No flush: the review decision was written before the restriction was stored.
    const decisions = await sql<{ decision_id: string; point: string; action: string }>(h, 'SELECT decision_id, point, action FROM decisions WHERE decision_id = $1', [restriction.decisionId]);
    expect(decisions).toEqual([{ decision_id: restriction.decisionId, point: 'integrity.review', action: 'restrict_store' }]);
    expect(await sql(h, 'SELECT kind, subject_id, account_id FROM audit_log ORDER BY seq')).toEqual([{ kind: 'restriction.created', subject_id: restriction.id, account_id: 'a1' }]);
    expect((await sql<{ event_id: string }>(h, 'SELECT event_id FROM events ORDER BY seq')).map((r) => r.event_id)).toEqual([
      'ev-o1-placed', `${filed.body.id}:filed`, `${filed.body.id}:resolved`,
    ]);

    await deleteKeys(h.prefix!); // Redis restarted without persistence
    const complaint = await h.call('GET', `/v1/complaints/${filed.body.id}`, 'appraiser');
    expect(complaint.status).toBe(200);
    expect(complaint.body).toMatchObject({ id: filed.body.id, status: 'resolved' });
    const listed = await h.call('GET', '/v1/restrictions?accountId=a1', 'analyst');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(restriction.id);

    // Lifting works on what PostgreSQL holds, audits it, and puts the lifted record back in the cache.
    const lifted = await h.call('POST', `/v1/restrictions/${restriction.id}/lift`, 'admin', { by: 'ops-anna', reason: 'appeal accepted' });
    expect(lifted.status).toBe(200);
    expect((await sql<{ kind: string }>(h, 'SELECT kind FROM audit_log ORDER BY seq')).map((r) => r.kind)).toEqual(['restriction.created', 'restriction.lifted']);
    expect((await sql<{ lifted: boolean }>(h, 'SELECT lifted_at IS NOT NULL AS lifted FROM restrictions WHERE id = $1', [restriction.id]))[0]!.lifted).toBe(true);
  });

  it('records the active policy bundle, by revision, with its source files', async () => {
    h = await startHarness({ postgres: true });
    const revision = h.runtime.ctx.bundles.bundle.revision;
    let stored: { path: string; text: string }[] | undefined;
    for (const until = Date.now() + 5000; stored === undefined && Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      stored = (await sql<{ bundle: { files: { path: string; text: string }[] } }>(h, 'SELECT bundle FROM policy_bundles WHERE revision = $1', [revision]))[0]?.bundle.files;
    }
    expect(stored).toBeDefined();
    expect(stored!.map((f) => f.path)).toEqual(expect.arrayContaining([expect.stringMatching(/features\.yaml$/)]));
    expect(stored!.every((f) => f.text.length > 0)).toBe(true);
  });

  it('commits merchant settings and cohorts, whole, before the cache', async () => {
    h = await startHarness({ postgres: true });
    expect((await h.call('PUT', '/v1/merchants/m7', 'admin', { settings: { interceptAbnormalRefunds: true }, cohorts: ['pilot-2027q1'] })).status).toBe(200);
    expect((await h.call('PUT', '/v1/merchants/m7', 'admin', { category: 'apparel' })).status).toBe(200);
    const [row] = await sql<{ state: Record<string, unknown> }>(h, 'SELECT state FROM merchants WHERE id = $1', ['m7']);
    expect(row!.state).toMatchObject({ id: 'm7', settings: { interceptAbnormalRefunds: true }, cohorts: ['pilot-2027q1'], category: 'apparel' });
  });

  it('audits every merchant change a person made, with their name, in the same transaction', async () => {
    h = await startHarness({ postgres: true });
    expect((await h.call('PUT', '/v1/merchants/m8', 'admin', { settings: { oneClickReject: true } })).status).toBe(200);
    expect((await h.call('PUT', '/v1/merchants/m8', 'adminBen', { cohorts: ['high-quality'] })).status).toBe(200);
    const rows = await sql<{ kind: string; record: { updatedBy?: string; settings: unknown; cohorts: unknown } }>(h, "SELECT kind, record FROM audit_log WHERE subject_id = $1 ORDER BY seq", ['m8']);
    expect(rows.map((r) => [r.kind, r.record.updatedBy])).toEqual([['merchant.updated', 'ops-anna'], ['merchant.updated', 'ops-ben']]);
    expect(rows[1]!.record).toMatchObject({ settings: { oneClickReject: true }, cohorts: ['high-quality'] });
    expect((await h.call('GET', '/v1/merchants/m8', 'analyst')).body).toMatchObject({ updatedBy: 'ops-ben' });
  });

  it('applies after a restart what was committed but never reached the cache (a crash between commit and apply)', async () => {
    h = await startHarness({ postgres: true });
    const pool = createPool(h.runtime.systemOfRecord!.pool.options.connectionString!, { max: 1 });
    try {
      // What a process that died right after its commit leaves: events and their outbox rows, no cache apply.
      await new PgEventLog(pool).append([order('crash', 'oc1', T0 - DAY), order('crash', 'oc2', T0 - DAY)] as RefundGuardEvent[]);
    } finally {
      await pool.end();
    }
    expect((await h.call('GET', '/v1/accounts/crash', 'analyst')).body.features.orders90d).toBe(0);
    expect(await h.runtime.systemOfRecord!.repair.runOnce(0)).toBe(2);
    expect((await h.call('GET', '/v1/accounts/crash', 'analyst')).body.features.orders90d).toBe(2);
    expect((await sql<{ n: number }>(h, 'SELECT count(*)::int AS n FROM cache_outbox'))[0]!.n).toBe(0);
    expect(await h.runtime.systemOfRecord!.repair.runOnce(0)).toBe(0);
  });
});
