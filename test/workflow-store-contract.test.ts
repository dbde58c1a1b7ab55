/**
 * The WorkflowStore contract, run against the in-memory store, against real Redis
 * (127.0.0.1:6379, a random key prefix per run, every key deleted afterwards) and against real
 * PostgreSQL (a database per run, a schema per test, dropped afterwards).
 */
import { redisTestPrefix } from './support/redis-keys.js';
import { clusterForSuite } from './support/test-cluster.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryWorkflowStore, type Complaint, type EvidenceReport, type WorkflowStore } from '../engine/workflows/index.js';
import { RedisWorkflowStore } from '../server/stores/redis-workflow-store.js';
import { PgWorkflowStore } from '../server/postgres/pg-workflow-store.js';
import { schemaPoolsForSuite } from './support/test-postgres.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2027-03-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function report(id: string, reportedAt: number, extra: Partial<EvidenceReport> = {}): EvidenceReport {
  return {
    id, status: 'pending', applied: false, fingerprint: 'fp', merchantId: 'm1', accountId: 'a1', orderId: `o-${id}`, reason: 'web_image',
    evidence: [{ kind: 'photo', sha256: 'a'.repeat(64) }], reportedAt: iso(reportedAt), dueAt: iso(reportedAt + 24 * HOUR), receivedAt: iso(reportedAt), ...extra,
  };
}
function complaint(id: string, filedAt: number): Complaint {
  return { id, status: 'pending', applied: false, fingerprint: 'fp', kind: 'empty_package', orderId: `o-${id}`, accountId: 'a1', merchantId: 'm1', evidence: [{ kind: 'photo' }], filedAt: iso(filedAt) };
}

const { redis, nextPrefix } = redisTestPrefix('workflows', { beforeAll, afterAll, expectClean: (left) => expect(left).toBe(0) });
const onCluster = clusterForSuite('workflows', { beforeAll, afterAll });

const schemaPool = schemaPoolsForSuite({ beforeAll, afterAll });

const factories: [string, () => WorkflowStore | Promise<WorkflowStore>][] = [
  ['MemoryWorkflowStore', () => new MemoryWorkflowStore()],
  ['RedisWorkflowStore', () => new RedisWorkflowStore(redis, nextPrefix())],
  ['RedisWorkflowStore on a Redis Cluster', () => new RedisWorkflowStore(onCluster.client, onCluster.nextPrefix())],
  ['PgWorkflowStore', async () => new PgWorkflowStore(await schemaPool())],
];

