/**
 * Event validation: ajv validators compiled once per type, when first needed, dispatched on `type`
 * so a bad event gets the errors of its own schema, not a oneOf soup.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseCanonicalTime } from '../features/time.js';
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

const knownTypes: ReadonlySet<string> = new Set(eventTypes);
const validators = new Map<string, ValidateFunction>();

/** The type's validator, compiled on first use (most events never need ajv: see plainlyValid). */
function validatorOf(type: string): ValidateFunction | undefined {
  let validator = validators.get(type);
  if (validator === undefined && knownTypes.has(type)) validators.set(type, (validator = ajv.compile(eventSchemas[type as EventType])));
  return validator;
}

const typeList = eventTypes.join(', ');

export function validateEvent(value: unknown, index = 0): EventValidation {
  if (plainlyValid(value)) return { ok: true, event: value as RefundGuardEvent };
  return validateWithSchema(value, index);
}

/** validateEvent without its fast path: the schemas alone (tests hold the fast path to this). */
export function validateWithSchema(value: unknown, index = 0): EventValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(index, '', 'must be a JSON object');
  }
  const forbidden = findForbiddenKey(value, '', 0);
  if (forbidden !== undefined) return fail(index, forbidden, 'forbidden key (prototype pollution guard)');
  const type = (value as { type?: unknown }).type;
  const validator = typeof type === 'string' ? validatorOf(type) : undefined;
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
  return typeof value === 'string' && knownTypes.has(value);
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

/*
 * A fast path for the common, well-formed events. `plainlyValid` accepts an event only when every
 * property is one its schema declares, every required one is present and every value passes a
 * check at least as strict as the schema's (ids by their character set, amounts by range, `at` only
 * in the canonical UTC form with real calendar fields), so whatever it accepts ajv accepts too and
 * Date.parse reads. Anything else (other types, unusual but valid shapes, every bad event) goes to
 * ajv, which alone writes error messages.
 */
type Check = (v: unknown) => boolean;

function isId(v: unknown): boolean {
  if (typeof v !== 'string' || v.length === 0 || v.length > 128) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    // [A-Za-z0-9._:-]
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 46 || c === 95 || c === 45)) return false;
  }
  return true;
}
const isAmount: Check = (v) => typeof v === 'number' && v >= 0 && v <= 1e12;
/** UTF-16 length bounds the code-point length ajv counts. */
const isText: Check = (v) => typeof v === 'string' && v.length >= 1 && v.length <= 1000;
const isLabel: Check = (v) => v === 'abuse' || v === 'legit';
const isAt: Check = (v) => typeof v === 'string' && !Number.isNaN(parseCanonicalTime(v));
const isQuantity: Check = (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1_000_000;
const isCurrency: Check = (v) => typeof v === 'string' && /^[A-Z]{3}$/.test(v);

/** Each declared property's check and whether it is required; `required` counts those. */
interface Plain {
  props: Map<string, { check: Check; required: boolean }>;
  required: number;
}

function plain(required: Record<string, Check>, optional: Record<string, Check>): Plain {
  const props = new Map<string, { check: Check; required: boolean }>();
  for (const [key, check] of Object.entries(required)) props.set(key, { check, required: true });
  for (const [key, check] of Object.entries(optional)) props.set(key, { check, required: false });
  return { props, required: Object.keys(required).length };
}

function plainObjectOf(shape: Plain): Check {
  return (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && hasShape(v, shape);
}

const isRefundRequest = plainObjectOf(plain({ type: (v) => v === 'fast_refund' || v === 'refund_only' || v === 'return_refund', reason: isText }, { amount: isAmount }));

const common = { eventId: isId, at: isAt, accountId: isId, merchantId: isId };
const plainShapes = new Map<string, Plain>([
  ['order.placed', plain({ ...common, orderId: isId, amount: isAmount }, { label: isLabel, currency: isCurrency, category: isId, quantity: isQuantity, deviceId: isId, addressId: isId })],
  ['refund.requested', plain({ ...common, orderId: isId, amount: isAmount, refund: isRefundRequest }, { label: isLabel })],
  ['refund.completed', plain({ ...common, orderId: isId }, { label: isLabel, amount: isAmount })],
  ['return.received', plain({ ...common, orderId: isId }, { label: isLabel })],
  ['intervention.requested', plain({ ...common, orderId: isId }, { label: isLabel, reason: isText, amount: isAmount, refund: isRefundRequest })],
  ['evidence.appraised', plain({ ...common, reportId: isId, verdict: (v) => v === 'forged' || v === 'genuine' }, { label: isLabel, orderId: isId })],
  ['complaint.filed', plain({ ...common, complaintId: isId, orderId: isId, kind: (v) => v === 'fake_logistics' || v === 'empty_package' || v === 'missing_items' || v === 'swapped_item' }, { label: isLabel })],
  ['complaint.resolved', plain({ ...common, complaintId: isId, outcome: (v) => v === 'upheld' || v === 'dismissed' }, { label: isLabel, orderId: isId })],
]);

function plainlyValid(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  const shape = typeof type === 'string' ? plainShapes.get(type) : undefined;
  // `type` itself is checked by the lookup (the shape's own type); it counts as one more required key.
  return shape !== undefined && !Array.isArray(value) && hasShape(value, shape, 'type');
}

/**
 * plainlyValid for an object given as its keys and values in order (a parser that has them at hand,
 * for lines that repeat a few key sequences): the same verdict on the object they make, checked by
 * position with the checks of that key sequence and type, found once, instead of by walking the
 * object's properties. False for a sequence with a repeated key (its object holds fewer values).
 */
export function plainlyValidValues(keys: readonly string[], values: readonly unknown[]): boolean {
  let byType = checksByKeys.get(keys);
  if (byType === undefined) checksByKeys.set(keys, (byType = new Map()));
  const typeAt = keys.indexOf('type');
  const type = typeAt < 0 ? undefined : values[typeAt];
  if (typeof type !== 'string') return false;
  let checks = byType.get(type);
  if (checks === undefined) byType.set(type, (checks = positionalChecks(keys, type)));
  if (checks === null) return false;
  for (let k = 0; k < checks.length; k++) if (!(checks[k] as Check)(values[k])) return false;
  return true;
}

/** Per key sequence (by identity), per type: the check at each position, or null where the sequence can never be plain. */
const checksByKeys = new WeakMap<readonly string[], Map<string, Check[] | null>>();
const anything: Check = () => true;

function positionalChecks(keys: readonly string[], type: string): Check[] | null {
  const shape = plainShapes.get(type);
  if (shape === undefined || new Set(keys).size !== keys.length) return null;
  let required = 0;
  const checks: Check[] = [];
  for (const key of keys) {
    if (key === 'type') {
      checks.push(anything); // the lookup by type checked it
      continue;
    }
    const prop = shape.props.get(key);
    if (prop === undefined) return null;
    checks.push(prop.check);
    if (prop.required) required++;
  }
  return required === shape.required ? checks : null;
}

/** Own enumerable keys only (all JSON.parse makes): each declared and valid, every required one there. */
function hasShape(value: object, shape: Plain, skip?: string): boolean {
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  let required = 0;
  for (const key in value) {
    if (key === skip) continue;
    const prop = shape.props.get(key);
    if (prop === undefined || !prop.check((value as Record<string, unknown>)[key])) return false;
    if (prop.required) required++;
  }
  return required === shape.required;
}
