/**
 * `Idempotency-Key` (or a client `complaintId`) on POST /v1/complaints: a retried POST returns the
 * complaint the first one created and records nothing twice; the same key with another body is a
 * conflict. Runs over real Redis and over the in-memory store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, T0, order, startHarness, type Harness } from './support/workflow-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const body = (orderId: string, extra: Record<string, unknown> = {}) => ({
  kind: 'missing_items', accountId: 'a1', merchantId: 'm1', orderId, evidence: [{ kind: 'parcel_photo', note: 'two of three items' }], ...extra,
});

describe.each([['Redis', true], ['memory', false]] as const)('complaint retries over the %s store', (_name, redis) => {
  it('a retried POST with the same Idempotency-Key returns the same complaint and files it once', async () => {
    h = await startHarness({ redis });
    await h.events([order('a1', 'o1', T0 - DAY), order('a1', 'o2', T0 - DAY)]);
    const keyed = (b: Record<string, unknown>, key = 'chat-4711') => h!.call('POST', '/v1/complaints', 'service', b, { 'idempotency-key': key });

    const first = await keyed(body('o1'));
    expect(first.status).toBe(201);
    h.clock.ms += 60_000;
    const retried = await keyed(body('o1'));
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(first.body);
    expect(retried.headers.get('location')).toBe(`/v1/complaints/${first.body.id}`);

    const pending = await h.call('GET', '/v1/complaints?status=pending', 'appraiser');
    expect(pending.body.complaints.map((c: any) => c.id)).toEqual([first.body.id]);
    expect((await h.call('GET', `/v1/complaints/${first.body.id}`, 'appraiser')).body.events).toHaveLength(1);
    const metrics: string = (await h.call('GET', '/metrics', 'none')).body;
    expect(metrics).toContain('refund_guard_complaints_total{kind="missing_items"} 1');

    // The same key for another complaint is a conflict and changes nothing.
    const clash = await keyed(body('o2'));
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('conflict');
    expect((await h.call('GET', `/v1/complaints/${first.body.id}`, 'appraiser')).body.orderId).toBe('o1');

    // Another key is another complaint; the key names complaints only, not evidence reports.
    const other = await keyed(body('o2'), 'chat-4712');
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);
    const report = await h.call('POST', '/v1/evidence-reports', 'service', { merchantId: 'm1', accountId: 'a1', orderId: 'o1', reason: 'web_image', evidence: [{ kind: 'photo' }] }, { 'idempotency-key': 'chat-4711' });
    expect(report.status).toBe(201);

    // Retried after the complaint was resolved: still the same complaint, now resolved; no second filing.
    expect((await h.call('POST', `/v1/complaints/${first.body.id}/resolution`, 'appraiser', { outcome: 'dismissed' })).status).toBe(200);
    const late = await keyed(body('o1'));
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ id: first.body.id, status: 'resolved' });
    expect((await h.call('GET', '/v1/complaints?status=all', 'appraiser')).body.complaints).toHaveLength(2);
  });

  it('a client complaintId works the same way, and a malformed key is refused naming the header', async () => {
    h = await startHarness({ redis });
    const withId = body('o1', { complaintId: 'ins-claim-77' });
    const first = await h.call('POST', '/v1/complaints', 'service', withId);
    expect([first.status, first.body.id]).toEqual([201, 'ins-claim-77']);
    const again = await h.call('POST', '/v1/complaints', 'service', withId);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await h.call('POST', '/v1/complaints', 'service', { ...withId, kind: 'swapped_item' })).status).toBe(409);

    const bad = await h.call('POST', '/v1/complaints', 'service', body('o1'), { 'idempotency-key': 'has spaces' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: '/headers/idempotency-key' }] });
  });
});
