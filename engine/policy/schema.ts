import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { compileSchema, type ValidateFunction } from '../schema/ajv.js';
import { operators } from './model.js';

/** The policy JSON Schema lives in policies/ so editors can use it for completion too. */
export const policySchemaUrl = new URL('../../policies/schema.json', import.meta.url);

let validator: ValidateFunction | undefined;
let definitions: Record<string, object> = {};

export function policySchema(): object {
  return JSON.parse(readFileSync(policySchemaUrl, 'utf8')) as object;
}

export function validatePolicyShape(value: unknown): readonly ErrorObject[] {
  if (!validator) {
    const schema = policySchema() as { $defs: Record<string, object> };
    definitions = schema.$defs;
    validator = compileSchema(schema);
  }
  return validator(value) ? [] : (validator.errors ?? []);
}

/** Which $defs entry an error comes from (schema paths restart inside a $ref, parentSchema does not lie). */
function definitionOf(error: ErrorObject): string | undefined {
  for (const [name, schema] of Object.entries(definitions)) if (error.parentSchema === schema) return name;
  return undefined;
}

/** Wording for ajv errors that the generic mapping would make cryptic. */
export function refinePolicySchemaError(error: ErrorObject): { code: 'policy_unknown_operator' | 'policy_schema_error'; message: string; pointer?: string; atKey?: boolean } | undefined {
  const definition = definitionOf(error);
  if (error.keyword === 'additionalProperties' && definition === 'comparison') {
    const op = String((error.params as { additionalProperty: string }).additionalProperty);
    return {
      code: 'policy_unknown_operator',
      message: `unknown operator "${op}"; expected one of ${operators.join(', ')}`,
      pointer: `${error.instancePath}/${op}`,
      atKey: true,
    };
  }
  if (error.keyword === 'additionalProperties' && definition === 'condition') {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    return {
      code: 'policy_schema_error',
      message: `"${key}" is not a condition: expected all, any, not, condition, or a fact path such as account.orders90d`,
      pointer: `${error.instancePath}/${key}`,
      atKey: true,
    };
  }
  if ((error.keyword === 'maxProperties' || error.keyword === 'minProperties') && definition === 'condition') {
    return { code: 'policy_schema_error', message: 'a condition has exactly one key; put several under all: [...] or any: [...]' };
  }
  if ((error.keyword === 'maxProperties' || error.keyword === 'minProperties') && definition === 'comparison') {
    return { code: 'policy_schema_error', message: 'a comparison has exactly one operator, e.g. { gte: 5 }; combine several with all: [...]' };
  }
  return undefined;
}

export function describePolicyOneOf(error: ErrorObject): string | undefined {
  if (definitionOf(error) === 'cohorts') return '"all" or a list of cohort names';
  const operator = error.instancePath.slice(error.instancePath.lastIndexOf('/') + 1);
  if (['gt', 'gte', 'lt', 'lte'].includes(operator)) return 'a number or { fact: path }';
  if (['eq', 'ne', 'contains', 'notContains'].includes(operator)) return 'a string, number or boolean, or { fact: path }';
  return undefined;
}
