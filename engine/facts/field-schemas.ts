/**
 * JSON Schemas of the values the platform itself defines: ids, amounts, quantities, texts,
 * instants and the refund kinds. The fact catalogue types each known fact field with one of
 * these, and the event schemas type each event field with the catalogue's, so a decision
 * request, a `policy eval` line and a history event agree on what an amount is.
 */
export type JsonSchema = { readonly [key: string]: unknown };

/** Ids: 1–128 chars of [A-Za-z0-9._:-]. */
export const idPattern = '^[A-Za-z0-9._:-]{1,128}$';
export const idSchema = { type: 'string', pattern: idPattern } as const;
export const amountSchema = { type: 'number', minimum: 0, maximum: 1e12 } as const;
export const quantitySchema = { type: 'integer', minimum: 1, maximum: 1_000_000 } as const;
export const textSchema = { type: 'string', minLength: 1, maxLength: 1000 } as const;
export const dateTimeSchema = { type: 'string', format: 'date-time', maxLength: 40 } as const;
export const refundTypes = ['fast_refund', 'refund_only', 'return_refund'] as const;
export const refundTypeSchema = { enum: refundTypes } as const;

/** Strings a caller adds are logged with its decision: 1 KiB each at most. */
export const maxAttributeStringLength = 1024;
/** A free-form attribute value a caller may add: a scalar, a short list or a flat map of scalars. */
export const scalarSchema = { type: ['string', 'number', 'boolean', 'null'], maxLength: maxAttributeStringLength } as const;
export const attributeValueSchema = {
  anyOf: [
    scalarSchema,
    { type: 'array', maxItems: 256, items: scalarSchema },
    { type: 'object', maxProperties: 64, additionalProperties: scalarSchema },
  ],
} as const;
