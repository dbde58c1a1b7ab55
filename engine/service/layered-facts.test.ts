import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CohortTable } from '../bundle/index.js';
import { FactSlots } from '../evaluate/fact-slots.js';
import type { Restriction } from '../state/restrictions.js';
import type { AccountSnapshot, MerchantState } from '../state/stores.js';
import { LayeredFacts, assembleFacts } from './assemble-facts.js';
import type { DecisionInput } from './decision-input.js';

const NOW = Date.parse('2027-03-01T00:00:00Z');
const DAY = 86_400_000;

/** Every root, fields the platform also writes (features, restrictions, order marks, merchant settings), deep paths, a root facts never have. */
const slots = new FactSlots([
  'account.id', 'account.orders90d', 'account.refundRate90d', 'account.restrictedHere', 'account.activeRestrictions', 'account.note',
  'merchant.id', 'merchant.settings', 'merchant.cohorts', 'merchant.category', 'merchant.tier',
  'merchant.settings.oneClickReject', 'merchant.settings.interceptAbnormalRefunds',
  'order.id', 'order.amount', 'order.evidenceForged', 'order.evidencePending',
  'refund.type', 'refund.amount', 'complaint.id', 'evidence.verdict', 'context.score', 'context.nested.flag', 'elsewhere.x',
]);

const scalar = fc.constantFrom<unknown>(0, 1, 7, 0.5, 'x', 'fast_refund', true, false, null);
/** An object with some of `keys` (JSON-like: never an undefined value). */
const someOf = (keys: readonly string[], value: fc.Arbitrary<unknown> = scalar) =>
  fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: keys.length });

const restriction = (kind: Restriction['kind'], scope: Restriction['scope'], createdDaysAgo: number, status: Restriction['status'] = 'active'): Restriction => ({
  id: `r-${kind}-${createdDaysAgo}`, accountId: 'a1', scope, kind, reason: 'test', policy: 'p', policyVersion: 1, rule: 'r',
  createdAt: new Date(NOW - createdDaysAgo * DAY).toISOString(), expiresAt: null, status,
});
const restrictions = fc.subarray([
  restriction('restrict_store', { type: 'store', merchantId: 'm1' }, 2),
  restriction('restrict_platform', { type: 'platform' }, 1),
  restriction('refer_to_authorities', { type: 'platform' }, -1),
  restriction('restrict_platform', { type: 'platform' }, 3, 'lifted'),
]);

const snapshot: fc.Arbitrary<AccountSnapshot | undefined> = fc.option(
  fc.record({
    features: fc.dictionary(fc.constantFrom('orders90d', 'refundRate90d', 'note'), fc.constantFrom(0, 2, 0.75)),
    restrictions,
    orders: fc.dictionary(fc.constantFrom('o1', 'o2'), fc.record({ reportedAt: fc.constantFrom(NOW - DAY, NOW + DAY), forgedAt: fc.constantFrom(NOW - DAY, NOW + DAY) }, { requiredKeys: [] })).map((o) => new Map(Object.entries(o))),
  }),
  { nil: undefined },
);

const merchantState: fc.Arbitrary<MerchantState | undefined> = fc.option(
  fc.record(
    { id: fc.constantFrom('m1', 'm2'), settings: someOf(['oneClickReject', 'interceptAbnormalRefunds'], fc.boolean()), cohorts: fc.subarray(['pilot', 'high-quality']), category: fc.constantFrom('home', 'apparel') },
    { requiredKeys: ['id', 'settings', 'cohorts'] },
  ),
  { nil: undefined },
);

const input: fc.Arbitrary<DecisionInput> = fc.record(
  {
    point: fc.constant('refund.requested' as const),
    account: fc.tuple(fc.constantFrom('a1', 'a2'), someOf(['orders90d', 'restrictedHere', 'activeRestrictions', 'note'])).map(([id, rest]) => ({ ...rest, id })),
    merchant: fc.tuple(fc.constantFrom('m1', 'm2'), someOf(['tier', 'category', 'cohorts']), fc.option(someOf(['oneClickReject']), { nil: undefined })).map(([id, rest, settings]) => ({ id, ...rest, ...(settings ? { settings } : {}) })),
    order: fc.tuple(fc.constantFrom<unknown>('o1', 'o2', 7), someOf(['amount', 'evidenceForged', 'evidencePending'])).map(([id, rest]) => ({ id, ...rest })),
    refund: someOf(['type', 'amount']),
    complaint: someOf(['id']),
    evidence: someOf(['verdict']),
    context: fc.oneof(someOf(['score']), fc.constant({ nested: { flag: true } })),
  },
  { requiredKeys: ['point', 'account', 'merchant'] },
) as fc.Arbitrary<DecisionInput>;

const cohortTables: fc.Arbitrary<CohortTable> = fc
  .constantFrom<Record<string, string[]>>({}, { m1: ['pilot-one-click'] }, { m1: ['pilot'], m2: ['high-quality', 'pilot'] })
  .map((byMerchant) => ({ cohorts: new Map(), byMerchant: new Map(Object.entries(byMerchant)) }));

describe('LayeredFacts', () => {
  it('reads every fact path exactly as the facts assembleFacts builds, with the same merchant for the rollout gates', () => {
    const layered = new LayeredFacts();
    fc.assert(
      fc.property(input, snapshot, merchantState, cohortTables, (i, s, m, c) => {
        const facts = assembleFacts(i, s, m, c, NOW);
        layered.fill(i, s, m, c, NOW);
        expect(slots.fillLayered(layered.layers, [])).toEqual(slots.fill(facts, []));
        const merged = facts['merchant'] as { id: string; settings: unknown; cohorts: readonly string[] };
        const gated = layered.merchant;
        expect({ id: gated.id, settings: gated.settings, cohorts: gated.cohorts }).toEqual({ id: merged.id, settings: merged.settings, cohorts: merged.cohorts });
      }),
      { numRuns: 2000 },
    );
  });
});
