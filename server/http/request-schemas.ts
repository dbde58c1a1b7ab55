import { anyEventSchema, idPattern } from '../../engine/events/index.js';
import { decisionPointNames } from '../../engine/index.js';

/**
 * Request and response schemas. The same objects validate bodies (ajv) and make up
 * /openapi.json, so the document cannot drift from what the server accepts.
 */
export const id = { type: 'string', pattern: idPattern } as const;
/** Strings a caller sends are logged with its decision: 1 KiB each at most. */
export const maxAttributeStringLength = 1024;
const scalar = { type: ['string', 'number', 'boolean', 'null'], maxLength: maxAttributeStringLength } as const;
const attributeValue = {
  anyOf: [
    scalar,
    { type: 'array', maxItems: 256, items: scalar },
    { type: 'object', maxProperties: 64, additionalProperties: scalar },
  ],
} as const;
/** Caller-supplied attributes of a fact root: flat, bounded, no functions of the server's own facts. */
const attributes = (required: string[] = []) => ({
  type: 'object',
  maxProperties: 64,
  required,
  properties: Object.fromEntries(required.map((k) => [k, id])),
  additionalProperties: attributeValue,
});

export const decisionRequestSchema = {
  $id: 'DecisionRequest',
  type: 'object',
  additionalProperties: false,
  required: ['point', 'account', 'merchant'],
  properties: {
    point: { enum: decisionPointNames },
    requestId: id,
    occurredAt: { type: 'string', format: 'date-time', maxLength: 40 },
    account: attributes(['id']),
    merchant: attributes(['id']),
    // Optional, but where given it names the order the platform's facts are read for.
    order: { ...attributes(), properties: { id } },
    refund: attributes(),
    complaint: attributes(),
    evidence: attributes(),
    context: attributes(),
  },
} as const;

const ruleOutcome = {
  type: 'object',
  required: ['policy', 'version', 'rule', 'action', 'reason'],
  properties: { policy: { type: 'string' }, version: { type: 'integer' }, rule: { type: 'string' }, action: { type: 'string' }, reason: { type: 'string' } },
} as const;

export const decisionResponseSchema = {
  $id: 'Decision',
  type: 'object',
  required: ['decisionId', 'point', 'action', 'reasons', 'shadow', 'missingFacts', 'policyRevision', 'degraded'],
  properties: {
    decisionId: { type: 'string' },
    point: { enum: decisionPointNames },
    action: { type: 'string' },
    params: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    reasons: { type: 'array', items: ruleOutcome },
    shadow: { type: 'array', items: ruleOutcome },
    missingFacts: { type: 'array', items: { type: 'string' } },
    policyRevision: { type: 'string' },
    degraded: { type: 'boolean' },
    occurredAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const maxEventsPerBatch = 1000;

export const eventBatchSchema = {
  $id: 'EventBatch',
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: { events: { type: 'array', minItems: 1, items: anyEventSchema } },
} as const;

export const merchantUpdateSchema = {
  $id: 'MerchantUpdate',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    settings: { type: 'object', maxProperties: 64, propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }, additionalProperties: scalar },
    cohorts: { type: 'array', maxItems: 256, uniqueItems: true, items: id },
    category: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
} as const;
