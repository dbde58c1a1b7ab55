import type { LoadedYaml } from '../load/yaml-document.js';
import type { Problem } from '../problems.js';
import { schemaErrorsToProblems } from '../schema/ajv-problems.js';
import { compileSchema, type ValidateFunction } from '../schema/ajv.js';

/** policies/cohorts.yaml: static merchant cohorts. The API may add merchants to cohorts too. */
export interface CohortTable {
  /** Cohort name → description and merchants. */
  readonly cohorts: ReadonlyMap<string, { description?: string; merchants: readonly string[] }>;
  /** Merchant id → cohorts it belongs to, the lookup the rollout gate makes. */
  readonly byMerchant: ReadonlyMap<string, readonly string[]>;
}

export const emptyCohortTable: CohortTable = { cohorts: new Map(), byMerchant: new Map() };

const cohortFileSchema = {
  type: 'object',
  required: ['cohorts'],
  additionalProperties: false,
  properties: {
    cohorts: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' },
      additionalProperties: {
        type: 'object',
        required: ['merchants'],
        additionalProperties: false,
        properties: {
          description: { type: 'string' },
          merchants: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } },
        },
      },
    },
  },
} as const;

let validator: ValidateFunction | undefined;

export function parseCohorts(doc: LoadedYaml): { ok: true; table: CohortTable } | { ok: false; problems: Problem[] } {
  validator ??= compileSchema(cohortFileSchema);
  if (!validator(doc.value)) {
    return { ok: false, problems: schemaErrorsToProblems(doc, validator.errors ?? [], { code: 'cohort_schema_error' }) };
  }
  const raw = (doc.value as { cohorts: Record<string, { description?: string; merchants: string[] }> }).cohorts;
  const cohorts = new Map(Object.entries(raw));
  const byMerchant = new Map<string, string[]>();
  for (const [name, cohort] of cohorts) {
    for (const merchant of cohort.merchants) {
      const list = byMerchant.get(merchant) ?? [];
      list.push(name);
      byMerchant.set(merchant, list);
    }
  }
  return { ok: true, table: { cohorts, byMerchant } };
}
