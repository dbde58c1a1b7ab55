import { describe, expect, it } from 'vitest';
import type { CohortTable } from '../bundle/index.js';
import { assembleFacts } from './assemble-facts.js';

const cohorts = (byMerchant: Record<string, string[]>): CohortTable => ({ cohorts: new Map(), byMerchant: new Map(Object.entries(byMerchant)) });
const NOW = Date.parse('2027-03-01T00:00:00Z');

describe('assembleFacts', () => {
  it('lets what the platform knows replace what the caller says, field by field, in the caller’s order', () => {
    const facts = assembleFacts(
      {
        point: 'order.checkout',
        account: { id: 'a1', restrictedHere: true, orders90d: 0, note: 'kept' },
        merchant: { id: 'm1', settings: { oneClickReject: true }, tier: 'gold', cohorts: ['made-up'] },
        order: { id: 'o1', amount: 5, evidenceForged: true },
      },
      { features: { orders90d: 7 }, restrictions: [], orders: new Map() },
      { id: 'm1', settings: { oneClickReject: false }, cohorts: ['pilot'], category: 'home' },
      cohorts({}),
      NOW,
    );
    expect(Object.entries(facts['merchant'] as object)).toEqual([
      ['id', 'm1'],
      ['settings', { oneClickReject: false }],
      ['tier', 'gold'],
      ['cohorts', ['pilot']],
      ['category', 'home'],
    ]);
    expect(facts['account']).toMatchObject({ id: 'a1', restrictedHere: false, orders90d: 7, note: 'kept', activeRestrictions: 0 });
    expect(Object.keys(facts['account'] as object).slice(0, 4)).toEqual(['id', 'restrictedHere', 'orders90d', 'note']);
    expect(facts['order']).toEqual({ id: 'o1', amount: 5, evidenceForged: false, evidencePending: false });
  });

  it('adds the stored settings and cohorts after a caller’s own fields, static cohorts merged in', () => {
    const facts = assembleFacts(
      { point: 'refund.requested', account: { id: 'a1' }, merchant: { id: 'm1' } },
      undefined,
      { id: 'm1', settings: { s: 1 }, cohorts: ['pilot'] },
      cohorts({ m1: ['high-quality', 'pilot'] }),
      NOW,
    );
    expect(Object.entries(facts['merchant'] as object)).toEqual([
      ['id', 'm1'],
      ['settings', { s: 1 }],
      ['cohorts', ['pilot', 'high-quality']],
    ]);
    // No snapshot (the store could not be read): the account is the caller's alone.
    expect(facts['account']).toEqual({ id: 'a1' });
  });

  it('takes the stored merchant category over the caller’s, and the caller’s only where none is stored', () => {
    const stored = { id: 'm1', settings: {}, cohorts: [], category: 'fresh-food' };
    const claimed = { point: 'refund.requested' as const, account: { id: 'a1' }, merchant: { id: 'm1', category: 'apparel' } };
    expect((assembleFacts(claimed, undefined, stored, cohorts({}), NOW)['merchant'] as Record<string, unknown>)['category']).toBe('fresh-food');
    expect((assembleFacts(claimed, undefined, { id: 'm1', settings: {}, cohorts: [] }, cohorts({}), NOW)['merchant'] as Record<string, unknown>)['category']).toBe('apparel');
  });

  it('never takes order evidence facts from the caller, even where the platform cannot answer them', () => {
    const snapshot = { features: {}, restrictions: [], orders: new Map([['o86', { forgedAt: NOW - 1000 }]]) };
    const ask = (order: Record<string, unknown>, snap: typeof snapshot | undefined) =>
      assembleFacts({ point: 'refund.intervention', account: { id: 'a1' }, merchant: { id: 'm1' }, order }, snap, undefined, cohorts({}), NOW)['order'];
    // A non-string id or none at all: the caller's claim is dropped, the fact is missing.
    expect(ask({ id: ['o86'], evidenceForged: false }, snapshot)).toEqual({ id: ['o86'] });
    expect(ask({ evidenceForged: false, evidencePending: false, amount: 3 }, snapshot)).toEqual({ amount: 3 });
    // The store could not be read: the same.
    expect(ask({ id: 'o86', evidenceForged: false }, undefined)).toEqual({ id: 'o86' });
    // The platform's answer wins.
    expect(ask({ id: 'o86', evidenceForged: false }, snapshot)).toEqual({ id: 'o86', evidenceForged: true, evidencePending: false });
  });
});