describe.each(factories)('%s', (_name, create) => {
  let store: WorkflowStore;
  beforeEach(async () => {
    store = await create();
  });

  it('creates a record once: a second create with the same id returns the stored one unchanged', async () => {
    const first = await store.reports.create(report('r1', T0));
    expect(first).toEqual({ record: report('r1', T0), created: true });
    const again = await store.reports.create(report('r1', T0 + HOUR, { fingerprint: 'other' }));
    expect(again).toEqual({ record: report('r1', T0), created: false });
    expect(await store.reports.get('r1')).toEqual(report('r1', T0));
    expect(await store.reports.get('nope')).toBeUndefined();
  });

  it('replaces a record only while it is in the expected status (compare-and-set)', async () => {
    await store.reports.create(report('r1', T0));
    const appraised: EvidenceReport = { ...report('r1', T0), status: 'appraised', appraisal: { verdict: 'forged', appraisedAt: iso(T0 + HOUR), secondsToAppraisal: 3600, withinSla: true } };
    expect(await store.reports.replace(appraised, 'pending')).toEqual({ record: appraised, replaced: true });
    const loser: EvidenceReport = { ...appraised, appraisal: { ...appraised.appraisal!, verdict: 'genuine' } };
    expect(await store.reports.replace(loser, 'pending')).toEqual({ record: appraised, replaced: false });
    expect(await store.reports.replace({ ...appraised, applied: true }, 'appraised')).toEqual({ record: { ...appraised, applied: true }, replaced: true });
    expect(await store.reports.replace(report('ghost', T0), 'pending')).toBeUndefined();
  });

  it('lists by sort time (reports: dueAt) then id, per status, with bounds and stable cursors', async () => {
    // created out of order; two share a due time
    for (const [id, h] of [['r3', 3], ['r1', 1], ['r2b', 2], ['r2a', 2], ['r5', 5], ['r4', 4]] as const) await store.reports.create(report(id, T0 + h * HOUR));
    const r4 = (await store.reports.get('r4'))!;
    await store.reports.replace({ ...r4, status: 'appraised' }, 'pending');

    const all = await store.reports.list({ limit: 10 });
    expect(all.records.map((r) => r.id)).toEqual(['r1', 'r2a', 'r2b', 'r3', 'r4', 'r5']);
    expect(all.nextCursor).toBeNull();

    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.reports.list({ status: 'pending', limit: 2, ...(cursor ? { cursor } : {}) });
      ids.push(...page.records.map((r) => r.id));
      expect(page.records.length).toBeLessThanOrEqual(2);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(['r1', 'r2a', 'r2b', 'r3', 'r5']);
    expect((await store.reports.list({ status: 'appraised', limit: 10 })).records.map((r) => r.id)).toEqual(['r4']);

    // dueAt < before (overdue at that instant), dueAt >= from
    const dueOf = (h: number) => T0 + h * HOUR + 24 * HOUR;
    expect((await store.reports.list({ status: 'pending', before: dueOf(3), limit: 10 })).records.map((r) => r.id)).toEqual(['r1', 'r2a', 'r2b']);
    expect(await store.reports.count({ status: 'pending', before: dueOf(3) })).toBe(3);
    expect(await store.reports.count({ status: 'pending', before: dueOf(3) + 1 })).toBe(4);
    expect((await store.reports.list({ status: 'pending', from: dueOf(3), limit: 10 })).records.map((r) => r.id)).toEqual(['r3', 'r5']);
    expect(await store.reports.count({ status: 'pending' })).toBe(5);
    expect(await store.reports.count({})).toBe(6);
  });

  it('pages on past a cursor even when records are added before it', async () => {
    for (let i = 0; i < 5; i++) await store.reports.create(report(`r${i}`, T0 + i * HOUR));
    const first = await store.reports.list({ status: 'pending', limit: 3 });
    expect(first.records.map((r) => r.id)).toEqual(['r0', 'r1', 'r2']);
    await store.reports.create(report('early', T0 - HOUR));
    const second = await store.reports.list({ status: 'pending', limit: 3, cursor: first.nextCursor! });
    expect(second.records.map((r) => r.id)).toEqual(['r3', 'r4']);
    expect(second.nextCursor).toBeNull();
  });

  it('keeps complaints apart from reports, listed by filedAt', async () => {
    await store.complaints.create(complaint('c2', T0 + 2 * HOUR));
    await store.complaints.create(complaint('c1', T0 + HOUR));
    await store.reports.create(report('c1', T0));
    const c1 = (await store.complaints.get('c1'))!;
    expect(c1.kind).toBe('empty_package');
    const resolved: Complaint = { ...c1, status: 'resolved', resolution: { outcome: 'upheld', resolvedAt: iso(T0 + 3 * HOUR) } };
    expect((await store.complaints.replace(resolved, 'pending'))?.replaced).toBe(true);
    expect((await store.complaints.list({ status: 'pending', limit: 10 })).records.map((c) => c.id)).toEqual(['c2']);
    expect((await store.complaints.list({ status: 'resolved', limit: 10 })).records).toEqual([resolved]);
    expect((await store.complaints.list({ limit: 10 })).records.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect((await store.reports.get('c1'))?.reason).toBe('web_image');
  });

  it("finds an order's records, oldest first, and only that order's", async () => {
    await store.reports.create(report('r3', T0 + 3 * HOUR, { orderId: 'o1' }));
    await store.reports.create(report('r1', T0 + HOUR, { orderId: 'o1' }));
    await store.reports.create(report('r2', T0 + 2 * HOUR, { orderId: 'o2' }));
    await store.reports.create(report('r4', T0 + 4 * HOUR, { orderId: 'o1', accountId: 'a2' }));
    // An account id ending where another begins must not meet it: "a1:o" + "1" vs "a1" + "o:1".
    await store.reports.create(report('r5', T0, { accountId: 'a1:o', orderId: '1' }));
    const r1 = (await store.reports.get('r1'))!;
    await store.reports.replace({ ...r1, status: 'appraised' }, 'pending');
    expect((await store.reports.forOrder('a1', 'o1', 10)).map((r) => [r.id, r.status])).toEqual([['r1', 'appraised'], ['r3', 'pending']]);
    expect((await store.reports.forOrder('a1', 'o1', 1)).map((r) => r.id)).toEqual(['r3']);
    expect((await store.reports.forOrder('a2', 'o1', 10)).map((r) => r.id)).toEqual(['r4']);
    expect(await store.reports.forOrder('a1', 'o:1', 10)).toEqual([]);
    expect(await store.reports.forOrder('a1', 'none', 10)).toEqual([]);
    expect(await store.reports.forOrder('a1', 'o1', 0)).toEqual([]);
    await store.complaints.create({ ...complaint('c1', T0), orderId: 'o1' });
    expect((await store.complaints.forOrder('a1', 'o1', 10)).map((c) => c.id)).toEqual(['c1']);
    expect((await store.reports.forOrder('a1', 'o1', 10)).map((r) => r.id)).toEqual(['r1', 'r3']);
  });

  it('lets exactly one of many concurrent transitions win', async () => {
    await store.reports.create(report('r1', T0));
    const base = report('r1', T0);
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.reports.replace({ ...base, status: 'appraised', appraisal: { verdict: i % 2 ? 'forged' : 'genuine', appraisedAt: iso(T0 + i), secondsToAppraisal: 0, withinSla: true } }, 'pending')),
    );
    expect(attempts.filter((a) => a?.replaced)).toHaveLength(1);
    const winner = attempts.find((a) => a?.replaced)!.record;
    expect(await store.reports.get('r1')).toEqual(winner);
    expect(await store.reports.count({ status: 'pending' })).toBe(0);
    expect(await store.reports.count({ status: 'appraised' })).toBe(1);
  });
});
