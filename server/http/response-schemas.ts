import { anyEventSchema } from '../../engine/events/index.js';
import { idSchema } from '../../engine/facts/index.js';
import { decisionPointNames } from '../../engine/index.js';
import { errorStatus } from './errors.js';

/**
 * What each operation answers, as JSON Schemas for /openapi.json. Every response of the HTTP test
 * suite is validated against the document (test/support/openapi-contract.ts), so a field added,
 * renamed or dropped in a handler without its schema fails a test.
 */
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const instant = { type: 'string', format: 'date-time' } as const;
const strings = { type: 'array', items: str } as const;
const object = (required: readonly string[], properties: Record<string, object>, extra?: object) =>
  ({ type: 'object', required, properties, ...(extra !== undefined ? { additionalProperties: extra } : {}) }) as const;

export const errorSchema = object(['error'], {
  error: object(['code', 'message'], {
    code: { type: 'string', enum: Object.keys(errorStatus), description: 'Stable machine-readable code' },
    message: str,
    details: {
      description: 'Every problem, each with a JSON pointer `path` into the request where there is one; or an object with more facts',
      anyOf: [{ type: 'array', items: object(['message'], { path: str, message: str }, {}) }, { type: 'object' }],
    },
  }),
});

const ruleOutcome = object(['policy', 'version', 'rule', 'action', 'reason'], { policy: str, version: int, rule: str, action: str, reason: str });

const decisionProperties = {
  decisionId: str,
  point: { type: 'string', enum: decisionPointNames },
  action: { type: 'string', description: "One of the point's actions (DESIGN §3)" },
  params: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
  reasons: { type: 'array', items: ruleOutcome },
  shadow: { type: 'array', items: ruleOutcome },
  missingFacts: strings,
  policyRevision: str,
  degraded: bool,
  occurredAt: instant,
  requestId: str,
} as const;
const decisionRequired = ['decisionId', 'point', 'action', 'reasons', 'shadow', 'missingFacts', 'policyRevision', 'degraded', 'occurredAt'] as const;

export const decisionResponseSchema = object(decisionRequired, decisionProperties);

/** A logged decision also keeps who it was about, when it was made and the facts it read. */
export const loggedDecisionSchema = object([...decisionRequired, 'decidedAt', 'accountId', 'merchantId', 'facts'], {
  ...decisionProperties,
  decidedAt: instant,
  accountId: str,
  merchantId: str,
  facts: { type: 'object', additionalProperties: { type: 'object' } },
});

const decisionCountsSchema = { type: 'object', description: 'point → action → count', additionalProperties: { type: 'object', additionalProperties: int } };
export const statsSchema = object(['decisions', 'day'], {
  decisions: { ...decisionCountsSchema, description: 'point → action → count, since the decision log began' },
  day: object(['date', 'decisions'], {
    date: { type: 'string', format: 'date', description: 'The UTC day counted (the `day` query, default today)' },
    decisions: { ...decisionCountsSchema, description: 'point → action → count of the decisions made on that UTC day' },
  }),
});

export const eventBatchResultSchema = object(['accepted', 'applied', 'duplicates', 'restrictionsCreated'], {
  accepted: int,
  applied: int,
  duplicates: int,
  restrictionsCreated: { type: 'array', items: str, description: 'Ids of restrictions the batch created' },
});

const restrictionStatusSchema = { type: 'string', enum: ['active', 'lifted', 'expired'] } as const;
export const restrictionSchema = object(['id', 'accountId', 'scope', 'kind', 'reason', 'policy', 'policyVersion', 'rule', 'createdAt', 'expiresAt', 'status'], {
  id: str,
  accountId: str,
  scope: {
    oneOf: [object(['type', 'merchantId'], { type: { const: 'store' }, merchantId: str }), object(['type'], { type: { const: 'platform' } })],
  },
  kind: { type: 'string', enum: ['restrict_store', 'restrict_platform', 'refer_to_authorities'] },
  reason: str,
  policy: str,
  policyVersion: int,
  rule: str,
  createdAt: instant,
  expiresAt: { type: ['string', 'null'], format: 'date-time', description: 'null: until lifted' },
  status: restrictionStatusSchema,
  liftedAt: instant,
  liftedBy: str,
  liftReason: str,
  trigger: object(['type', 'id'], { type: { type: 'string', enum: ['complaint', 'evidence'] }, id: str, eventId: str, orderId: str }),
  decisionId: str,
});
const activeRestrictionSchema = { ...restrictionSchema, properties: { ...restrictionSchema.properties, status: { const: 'active' } } };

