/**
 * Event validation: ajv validators compiled once per type at module load, dispatched on `type`
 * so a bad event gets the errors of its own schema, not a oneOf soup.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { eventSchemas, forbiddenKeys } from './schemas.js';
import { eventTypes, type EventType, type RefundGuardEvent } from './types.js';

export interface EventProblem {
  /** Position of the event in the batch (0 for a single event unless given). */
  index: number;
  /** JSON pointer inside the event ("" = the event itself). */
  path: string;
  message: string;
}

export type EventValidation = { ok: true; event: RefundGuardEvent } | { ok: false; problems: EventProblem[] };
export type EventBatchValidation = { ok: true; events: RefundGuardEvent[] } | { ok: false; problems: EventProblem[] };

// ajv-formats is CJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv, formats: string[]) => Ajv;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv, ['date-time']);

const validators = new Map<string, ValidateFunction>();
for (const type of eventTypes) validators.set(type, ajv.compile(eventSchemas[type]));

const typeList = eventTypes.join(', ');

export function validateEvent(value: unknown, index = 0): EventValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(index, '', 'must be a JSON object');
  }
  const forbidden = findForbiddenKey(value, '', 0);
  if (forbidden !== undefined) return fail(index, forbidden, 'forbidden key (prototype pollution guard)');
  const type = (value as { type?: unknown }).type;
  const validator = typeof type === 'string' ? validators.get(type) : undefined;
  if (validator === undefined) {
    const message = type === undefined ? "must have required property 'type'" : `must be one of: ${typeList}`;
    return fail(index, type === undefined ? '' : '/type', message);
  }
  if (!validator(value)) return { ok: false, problems: (validator.errors ?? []).map((e) => toProblem(index, e)) };
  // ajv's date-time accepts leap second ":60", which Date.parse refuses; features need a real instant.
  if (Number.isNaN(Date.parse((value as { at: string }).at))) return fail(index, '/at', 'must be a parseable date-time');
  return { ok: true, event: value as RefundGuardEvent };
}

/** Validates every element and reports every problem of every event (not just the first bad event). */
export function validateEventBatch(values: readonly unknown[]): EventBatchValidation {
  const events: RefundGuardEvent[] = [];
  let problems: EventProblem[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const result = validateEvent(values[i], i);
    if (result.ok) events.push(result.event);
    else (problems ??= []).push(...result.problems);
  }
  return problems === undefined ? { ok: true, events } : { ok: false, problems };
}

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && validators.has(value);
}

function fail(index: number, path: string, message: string): EventValidation {
  return { ok: false, problems: [{ index, path, message }] };
}

function toProblem(index: number, e: ErrorObject): EventProblem {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return { index, path: e.instancePath, message: `must have required property '${String(params['missingProperty'])}'` };
  if (e.keyword === 'additionalProperties') {
    return { index, path: `${e.instancePath}/${escape(String(params['additionalProperty']))}`, message: 'unknown property' };
  }
  if (e.keyword === 'enum') return { index, path: e.instancePath, message: `must be one of: ${(params['allowedValues'] as unknown[]).join(', ')}` };
  if (e.keyword === 'pattern' && String(params['pattern']) === '^[A-Za-z0-9._:-]{1,128}$') {
    return { index, path: e.instancePath, message: 'must be an id: 1-128 characters of A-Z a-z 0-9 . _ : -' };
  }
  return { index, path: e.instancePath, message: e.message ?? e.keyword };
}

/** Depth-first search for a forbidden own key; returns its JSON pointer. Events are small and shallow. */
function findForbiddenKey(value: object, path: string, depth: number): string | undefined {
  if (depth > 8) return undefined; // schemas allow at most 3 levels; ajv rejects deeper shapes anyway
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) {
        const found = findForbiddenKey(item, `${path}/${i}`, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }
  for (const key of forbiddenKeys) if (Object.hasOwn(value, key)) return `${path}/${key}`;
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null) {
      const found = findForbiddenKey(item, `${path}/${escape(key)}`, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
