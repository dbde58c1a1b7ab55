/**
 * Restrictions lapse by the decision clock: a restriction is in force from its creation up to (not
 * including) its expiry, whatever the wall clock says; an expired one shows as `expired`, stops
 * counting in decisions, and cannot be lifted. Runs over real Redis and over the in-memory store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isActiveAt, restrictionStatus, type Restriction } from '../engine/index.js';
import { DAY, HOUR, T0, iso, order, startHarness, type Harness } from './support/workflow-harness.js';

const restriction = (extra: Partial<Restriction> = {}): Restriction => ({
  id: 'rst-1', accountId: 'a1', scope: { type: 'platform' }, kind: 'restrict_platform', reason: 'test', policy: 'p', policyVersion: 1, rule: 'r',
  createdAt: iso(T0), expiresAt: iso(T0 + 90 * DAY), status: 'active', ...extra,
});

describe('restrictionStatus and isActiveAt', () => {
  it('are active from creation up to, not including, the expiry', () => {
    const r = restriction();
    const at = (ms: number) => [restrictionStatus(r, ms), isActiveAt(r, ms)];
    expect(at(T0 - 1)).toEqual(['expired', false]); // not yet in force at that instant
    expect(at(T0)).toEqual(['active', true]);
    expect(at(T0 + 90 * DAY - 1)).toEqual(['active', true]);
    expect(at(T0 + 90 * DAY)).toEqual(['expired', false]);
    expect(at(T0 + 400 * DAY)).toEqual(['expired', false]);
  });

  it('never lapse without an expiry, and count as lifted only from the lift on', () => {
    const permanent = restriction({ kind: 'refer_to_authorities', expiresAt: null });
    expect([restrictionStatus(permanent, T0 + 10_000 * DAY), isActiveAt(permanent, T0 + 10_000 * DAY)]).toEqual(['active', true]);
    const lifted = restriction({ status: 'lifted', liftedAt: iso(T0 + 10 * DAY), liftedBy: 'ops', liftReason: 'appeal' });
    expect([restrictionStatus(lifted, T0 + 10 * DAY - 1), isActiveAt(lifted, T0 + 10 * DAY - 1)]).toEqual(['active', true]);
    expect([restrictionStatus(lifted, T0 + 10 * DAY), isActiveAt(lifted, T0 + 10 * DAY)]).toEqual(['lifted', false]);
  });
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const complaintBody = (accountId: string, merchantId: string, orderId: string) => ({
  kind: 'empty_package', accountId, merchantId, orderId, evidence: [{ kind: 'parcel_photo', note: 'parcel weighed 40 g on receipt' }],
});

describe.each([['Redis', true], ['memory', false]] as const)('an expired restriction over the %s store', (_name, redis) => {
  it('stops counting at its expiry by the decision clock, shows as expired, and cannot be lifted', async () => {
    h = await startHarness({ redis });
    await h.events([order('a1', 'o1', T0 - 5 * DAY)]);
    const filed = (await h.call('POST', '/v1/complaints', 'service', complaintBody('a1', 'm1', 'o1'))).body.id;
    const upheld = await h.call('POST', `/v1/complaints/${filed}/resolution`, 'appraiser', { outcome: 'upheld' });
    const store = upheld.body.restrictions[0];
    expect(store).toMatchObject({ kind: 'restrict_store', expiresAt: iso(T0 + 180 * DAY), status: 'active' });

    h.clock.ms = T0 + 180 * DAY - HOUR;
    expect((await h.decide('order.checkout', 'a1', 'm1')).action).toBe('refuse_sale');
    h.clock.ms = T0 + 180 * DAY;
    expect((await h.decide('order.checkout', 'a1', 'm1')).action).toBe('allow');
    // A decision about an earlier instant (occurredAt) sees the restriction that was in force then.
    expect((await h.decide('order.checkout', 'a1', 'm1', { occurredAt: iso(T0 + 100 * DAY) })).action).toBe('refuse_sale');

    const listed = await h.call('GET', '/v1/restrictions?accountId=a1', 'analyst');
    expect(listed.body.restrictions.map((r: any) => [r.id, r.status])).toEqual([[store.id, 'expired']]);
    const account = await h.call('GET', '/v1/accounts/a1', 'analyst');
    expect(account.body.restrictions).toEqual([]);
    expect(account.body.integrityRecord.map((r: any) => [r.id, r.status])).toEqual([[store.id, 'expired']]);

    const lift = await h.call('POST', `/v1/restrictions/${store.id}/lift`, 'admin', { reason: 'appeal accepted', by: 'ops-anna' });
    expect(lift.status).toBe(409);
    expect(lift.body.error).toMatchObject({ code: 'restriction_not_active', details: { status: 'expired' } });
    // Refused, so nothing changed: still expired, never lifted.
    const after = await h.call('GET', '/v1/restrictions?accountId=a1', 'analyst');
    expect(after.body.restrictions[0]).toMatchObject({ status: 'expired' });
    expect(after.body.restrictions[0].liftedAt).toBeUndefined();
  });

  it('GET /v1/accounts?asOf= computes features and restriction status at that instant', async () => {
    h = await startHarness({ redis });
    await h.events([order('a2', 'o1', T0 - 20 * DAY), order('a2', 'o2', T0 - 2 * DAY)]);
    const filed = (await h.call('POST', '/v1/complaints', 'service', complaintBody('a2', 'm1', 'o2'))).body.id;
    const id = (await h.call('POST', `/v1/complaints/${filed}/resolution`, 'appraiser', { outcome: 'upheld' })).body.restrictions[0].id;

    const at = async (asOf: number) => (await h!.call('GET', `/v1/accounts/a2?asOf=${encodeURIComponent(iso(asOf))}`, 'analyst')).body;
    const before = await at(T0 - 10 * DAY);
    expect(before.asOf).toBe(iso(T0 - 10 * DAY));
    expect(before.features.orders90d).toBe(1);
    expect(before.integrityRecord.map((r: any) => r.status)).toEqual(['expired']); // not yet created then
    expect(before.restrictions).toEqual([]);
    const now = await at(T0);
    expect(now.features.orders90d).toBe(2);
    expect(now.restrictions.map((r: any) => r.id)).toEqual([id]);
    const later = await at(T0 + 200 * DAY);
    expect(later.features.orders90d).toBe(0); // both orders left the 90-day window
    expect(later.integrityRecord.map((r: any) => r.status)).toEqual(['expired']);
    // Without asOf: the server's clock.
    expect((await h.call('GET', '/v1/accounts/a2', 'analyst')).body).toMatchObject({ asOf: iso(T0), features: { orders90d: 2 } });

    const bad = await h.call('GET', '/v1/accounts/a2?asOf=yesterday', 'analyst');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: '/asOf' }] });
  });
});
