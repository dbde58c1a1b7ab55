import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadBundle, type ConditionNode } from '../index.js';
import { conditionToDsl, valueToDsl } from './condition-dsl.js';

const features = { path: 'features.yaml', text: 'features:\n  orders90d: { kind: count, events: order.placed, windowDays: 90 }\n  refunds90d: { kind: count, events: refund.requested, windowDays: 90 }\n  refundRate90d: { kind: ratio, numerator: refunds90d, denominator: orders90d }\n' };

/** The parsed `when` of the only rule of a policy whose `when` is `when` (YAML text, indented 6). */
function parsedWhen(when: string): ConditionNode {
  const text = `id: p\nversion: 1\npoint: refund.requested\nrollout: { mode: enforce }\nrules:\n  - id: r\n    when:\n${when}\n    then: { action: return_first, reason: x }\n`;
  const loaded = loadBundle([features, { path: 'p.yaml', text }]);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('; '));
  return loaded.bundle.policies[0]!.rules[0]!.when;
}

describe('conditionToDsl', () => {
  it('prints one comparison as the shorthand the analyst writes', () => {
    expect(conditionToDsl(parsedWhen('      account.refundRate90d: { gt: 0.6 }'))).toBe('account.refundRate90d: { gt: 0.6 }');
  });

  it('prints groups as block lists, a group-free not inline, lists and fact references in flow style', () => {
    const when = [
      '      all:',
      '        - refund.type: { in: [fast_refund, refund_only] }',
      '        - account.refundRate90d: { gt: 0.6 }',
      '        - not: { merchant.category: { eq: fresh-food } }',
      '        - any:',
      '            - order.amount: { gt: { fact: refund.amount } }',
      '            - account.orders90d: { between: [5, 10] }',
      '        - not:',
      '            any:',
      '              - merchant.category: { eq: "true" }',
    ].join('\n');
    const dsl = conditionToDsl(parsedWhen(when));
    expect(dsl).toBe(
      [
        'all:',
        '  - refund.type: { in: [fast_refund, refund_only] }',
        '  - account.refundRate90d: { gt: 0.6 }',
        '  - not: { merchant.category: { eq: fresh-food } }',
        '  - any:',
        '      - order.amount: { gt: { fact: refund.amount } }',
        '      - account.orders90d: { between: [5, 10] }',
        '  - not:',
        '      any:',
        '        - merchant.category: { eq: "true" }',
      ].join('\n'),
    );
    // The printed text is valid policy YAML that parses back to the same condition.
    expect(parsedWhen(dsl.split('\n').map((l) => `      ${l}`).join('\n'))).toEqual(parsedWhen(when));
  });

  it('inlines named conditions, so a change to one shows in every rule that uses it', () => {
    const text = `id: p\nversion: 1\npoint: refund.requested\nrollout: { mode: enforce }\nconditions:\n  busy: { account.orders90d: { gte: 5 } }\nrules:\n  - id: r\n    when: { all: [ { condition: busy }, { account.refundRate90d: { gt: 0.6 } } ] }\n    then: { action: return_first, reason: x }\n`;
    const loaded = loadBundle([features, { path: 'p.yaml', text }]);
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(conditionToDsl(loaded.bundle.policies[0]!.rules[0]!.when)).toBe('all:\n  - account.orders90d: { gte: 5 }\n  - account.refundRate90d: { gt: 0.6 }');
  });

  it('quotes strings YAML would read as something else, and the quoted value reads back unchanged', () => {
    for (const value of ['yes', '1.0', 'a: b', '#x', 'plain', 'true']) {
      expect(parse(`v: ${valueToDsl(value)}`)).toEqual({ v: value });
    }
    expect(valueToDsl(['a', 2, true])).toBe('[a, 2, true]');
    expect(valueToDsl({ maxQuantity: 1, scope: 'store' })).toBe('{ maxQuantity: 1, scope: store }');
  });
});
