import { describe, expect, it } from 'vitest';
import { formatProblem, loadBundle, type Problem } from '../index.js';
import { sources } from '../../test/support/policy-sources.js';

const valid = `id: p1
version: 1
point: refund.requested
rollout: { mode: enforce }
rules:
  - id: r1
    when:
      account.orders90d: { gte: 5 }
    then: { action: return_first, reason: test }
`;

function problemsOf(text: string, extra: Record<string, string> = {}): Problem[] {
  const result = loadBundle(sources({ 'p.yaml': text, ...extra }));
  return result.ok ? [] : result.problems;
}

function only(text: string): Problem {
  const problems = problemsOf(text);
  expect(problems, problems.map(formatProblem).join('\n')).toHaveLength(1);
  return problems[0]!;
}

describe('loading policies', () => {
  it('accepts a valid policy', () => {
    expect(problemsOf(valid)).toEqual([]);
  });

  it('reports broken YAML at its line with policy_yaml_error', () => {
    const p = only(valid.replace('rollout: { mode: enforce }', 'rollout: { mode: enforce'));
    expect(p.code).toBe('policy_yaml_error');
    expect(p.file).toBe('p.yaml');
    expect(p.line).toBeGreaterThanOrEqual(4);
  });

  it('reports an unknown operator at the operator key', () => {
    const p = only(valid.replace('{ gte: 5 }', '{ greaterOrEqual: 5 }'));
    expect(p).toMatchObject({ code: 'policy_unknown_operator', line: 8, col: 28 });
    expect(p.message).toContain('greaterOrEqual');
    expect(formatProblem(p)).toMatch(/^p\.yaml:8:28 policy_unknown_operator /);
  });

  it('reports a missing required field with policy_schema_error', () => {
    const p = only(valid.replace('version: 1\n', ''));
    expect(p.code).toBe('policy_schema_error');
    expect(p.message).toContain('"version"');
  });

  it('reports a duplicate rule id at the second rule', () => {
    const text = `${valid}  - id: r1
    when: { account.orders90d: { gte: 9 } }
    then: { action: return_first, reason: again }
`;
    expect(only(text)).toMatchObject({ code: 'policy_duplicate_rule', line: 10 });
  });

  it('reports an action that does not belong to the decision point', () => {
    const p = only(valid.replace('action: return_first', 'action: deny_refund'));
    expect(p).toMatchObject({ code: 'policy_action_not_allowed', line: 9 });
    expect(p.message).toContain('approve, return_first, reject_allowed');
  });

  it('reports an unknown account feature and suggests the closest one', () => {
    const p = only(valid.replace('account.orders90d', 'account.order90d'));
    expect(p).toMatchObject({ code: 'policy_unknown_feature', line: 8, col: 7 });
    expect(p.message).toContain('did you mean account.orders90d');
  });

  it('reports an unknown fact root', () => {
    expect(only(valid.replace('account.orders90d', 'buyer.orders90d')).code).toBe('policy_unknown_fact');
  });

  it('refuses prototype member names in fact paths', () => {
    expect(only(valid.replace('account.orders90d', 'context.constructor')).code).toBe('policy_unknown_fact');
  });

  it('reports comparing a number with a string', () => {
    expect(only(valid.replace('{ gte: 5 }', '{ gte: "5" }')).code).toMatch(/policy_(schema_error|type_mismatch)/);
    expect(only(valid.replace('{ gte: 5 }', '{ eq: "five" }')).code).toBe('policy_type_mismatch');
  });

  it('reports a fact reference that does not resolve', () => {
    const p = only(valid.replace('{ gte: 5 }', '{ gte: { fact: order.amont } }'));
    expect(p.code).toBe('policy_unknown_fact');
    expect(p.message).toContain('order.amount');
  });

  it('reports a between with its bounds reversed', () => {
    expect(only(valid.replace('{ gte: 5 }', '{ between: [9, 2] }')).code).toBe('policy_type_mismatch');
  });

  it('reports cycles among named conditions', () => {
    const text = valid.replace('rules:', `conditions:
  a: { condition: b }
  b: { condition: a }
rules:`);
    const problems = problemsOf(text);
    expect(problems.some((p) => p.code === 'policy_condition_cycle')).toBe(true);
  });

  it('reports a reference to an undeclared named condition', () => {
    expect(only(valid.replace('account.orders90d: { gte: 5 }', 'condition: nope')).code).toBe('policy_unknown_condition');
  });

  it('reports a condition with two keys and explains how to combine them', () => {
    const p = only(valid.replace('      account.orders90d: { gte: 5 }\n', '      account.orders90d: { gte: 5 }\n      account.refunds90d: { gte: 1 }\n'));
    expect(p.code).toBe('policy_schema_error');
    expect(p.message).toContain('all: [...]');
  });

  it('reports stages out of time order', () => {
    const text = valid.replace('rollout: { mode: enforce }', `rollout:
  mode: enforce
  stages:
    - { from: 2027-03-01, cohorts: all }
    - { from: 2027-01-01, cohorts: [pilot] }`);
    expect(only(text)).toMatchObject({ code: 'policy_stage_order', line: 8 });
  });

  it('reports the same policy id in two files', () => {
    const problems = problemsOf(valid, { 'q.yaml': valid });
    expect(problems.map((p) => [p.file, p.code])).toEqual([['q.yaml', 'policy_duplicate_policy']]);
  });

  it('lists every problem of every file at once, sorted by file and line', () => {
    const problems = problemsOf(valid.replace('account.orders90d', 'account.nope').replace('action: return_first', 'action: nope'), {
      'q.yaml': valid.replace('id: p1', 'id: p2').replace('{ gte: 5 }', '{ zz: 1 }'),
    });
    expect(problems.map((p) => `${p.file}:${p.code}`)).toEqual(['p.yaml:policy_unknown_feature', 'p.yaml:policy_action_not_allowed', 'q.yaml:policy_unknown_operator']);
  });

  it('stops a YAML alias bomb quickly with a clear error', () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      bomb.push(`${next}: &${next} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    const started = Date.now();
    const p = only(bomb.join('\n'));
    expect(p.code).toBe('policy_yaml_too_complex');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a file larger than the limit before parsing it', () => {
    const huge = `${valid}# ${'x'.repeat(1024 * 1024)}\n`;
    expect(only(huge).code).toBe('policy_yaml_too_complex');
  });

  it('refuses absurd nesting fast with a clear error, and accepts reasonable nesting', () => {
    const nested = (depth: number): string => {
      let cond = '{ account.orders90d: { gte: 5 } }';
      for (let i = 0; i < depth; i++) cond = `{ not: ${cond} }`;
      return valid.replace('    when:\n      account.orders90d: { gte: 5 }', `    when: ${cond}`);
    };
    const twentyDeep = nested(20);
    expect(twentyDeep.match(/not:/g)).toHaveLength(20);
    expect(problemsOf(twentyDeep)).toEqual([]);
    for (const depth of [200, 20_000]) {
      const text = nested(depth);
      const started = Date.now();
      const p = only(text);
      expect(p.code).toBe('policy_yaml_too_complex');
      expect(p.message).toMatch(/nest/);
      expect(Date.now() - started).toBeLessThan(3000);
    }
  });

  it('refuses a changed policy whose version did not rise', () => {
    const first = loadBundle(sources({ 'p.yaml': valid }));
    if (!first.ok) throw new Error('first load failed');
    const changed = loadBundle(sources({ 'p.yaml': valid.replace('gte: 5', 'gte: 6') }), { previous: first.bundle });
    expect(changed.ok).toBe(false);
    if (!changed.ok) expect(changed.problems[0]).toMatchObject({ code: 'policy_version_not_raised', line: 2 });
    const raised = loadBundle(sources({ 'p.yaml': valid.replace('gte: 5', 'gte: 6').replace('version: 1', 'version: 2') }), { previous: first.bundle });
    expect(raised.ok).toBe(true);
    const reformatted = loadBundle(sources({ 'p.yaml': `# a comment\n${valid}` }), { previous: first.bundle });
    expect(reformatted.ok).toBe(true);
  });
});
