import { describe, expect, it } from 'vitest';
import { loadBundle, type PreparedBundle } from '../index.js';
import { sources } from '../../test/support/policy-sources.js';

function bundleOf(files: Record<string, string>): PreparedBundle {
  const loaded = loadBundle(sources(files));
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return loaded.bundle;
}

const policy = (id: string, body: string, rollout = '{ mode: enforce }', extra = '') => `id: ${id}
version: 1
point: refund.requested
rollout: ${rollout}
${extra}rules:
${body}`;

describe('evaluating a bundle', () => {
  it('returns the strongest enforced action with the winning rule\'s params, reasons strongest first', () => {
    const bundle = bundleOf({
      'a.yaml': policy('a', `  - id: weak
    when: { account.orders90d: { gte: 1 } }
    then: { action: return_first, reason: weak, params: { note: weak } }
`),
      'b.yaml': policy('b', `  - id: strong
    when: { account.orders90d: { gte: 1 } }
    then: { action: reject_allowed, reason: strong, params: { note: strong } }
`),
    });
    const d = bundle.evaluate('refund.requested', { account: { orders90d: 3 } }, 0);
    expect(d.action).toBe('reject_allowed');
    expect(d.params).toEqual({ note: 'strong' });
    expect(d.reasons.map((r) => r.rule)).toEqual(['strong', 'weak']);
  });

  it('answers the weakest action when nothing matches', () => {
    const bundle = bundleOf({ 'a.yaml': policy('a', `  - id: r\n    when: { account.orders90d: { gt: 100 } }\n    then: { action: return_first, reason: x }\n`) });
    expect(bundle.evaluate('refund.requested', { account: { orders90d: 3 } }, 0)).toEqual({
      point: 'refund.requested', action: 'approve', reasons: [], shadow: [], missingFacts: [],
    });
    expect(bundle.evaluate('order.checkout', {}, 0).action).toBe('allow');
  });

  it('keeps shadow results apart and never lets them change the action', () => {
    const bundle = bundleOf({
      'a.yaml': policy('a', `  - id: r\n    when: { account.orders90d: { gte: 1 } }\n    then: { action: reject_allowed, reason: x }\n`, '{ mode: shadow }'),
    });
    const d = bundle.evaluate('refund.requested', { account: { orders90d: 3 } }, 0);
    expect(d.action).toBe('approve');
    expect(d.reasons).toEqual([]);
    expect(d.shadow).toEqual([{ policy: 'a', version: 1, rule: 'r', action: 'reject_allowed', reason: 'x' }]);
  });

  it('never matches on a missing fact by default, even under not', () => {
    const bundle = bundleOf({
      'a.yaml': policy('a', `  - id: r\n    when: { not: { merchant.category: { eq: fresh-food } } }\n    then: { action: return_first, reason: x }\n`),
    });
    const d = bundle.evaluate('refund.requested', { merchant: { id: 'm' } }, 0);
    expect(d.action).toBe('approve');
    expect(d.missingFacts).toEqual(['merchant.category']);
    expect(bundle.evaluate('refund.requested', { merchant: { id: 'm', category: 'apparel' } }, 0).action).toBe('return_first');
  });

  it('fails closed on a missing fact when the policy says onMissingFact: true', () => {
    const bundle = bundleOf({
      'a.yaml': policy('a', `  - id: r\n    when: { account.refundRate90d: { gt: 0.5 } }\n    then: { action: return_first, reason: x }\n`, '{ mode: enforce }', 'onMissingFact: true\n'),
    });
    expect(bundle.evaluate('refund.requested', {}, 0).action).toBe('return_first');
    expect(bundle.evaluate('refund.requested', { account: { refundRate90d: 0.1 } }, 0).action).toBe('approve');
  });

  it('decides any/all with a missing fact when the known part settles it', () => {
    const bundle = bundleOf({
      'a.yaml': policy('a', `  - id: r\n    when: { any: [ { account.orders90d: { gte: 5 } }, { account.refundRate90d: { gt: 0.5 } } ] }\n    then: { action: return_first, reason: x }\n`, '{ mode: enforce }', 'onMissingFact: true\n'),
    });
    expect(bundle.evaluate('refund.requested', { account: { orders90d: 1 } }, 0).action).toBe('return_first');
    expect(bundle.evaluate('refund.requested', { account: { orders90d: 1, refundRate90d: 0.1 } }, 0).action).toBe('approve');
  });

  it('compares a fact with another fact', () => {
    const bundle = bundleOf({
      'a.yaml': policy('a', `  - id: r\n    when: { refund.amount: { gt: { fact: order.amount } } }\n    then: { action: return_first, reason: x }\n`),
    });
    expect(bundle.evaluate('refund.requested', { refund: { amount: 120 }, order: { amount: 100 } }, 0).action).toBe('return_first');
    expect(bundle.evaluate('refund.requested', { refund: { amount: 80 }, order: { amount: 100 } }, 0).action).toBe('approve');
    expect(bundle.evaluate('refund.requested', { refund: { amount: 120 } }, 0).missingFacts).toEqual(['order.amount']);
  });

  it('gets the same revision from the same content, and a new one when it changes', () => {
    const text = policy('a', `  - id: r\n    when: { account.orders90d: { gte: 1 } }\n    then: { action: return_first, reason: x }\n`);
    expect(bundleOf({ 'a.yaml': text }).revision).toBe(bundleOf({ 'a.yaml': text }).revision);
    expect(bundleOf({ 'a.yaml': text }).revision).not.toBe(bundleOf({ 'a.yaml': text.replace('gte: 1', 'gte: 2') }).revision);
  });
});
