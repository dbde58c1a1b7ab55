import { describe, expect, it } from 'vitest';
import { collect, seconds } from './test-helpers.js';
import type { Parsed } from './test-helpers.js';

const { events } = collect({ orders: 30_000, seed: 'follow-ups' });
const HOUR = 3600;
const DAY = 86_400;

function indexBy(type: string, key: string): Map<unknown, Parsed> {
  return new Map(events.filter((e) => e.type === type).map((e) => [e[key], e]));
}
const ordersById = indexBy('order.placed', 'orderId');
const refundsByOrder = indexBy('refund.requested', 'orderId');
const reportsById = indexBy('evidence.reported', 'reportId');
const complaintsById = indexBy('complaint.filed', 'complaintId');
const ofType = (type: string): Parsed[] => events.filter((e) => e.type === type);

describe('follow-up events', () => {
  it('requests a refund days after its order, by the same account at the same merchant', () => {
    for (const r of refundsByOrder.values()) {
      const o = ordersById.get(r.orderId)!;
      expect(o).toBeDefined();
      expect([r.accountId, r.merchantId, r.amount]).toEqual([o.accountId, o.merchantId, o.amount]);
      const delay = seconds(r.at) - seconds(o.at);
      expect(delay).toBeGreaterThanOrEqual(DAY);
      expect(delay).toBeLessThanOrEqual(15 * DAY);
    }
  });

  it('asks for at most one refund per order and never more than was paid', () => {
    expect(refundsByOrder.size).toBe(ofType('refund.requested').length);
    for (const r of refundsByOrder.values()) expect((r.refund as { amount: number }).amount).toBeLessThanOrEqual(r.amount as number);
  });

  it('completes, returns and escalates only after the refund request', () => {
    for (const type of ['refund.completed', 'return.received', 'intervention.requested', 'evidence.reported']) {
      for (const e of ofType(type)) {
        const r = refundsByOrder.get(e.orderId);
        expect(r, `${type} ${e.eventId} without a refund request`).toBeDefined();
        expect(seconds(e.at)).toBeGreaterThan(seconds(r!.at));
      }
    }
  });

  it('appraises each evidence report after it, within 24 hours except a few overdue ones', () => {
    const appraisals = ofType('evidence.appraised');
    expect(appraisals.length).toBe(reportsById.size);
    let overdue = 0;
    for (const a of appraisals) {
      const report = reportsById.get(a.reportId)!;
      expect(report.orderId).toBe(a.orderId);
      const delay = seconds(a.at) - seconds(report.at);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(72 * HOUR);
      if (delay > 24 * HOUR) overdue++;
    }
    expect(overdue).toBeGreaterThan(0);
    expect(overdue / appraisals.length).toBeLessThan(0.15);
  });

  it('resolves each complaint days after it was filed', () => {
    const resolutions = ofType('complaint.resolved');
    expect(resolutions.length).toBe(complaintsById.size);
    for (const c of resolutions) {
      const filed = complaintsById.get(c.complaintId)!;
      expect(filed.orderId).toBe(c.orderId);
      expect(seconds(c.at) - seconds(filed.at)).toBeGreaterThanOrEqual(2 * DAY);
    }
  });

  it('never pays a refund-only claim whose evidence was appraised forged before the intervention', () => {
    const completedOrders = new Set(ofType('refund.completed').map((e) => e.orderId));
    const forgedAt = new Map(ofType('evidence.appraised').filter((a) => a.verdict === 'forged').map((a) => [a.orderId, seconds(a.at)]));
    let denied = 0;
    for (const i of ofType('intervention.requested')) {
      const f = forgedAt.get(i.orderId);
      if (f !== undefined && f <= seconds(i.at)) {
        denied++;
        expect(completedOrders.has(i.orderId)).toBe(false);
      }
    }
    expect(denied).toBeGreaterThan(0);
  });
});
