import { anyEventSchema, idPattern } from '../../engine/events/index.js';
import { decisionPointNames } from '../../engine/index.js';
import { factInputProperties, scalarSchema } from '../../engine/facts/index.js';
import { featureNames, type FeatureDefinitions } from '../../engine/features/definitions.js';

/** Response schemas live beside the route table's other half; routes import both from here. */
export { decisionResponseSchema, errorSchema } from './response-schemas.js';

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

const withFeatures = new WeakMap<object, object>();

/**
 * The decision schema with the bundle's account features typed as numbers too: when the store cannot
 * be read, a decision runs on the caller's account fields, so a feature sent as "6" must not get through.
 * One schema per bundle (features change only with a reload), so ajv compiles it once.
 */
export function decisionRequestSchemaFor(bundle: { readonly features: FeatureDefinitions }): object {
  let schema = withFeatures.get(bundle);
  if (schema === undefined) {
    schema = { ...decisionRequestSchema, properties: { ...decisionRequestSchema.properties, ...factInputProperties({ requiredRoots: ['account', 'merchant'], features: featureNames(bundle.features) }) } };
    withFeatures.set(bundle, schema);
  }
  return schema;
}

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
