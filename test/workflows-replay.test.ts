/**
 * The workflows record the same events as /v1/events: replaying the orders plus the events the
 * reports and complaints show into a fresh prefix rebuilds the same features, order marks and
 * restrictions (restriction ids derive from their triggers, so they match one for one).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, T0, order, sha, startHarness, type Harness } from './support/workflow-harness.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

const evidence = [{ kind: 'photo', sha256: sha('e') }];

describe('replaying workflow events through /v1/events', () => {
  it('into a second Redis prefix reproduces the same restrictions, features and order marks', async () => {
    const live = await startHarness();
    open.push(live);
    const orders = [
      order('x1', 'x1-o1', T0 - 20 * DAY, { deviceId: 'dev-9' }),
      order('x1', 'x1-o2', T0 - 19 * DAY, { merchantId: 'm2', deviceId: 'dev-9' }),
      order('x2', 'x2-o1', T0 - 18 * DAY, { deviceId: 'dev-9' }),
      order('x3', 'x3-o1', T0 - 17 * DAY, { addressId: 'addr-1', deviceId: 'dev-9' }),
      order('x4', 'x4-o1', T0 - 16 * DAY, { addressId: 'addr-1' }),
    ];
    await live.events(orders);
    const reportIds: string[] = [];
    const complaintIds: string[] = [];
    const complain = async (accountId: string, orderId: string, merchantId: string, outcome: 'upheld' | 'dismissed') => {
      const c = await live.call('POST', '/v1/complaints', 'service', { kind: 'empty_package', accountId, orderId, merchantId, evidence });
      complaintIds.push(c.body.id);
      live.clock.ms += 2 * HOUR;
      expect((await live.call('POST', `/v1/complaints/${c.body.id}/resolution`, 'appraiser', { outcome })).status).toBe(200);
      live.clock.ms += HOUR;
    };
    const report = async (accountId: string, orderId: string, verdict: 'forged' | 'genuine' | undefined) => {
      const r = await live.call('POST', '/v1/evidence-reports', 'service', { merchantId: 'm1', accountId, orderId, reason: 'web_image', evidence, reportedAt: new Date(live.clock.ms - 30 * 60_000).toISOString() });
      reportIds.push(r.body.id);
      live.clock.ms += 5 * HOUR;
      if (verdict) expect((await live.call('POST', `/v1/evidence-reports/${r.body.id}/appraisal`, 'appraiser', { verdict })).status).toBe(200);
      live.clock.ms += HOUR;
    };
    await complain('x1', 'x1-o1', 'm1', 'upheld'); // store restriction
    await report('x1', 'x1-o2', 'forged');
    await complain('x2', 'x2-o1', 'm1', 'dismissed');
    await report('x2', 'x2-o1', 'forged');
    await complain('x1', 'x1-o2', 'm2', 'upheld'); // platform restriction
    await complain('x3', 'x3-o1', 'm1', 'upheld'); // store restriction
    await report('x4', 'x4-o1', 'genuine');
    await report('x4', 'x4-o1', undefined); // still pending
    await report('x2', 'x2-o1', 'forged'); // second forged verdict: platform restriction
    await report('x3', 'x3-o1', 'forged'); // covered by x3's store restriction; x3 is linked to flagged x1 and x2
    live.clock.ms += DAY;

    // Every event the workflows recorded, as the records show them.
    const recorded: Record<string, unknown>[] = [];
    for (const id of reportIds) recorded.push(...(await live.call('GET', `/v1/evidence-reports/${id}`, 'analyst')).body.events);
    for (const id of complaintIds) recorded.push(...(await live.call('GET', `/v1/complaints/${id}`, 'analyst')).body.events);
    const history = [...orders, ...recorded].sort((a, b) => Date.parse(a['at'] as string) - Date.parse(b['at'] as string));

    const replay = await startHarness({ start: live.clock.ms });
    open.push(replay);
    expect(replay.prefix).not.toBe(live.prefix);
    // In time order, in batches, as an exporter would send them.
    for (let i = 0; i < history.length; i += 7) await replay.events(history.slice(i, i + 7));
    // A second send changes nothing (idempotent by eventId).
    const resend = await replay.events(history);
    expect(resend).toMatchObject({ applied: 0, duplicates: history.length, restrictionsCreated: [] });

    const comparable = (r: any) => {
      const { decisionId: _d, ...rest } = r;
      return rest;
    };
    let total = 0;
    for (const accountId of ['x1', 'x2', 'x3', 'x4']) {
      const [a, b] = await Promise.all([live, replay].map((h) => h.call('GET', `/v1/restrictions?accountId=${accountId}`, 'analyst')));
      expect(b!.body.restrictions.map(comparable)).toEqual(a!.body.restrictions.map(comparable));
      total += a!.body.restrictions.length;
      const [fa, fb] = await Promise.all([live, replay].map((h) => h.call('GET', `/v1/accounts/${accountId}`, 'analyst')));
      expect(fb!.body.features).toEqual(fa!.body.features);
      expect(fb!.body.orders).toEqual(fa!.body.orders);
    }
    expect(total).toBe(4);
    const kinds = async (accountId: string) => (await live.call('GET', `/v1/restrictions?accountId=${accountId}`, 'analyst')).body.restrictions.map((r: any) => r.kind);
    expect(await kinds('x1')).toEqual(['restrict_store', 'restrict_platform']);
    expect(await kinds('x2')).toEqual(['restrict_platform']);
    expect(await kinds('x3')).toEqual(['restrict_store']);
    expect((await replay.call('GET', '/v1/accounts/x3', 'analyst')).body.features.linkedFlaggedAccounts365d).toBe(2);
  });
});
