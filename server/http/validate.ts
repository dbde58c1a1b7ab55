import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ApiError, type ErrorDetail } from './errors.js';

const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
addFormats.default(ajv, ['date-time']);

const compiled = new WeakMap<object, ValidateFunction>();

/** Validates a body against a request schema, listing every problem (400) or returning it typed. */
export function validateBody<T>(schema: object, value: unknown): T {
  let validate = compiled.get(schema);
  if (!validate) {
    const { $id: _ignored, ...rest } = schema as { $id?: string };
    validate = ajv.compile(rest);
    compiled.set(schema, validate);
  }
  if (!validate(value)) throw new ApiError('validation_failed', 'the request body is invalid', toDetails(validate.errors ?? []));
  return value as T;
}

export function toDetails(errors: readonly ErrorObject[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // anyOf/oneOf branches repeat the same complaint in several forms; the summary says enough.
    const message =
      e.keyword === 'additionalProperties'
        ? `unknown field "${String((e.params as { additionalProperty: string }).additionalProperty)}"`
        : e.keyword === 'required'
          ? `missing required field "${String((e.params as { missingProperty: string }).missingProperty)}"`
          : e.keyword === 'enum'
            ? `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`
            : (e.message ?? 'is invalid');
    const key = `${e.instancePath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    details.push({ path: e.instancePath || '/', message });
  }
  return details;
}
