/**
 * A workflow step whose events could not be applied (the store went away between saving the
 * record and ingesting its events) is completed by the next call about the same record, and
 * events are re-sent with the same eventIds, so nothing is lost and nothing counts twice.
 */
import { describe, expect, it } from 'vitest';
import type { RefundGuardEvent } from '../engine/events/index.js';
import type { ReviewOutcome } from '../engine/index.js';
import { IntegrityWorkflows, MemoryWorkflowStore, WorkflowError } from '../engine/workflows/index.js';

const T0 = Date.parse('2027-02-01T12:00:00Z');

function setup() {
  const store = new MemoryWorkflowStore();
  const sent: string[][] = [];
  let failNext = 0;
  const fakeReview = { decision: { action: 'none' } } as unknown as ReviewOutcome;
  const workflows = new IntegrityWorkflows({
    store,
    now: () => T0,
    async ingest(events: readonly RefundGuardEvent[]) {
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('redis: connection lost');
      }
      sent.push(events.map((e) => e.eventId));
      const triggers = events.some((e) => e.type === 'evidence.appraised' || e.type === 'complaint.resolved');
      return { reviews: triggers ? [fakeReview] : [] };
    },
  });
  return { store, sent, workflows, failOnce: () => (failNext = 1) };
}

const report = { merchantId: 'm1', accountId: 'a1', orderId: 'o1', reason: 'web_image' as const, evidence: [{ kind: 'photo' }] };

describe('workflow steps interrupted by a store outage', () => {
  it('a report saved but not applied is applied by the retried POST, which returns the same report', async () => {
    const { workflows, sent, failOnce, store } = setup();
    failOnce();
    await expect(workflows.fileReport(report, 'key-1')).rejects.toThrow('connection lost');
    const saved = (await store.reports.list({ limit: 10 })).records;
    expect(saved.map((r) => [r.status, r.applied])).toEqual([['pending', false]]);
    const retried = await workflows.fileReport(report, 'key-1');
    expect(retried).toMatchObject({ created: false, report: { id: saved[0]!.id, applied: true } });
    expect(sent).toEqual([[`${saved[0]!.id}:reported`]]);
    // Once applied, a further retry sends nothing.
    await workflows.fileReport(report, 'key-1');
    expect(sent).toHaveLength(1);
  });

  it('an appraisal saved but not applied is completed by a retry with the same verdict; another verdict is a conflict after the repair', async () => {
    for (const retryVerdict of ['forged', 'genuine'] as const) {
      const { workflows, sent, failOnce } = setup();
      const { report: r } = await workflows.fileReport(report);
      failOnce();
      await expect(workflows.appraise(r.id, { verdict: 'forged' })).rejects.toThrow('connection lost');
      expect((await workflows.getReport(r.id)).applied).toBe(false);
      const retry = workflows.appraise(r.id, { verdict: retryVerdict });
      if (retryVerdict === 'forged') {
        expect(await retry).toMatchObject({ transitioned: false, record: { status: 'appraised', applied: true, appraisal: { verdict: 'forged' } }, review: { decision: { action: 'none' } } });
      } else {
        await expect(retry).rejects.toMatchObject({ code: 'already_appraised' });
        expect((await workflows.getReport(r.id)).applied).toBe(true);
      }
      // The repair re-sent every event of the report; the service skips the ones it has (eventId).
      expect(sent).toEqual([[`${r.id}:reported`], [`${r.id}:reported`, `${r.id}:appraised`]]);
      await expect(workflows.appraise(r.id, { verdict: 'forged' })).rejects.toBeInstanceOf(WorkflowError);
      expect(sent).toHaveLength(2);
    }
  });

  it('a resolution saved but not applied is completed the same way', async () => {
    const { workflows, sent, failOnce } = setup();
    const { complaint } = await workflows.fileComplaint({ kind: 'empty_package', orderId: 'o1', accountId: 'a1', merchantId: 'm1', evidence: [{ kind: 'photo' }], complaintId: 'cmp-1' });
    failOnce();
    await expect(workflows.resolve(complaint.id, { outcome: 'upheld' })).rejects.toThrow();
    const done = await workflows.resolve(complaint.id, { outcome: 'upheld' });
    expect(done).toMatchObject({ transitioned: false, record: { status: 'resolved', applied: true } });
    expect(sent).toEqual([['cmp-1:filed'], ['cmp-1:filed', 'cmp-1:resolved']]);
    await expect(workflows.fileComplaint({ kind: 'swapped_item', orderId: 'o1', accountId: 'a1', merchantId: 'm1', evidence: [{ kind: 'photo' }], complaintId: 'cmp-1' })).rejects.toMatchObject({ code: 'id_conflict' });
  });
});
