import type { PreparedBundle } from '../bundle/index.js';
import type { Decision } from '../evaluate/decision.js';
import { loadYaml } from '../load/yaml-document.js';
import type { DecisionPoint } from '../points/index.js';
import type { Problem, SourceLocation } from '../problems.js';
import { schemaErrorsToProblems } from '../schema/ajv-problems.js';
import { compileSchema, type ValidateFunction } from '../schema/ajv.js';
import type { SourceFile } from '../bundle/index.js';

/** A *.test.yaml case: facts in, expected decision out. */
export interface PolicyTestCase {
  name: string;
  point: DecisionPoint;
  now?: string;
  input: Record<string, unknown>;
  expect: { action: string; rules?: string[]; shadow?: string[]; params?: Record<string, unknown>; missingFacts?: string[] };
}

export interface PolicyTestResult {
  file: string;
  name: string;
  location: SourceLocation;
  passed: boolean;
  failures: string[];
  decision: Decision;
}

/** When a case gives no clock: a fixed instant, so tests never depend on the day they run. */
export const defaultTestClock = '2027-01-01T00:00:00Z';

const testFileSchema = {
  type: 'object',
  required: ['cases'],
  additionalProperties: false,
  properties: {
    description: { type: 'string' },
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'point', 'input', 'expect'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          point: { enum: ['refund.requested', 'refund.intervention', 'order.checkout', 'integrity.review'] },
          now: { type: 'string', format: 'date-or-date-time' },
          input: { type: 'object', additionalProperties: { type: 'object' } },
          expect: {
            type: 'object',
            required: ['action'],
            additionalProperties: false,
            properties: {
              action: { type: 'string' },
              rules: { type: 'array', items: { type: 'string' } },
              shadow: { type: 'array', items: { type: 'string' } },
              params: { type: 'object' },
              missingFacts: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;

let validator: ValidateFunction | undefined;

export type ParsedTestFile = { ok: true; cases: { testCase: PolicyTestCase; location: SourceLocation }[] } | { ok: false; problems: Problem[] };

export function parsePolicyTestFile(source: SourceFile): ParsedTestFile {
  const loaded = loadYaml(source.path, source.text, undefined, 'policy_test_error');
  if (!loaded.ok) return loaded;
  validator ??= compileSchema(testFileSchema);
  if (!validator(loaded.doc.value)) {
    return { ok: false, problems: schemaErrorsToProblems(loaded.doc, validator.errors ?? [], { code: 'policy_test_error' }) };
  }
  const cases = (loaded.doc.value as { cases: PolicyTestCase[] }).cases;
  return { ok: true, cases: cases.map((testCase, i) => ({ testCase, location: loaded.doc.locate(`/cases/${i}`) })) };
}

/** A rule is named "rule" or "policy/rule" in expectations. */
function ruleNames(outcomes: Decision['reasons']): Set<string> {
  const names = new Set<string>();
  for (const o of outcomes) names.add(o.rule).add(`${o.policy}/${o.rule}`);
  return names;
}

function sameRules(expected: readonly string[], actual: Decision['reasons']): boolean {
  const names = ruleNames(actual);
  return expected.every((e) => names.has(e)) && expected.length === actual.length;
}

export function runPolicyTestCase(bundle: PreparedBundle, file: string, testCase: PolicyTestCase, location: SourceLocation): PolicyTestResult {
  const now = Date.parse(normalizeInstant(testCase.now ?? defaultTestClock));
  const decision = bundle.evaluate(testCase.point, testCase.input, now);
  const failures: string[] = [];
  const { expect } = testCase;
  if (decision.action !== expect.action) failures.push(`action: expected ${expect.action}, got ${decision.action}`);
  if (expect.rules && !sameRules(expect.rules, decision.reasons)) {
    failures.push(`rules: expected [${expect.rules.join(', ')}], got [${decision.reasons.map((r) => `${r.policy}/${r.rule}`).join(', ')}]`);
  }
  if (expect.shadow && !sameRules(expect.shadow, decision.shadow)) {
    failures.push(`shadow: expected [${expect.shadow.join(', ')}], got [${decision.shadow.map((r) => `${r.policy}/${r.rule}`).join(', ')}]`);
  }
  if (expect.params && JSON.stringify(sortKeys(expect.params)) !== JSON.stringify(sortKeys(decision.params ?? {}))) {
    failures.push(`params: expected ${JSON.stringify(expect.params)}, got ${JSON.stringify(decision.params ?? {})}`);
  }
  if (expect.missingFacts && [...expect.missingFacts].sort().join(',') !== [...decision.missingFacts].sort().join(',')) {
    failures.push(`missingFacts: expected [${expect.missingFacts.join(', ')}], got [${decision.missingFacts.join(', ')}]`);
  }
  return { file, name: testCase.name, location, passed: failures.length === 0, failures, decision };
}

export function normalizeInstant(value: string): string {
  return value.length === 10 ? `${value}T00:00:00Z` : value;
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}
