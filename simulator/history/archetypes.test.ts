import { describe, expect, it } from 'vitest';
import { ARCHETYPES, A, PROFILES } from './archetypes.js';
import { Population } from './population.js';
import { createRandom } from './random.js';
import { collect } from './test-helpers.js';
import type { Parsed } from './test-helpers.js';

const ORDERS = 40_000;
const { events, summary } = collect({ orders: ORDERS, seed: 'archetypes' });
const ofType = (type: string): Parsed[] => events.filter((e) => e.type === type);

describe('buyer archetypes and ground truth', () => {
  it('labels refunds both abuse and legit', () => {
    const labels = ofType('refund.requested').map((e) => e.label);
    expect(labels).toContain('abuse');
    expect(labels).toContain('legit');
  });

  it('turns roughly 10–15% of orders into refund requests', () => {
    const rate = summary.refunds / summary.orders;
    expect(rate).toBeGreaterThan(0.1);
    expect(rate).toBeLessThan(0.15);
  });

  it('has mostly honest or occasional-returner accounts', () => {
    const population = new Population(createRandom('mix'), 200_000);
    const honest = population.archetype.filter((a) => a === A.honest || a === A.occasionalReturner).length;
    const share = honest / population.size;
    expect(share).toBeGreaterThan(0.8);
    expect(share).toBeLessThan(0.9);
    expect(new Set(population.archetype)).toEqual(new Set(ARCHETYPES.map((_, i) => i)));
  });

  it('lets accounts place several orders over time and new accounts appear later', () => {
    const firstOrder = new Map<unknown, string>();
    const perAccount = new Map<unknown, number>();
    for (const o of ofType('order.placed')) {
      if (!firstOrder.has(o.accountId)) firstOrder.set(o.accountId, o.at);
      perAccount.set(o.accountId, (perAccount.get(o.accountId) ?? 0) + 1);
    }
    const mean = ORDERS / perAccount.size;
    expect(mean).toBeGreaterThan(3);
    expect(mean).toBeLessThan(12);
    expect([...perAccount.values()].filter((n) => n >= 5).length).toBeGreaterThan(perAccount.size / 5);
    const lateArrivals = [...firstOrder.values()].filter((at) => at >= '2027-03-01').length;
    expect(lateArrivals).toBeGreaterThan(perAccount.size / 10);
  });

  it('makes abusive archetypes refund far more often than honest ones', () => {
    expect(PROFILES[A.serialRefunder]!.refundRate).toBeGreaterThan(5 * PROFILES[A.honest]!.refundRate);
    const refundsPerAccount = new Map<unknown, { abuse: number; legit: number }>();
    for (const r of ofType('refund.requested')) {
      const c = refundsPerAccount.get(r.accountId) ?? { abuse: 0, legit: 0 };
      c[r.label as 'abuse' | 'legit']++;
      refundsPerAccount.set(r.accountId, c);
    }
    // Abuse concentrates on few accounts: an account with abuse refunds tends to have several.
    const abusers = [...refundsPerAccount.values()].filter((c) => c.abuse > 0);
    const abuseRefunds = abusers.reduce((n, c) => n + c.abuse, 0);
    expect(abuseRefunds / abusers.length).toBeGreaterThan(1.5);
  });

  it('reuses the same forged image across different accounts', () => {
    const accountsByImage = new Map<string, Set<unknown>>();
    for (const r of ofType('evidence.reported')) {
      for (const img of r.evidence as { sha256: string }[]) {
        const set = accountsByImage.get(img.sha256) ?? new Set();
        set.add(r.accountId);
        accountsByImage.set(img.sha256, set);
      }
    }
    expect([...accountsByImage.values()].some((s) => s.size >= 2)).toBe(true);
  });

  it('upholds most complaints against package fraud and finds most reported evidence forged', () => {
    const outcomes = ofType('complaint.resolved').map((e) => e.outcome);
    expect(outcomes.filter((o) => o === 'upheld').length / outcomes.length).toBeGreaterThan(0.5);
    expect(outcomes).toContain('dismissed');
    const verdicts = ofType('evidence.appraised').map((e) => e.verdict);
    expect(verdicts.filter((v) => v === 'forged').length / verdicts.length).toBeGreaterThan(0.5);
    expect(verdicts).toContain('genuine');
  });
});

describe('organised rings', () => {
  it('groups 3–8 ring accounts that share devices and addresses', () => {
    const population = new Population(createRandom('rings'), 100_000);
    expect(population.ringDevices.length).toBeGreaterThan(0);
    const members = new Map<number, number[]>();
    population.ring.forEach((r, k) => {
      if (r >= 0) members.set(r, [...(members.get(r) ?? []), k]);
    });
    for (const [r, ks] of members) {
      expect(ks.length).toBeGreaterThanOrEqual(3);
      expect(ks.length).toBeLessThanOrEqual(8);
      expect(ks.every((k) => population.archetype[k] === A.ring)).toBe(true);
      const shared = population.ringAddresses[r]!;
      for (const k of ks) expect(shared).toContain(population.addressFor(k));
      // Over a few orders each member uses one of the ring's phones.
      for (const k of ks) {
        const used = Array.from({ length: 20 }, () => population.deviceFor(k));
        expect(used.some((d) => population.ringDevices[r]!.includes(d))).toBe(true);
      }
    }
  });

  it('shows ring accounts sharing device ids in the history, with abusive refunds', () => {
    const accountsByDevice = new Map<unknown, Set<unknown>>();
    for (const o of ofType('order.placed')) {
      const set = accountsByDevice.get(o.deviceId) ?? new Set();
      set.add(o.accountId);
      accountsByDevice.set(o.deviceId, set);
    }
    const sharedBy3 = [...accountsByDevice.values()].filter((s) => s.size >= 3);
    expect(sharedBy3.length).toBeGreaterThan(0);
    // Honest accounts never share a device, so the refunds of these accounts are mostly abuse.
    const members = new Set(sharedBy3.flatMap((s) => [...s]));
    const refunds = ofType('refund.requested').filter((r) => members.has(r.accountId));
    expect(refunds.filter((r) => r.label === 'abuse').length / refunds.length).toBeGreaterThan(0.8);
  });
});
