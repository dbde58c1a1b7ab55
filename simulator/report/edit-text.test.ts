import { describe, expect, it } from 'vitest';
import { diffBundles, loadBundle, readPolicyDirectory, type PreparedBundle, type SourceFile } from '../../engine/index.js';
import { editText } from './edit-text.js';
import { mergeReports } from './merge.js';
import { summaryTable } from './summary-table.js';
import type { SimulationReport } from './types.js';
import { ReportBuilder } from './builder.js';

const shipped = readPolicyDirectory('policies').filter((s) => !s.path.endsWith('.test.yaml'));

function bundle(sources: readonly SourceFile[]): PreparedBundle {
  const loaded = loadBundle(sources);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return loaded.bundle;
}

const base = bundle(shipped);
const candidate = bundle(
  shipped
    .filter((s) => !s.path.endsWith('one-click-reject-risky-orders.yaml'))
    .map((s) =>
      s.path.endsWith('intercept-abnormal-fast-refund.yaml')
        ? { ...s, text: s.text.replace('refundRate90d: { gt: 0.6 }', 'refundRate90d: { gt: 0.3 }').replace('version: 1', 'version: 2').replace('  outside: shadow\n', '  outside: shadow\n  percent: 25\n') }
        : s,
    ),
);

describe('editText: the terminal summary opens with the edit', () => {
  it('shows changed and removed policies, rollout and rule changes, with the edited condition lines marked', () => {
    const text = editText(diffBundles(base, candidate));
    expect(text).toBe(
      [
        `Edit: baseline ${base.revision} (5 policies) → candidate ${candidate.revision} (4 policies)`,
        '  ~ policy intercept-abnormal-fast-refund at refund.requested, version 1 → 2',
        '      rollout.percent: 100 → 25',
        '      ~ rule serial-refunder',
        '          condition:',
        '              all:',
        '                - refund.type: { eq: fast_refund }',
        '          -     - account.refundRate90d: { gt: 0.6 }',
        '          +     - account.refundRate90d: { gt: 0.3 }',
        '                - account.orders90d: { gte: 5 }',
        '                - not: { merchant.category: { eq: fresh-food } }',
        '  - policy one-click-reject-risky-orders at refund.requested, version 1 (removed)',
        '      rollout.mode: enforce',
        '      rollout.cohorts: all',
        '      rollout.stages:',
        '          - { from: 2027-01-09, cohorts: [pilot-one-click], percent: 100 }',
        '          - { from: 2027-03-31, cohorts: all, percent: 100 }',
        '      rollout.percent: 100',
        '      rollout.optIn: oneClickReject',
        '      rollout.outside: shadow',
        '      - rule repeated-forged-evidence (removed)',
        '          condition: account.forgedEvidence365d: { gte: 2 }',
        '          action: reject_allowed',
        '      - rule abuse-ring-member (removed)',
        '          condition: account.linkedFlaggedAccounts365d: { gte: 2 }',
        '          action: reject_allowed',
        '      - rule refund-spree (removed)',
        '          condition:',
        '              any:',
        '                - all:',
        '                    - account.refundRate90d: { gt: 0.8 }',
        '                    - account.orders90d: { gte: 5 }',
        '                - account.distinctMerchantsRefunded30d: { gte: 5 }',
        '          action: reject_allowed',
        '  unchanged: checkout-restricted-accounts, deny-intervention-forged-evidence, restrict-after-upheld-complaints',
      ].join('\n'),
    );
  });

  it('says so when nothing changed', () => {
    expect(editText(diffBundles(base, base))).toMatch(/\n  no change: both sides hold the same policies, features and cohorts$/);
  });

  it('puts the edit above the counts in summaryTable, and leaves reports without one (written before it existed) as they were', () => {
    const withEdit = new ReportBuilder(diffBundles(base, candidate)).finish();
    const without = new ReportBuilder().finish();
    expect(Object.keys(withEdit)[0]).toBe('edit');
    expect('edit' in without).toBe(false);
    const table = summaryTable(withEdit);
    expect(table.startsWith(editText(withEdit.edit!) + '\n\n0 events')).toBe(true);
    expect(summaryTable(without).startsWith('0 events')).toBe(true);
  });

  it('keeps the edit when shard reports are merged, and merges old reports without one', () => {
    const edit = diffBundles(base, candidate);
    const shard = (): SimulationReport => new ReportBuilder(edit).finish();
    expect(mergeReports([shard(), shard()]).edit).toEqual(edit);
    const old = new ReportBuilder().finish();
    expect('edit' in mergeReports([old, old])).toBe(false);
  });
});
