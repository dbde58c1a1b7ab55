import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConditionNode, Operator, Scalar } from '../policy/model.js';
import { compileRuleCondition } from './closures.js';
import { LiteralTable, MaskedRules, ruleMask, someTermHolds } from './literal-masks.js';

/**
 * The mask evaluator must give every rule the answer its closures give (closures.ts is checked
 * against json-rules-engine by engine/evaluate/differential.test.ts): random condition trees of
 * comparisons with constants, both missing-fact meanings, values missing, null and of the wrong type,
 * and policies with enough distinct comparisons that the bits span several words.
 */
const slotPaths = ['a.n', 'a.m', 'a.k', 'b.s', 'b.t'];
const slotOf = (path: string) => slotPaths.indexOf(path);
const numbers = [0, 1, 2, 3, 5, 0.5, -1, 100];
const strings = ['x', 'y', 'fast_refund', '5', ''];

const comparison: fc.Arbitrary<ConditionNode> = fc
  .tuple(
    fc.constantFrom(...slotPaths),
    fc.constantFrom<Operator>('eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn'),
    fc.constantFrom<Scalar>(...numbers, ...strings, true),
    fc.array(fc.constantFrom<Scalar>(...numbers, ...strings), { minLength: 1, maxLength: 3 }),
  )
  .map(([path, operator, value, list]) => ({
    kind: 'compare',
    path,
    operator,
    operand: { kind: 'value', value: operator === 'in' || operator === 'notIn' ? list : value },
  }));

const condition = fc.letrec<{ node: ConditionNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.array(tie('node'), { minLength: 0, maxLength: 3 }).map((items): ConditionNode => ({ kind: 'all', items })),
    fc.array(tie('node'), { minLength: 0, maxLength: 3 }).map((items): ConditionNode => ({ kind: 'any', items })),
    tie('node').map((item): ConditionNode => ({ kind: 'not', item })),
  ),
})).node;

const slotValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(...numbers, ...strings) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, '7', 'abc', true, Number.NaN, [5]) },
);

describe('rules as masks over literal bits', () => {
  it('fire exactly when their closures fire, for both missing-fact meanings and bits over several words', () => {
    let masked = 0;
    let multiWord = 0;
    let policies = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(condition, fc.boolean()), { minLength: 1, maxLength: 12 }),
        fc.array(fc.array(slotValue, { minLength: slotPaths.length, maxLength: slotPaths.length }), { minLength: 6, maxLength: 6 }),
        (rules, slotSets) => {
          const table = new LiteralTable(
            rules.map(([when]) => when),
            slotOf,
          );
          const bits = new Int32Array(table.words);
          if (table.words > 1) multiWord += 1;
          for (const [when, onMissingFact] of rules) {
            const mask = ruleMask(when, onMissingFact, table, slotOf);
            if (mask === undefined) continue; // too many masks: the rule keeps its closure
            masked += 1;
            const closure = compileRuleCondition(when, onMissingFact, slotOf);
            for (const slots of slotSets) {
              table.evaluate(slots, bits);
              expect(someTermHolds(bits, mask.terms, table.words) !== mask.negated).toBe(closure(slots));
            }
          }
          // The policy as a whole (what the evaluator runs): the rules that fire, in order. Sharing 0:
          // masks even where closures would be chosen for speed (random rules share few comparisons).
          const policy = MaskedRules.of(
            rules.map(([when, onMissingFact]) => ({ when, onMissingFact })),
            slotOf,
            0,
          );
          if (policy === undefined) return;
          policies += 1;
          const closures = rules.map(([when, onMissingFact]) => compileRuleCondition(when, onMissingFact, slotOf));
          for (const slots of slotSets) {
            const count = policy.firedRules(slots);
            expect([...policy.firedList.subarray(0, count)]).toEqual(closures.flatMap((fires, r) => (fires(slots) ? [r] : [])));
          }
        },
      ),
      { numRuns: 600, seed: 1818 },
    );
    expect(masked).toBeGreaterThan(1500);
    expect(multiWord).toBeGreaterThan(50);
    expect(policies).toBeGreaterThan(100);
  });

  it('are used for a policy whose rules share comparisons, not for one whose rules share none', () => {
    const compare = (path: string, value: number): ConditionNode => ({ kind: 'compare', path, operator: 'gte', operand: { kind: 'value', value } });
    const shared = [compare('a.n', 1), compare('a.m', 2)];
    const sharing = Array.from({ length: 4 }, () => ({ when: { kind: 'all', items: shared } as ConditionNode, onMissingFact: false }));
    const apart = Array.from({ length: 4 }, (_, i) => ({ when: compare('a.n', i), onMissingFact: false }));
    expect(MaskedRules.of(sharing, slotOf)).toBeDefined();
    expect(MaskedRules.of(apart, slotOf)).toBeUndefined();
  });

  it('leaves rules that compare two facts to their closures', () => {
    const when: ConditionNode = { kind: 'compare', path: 'a.n', operator: 'gt', operand: { kind: 'fact', path: 'a.m' } };
    const table = new LiteralTable([when], slotOf);
    expect(table.size).toBe(0);
    expect(ruleMask(when, false, table, slotOf)).toBeUndefined();
  });

  it('tests a comparison shared by many rules once', () => {
    const shared: ConditionNode = { kind: 'compare', path: 'a.n', operator: 'gte', operand: { kind: 'value', value: 5 } };
    const other: ConditionNode = { kind: 'compare', path: 'b.s', operator: 'in', operand: { kind: 'value', value: ['x', 'y'] } };
    const table = new LiteralTable(
      [shared, { kind: 'all', items: [shared, other] }, { kind: 'not', item: { ...other, operand: { kind: 'value', value: ['x', 'y'] } } }],
      slotOf,
    );
    expect(table.size).toBe(2);
  });
});
