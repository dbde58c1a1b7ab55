/**
 * The JSON Schemas of decision facts as callers send them, generated from the fact catalogue:
 * every field the platform defines is typed; any other attribute a caller adds stays free-form
 * (a scalar, a short list or a flat map), and `context` is entirely the caller's. The server's
 * decision body, `policy eval` lines and the OpenAPI document all come from here.
 */
import { factFieldDescriptions, factRoots, openFactRoots, type FactRoot } from './catalogue.js';
import { attributeValueSchema, dateTimeSchema, scalarSchema, type JsonSchema } from './field-schemas.js';

const maxAttributes = 64;
const featureSchema = { type: 'number' } as const;

export interface FactInputOptions {
  /** Roots that must be present, each with its `id` (a decision names its account and merchant). */
  requiredRoots?: readonly FactRoot[];
  /** Account feature names (policies/features.yaml), typed as numbers when given. */
  features?: readonly string[];
}

/** The schema of one root's attributes; fields "a.b" of the catalogue become nested objects. */
export function factRootSchema(root: FactRoot, options: { requireId?: boolean; features?: readonly string[] } = {}): JsonSchema {
  if (openFactRoots.has(root)) return { type: 'object', maxProperties: maxAttributes, additionalProperties: attributeValueSchema };
  const properties: Record<string, JsonSchema> = {};
  const nested: Record<string, Record<string, JsonSchema>> = {};
  for (const [field, spec] of Object.entries(factFieldDescriptions[root] ?? {})) {
    const dot = field.indexOf('.');
    if (dot < 0) properties[field] = spec.schema;
    else (nested[field.slice(0, dot)] ??= {})[field.slice(dot + 1)] = spec.schema;
  }
  for (const [name, inner] of Object.entries(nested)) {
    properties[name] = { type: 'object', maxProperties: maxAttributes, properties: inner, additionalProperties: scalarSchema };
  }
  if (root === 'account') for (const feature of options.features ?? []) properties[feature] ??= featureSchema;
  return {
    type: 'object',
    maxProperties: maxAttributes,
    ...(options.requireId ? { required: ['id'] } : {}),
    properties,
    additionalProperties: attributeValueSchema,
  };
}

/** `occurredAt` and one property per fact root: the part of a decision request that carries facts. */
export function factInputProperties(options: FactInputOptions = {}): Record<string, JsonSchema> {
  const required = new Set(options.requiredRoots ?? []);
  const properties: Record<string, JsonSchema> = { occurredAt: dateTimeSchema };
  for (const root of factRoots) {
    properties[root] = factRootSchema(root, { requireId: required.has(root), ...(options.features ? { features: options.features } : {}) });
  }
  return properties;
}