export const accountSchema = object(['id', 'asOf', 'features', 'restrictions', 'integrityRecord', 'orders'], {
  id: str,
  asOf: instant,
  features: { type: 'object', description: 'Every feature of policies/features.yaml, by name', additionalProperties: { type: 'number' } },
  restrictions: { type: 'array', items: activeRestrictionSchema, description: 'Restrictions in force at asOf' },
  integrityRecord: { type: 'array', items: restrictionSchema, description: 'Every restriction, lifted and expired ones too' },
  orders: { type: 'object', description: 'orderId → mark → when (evidence reported, appraised forged, ...)', additionalProperties: { type: 'object', additionalProperties: instant } },
});

export const restrictionListSchema = object(['restrictions'], { restrictions: { type: 'array', items: restrictionSchema } });

export const merchantSchema = object(['id', 'settings', 'cohorts', 'staticCohorts'], {
  id: str,
  settings: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
  cohorts: { type: 'array', items: str, description: 'Cohorts assigned through the API' },
  staticCohorts: { type: 'array', items: str, description: 'Cohorts from policies/cohorts.yaml' },
  category: str,
  updatedAt: instant,
  updatedBy: { type: 'string', description: 'Who made the last change through the API or console (the name of their token)' },
});

/** "all": every merchant; otherwise the cohorts a merchant must be in. */
const cohortSelectorSchema = { anyOf: [{ const: 'all' }, strings] } as const;
const stageSchema = object(['from', 'cohorts', 'percent'], { from: str, cohorts: cohortSelectorSchema, percent: { type: 'number' } });
const modeSchema = { type: 'string', enum: ['off', 'shadow', 'enforce'] } as const;
const instanceSchema = object(['id', 'host', 'pid', 'revision', 'startedAt', 'lastSeen'], {
  id: str,
  host: str,
  pid: int,
  revision: { type: 'string', description: 'The policy revision this instance serves' },
  startedAt: instant,
  lastSeen: { type: 'string', format: 'date-time', description: 'Its last heartbeat (every 5 s); instances silent for 30 s are not listed' },
});

export const policiesSchema = object(['revision', 'activeSince', 'directory', 'policies', 'cohorts', 'lastLoadError', 'instance', 'publication', 'instances'], {
  revision: str,
  activeSince: instant,
  directory: str,
  policies: {
    type: 'array',
    items: object(['id', 'version', 'point', 'mode', 'rollout', 'rules', 'file', 'contentHash'], {
      id: str,
      version: int,
      point: { type: 'string', enum: decisionPointNames },
      mode: modeSchema,
      rollout: object(['mode', 'cohorts', 'percent', 'outside', 'stages'], {
        mode: modeSchema,
        optIn: str,
        cohorts: cohortSelectorSchema,
        percent: { type: 'number' },
        outside: { type: 'string', enum: ['skip', 'shadow'] },
        stages: { type: 'array', items: stageSchema },
      }),
      rules: { type: 'array', items: object(['id', 'action'], { id: str, action: str }) },
      file: str,
      contentHash: str,
    }),
  },
  cohorts: { type: 'object', additionalProperties: object(['merchants'], { merchants: int }) },
  lastLoadError: {
    oneOf: [{ type: 'null' }, object(['at', 'problems'], { at: instant, problems: { type: 'array', items: { type: 'object' } } })],
  },
  instance: { type: 'string', description: 'The id of the instance that answered' },
  publication: {
    description: 'The published bundle this instance serves (null: a single instance without Redis, which serves its directory)',
    oneOf: [
      { type: 'null' },
      object(['store', 'seq', 'revision', 'publishedAt', 'publishedBy'], {
        store: { type: 'string', enum: ['postgres', 'redis'] },
        seq: int,
        revision: str,
        publishedAt: instant,
        publishedBy: { type: 'string', description: 'The instance whose reload published it' },
      }),
    ],
  },
  instances: { type: 'array', items: instanceSchema, description: 'The instances seen in the last 30 s, with the revision each serves' },
});

export const reloadSchema = object(['changed', 'revision', 'policies'], { changed: bool, revision: str, policies: int });

const eventsSchema = { type: 'array', items: anyEventSchema, description: 'The events this record made, as /v1/events takes them' } as const;
const evidenceSchema = { type: 'array', items: object(['kind'], { kind: str, sha256: str, url: str, note: str }) } as const;

