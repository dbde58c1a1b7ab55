/**
 * Abnormal-return complaints and the restrictions they create, end to end: a first upheld
 * complaint restricts the account at that store, a second one platform-wide, an appeal lifts
 * them (audited), and fast refunds intercepted are counted. Runs over real Redis and over the
 * in-memory store: both must behave the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RestrictionAuditEntry } from '../engine/index.js';
import { DAY, HOUR, T0, iso, order, startHarness, type Harness } from './support/workflow-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const complaintBody = (kind: string, accountId: string, merchantId: string, orderId: string) => ({
  kind, accountId, merchantId, orderId, evidence: [{ kind: 'parcel_photo', url: 'https://evidence.example/p/1.jpg', note: 'parcel weighed 40 g on receipt' }],
});
const auditOf = (harness: Harness, accountId: string): Promise<RestrictionAuditEntry[]> =>
  (harness.runtime.ctx.state as unknown as { auditTrail(accountId?: string): Promise<RestrictionAuditEntry[]> }).auditTrail(accountId);

describe.each([['Redis', true, false], ['memory', false, false], ['Redis+PostgreSQL', true, true]] as const)('complaints over the %s store', (_name, redis, postgres) => {
  it('first upheld complaint restricts the account at that store, the second platform-wide; lifting both lets it buy again, and every change is audited', async () => {
    h = await startHarness({ redis, postgres });
    await h.events([order('a1', 'o1', T0 - 5 * DAY), order('a1', 'o2', T0 - 4 * DAY, { merchantId: 'm2' })]);

    const filed = await h.call('POST', '/v1/complaints', 'service', complaintBody('empty_package', 'a1', 'm1', 'o1'));
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ status: 'pending', kind: 'empty_package', filedAt: iso(T0), accountId: 'a1', merchantId: 'm1' });
    expect(filed.body.events).toEqual([expect.objectContaining({ eventId: `${filed.body.id}:filed`, type: 'complaint.filed', at: iso(T0) })]);
    expect((await h.call('GET', '/v1/complaints?status=pending', 'appraiser')).body.complaints.map((c: any) => c.id)).toEqual([filed.body.id]);

    h.clock.ms = T0 + 3 * HOUR;
    const upheld = await h.call('POST', `/v1/complaints/${filed.body.id}/resolution`, 'appraiser', { outcome: 'upheld', note: 'carrier weight record confirms' });
    expect(upheld.status).toBe(200);
    expect(upheld.body.complaint).toMatchObject({ status: 'resolved', resolution: { outcome: 'upheld', note: 'carrier weight record confirms', resolvedAt: iso(h.clock.ms) } });
    expect(upheld.body.review).toMatchObject({
      point: 'integrity.review', action: 'restrict_store', params: { durationDays: 180 }, restrictionCreated: true,
      reasons: [{ policy: 'restrict-after-upheld-complaints', rule: 'first-upheld-complaint' }],
    });
    expect(upheld.body.restrictions).toHaveLength(1);
    const store = upheld.body.restrictions[0];
    expect(store).toMatchObject({
      kind: 'restrict_store', scope: { type: 'store', merchantId: 'm1' }, status: 'active', policy: 'restrict-after-upheld-complaints', rule: 'first-upheld-complaint',
      createdAt: iso(h.clock.ms), expiresAt: iso(h.clock.ms + 180 * DAY), trigger: { type: 'complaint', id: filed.body.id, orderId: 'o1', eventId: `${filed.body.id}:resolved` },
    });
    expect(upheld.body.review.restriction.id).toBe(store.id);

    const atM1 = await h.decide('order.checkout', 'a1', 'm1');
    expect(atM1).toMatchObject({ action: 'refuse_sale', reasons: [{ rule: 'store-restriction' }] });
    expect((await h.decide('order.checkout', 'a1', 'm2')).action).toBe('allow');

    const second = await h.call('POST', `/v1/complaints/${filed.body.id}/resolution`, 'appraiser', { outcome: 'dismissed' });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'already_resolved', details: { outcome: 'upheld' } });

    // A dismissed complaint runs no review and changes nothing.
    const dismissedC = (await h.call('POST', '/v1/complaints', 'service', complaintBody('swapped_item', 'a1', 'm2', 'o2'))).body.id;
    const dismissed = await h.call('POST', `/v1/complaints/${dismissedC}/resolution`, 'appraiser', { outcome: 'dismissed' });
    expect(dismissed.body.review).toBeNull();
    expect(dismissed.body.restrictions.map((r: any) => r.id)).toEqual([store.id]);

    h.clock.ms = T0 + 2 * DAY;
    const c2 = (await h.call('POST', '/v1/complaints', 'service', complaintBody('missing_items', 'a1', 'm2', 'o2'))).body.id;
    const upheld2 = await h.call('POST', `/v1/complaints/${c2}/resolution`, 'appraiser', { outcome: 'upheld' });
    expect(upheld2.body.review).toMatchObject({ action: 'restrict_platform', restrictionCreated: true, reasons: [{ rule: 'repeated-abuse' }, { rule: 'first-upheld-complaint' }] });
    expect(upheld2.body.restrictions.map((r: any) => [r.kind, r.scope.type])).toEqual([['restrict_store', 'store'], ['restrict_platform', 'platform']]);
    const platform = upheld2.body.restrictions[1];
    expect(platform.expiresAt).toBe(iso(h.clock.ms + 90 * DAY));

    expect(await h.decide('order.checkout', 'a1', 'm3')).toMatchObject({ action: 'limit_quantity', params: { maxQuantity: 1 } });
    expect((await h.decide('order.checkout', 'a1', 'm1')).action).toBe('refuse_sale');
    const account = await h.call('GET', '/v1/accounts/a1', 'analyst');
    expect(account.body.features.upheldComplaints365d).toBe(2);
    // (GET /v1/accounts lists them in storage order)
    expect(account.body.restrictions.map((r: any) => r.id).sort()).toEqual([store.id, platform.id].sort());

    // Appeals: an admin lifts both restrictions.
    h.clock.ms = T0 + 3 * DAY;
    expect((await h.call('POST', `/v1/restrictions/${platform.id}/lift`, 'analyst', { reason: 'appeal accepted', by: 'ops-anna' })).status).toBe(403);
    const lifted = await h.call('POST', `/v1/restrictions/${platform.id}/lift`, 'admin', { reason: 'appeal accepted', by: 'ops-anna' });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ id: platform.id, status: 'lifted', liftedBy: 'ops-anna', liftReason: 'appeal accepted', liftedAt: iso(h.clock.ms) });
    expect((await h.decide('order.checkout', 'a1', 'm3')).action).toBe('allow');
    expect((await h.decide('order.checkout', 'a1', 'm1')).action).toBe('refuse_sale');
    expect((await h.call('POST', `/v1/restrictions/${store.id}/lift`, 'adminBen', { reason: 'merchant withdrew', by: 'ops-ben' })).status).toBe(200);
    expect((await h.decide('order.checkout', 'a1', 'm1')).action).toBe('allow');

    const again = await h.call('POST', `/v1/restrictions/${store.id}/lift`, 'admin', { reason: 'twice', by: 'ops-ben' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'restriction_not_active', details: { status: 'lifted' } });
    expect((await h.call('POST', '/v1/restrictions/rst-unknown/lift', 'admin', { reason: 'x', by: 'y' })).status).toBe(404);

    const listed = await h.call('GET', '/v1/restrictions?accountId=a1', 'analyst');
    expect(listed.body.restrictions.map((r: any) => [r.kind, r.status, r.liftedBy, r.liftReason])).toEqual([
      ['restrict_store', 'lifted', 'ops-ben', 'merchant withdrew'],
      ['restrict_platform', 'lifted', 'ops-anna', 'appeal accepted'],
    ]);
    expect((await h.call('GET', '/v1/accounts/a1', 'analyst')).body.restrictions).toEqual([]);

    const audit = await auditOf(h, 'a1');
    expect(audit.map((e) => [e.kind, e.id])).toEqual([
      ['restriction.created', store.id],
      ['restriction.created', platform.id],
      ['restriction.lifted', platform.id],
      ['restriction.lifted', store.id],
    ]);
    expect(audit[2]!.record).toMatchObject({ liftedBy: 'ops-anna', liftReason: 'appeal accepted' });
  });

  it('counts fast refunds intercepted: every return_first answer shows in /v1/stats and /metrics under refund.requested', async () => {
    h = await startHarness({ redis, postgres });
    expect((await h.call('PUT', '/v1/merchants/m1', 'admin', { settings: { interceptAbnormalRefunds: true }, category: 'apparel' })).status).toBe(200);
    await h.events([order('bad', 'ob1', T0 - DAY), order('good', 'og1', T0 - DAY)]);
    const c = (await h.call('POST', '/v1/complaints', 'service', complaintBody('fake_logistics', 'bad', 'm1', 'ob1'))).body.id;
    await h.call('POST', `/v1/complaints/${c}/resolution`, 'appraiser', { outcome: 'upheld' });

    let intercepted = 0;
    for (let i = 0; i < 7; i++) {
      const accountId = i % 3 === 0 ? 'good' : 'bad';
      const d = await h.decide('refund.requested', accountId, 'm1', { order: { id: `o-${i}` }, refund: { type: 'fast_refund', reason: 'damaged', amount: 30 } });
      expect(d.action).toBe(accountId === 'bad' ? 'return_first' : 'approve');
      if (d.action === 'return_first') intercepted += 1;
    }
    expect(intercepted).toBe(4);
    await h.runtime.ctx.decisionLog.flush();
    const stats = await h.call('GET', '/v1/stats', 'analyst');
    expect(stats.body.decisions['refund.requested'].return_first).toBe(intercepted);
    expect(stats.body.decisions['refund.requested'].approve).toBe(3);
    expect(stats.body.decisions['integrity.review'].restrict_store).toBe(1);
    const metrics: string = (await h.call('GET', '/metrics', 'none')).body;
    expect(metrics).toContain(`refund_guard_decisions_total{point="refund.requested",action="return_first"} ${intercepted}`);
    expect(metrics).toContain('refund_guard_complaints_total{kind="fake_logistics"} 1');
    expect(metrics).toContain('refund_guard_complaint_resolutions_total{outcome="upheld"} 1');
    expect(metrics).toContain('refund_guard_restrictions_created_total{kind="restrict_store"} 1');
  });
});
