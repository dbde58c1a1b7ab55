/**
 * An abuse ring: several accounts ordering from one device, each with an upheld complaint or a
 * forged-evidence verdict. The review after the next verdict sees three flagged linked accounts
 * and refers the account to the authorities, which refuses it sale everywhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, T0, iso, order, startHarness, type Harness } from './support/workflow-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('abuse rings', () => {
  it('refer the fourth account sharing a device with three flagged accounts to the authorities; checkout then refuses it everywhere', async () => {
    h = await startHarness();
    const ring = ['ring1', 'ring2', 'ring3', 'ring4'];
    await h.events(ring.map((a, i) => order(a, `${a}-o1`, T0 - 10 * DAY + i * HOUR, { deviceId: 'dev-shared', merchantId: `m${i + 1}` })));
    await h.events([order('loner', 'loner-o1', T0 - 10 * DAY, { deviceId: 'dev-own' })]);

    const reviews: string[] = [];
    for (const [i, a] of ring.slice(0, 3).entries()) {
      h.clock.ms = T0 + i * HOUR;
      const c = await h.call('POST', '/v1/complaints', 'service', { kind: 'fake_logistics', accountId: a, merchantId: `m${i + 1}`, orderId: `${a}-o1`, evidence: [{ kind: 'tracking', note: 'tracking number never carried the parcel' }] });
      const r = await h.call('POST', `/v1/complaints/${c.body.id}/resolution`, 'appraiser', { outcome: 'upheld' });
      reviews.push(r.body.review.action);
      expect((await h.call('GET', `/v1/accounts/${a}`, 'analyst')).body.features.linkedFlaggedAccounts365d).toBe(i);
    }
    expect(reviews).toEqual(['restrict_store', 'restrict_store', 'restrict_store']);

    // The fourth account's forged evidence is what triggers its review.
    h.clock.ms = T0 + 5 * HOUR;
    const report = await h.call('POST', '/v1/evidence-reports', 'service', { merchantId: 'm4', accountId: 'ring4', orderId: 'ring4-o1', reason: 'edited_image', evidence: [{ kind: 'photo' }] });
    h.clock.ms = T0 + 6 * HOUR;
    const appraised = await h.call('POST', `/v1/evidence-reports/${report.body.id}/appraisal`, 'appraiser', { verdict: 'forged' });
    expect(appraised.status).toBe(200);
    expect(appraised.body.review).toMatchObject({ action: 'refer_to_authorities', restrictionCreated: true, reasons: [{ policy: 'restrict-after-upheld-complaints', rule: 'organised-ring' }] });
    expect(appraised.body.restrictions).toMatchObject([
      { kind: 'refer_to_authorities', scope: { type: 'platform' }, expiresAt: null, status: 'active', createdAt: iso(h.clock.ms), trigger: { type: 'evidence', id: report.body.id } },
    ]);

    const account = await h.call('GET', '/v1/accounts/ring4', 'analyst');
    expect(account.body.features).toMatchObject({ linkedFlaggedAccounts365d: 3, forgedEvidence365d: 1 });
    for (const m of ['m1', 'm4', 'm-elsewhere']) {
      expect(await h.decide('order.checkout', 'ring4', m)).toMatchObject({ action: 'refuse_sale', reasons: [{ rule: 'referred-to-authorities' }] });
    }
    // Ring members keep their store restriction only; the loner is untouched.
    expect((await h.decide('order.checkout', 'ring1', 'm1')).action).toBe('refuse_sale');
    expect((await h.decide('order.checkout', 'ring1', 'm2')).action).toBe('allow');
    expect((await h.decide('order.checkout', 'loner', 'm1')).action).toBe('allow');
    // A referral does not lapse.
    h.clock.ms = T0 + 400 * DAY;
    expect((await h.decide('order.checkout', 'ring4', 'm9')).action).toBe('refuse_sale');
  });
});
