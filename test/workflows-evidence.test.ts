/**
 * Forged-evidence reports end to end over the server and real Redis: the 24 h appraisal queue,
 * the appraisal and what it changes (intervention denied on that order only), idempotent
 * retries, reuse of the same picture across accounts, SLA metrics, and one run over a real port.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { validateEventBatch } from '../engine/events/index.js';
import { contractRequest, overHttp } from './support/openapi-contract.js';
import { DAY, HOUR, T0, iso, order, sha, startHarness, type Harness } from './support/workflow-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const reportBody = (accountId: string, orderId: string, extra: Record<string, unknown> = {}) => ({
  merchantId: 'm1', accountId, orderId, reason: 'web_image', evidence: [{ kind: 'photo', sha256: sha('a'), note: 'same picture as a stock photo site' }], ...extra,
});

describe('forged-evidence reports', () => {
  it('queue a report for appraisal within 24 h, list the overdue ones oldest due first, and a forged verdict denies intervention on that order only', async () => {
    h = await startHarness();
    await h.events([order('a1', 'o1', T0 - 2 * DAY), order('a1', 'o2', T0 - 2 * DAY + HOUR)]);

    const first = await h.call('POST', '/v1/evidence-reports', 'service', reportBody('a1', 'o1'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'pending', reportedAt: iso(T0), dueAt: iso(T0 + DAY), overdue: false });
    expect(first.headers.get('location')).toBe(`/v1/evidence-reports/${first.body.id}`);
    // A report flagged earlier in the chat but delivered later is due earlier.
    h.clock.ms += HOUR;
    const earlier = await h.call('POST', '/v1/evidence-reports', 'service', reportBody('a9', 'o9', { reportedAt: iso(T0 - 3 * HOUR), reason: 'edited_image' }));
    expect(earlier.status).toBe(201);
    expect(earlier.body.dueAt).toBe(iso(T0 - 3 * HOUR + DAY));

    const queue = await h.call('GET', '/v1/evidence-reports?status=pending', 'appraiser');
    expect(queue.status).toBe(200);
    expect(queue.body.reports.map((r: any) => r.id)).toEqual([earlier.body.id, first.body.id]);
    expect(queue.body.counts).toEqual({ pending: 2, overdue: 0 });
    expect((await h.call('GET', '/v1/evidence-reports?status=pending&overdue=true', 'appraiser')).body.reports).toEqual([]);

    // The order is now "evidence pending" for decisions.
    const pendingFacts = await h.decide('refund.intervention', 'a1', 'm1', { order: { id: 'o1' } });
    expect(pendingFacts.action).toBe('continue');

    h.clock.ms = T0 + DAY + 30 * 60_000; // the first report is 30 minutes overdue, the other 3.5 h
    const overdue = await h.call('GET', '/v1/evidence-reports?status=pending&overdue=true', 'appraiser');
    expect(overdue.body.reports.map((r: any) => [r.id, r.overdue])).toEqual([[earlier.body.id, true], [first.body.id, true]]);
    expect(overdue.body.counts).toEqual({ pending: 2, overdue: 2 });

    const appraisal = await h.call('POST', `/v1/evidence-reports/${first.body.id}/appraisal`, 'appraiser', { verdict: 'forged', note: 'reverse image search hit' });
    expect(appraisal.status).toBe(200);
    expect(appraisal.body.report).toMatchObject({
      id: first.body.id, status: 'appraised', overdue: false,
      appraisal: { verdict: 'forged', note: 'reverse image search hit', appraisedAt: iso(h.clock.ms), withinSla: false, secondsToAppraisal: DAY / 1000 + 1800 },
    });
    // One forged verdict: integrity.review runs and answers none (two within a year restrict platform-wide).
    expect(appraisal.body.review).toMatchObject({ point: 'integrity.review', action: 'none', restriction: null, restrictionCreated: false });
    expect(appraisal.body.restrictions).toEqual([]);
    expect(appraisal.body.report.events.map((e: any) => e.eventId)).toEqual([`${first.body.id}:reported`, `${first.body.id}:appraised`]);
    expect(validateEventBatch(appraisal.body.report.events).ok).toBe(true);

    const denied = await h.decide('refund.intervention', 'a1', 'm1', { order: { id: 'o1' } });
    expect(denied).toMatchObject({ action: 'deny_refund', reasons: [{ policy: 'deny-intervention-forged-evidence', rule: 'evidence-appraised-forged' }] });
    expect((await h.decide('refund.intervention', 'a1', 'm1', { order: { id: 'o2' } })).action).toBe('continue');

    const account = await h.call('GET', '/v1/accounts/a1', 'analyst');
    expect(account.body.features.forgedEvidence365d).toBe(1);
    expect(account.body.orders.o1).toMatchObject({ reportedAt: iso(T0), forgedAt: iso(h.clock.ms) });

    const again = await h.call('POST', `/v1/evidence-reports/${first.body.id}/appraisal`, 'appraiser', { verdict: 'genuine' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_appraised', details: { verdict: 'forged' } });
    const same = await h.call('POST', `/v1/evidence-reports/${first.body.id}/appraisal`, 'appraiser', { verdict: 'forged' });
    expect(same.status).toBe(409);
    expect((await h.call('POST', '/v1/evidence-reports/rep-nope/appraisal', 'appraiser', { verdict: 'forged' })).status).toBe(404);

    // Only the other report is left in the queue; the appraised one is listed under its status.
    expect((await h.call('GET', '/v1/evidence-reports', 'appraiser')).body.reports.map((r: any) => r.id)).toEqual([earlier.body.id]);
    expect((await h.call('GET', '/v1/evidence-reports?status=appraised', 'appraiser')).body.reports.map((r: any) => r.id)).toEqual([first.body.id]);
    const one = await h.call('GET', `/v1/evidence-reports/${first.body.id}`, 'analyst');
    expect(one.body).toMatchObject({ id: first.body.id, status: 'appraised', orderId: 'o1' });
    expect(one.body.fingerprint).toBeUndefined();
  });

  it('appraising a second forged report within a year restricts the account platform-wide, and the queue pages with a cursor', async () => {
    h = await startHarness();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      h.clock.ms = T0 + i * HOUR;
      ids.push((await h.call('POST', '/v1/evidence-reports', 'service', reportBody('a1', `o${i}`, { evidence: [{ kind: 'photo' }] }))).body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await h.call('GET', `/v1/evidence-reports?limit=2${cursor ? `&cursor=${cursor}` : ''}`, 'appraiser');
      expect(page.status).toBe(200);
      expect(page.body.reports.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.reports.map((r: any) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);

    h.clock.ms = T0 + 6 * HOUR;
    expect((await h.call('POST', `/v1/evidence-reports/${ids[0]}/appraisal`, 'appraiser', { verdict: 'forged' })).body.restrictions).toEqual([]);
    expect((await h.call('POST', `/v1/evidence-reports/${ids[1]}/appraisal`, 'appraiser', { verdict: 'genuine' })).body.review).toBeNull();
    const second = await h.call('POST', `/v1/evidence-reports/${ids[2]}/appraisal`, 'appraiser', { verdict: 'forged' });
    expect(second.body.review).toMatchObject({ action: 'restrict_platform', restrictionCreated: true, reasons: [{ policy: 'restrict-after-upheld-complaints', rule: 'repeated-abuse' }] });
    expect(second.body.restrictions).toMatchObject([{ kind: 'restrict_platform', scope: { type: 'platform' }, status: 'active', expiresAt: iso(h.clock.ms + 90 * DAY), trigger: { type: 'evidence', id: ids[2], orderId: 'o2' } }]);
    expect((await h.decide('order.checkout', 'a1', 'm7')).action).toBe('limit_quantity');
  });

  it('a retried POST with the same reportId or Idempotency-Key returns the same report; the same id with another body is a conflict', async () => {
    h = await startHarness();
    const body = reportBody('a1', 'o1', { reportId: 'chat-msg-4711' });
    const created = await h.call('POST', '/v1/evidence-reports', 'service', body);
    expect(created.status).toBe(201);
    expect(created.body.id).toBe('chat-msg-4711');
    h.clock.ms += 10_000;
    const retried = await h.call('POST', '/v1/evidence-reports', 'service', { ...body, evidence: [...body.evidence] });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(created.body);
    const clash = await h.call('POST', '/v1/evidence-reports', 'service', { ...body, orderId: 'o2' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('conflict');

    const keyed = () => h!.call('POST', '/v1/evidence-reports', 'service', reportBody('a2', 'o5'), { 'idempotency-key': 'svc-req-0001' });
    const k1 = await keyed();
    const k2 = await keyed();
    expect([k1.status, k2.status]).toEqual([201, 200]);
    expect(k2.body.id).toBe(k1.body.id);
    expect((await h.call('GET', '/v1/evidence-reports', 'appraiser')).body.counts.pending).toBe(2);
  });

  it('carries each picture\'s sha256 into the event, so a second account reusing the picture sees reusedEvidenceFingerprints365d rise', async () => {
    h = await startHarness();
    const picture = sha('c');
    await h.call('POST', '/v1/evidence-reports', 'service', reportBody('b1', 'ob1', { evidence: [{ kind: 'photo', sha256: picture }] }));
    expect((await h.call('GET', '/v1/accounts/b1', 'analyst')).body.features.reusedEvidenceFingerprints365d).toBe(0);
    h.clock.ms += HOUR;
    const second = await h.call('POST', '/v1/evidence-reports', 'service', reportBody('b2', 'ob2', { evidence: [{ kind: 'photo', sha256: picture }, { kind: 'photo', sha256: sha('d') }] }));
    expect(second.body.events[0].evidence.map((e: any) => e.sha256)).toEqual([picture, sha('d')]);
    expect((await h.call('GET', '/v1/accounts/b2', 'analyst')).body.features.reusedEvidenceFingerprints365d).toBe(1);
    expect((await h.call('GET', '/v1/accounts/b1', 'analyst')).body.features.reusedEvidenceFingerprints365d).toBe(1);
  });

  it('exposes the 24 h SLA in /metrics: received, appraised by verdict and SLA, time to appraisal, pending and overdue now', async () => {
    h = await startHarness();
    const a = (await h.call('POST', '/v1/evidence-reports', 'service', reportBody('a1', 'o1'))).body.id;
    await h.call('POST', '/v1/evidence-reports', 'service', reportBody('a2', 'o2', { reason: 'not_store_product' }));
    h.clock.ms = T0 + 2 * HOUR;
    await h.call('POST', `/v1/evidence-reports/${a}/appraisal`, 'appraiser', { verdict: 'genuine' });
    h.clock.ms = T0 + 25 * HOUR;
    const text: string = (await h.call('GET', '/metrics', 'none')).body;
    expect(text).toContain('refund_guard_evidence_reports_total{reason="web_image"} 1');
    expect(text).toContain('refund_guard_evidence_reports_total{reason="not_store_product"} 1');
    expect(text).toContain('refund_guard_evidence_appraisals_total{verdict="genuine",sla="met"} 1');
    expect(text).toContain('refund_guard_evidence_time_to_appraisal_seconds_bucket{le="3600"} 0');
    expect(text).toContain('refund_guard_evidence_time_to_appraisal_seconds_bucket{le="10800"} 1');
    expect(text).toContain('refund_guard_evidence_time_to_appraisal_seconds_count 1');
    expect(text).toContain('refund_guard_evidence_reports_pending 1');
    expect(text).toContain('refund_guard_evidence_reports_overdue 1');
  });

  it('works over a real port (node server on port 0)', async () => {
    h = await startHarness();
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: h!.runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
    });
    try {
      const address = server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const post = await contractRequest(overHttp(base), '/v1/evidence-reports', {
        method: 'POST', headers: { authorization: 'Bearer svc-token-1', 'content-type': 'application/json' }, body: JSON.stringify(reportBody('a1', 'o1')),
      });
      expect(post.status).toBe(201);
      const { id } = (await post.json()) as { id: string };
      const appraised = await contractRequest(overHttp(base), `/v1/evidence-reports/${id}/appraisal`, {
        method: 'POST', headers: { authorization: 'Bearer appr-token-1', 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'forged' }),
      });
      expect(appraised.status).toBe(200);
      expect(((await appraised.json()) as any).report.status).toBe('appraised');
      const forbidden = await contractRequest(overHttp(base), `/v1/evidence-reports/${id}`, { headers: { authorization: 'Bearer svc-token-1' } });
      expect(forbidden.status).toBe(403);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
