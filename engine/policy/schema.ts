import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { compileSchema, type ValidateFunction } from '../schema/ajv.js';
import { operators } from './model.js';

/** The policy JSON Schema lives in policies/ so editors can use it for completion too. */
export const policySchemaUrl = new URL('../../policies/schema.json', import.meta.url);

let validator: ValidateFunction | undefined;

export function policySchema(): object {
  return JSON.parse(readFileSync(policySchemaUrl, 'utf8')) as object;
}

export function validatePolicyShape(value: unknown): readonly ErrorObject[] {
  validator ??= compileSchema(policySchema());
  return validator(value) ? [] : (validator.errors ?? []);
}

/** Wording for ajv errors that the generic mapping would make cryptic. */
export function refinePolicySchemaError(error: ErrorObject): { code: 'policy_unknown_operator' | 'policy_schema_error'; message: string; pointer?: string; atKey?: boolean } | undefined {
  const sp = error.schemaPath;
  if (error.keyword === 'additionalProperties' && sp.includes('/comparison/')) {
    const op = String((error.params as { additionalProperty: string }).additionalProperty);
    return {
      code: 'policy_unknown_operator',
      message: `unknown operator "${op}"; expected one of ${operators.join(', ')}`,
      pointer: `${error.instancePath}/${op}`,
      atKey: true,
    };
  }
  if (error.keyword === 'additionalProperties' && sp.includes('/condition/')) {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    return {
      code: 'policy_schema_error',
      message: `"${key}" is not a condition: expected all, any, not, condition, or a fact path such as account.orders90d`,
      pointer: `${error.instancePath}/${key}`,
      atKey: true,
    };
  }
  if ((error.keyword === 'maxProperties' || error.keyword === 'minProperties') && sp.includes('/condition/')) {
    return { code: 'policy_schema_error', message: 'a condition has exactly one key; put several under all: [...] or any: [...]' };
  }
  if ((error.keyword === 'maxProperties' || error.keyword === 'minProperties') && sp.includes('/comparison/')) {
    return { code: 'policy_schema_error', message: 'a comparison has exactly one operator, e.g. { gte: 5 }; combine several with all: [...]' };
  }
  return undefined;
}

export function describePolicyOneOf(error: ErrorObject): string | undefined {
  if (error.schemaPath.includes('/cohorts/')) return '"all" or a list of cohort names';
  if (/\/comparison\/properties\/(gt|gte|lt|lte)\//.test(error.schemaPath)) return 'a number or { fact: path }';
  if (error.schemaPath.includes('/comparison/')) return 'a string, number or boolean, or { fact: path }';
  return undefined;
}
