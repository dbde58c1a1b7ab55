/**
 * JSON Schemas (draft 2020-12 compatible, no $ref) for every event type. Self-contained objects so the
 * server can drop them into OpenAPI 3.1 as-is. `additionalProperties: false` everywhere: a misspelt
 * field is an error, not silently ignored data. Fields that are also decision facts (amounts, quantity,
 * category, the refund's type and reason) take their schema from the fact catalogue, so an event and a
 * decision request agree on each.
 */
import { factFieldSchema } from '../facts/catalogue.js';
import { dateTimeSchema, idPattern, idSchema, textSchema, type JsonSchema } from '../facts/field-schemas.js';
import type { EventType } from './types.js';

export { idPattern, type JsonSchema };
/** Keys refused anywhere in an event (prototype pollution). */
export const forbiddenKeys: readonly string[] = ['__proto__', 'constructor', 'prototype'];

const id = idSchema;
const text = textSchema;
const amount = factFieldSchema('order.amount');
const evidenceItem = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { type: 'string', minLength: 1, maxLength: 64 },
    sha256: { type: 'string', pattern: '^[A-Fa-f0-9]{64}$' },
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    note: { type: 'string', maxLength: 2000 },
  },
} as const;
const refundRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'reason'],
  properties: {
    type: factFieldSchema('refund.type'),
    reason: factFieldSchema('refund.reason'),
    amount: factFieldSchema('refund.amount'),
  },
} as const;
const evidenceList = { type: 'array', minItems: 1, maxItems: 50, items: evidenceItem } as const;

function eventSchema(type: EventType, account: boolean, required: string[], properties: Record<string, unknown>): JsonSchema {
  const base: Record<string, unknown> = {
    eventId: id,
    type: { const: type },
    at: dateTimeSchema,
    merchantId: id,
    label: { enum: ['abuse', 'legit'] },
  };
  if (account) base['accountId'] = id;
  return {
    title: type,
    type: 'object',
    additionalProperties: false,
    required: ['eventId', 'type', 'at', ...(account ? ['accountId'] : []), 'merchantId', ...required],
    properties: { ...base, ...properties },
  };
}

export const eventSchemas: Readonly<Record<EventType, JsonSchema>> = {
  'merchant.updated': eventSchema('merchant.updated', false, ['settings', 'cohorts'], {
    settings: {
      type: 'object',
      maxProperties: 100,
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
    cohorts: { type: 'array', maxItems: 100, uniqueItems: true, items: id },
    category: factFieldSchema('merchant.category'),
  }),
  'order.placed': eventSchema('order.placed', true, ['orderId', 'amount'], {
    orderId: factFieldSchema('order.id'),
    amount,
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    category: factFieldSchema('order.category'),
    quantity: factFieldSchema('order.quantity'),
    deviceId: id,
    addressId: id,
  }),
  'refund.requested': eventSchema('refund.requested', true, ['orderId', 'amount', 'refund'], { orderId: id, amount, refund: refundRequest }),
  'refund.completed': eventSchema('refund.completed', true, ['orderId'], { orderId: id, amount }),
  'return.received': eventSchema('return.received', true, ['orderId'], { orderId: id }),
  'intervention.requested': eventSchema('intervention.requested', true, ['orderId'], { orderId: id, reason: text, amount, refund: refundRequest }),
  'evidence.reported': eventSchema('evidence.reported', true, ['reportId', 'evidence', 'reason'], {
    reportId: id,
    orderId: id,
    evidence: evidenceList,
    reason: text,
  }),
  'evidence.appraised': eventSchema('evidence.appraised', true, ['reportId', 'verdict'], {
    reportId: id,
    orderId: id,
    verdict: { enum: ['forged', 'genuine'] },
  }),
  'complaint.filed': eventSchema('complaint.filed', true, ['complaintId', 'orderId', 'kind'], {
    complaintId: id,
    orderId: id,
    kind: { enum: ['fake_logistics', 'empty_package', 'missing_items', 'swapped_item'] },
    evidence: evidenceList,
  }),
  'complaint.resolved': eventSchema('complaint.resolved', true, ['complaintId', 'outcome'], {
    complaintId: id,
    orderId: id,
    outcome: { enum: ['upheld', 'dismissed'] },
  }),
};

/** One schema for "any event": a oneOf over the types, for OpenAPI request bodies. */
export const anyEventSchema: JsonSchema = {
  title: 'RefundGuardEvent',
  oneOf: Object.values(eventSchemas),
  discriminator: { propertyName: 'type' },
};