export const evidenceReportSchema = object(['id', 'status', 'merchantId', 'accountId', 'orderId', 'reason', 'evidence', 'reportedAt', 'dueAt', 'receivedAt', 'overdue', 'events'], {
  id: idSchema,
  status: { type: 'string', enum: ['pending', 'appraised'] },
  merchantId: str,
  accountId: str,
  orderId: str,
  refundId: str,
  reason: { type: 'string', enum: ['web_image', 'edited_image', 'not_store_product', 'other'] },
  evidence: evidenceSchema,
  reportedAt: instant,
  dueAt: instant,
  receivedAt: instant,
  appraisal: object(['verdict', 'appraisedAt', 'secondsToAppraisal', 'withinSla'], {
    verdict: { type: 'string', enum: ['forged', 'genuine'] },
    note: str,
    appraisedAt: instant,
    secondsToAppraisal: { type: 'number' },
    withinSla: bool,
  }),
  overdue: bool,
  events: eventsSchema,
});

export const evidenceReportPageSchema = object(['reports', 'nextCursor', 'counts', 'now'], {
  reports: { type: 'array', items: evidenceReportSchema },
  nextCursor: { type: ['string', 'null'], description: 'null on the last page' },
  counts: object(['pending', 'overdue'], { pending: int, overdue: int }),
  now: instant,
});

export const complaintSchema = object(['id', 'status', 'kind', 'orderId', 'accountId', 'merchantId', 'evidence', 'filedAt', 'events'], {
  id: idSchema,
  status: { type: 'string', enum: ['pending', 'resolved'] },
  kind: { type: 'string', enum: ['fake_logistics', 'empty_package', 'missing_items', 'swapped_item'] },
  orderId: str,
  accountId: str,
  merchantId: str,
  evidence: evidenceSchema,
  filedAt: instant,
  resolution: object(['outcome', 'resolvedAt'], { outcome: { type: 'string', enum: ['upheld', 'dismissed'] }, note: str, resolvedAt: instant }),
  events: eventsSchema,
});

export const complaintPageSchema = object(['complaints', 'nextCursor'], {
  complaints: { type: 'array', items: complaintSchema },
  nextCursor: { type: ['string', 'null'], description: 'null on the last page' },
});

/** The integrity.review a verdict ran (a decision), the restriction it made, and the account's restrictions now. */
const reviewSchema = {
  oneOf: [
    { type: 'null' },
    object([...decisionRequired, 'restriction', 'restrictionCreated'], { ...decisionProperties, restriction: { oneOf: [{ type: 'null' }, restrictionSchema] }, restrictionCreated: bool }),
  ],
} as const;
export const appraisalResultSchema = object(['report', 'review', 'restrictions'], { report: evidenceReportSchema, review: reviewSchema, restrictions: { type: 'array', items: activeRestrictionSchema } });
export const resolutionResultSchema = object(['complaint', 'review', 'restrictions'], { complaint: complaintSchema, review: reviewSchema, restrictions: { type: 'array', items: activeRestrictionSchema } });

export const healthSchema = object(['status'], { status: { const: 'ok' } });
const rebuildProgressSchema = object(['phase', 'eventsApplied', 'eventsTotal', 'startedAt', 'by'], {
  phase: { enum: ['events', 'restrictions', 'order-marks', 'merchants'] },
  eventsApplied: int,
  eventsTotal: int,
  startedAt: str,
  by: { enum: ['this-instance', 'another-instance'], description: 'Which instance rebuilds the lost cache' },
});
/** `rebuilding`: the cache was lost and is rebuilt from PostgreSQL; decisions meanwhile answer degraded. */
export const readySchema = object(['status', 'store', 'policyRevision'], {
  status: { enum: ['ready', 'rebuilding'] },
  rebuild: rebuildProgressSchema,
  store: str,
  policyRevision: str,
});
export const openApiSchema = object(['openapi', 'info', 'paths'], { openapi: str, info: { type: 'object' }, paths: { type: 'object' } });
export const metricsSchema = { type: 'string', description: 'Prometheus text exposition format' } as const;

/** Schemas the document names under components/schemas, so generated clients get a type per name. */
export const namedSchemas: Readonly<Record<string, object>> = {
  Error: errorSchema,
  Decision: decisionResponseSchema,
  LoggedDecision: loggedDecisionSchema,
  RuleOutcome: ruleOutcome,
  Restriction: restrictionSchema,
  Account: accountSchema,
  Merchant: merchantSchema,
  Policies: policiesSchema,
  EvidenceReport: evidenceReportSchema,
  EvidenceReportPage: evidenceReportPageSchema,
  Complaint: complaintSchema,
  ComplaintPage: complaintPageSchema,
  Event: anyEventSchema,
};
