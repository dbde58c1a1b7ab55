import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBundle, type Facts } from '../index.js';
import { sources } from '../../test/support/policy-sources.js';
import { manyHitFacts, manyHitPolicyYaml } from '../../test/support/many-hit-policy.js';

/**
 * The compiled evaluator must agree with json-rules-engine (the reference) on every input:
 * random policies (nested all/any/not, fact-to-fact comparisons, both missing-fact meanings,
 * rollout modes) against random facts (missing, null, and values of the wrong type).
 */
type Kind = 'number' | 'string' | 'boolean' | 'list' | 'any';
const paths: Record<string, Kind> = {
  'account.orders90d': 'number',
  'account.refundRate90d': 'number',
  'account.forgedEvidence365d': 'number',
  'order.amount': 'number',
  'refund.amount': 'number',
  'refund.type': 'string',
  'merchant.category': 'string',
  'account.restrictedHere': 'boolean',
  'order.evidenceForged': 'boolean',
  'merchant.cohorts': 'list',
  'context.score': 'any',
  'context.tag': 'any',
};
const byKind = (kind: Kind) => Object.keys(paths).filter((p) => paths[p] === kind);
const strings = ['fast_refund', 'refund_only', 'apparel', 'fresh-food', 'pilot', '5', ''];
const numbers = [0, 1, 2, 5, 0.5, 0.6, -1, 100, 1e9];

const scalarOf = (kind: Kind): fc.Arbitrary<unknown> =>
  kind === 'number' ? fc.constantFrom(...numbers) : kind === 'boolean' ? fc.boolean() : kind === 'any' ? fc.oneof(fc.constantFrom(...numbers), fc.constantFrom(...strings), fc.boolean()) : fc.constantFrom(...strings);

const comparison: fc.Arbitrary<Record<string, unknown>> = fc.constantFrom(...Object.keys(paths)).chain((path) => {
  const kind = paths[path]!;
  const sameKindFact = fc.constantFrom(...byKind(kind === 'list' ? 'string' : kind === 'any' ? 'any' : kind)).map((fact) => ({ fact }));
  const ops: fc.Arbitrary<[string, unknown]>[] = [];
  if (kind === 'number' || kind === 'any') {
    for (const op of ['gt', 'gte', 'lt', 'lte']) ops.push(fc.tuple(fc.constant(op), kind === 'any' ? fc.constantFrom(...numbers) : fc.oneof(fc.constantFrom(...numbers), sameKindFact)));
    ops.push(fc.tuple(fc.constant('between'), fc.tuple(fc.constantFrom(...numbers), fc.constantFrom(...numbers)).map(([a, b]) => [Math.min(a, b), Math.max(a, b)])));
  }
  if (kind === 'list') {
    for (const op of ['contains', 'notContains']) ops.push(fc.tuple(fc.constant(op), fc.oneof(fc.constantFrom(...strings), fc.constantFrom(...byKind('string')).map((fact) => ({ fact })))));
  } else {
    for (const op of ['eq', 'ne']) ops.push(fc.tuple(fc.constant(op), fc.oneof(scalarOf(kind), sameKindFact)));
    for (const op of ['in', 'notIn']) ops.push(fc.tuple(fc.constant(op), fc.array(scalarOf(kind), { minLength: 1, maxLength: 4 })));
  }
  return fc.oneof(...ops).map(([op, value]) => ({ [path]: { [op]: value } }));
});

const condition = fc.letrec<{ cond: Record<string, unknown> }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
    tie('cond').map((not) => ({ not })),
  ),
})).cond;

