import { anyEventSchema, idPattern } from '../../engine/events/index.js';
import { decisionPointNames } from '../../engine/index.js';
import { factInputProperties, scalarSchema } from '../../engine/facts/index.js';

/**
 * Request and response schemas. The same objects validate bodies (ajv) and make up
 * /openapi.json, so the document cannot drift from what the server accepts.
 */
export const id = { type: 'string', pattern: idPattern } as const;
const scalar = scalarSchema;

/**
 * Fact roots and occurredAt come from the fact catalogue: every field the platform defines is typed
 * (order.amount a number ≥ 0, order.quantity an integer ≥ 1, ...); a caller's own attributes stay free-form.
 */
export const decisionRequestSchema = {
  $id: 'DecisionRequest',
  type: 'object',
  additionalProperties: false,
  required: ['point', 'account', 'merchant'],
  properties: {
    point: { enum: decisionPointNames },
    requestId: id,
    ...factInputProperties({ requiredRoots: ['account', 'merchant'] }),
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
