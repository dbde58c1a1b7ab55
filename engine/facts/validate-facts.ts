import { compileSchema, type ErrorObject, type ValidateFunction } from '../schema/ajv.js';
import { factInputProperties } from './input-schema.js';

export interface FactProblem {
  /** JSON pointer into the facts object ("/order/amount"). */
  path: string;
  message: string;
}

export type FactsCheck = { ok: true; facts: Record<string, unknown> } | { ok: false; problems: FactProblem[] };

/**
 * Checks a facts object (a `policy eval` line: fact roots plus an optional occurredAt) against the
 * catalogue's types and the bundle's feature names. Roots the catalogue does not know stay objects
 * of anything, as they always were for eval lines.
 */
export function factsValidator(features: readonly string[]): (value: unknown) => FactsCheck {
  const validate: ValidateFunction = compileSchema({
    type: 'object',
    properties: factInputProperties({ features }),
    additionalProperties: { type: 'object' },
  });
  return (value) => (validate(value) ? { ok: true, facts: value as Record<string, unknown> } : { ok: false, problems: factProblems(validate.errors ?? []) });
}

/** One line per wrong path, worded for the person who wrote the line. */
function factProblems(errors: readonly ErrorObject[]): FactProblem[] {
  const problems: FactProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // A free-form attribute fails every branch of its anyOf; the anyOf's own message says it once.
    if (e.schemaPath.includes('/anyOf/')) continue;
    const params = e.params as Record<string, unknown>;
    const message =
      e.keyword === 'enum'
        ? `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
        : e.keyword === 'anyOf'
          ? 'must be a string, number, boolean, null, a list of those or an object of those'
          : (e.message ?? 'is invalid');
    const path = e.instancePath || '/';
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, message });
  }
  return problems;
}