const actions = ['approve', 'return_first', 'reject_allowed'];
const policy = (index: number) =>
  fc.record({
    mode: fc.constantFrom('enforce', 'enforce', 'shadow', 'off'),
    onMissingFact: fc.boolean(),
    percent: fc.constantFrom(100, 100, 50, 0.01),
    // A named condition that rules may lead with: consecutive rules sharing it are grouped by the compiler.
    shared: condition,
    rules: fc.array(fc.record({ when: condition, action: fc.constantFrom(...actions), ruleMissing: fc.constantFrom(undefined, true, false), leadShared: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  }).map((p) =>
    JSON.stringify({
      id: `p${index}`,
      version: 1,
      point: 'refund.requested',
      onMissingFact: p.onMissingFact,
      rollout: { mode: p.mode, percent: p.percent, outside: 'shadow' },
      ...(p.rules.some((r) => r.leadShared) ? { conditions: { shared: p.shared } } : {}),
      rules: p.rules.map((r, i) => ({
        id: `r${i}`,
        ...(r.ruleMissing === undefined ? {} : { onMissingFact: r.ruleMissing }),
        when: r.leadShared ? { all: [{ condition: 'shared' }, r.when] } : r.when,
        then: { action: r.action, reason: `rule ${i}`, params: { n: i } },
      })),
    }),
  );

const oddValue = fc.oneof(fc.constant(null), fc.constant('7'), fc.constant('abc'), fc.constant(true), fc.constant([5]), fc.constant({}), fc.constant(Number.NaN));
const factValue = (kind: Kind) =>
  fc.oneof(
    { weight: 6, arbitrary: kind === 'list' ? fc.array(fc.constantFrom(...strings), { maxLength: 3 }) : scalarOf(kind) },
    { weight: 1, arbitrary: oddValue },
  );

const facts: fc.Arbitrary<Facts> = fc
  .record(Object.fromEntries(Object.entries(paths).map(([path, kind]) => [path, fc.option(factValue(kind), { freq: 4, nil: undefined })])) as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] })
  .chain((values) =>
    fc.record({ merchantId: fc.constantFrom('m1', 'm2', 'm3', 'm4'), dropRoot: fc.constantFrom(undefined, 'account', 'order', 'context') }).map(({ merchantId, dropRoot }) => {
      const out: Record<string, Record<string, unknown>> = { merchant: { id: merchantId } };
      for (const [path, value] of Object.entries(values)) {
        if (value === undefined) continue;
        const [root, field] = path.split('.') as [string, string];
        (out[root] ??= {})[field] = value;
      }
      if (dropRoot) delete out[dropRoot];
      return out as Facts;
    }),
  );

describe('compiled evaluator against the json-rules-engine reference', () => {
  it('gives the same decision on thousands of random policies and facts', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }).chain((ids) => fc.tuple(...ids.map((_, i) => policy(i)))), fc.array(facts, { minLength: 8, maxLength: 8 }), async (policyTexts, factSets) => {
        const loaded = loadBundle(sources(Object.fromEntries(policyTexts.map((text, i) => [`p${i}.yaml`, text]))));
        if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
        for (const f of factSets) {
          const fast = loaded.bundle.evaluate('refund.requested', f, 0);
          const reference = await loaded.bundle.evaluateReference('refund.requested', f, 0);
          expect(fast).toEqual(reference);
          compared += 1;
        }
      }),
      { numRuns: 400, seed: 20270101 },
    );
    expect(compared).toBeGreaterThanOrEqual(3000);
  });

  it('agrees on the shipped policies at every decision point', async () => {
    const { readPolicyDirectory } = await import('../index.js');
    const loaded = loadBundle(readPolicyDirectory('policies'));
    if (!loaded.ok) throw new Error('shipped policies must load');
    const bundle = loaded.bundle;
    const numbersOrMissing = fc.option(fc.constantFrom(0, 1, 2, 3, 5, 0.7, 0.9, 10), { nil: undefined });
    const shippedFacts = fc.record({
      account: fc.record({
        forgedEvidence365d: numbersOrMissing, upheldComplaints365d: numbersOrMissing, activeRestrictions: numbersOrMissing,
        refundRate90d: numbersOrMissing, orders90d: numbersOrMissing, linkedFlaggedAccounts365d: numbersOrMissing,
        distinctMerchantsRefunded30d: numbersOrMissing, restrictedHere: fc.option(fc.boolean(), { nil: undefined }),
        restrictedPlatform: fc.option(fc.boolean(), { nil: undefined }), referredToAuthorities: fc.option(fc.boolean(), { nil: undefined }),
      }, { requiredKeys: [] }),
      merchant: fc.record({
        id: fc.constantFrom('m-demo-1', 'm-demo-2', 'm9'),
        category: fc.constantFrom('apparel', 'fresh-food'),
        settings: fc.record({ interceptAbnormalRefunds: fc.boolean(), oneClickReject: fc.boolean() }),
      }),
      refund: fc.record({ type: fc.constantFrom('fast_refund', 'refund_only', 'return_refund') }),
      order: fc.record({ evidenceForged: fc.boolean() }, { requiredKeys: [] }),
    });
    const points = ['refund.requested', 'refund.intervention', 'order.checkout', 'integrity.review'] as const;
    const clock = fc.constantFrom(Date.parse('2027-01-01'), Date.parse('2027-02-01'), Date.parse('2027-04-01'));
    await fc.assert(
      fc.asyncProperty(shippedFacts, fc.constantFrom(...points), clock, async (f, point, now) => {
        const clean = JSON.parse(JSON.stringify(f)) as Facts; // undefined fields become absent, as over HTTP
        expect(bundle.evaluate(point, clean, now)).toEqual(await bundle.evaluateReference(point, clean, now));
      }),
      { numRuns: 1500, seed: 7 },
    );
  });
});

