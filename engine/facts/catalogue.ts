import { amountSchema, idSchema, quantitySchema, refundTypeSchema, textSchema, type JsonSchema } from './field-schemas.js';

const booleanSchema = { type: 'boolean' } as const;
const countSchema = { type: 'integer', minimum: 0 } as const;
const labelSchema = { type: 'string', minLength: 1, maxLength: 128 } as const;

/**
 * What a policy may refer to. Unknown paths are validation errors, so a typo in a policy
 * fails at load time instead of silently never matching.
 */
export type FactType = 'number' | 'string' | 'boolean' | 'string[]' | 'any';

export interface FactField {
  type: FactType;
  description: string;
  /** What a caller may send for it (decision bodies, `policy eval` lines); events reuse it for their fields. */
  schema: JsonSchema;
}

/** Roots every decision may carry. `context` is free-form: the caller's own facts. */
export const factRoots = ['account', 'merchant', 'order', 'refund', 'complaint', 'evidence', 'context'] as const;
export type FactRoot = (typeof factRoots)[number];

/** Roots whose fields are open: any path below them is accepted with type `any`. */
export const openFactRoots: ReadonlySet<string> = new Set(['context']);

const builtInFields: Record<string, Record<string, FactField>> = {
  account: {
    id: { type: 'string', description: 'Buyer account id', schema: idSchema },
    restrictedHere: { type: 'boolean', description: 'An active store restriction at this merchant', schema: booleanSchema },
    restrictedPlatform: { type: 'boolean', description: 'An active platform-wide restriction', schema: booleanSchema },
    referredToAuthorities: { type: 'boolean', description: 'The account was referred to the authorities', schema: booleanSchema },
    activeRestrictions: { type: 'number', description: 'Number of active restrictions', schema: countSchema },
  },
  merchant: {
    id: { type: 'string', description: 'Merchant (store) id', schema: idSchema },
    category: { type: 'string', description: 'Main category of the store', schema: idSchema },
    cohorts: { type: 'string[]', description: 'Cohorts the merchant belongs to (static and API-assigned)', schema: { type: 'array', maxItems: 256, items: idSchema } },
    'settings.interceptAbnormalRefunds': { type: 'boolean', description: 'Fast refunds from abnormal accounts become return-first', schema: booleanSchema },
    'settings.oneClickReject': { type: 'boolean', description: 'Merchant may reject refunds on risky orders directly', schema: booleanSchema },
  },
  order: {
    id: { type: 'string', description: 'Order id', schema: idSchema },
    amount: { type: 'number', description: 'Order amount', schema: amountSchema },
    quantity: { type: 'number', description: 'Number of items', schema: quantitySchema },
    category: { type: 'string', description: 'Product category', schema: idSchema },
    evidenceForged: { type: 'boolean', description: "Evidence on this order's refund claim was appraised forged", schema: booleanSchema },
    evidencePending: { type: 'boolean', description: 'A forged-evidence report on this order awaits appraisal', schema: booleanSchema },
  },
  refund: {
    type: { type: 'string', description: 'fast_refund | refund_only | return_refund', schema: refundTypeSchema },
    reason: { type: 'string', description: 'Buyer-stated reason', schema: textSchema },
    amount: { type: 'number', description: 'Amount asked back', schema: amountSchema },
  },
  complaint: {
    id: { type: 'string', description: 'Complaint id', schema: idSchema },
    kind: { type: 'string', description: 'fake_logistics | empty_package | missing_items | swapped_item', schema: labelSchema },
  },
  evidence: {
    reason: { type: 'string', description: 'web_image | edited_image | not_store_product | other', schema: labelSchema },
  },
};

export interface FactCatalogue {
  /** Type of a dotted path such as "account.refundRate90d", or undefined when unknown. */
  lookup(path: string): FactType | undefined;
  isKnownRoot(root: string): boolean;
  /** Every known path, for messages and editor help. */
  paths(): string[];
}

/** Account features come from policies/features.yaml; they are all numbers. */
export function buildFactCatalogue(featureNames: readonly string[]): FactCatalogue {
  const table = new Map<string, FactType>();
  for (const [root, fields] of Object.entries(builtInFields)) {
    for (const [field, spec] of Object.entries(fields)) table.set(`${root}.${field}`, spec.type);
  }
  for (const name of featureNames) table.set(`account.${name}`, 'number');
  const roots = new Set<string>(factRoots);
  return {
    lookup(path) {
      const root = path.split('.', 1)[0] ?? '';
      if (openFactRoots.has(root)) return 'any';
      // Merchant settings are open-ended: a new setting needs no code, only a policy that names it.
      if (path.startsWith('merchant.settings.')) return table.get(path) ?? 'any';
      return table.get(path);
    },
    isKnownRoot: (root) => roots.has(root),
    paths: () => [...table.keys()].sort(),
  };
}

export const factFieldDescriptions = builtInFields;

/** The schema of a known field ("order.amount"), for other schemas to reuse; throws on a path the catalogue lacks. */
export function factFieldSchema(path: string): JsonSchema {
  const dot = path.indexOf('.');
  const field = builtInFields[path.slice(0, dot)]?.[path.slice(dot + 1)];
  if (field === undefined) throw new Error(`no fact field ${path} in the catalogue`);
  return field.schema;
}
