import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ApiError, type ErrorCode, type ErrorDetail } from './errors.js';

const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
addFormats.default(ajv, ['date-time']);

const compiled = new WeakMap<object, ValidateFunction>();

/** At most this many problems are listed in one answer; the message says how many there were. */
export const maxListedProblems = 50;

/** An ApiError listing the first maxListedProblems of `details`, and saying how many were left out. */
export function invalid(message: string, details: readonly ErrorDetail[], code: ErrorCode = 'validation_failed'): ApiError {
  if (details.length <= maxListedProblems) return new ApiError(code, message, details);
  return new ApiError(code, `${message} (the first ${maxListedProblems} of ${details.length} problems are listed)`, details.slice(0, maxListedProblems));
}

/**
 * Validates a body against a request schema, listing its problems (400) or returning it typed.
 * Array and object sizes are checked first, alone: an oversized list would otherwise cost one
 * problem per item (a 1 MiB body holds 300,000 empty objects).
 */
export function validateBody<T>(schema: object, value: unknown): T {
  const oversized: ErrorDetail[] = [];
  sizeProblems(schema as SchemaNode, value, '', oversized);
  if (oversized.length > 0) throw invalid('the request body is invalid', oversized);
  let validate = compiled.get(schema);
  if (!validate) {
    const { $id: _ignored, ...rest } = schema as { $id?: string };
    validate = ajv.compile(rest);
    compiled.set(schema, validate);
  }
  if (!validate(value)) throw invalid('the request body is invalid', toDetails(validate.errors ?? []));
  return value as T;
}

interface SchemaNode {
  type?: string | readonly string[];
  maxItems?: number;
  maxProperties?: number;
  items?: SchemaNode | boolean;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  anyOf?: readonly SchemaNode[];
  oneOf?: readonly SchemaNode[];
}

/**
 * maxItems and maxProperties of the schema, checked down the value without looking at the items
 * of an oversized list. Where a value may take several forms (anyOf), the one form of its kind is followed.
 */
function sizeProblems(schema: SchemaNode | boolean | undefined, value: unknown, path: string, out: ErrorDetail[]): void {
  if (schema === undefined || typeof schema === 'boolean' || value === null || typeof value !== 'object' || out.length > maxListedProblems) return;
  const kind = Array.isArray(value) ? 'array' : 'object';
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) {
    const ofKind = branches.filter((b) => b.type === kind || (Array.isArray(b.type) && b.type.includes(kind)));
    if (ofKind.length === 1) sizeProblems(ofKind[0], value, path, out);
    return;
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      out.push({ path: path || '/', message: `must have at most ${schema.maxItems} items (has ${value.length})` });
      return;
    }
    value.forEach((item, i) => sizeProblems(schema.items, item, `${path}/${i}`, out));
    return;
  }
  const keys = Object.keys(value);
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
    out.push({ path: path || '/', message: `must have at most ${schema.maxProperties} fields (has ${keys.length})` });
    return;
  }
  for (const key of keys) {
    const sub = schema.properties?.[key] ?? schema.additionalProperties;
    sizeProblems(sub, (value as Record<string, unknown>)[key], `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
  }
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