describe('compiled evaluator against the reference on many-hit policies', () => {
  // About 8 of 20 rules fire per decision (the shape test/bench/engine.bench.ts measures), so the
  // order of many reasons, fixed at compile time by rank, is what is compared here.
  it('gives the same decision on seeded 20-rule policies where many rules fire', async () => {
    const facts = manyHitFacts(60, 3);
    let reasons = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const loaded = loadBundle(sources({ 'many.yaml': manyHitPolicyYaml({ seed }) }));
      if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
      for (const f of facts) {
        const fast = loaded.bundle.evaluate('refund.requested', f, 0);
        expect(fast).toEqual(await loaded.bundle.evaluateReference('refund.requested', f, 0));
        reasons += fast.reasons.length;
      }
    }
    expect(reasons / (12 * facts.length)).toBeGreaterThan(5);
  });

  it('lists reasons across policies and past 32 rules of a point in strength, then bundle order', async () => {
    // 3 policies x 15 rules: ranks span two words of the builder's bit set; one policy in shadow.
    const loaded = loadBundle(
      sources({
        'a.yaml': manyHitPolicyYaml({ seed: 5, rules: 15, id: 'a' }),
        'b.yaml': manyHitPolicyYaml({ seed: 6, rules: 15, id: 'b', mode: 'shadow' }),
        'c.yaml': manyHitPolicyYaml({ seed: 7, rules: 15, id: 'c' }),
      }),
    );
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
    const strength = { approve: 0, return_first: 1, reject_allowed: 2 } as Record<string, number>;
    // Each rule's place in that order among all 45 (shadow rules included): past 31 is the second word.
    const order = loaded.bundle
      .policiesAt('refund.requested')
      .flatMap((p) => p.rules.map((r) => ({ key: `${p.id}/${r.id}`, strength: strength[r.then.action]! })))
      .map((r, bundleOrder) => ({ ...r, bundleOrder }))
      .sort((x, y) => y.strength - x.strength || x.bundleOrder - y.bundleOrder)
      .map((r) => r.key);
    let sawSecondWord = false;
    for (const f of manyHitFacts(80, 11)) {
      const fast = loaded.bundle.evaluate('refund.requested', f, 0);
      expect(fast).toEqual(await loaded.bundle.evaluateReference('refund.requested', f, 0));
      const keys = fast.reasons.map((r) => [-strength[r.action]!, r.policy, Number(r.rule.slice(1))] as const);
      const sorted = [...keys].sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]) || x[2] - y[2]);
      expect(keys).toEqual(sorted);
      if (fast.reasons.some((r) => order.indexOf(`${r.policy}/${r.rule}`) >= 32)) sawSecondWord = true;
    }
    expect(sawSecondWord).toBe(true);
  });
});
