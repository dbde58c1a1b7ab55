import { describe, expect, it } from 'vitest';
import { loadBundle, readPolicyDirectory, type PreparedBundle, type SourceFile } from '../index.js';
import { diffBundles } from './diff.js';

const shipped = readPolicyDirectory('policies').filter((s) => !s.path.endsWith('.test.yaml'));

function bundle(sources: readonly SourceFile[]): PreparedBundle {
  const loaded = loadBundle(sources);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n'));
  return loaded.bundle;
}

/** The shipped sources with `edit` applied to the file whose name ends in `name` (and its version raised). */
function edited(name: string, edit: (text: string) => string, sources = shipped): SourceFile[] {
  return sources.map((s) => {
    if (!s.path.endsWith(name)) return s;
    const text = edit(s.text);
    if (text === s.text) throw new Error(`the edit of ${name} changed nothing`);
    return { ...s, text: text.replace(/^version: (\d+)/m, (_, v: string) => `version: ${Number(v) + 1}`) };
  });
}

const base = bundle(shipped);
const FAST = 'intercept-abnormal-fast-refund';
const ONE_CLICK = 'one-click-reject-risky-orders';

describe('diffBundles', () => {
  it('finds nothing between a bundle and itself', () => {
    const d = diffBundles(base, bundle(shipped));
    expect(d.policies).toEqual([]);
    expect(d.unchanged).toEqual(base.policies.map((p) => p.id).sort());
    expect(d.features).toEqual({ added: [], removed: [], changed: [] });
    expect(d.cohorts).toEqual({ added: [], removed: [], changed: [] });
    expect(d.baseline).toEqual({ revision: base.revision, policies: base.policies.length });
  });

  it('shows a changed threshold as the old and new condition in DSL form, with the version change', () => {
    const d = diffBundles(base, bundle(edited(`${FAST}.yaml`, (t) => t.replace('refundRate90d: { gt: 0.6 }', 'refundRate90d: { gt: 0.3 }'))));
    expect(d.policies).toHaveLength(1);
    const [p] = d.policies;
    expect(p).toMatchObject({ id: FAST, change: 'changed', point: 'refund.requested', version: { baseline: 1, candidate: 2 }, changes: [] });
    expect(p!.rules).toEqual([
      {
        id: 'serial-refunder',
        change: 'changed',
        changes: [
          {
            field: 'condition',
            baseline: 'all:\n  - refund.type: { eq: fast_refund }\n  - account.refundRate90d: { gt: 0.6 }\n  - account.orders90d: { gte: 5 }\n  - not: { merchant.category: { eq: fresh-food } }',
            candidate: 'all:\n  - refund.type: { eq: fast_refund }\n  - account.refundRate90d: { gt: 0.3 }\n  - account.orders90d: { gte: 5 }\n  - not: { merchant.category: { eq: fresh-food } }',
          },
        ],
      },
    ]);
    expect(d.unchanged).not.toContain(FAST);
    expect(d.unchanged).toHaveLength(base.policies.length - 1);
  });

  it('names each rollout change: mode, cohorts, percent, optIn, outside and stages', () => {
    const fast = edited(`${FAST}.yaml`, (t) =>
      t.replace('  mode: enforce\n  optIn: interceptAbnormalRefunds\n  outside: shadow\n', '  mode: shadow\n  cohorts: [pilot-2027q1]\n  percent: 25\n'),
    );
    const both = edited(`${ONE_CLICK}.yaml`, (t) => t.replace('- { from: 2027-03-31, cohorts: all }', '- { from: 2027-04-30, cohorts: all, percent: 50 }'), fast);
    const d = diffBundles(base, bundle(both));
    const byId = new Map(d.policies.map((p) => [p.id, p]));
    expect(byId.get(FAST)!.changes).toEqual([
      { field: 'rollout.mode', baseline: 'enforce', candidate: 'shadow' },
      { field: 'rollout.cohorts', baseline: 'all', candidate: '[pilot-2027q1]' },
      { field: 'rollout.percent', baseline: '100', candidate: '25' },
      { field: 'rollout.optIn', baseline: 'interceptAbnormalRefunds', candidate: null },
      { field: 'rollout.outside', baseline: 'shadow', candidate: 'skip' },
    ]);
    expect(byId.get(FAST)!.rules).toEqual([]);
    expect(byId.get(ONE_CLICK)!.changes).toEqual([
      {
        field: 'rollout.stages',
        baseline: '- { from: 2027-01-09, cohorts: [pilot-one-click], percent: 100 }\n- { from: 2027-03-31, cohorts: all, percent: 100 }',
        candidate: '- { from: 2027-01-09, cohorts: [pilot-one-click], percent: 100 }\n- { from: 2027-04-30, cohorts: all, percent: 50 }',
      },
    ]);
  });

  it('lists rules added, removed, and with a changed action, params or reason', () => {
    const candidate = edited('checkout-restricted-accounts.yaml', (t) =>
      t
        .replace(/  - id: referred-to-authorities\n[\s\S]*$/, '')
        .replace('then: { action: limit_quantity, reason: The account is restricted platform-wide, params: { maxQuantity: 1 } }', 'then: { action: limit_quantity, reason: Restricted platform-wide, params: { maxQuantity: 2 } }')
        .replace('then: { action: refuse_sale, reason: The account is restricted at this store }', 'then: { action: limit_quantity, reason: The account is restricted at this store, params: { maxQuantity: 1 } }')
        .concat('  - id: many-refunds\n    when:\n      account.refunds90d: { gte: 20 }\n    then: { action: limit_quantity, reason: Twenty refunds in 90 days, params: { maxQuantity: 1 } }\n'),
    );
    const [p] = diffBundles(base, bundle(candidate)).policies;
    expect(p!.id).toBe('checkout-restricted-accounts');
    expect(p!.rules).toEqual([
      {
        id: 'store-restriction',
        change: 'changed',
        changes: [
          { field: 'action', baseline: 'refuse_sale', candidate: 'limit_quantity' },
          { field: 'params', baseline: null, candidate: '{ maxQuantity: 1 }' },
        ],
      },
      {
        id: 'platform-restriction',
        change: 'changed',
        changes: [
          { field: 'params', baseline: '{ maxQuantity: 1 }', candidate: '{ maxQuantity: 2 }' },
          { field: 'reason', baseline: 'The account is restricted platform-wide', candidate: 'Restricted platform-wide' },
        ],
      },
      {
        id: 'many-refunds',
        change: 'added',
        changes: [
          { field: 'condition', baseline: null, candidate: 'account.refunds90d: { gte: 20 }' },
          { field: 'action', baseline: null, candidate: 'limit_quantity' },
          { field: 'params', baseline: null, candidate: '{ maxQuantity: 1 }' },
        ],
      },
      {
        id: 'referred-to-authorities',
        change: 'removed',
        changes: [
          { field: 'condition', baseline: 'account.referredToAuthorities: { eq: true }', candidate: null },
          { field: 'action', baseline: 'refuse_sale', candidate: null },
        ],
      },
    ]);
  });

  it('shows policies added and removed with their rollout and rules, and changed features and cohorts', () => {
    const added: SourceFile = {
      path: 'policies/new-policy.yaml',
      text: 'id: new-policy\nversion: 3\npoint: order.checkout\nrollout: { mode: shadow, cohorts: [high-quality], percent: 10 }\nrules:\n  - id: busy\n    when: { account.orders90d: { gte: 50 } }\n    then: { action: limit_quantity, reason: Busy, params: { maxQuantity: 5 } }\n',
    };
    const candidate = [
      ...shipped
        .filter((s) => !s.path.endsWith(`${ONE_CLICK}.yaml`))
        .map((s) =>
          s.path.endsWith('cohorts.yaml')
            ? { ...s, text: s.text.replace('merchants: [m-demo-1, m-demo-3]', 'merchants: [m-demo-1, m-demo-4]').concat('  apparel:\n    merchants: [m-demo-5]\n') }
            : s.path.endsWith('features.yaml')
              ? { ...s, text: s.text.replace('    windowDays: 30\n    where: { refund.type: fast_refund }', '    windowDays: 14\n    where: { refund.type: fast_refund }') }
              : s,
        ),
      added,
    ];
    const d = diffBundles(base, bundle(candidate));
    const byId = new Map(d.policies.map((p) => [p.id, p]));
    expect(byId.get('new-policy')).toEqual({
      id: 'new-policy',
      change: 'added',
      point: 'order.checkout',
      version: { baseline: null, candidate: 3 },
      changes: [
        { field: 'rollout.mode', baseline: null, candidate: 'shadow' },
        { field: 'rollout.cohorts', baseline: null, candidate: '[high-quality]' },
        { field: 'rollout.percent', baseline: null, candidate: '10' },
        { field: 'rollout.outside', baseline: null, candidate: 'skip' },
      ],
      rules: [
        {
          id: 'busy',
          change: 'added',
          changes: [
            { field: 'condition', baseline: null, candidate: 'account.orders90d: { gte: 50 }' },
            { field: 'action', baseline: null, candidate: 'limit_quantity' },
            { field: 'params', baseline: null, candidate: '{ maxQuantity: 5 }' },
          ],
        },
      ],
    });
    const removed = byId.get(ONE_CLICK)!;
    expect(removed).toMatchObject({ change: 'removed', point: 'refund.requested', version: { baseline: 1, candidate: null } });
    expect(removed.rules.map((r) => [r.id, r.change])).toEqual([
      ['repeated-forged-evidence', 'removed'],
      ['abuse-ring-member', 'removed'],
      ['refund-spree', 'removed'],
    ]);
    expect(removed.changes).toContainEqual({ field: 'rollout.optIn', baseline: 'oneClickReject', candidate: null });
    expect(d.candidate.policies).toBe(base.policies.length);
    expect(d.features).toEqual({ added: [], removed: [], changed: ['fastRefunds30d'] });
    expect(d.cohorts).toEqual({ added: ['apparel'], removed: [], changed: ['high-quality'] });
  });

  it('reports a version raised without any other change', () => {
    const d = diffBundles(base, bundle(edited(`${FAST}.yaml`, (t) => t.replace('owner: risk-analytics', 'owner: someone-else'))));
    expect(d.policies).toEqual([{ id: FAST, change: 'changed', point: 'refund.requested', version: { baseline: 1, candidate: 2 }, changes: [], rules: [] }]);
  });
});
