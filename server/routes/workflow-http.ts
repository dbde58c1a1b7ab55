import type { Context } from 'hono';
import { restrictionStatus, type Restriction, type ReviewOutcome } from '../../engine/index.js';
import { eventSchemas, type RefundGuardEvent } from '../../engine/events/index.js';
import { IntegrityWorkflows, WorkflowError, type WorkflowErrorCode } from '../../engine/workflows/index.js';
import type { ServerContext } from '../context.js';
import { ApiError, type ErrorCode } from '../http/errors.js';
import { storeCall } from '../http/store-call.js';
import { decisionResponse } from './decisions.js';

/** Shared by the evidence-report and complaint routes. */

/** The evidence item and list exactly as the events take them, so a recorded event is always valid. */
const reportedProperties = (eventSchemas['evidence.reported'] as { properties: { evidence: object } }).properties;
export const evidenceListSchema = reportedProperties.evidence;
/** Client-chosen record ids leave room for the ":reported"/":appraised" suffix of derived event ids. */
export const clientIdSchema = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$' } as const;
export const noteSchema = { type: 'string', maxLength: 2000 } as const;

const statusOf: Record<WorkflowErrorCode, ErrorCode> = {
  not_found: 'not_found',
  already_appraised: 'already_appraised',
  already_resolved: 'already_resolved',
  id_conflict: 'conflict',
  invalid: 'validation_failed',
};

/** Workflow refusals become their ApiError; a store that cannot answer becomes 503 (retry is safe). */
export async function workflowCall<T>(operation: () => Promise<T>): Promise<T> {
  return storeCall(async () => {
    try {
      return await operation();
    } catch (err) {
      if (!(err instanceof WorkflowError)) throw err;
      const path = err.details?.['path'];
      throw new ApiError(statusOf[err.code], err.message, typeof path === 'string' ? [{ path, message: err.message }] : err.details);
    }
  });
}

export function workflowsOf(ctx: ServerContext): IntegrityWorkflows {
  return new IntegrityWorkflows({
    store: ctx.workflows,
    now: ctx.now,
    async ingest(events: readonly RefundGuardEvent[]) {
      const result = await ctx.service.ingest(events);
      ctx.metrics.eventsIngested.inc({ outcome: 'applied' }, result.applied);
      ctx.metrics.eventsIngested.inc({ outcome: 'duplicate' }, result.duplicates);
      return result;
    },
  });
}

/** Records keep a request fingerprint and an "applied" flag for retries; callers see neither. */
export function publicView<T extends { fingerprint: string; applied: boolean }>(record: T): Omit<T, 'fingerprint' | 'applied'> {
  const { fingerprint: _f, applied: _a, ...rest } = record;
  return rest;
}

/** The integrity.review an upheld verdict ran, as /v1/decisions answers, plus the restriction it made. */
export function reviewView(ctx: ServerContext, review: ReviewOutcome | undefined, counted: boolean): Record<string, unknown> | null {
  if (review === undefined) return null;
  if (counted) {
    ctx.metrics.decisions.inc({ point: review.decision.point, action: review.decision.action });
    if (review.created && review.restriction) ctx.metrics.restrictionsCreated.inc({ kind: review.restriction.kind });
  }
  return { ...decisionResponse(review.decision), restriction: review.restriction ?? null, restrictionCreated: review.created };
}

/** The account's restrictions in force now, with their status. */
export async function activeRestrictions(ctx: ServerContext, accountId: string): Promise<(Restriction & { status: 'active' })[]> {
  const now = ctx.now();
  const all = await storeCall(() => ctx.state.listRestrictions(accountId));
  return all
    .filter((r) => restrictionStatus(r, now) === 'active')
    .map((r) => ({ ...r, status: 'active' as const }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

const idempotencyKeyPattern = /^[\x21-\x7e]{1,200}$/;

/** Optional Idempotency-Key header: the same key always names the same record. */
export function idempotencyKey(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!idempotencyKeyPattern.test(key)) throw new ApiError('validation_failed', 'invalid Idempotency-Key', [{ path: '/headers/idempotency-key', message: 'must be 1-200 printable ASCII characters' }]);
  return key;
}

export interface PageQuery {
  limit: number;
  cursor?: string;
}

/** limit (1-500, default 50) and cursor from the query string; every problem listed. */
export function pageQuery(c: Context, problems: { path: string; message: string }[]): PageQuery {
  const limitText = c.req.query('limit');
  let limit = 50;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 500) problems.push({ path: '/limit', message: 'must be an integer from 1 to 500' });
  }
  const cursor = c.req.query('cursor');
  return { limit, ...(cursor !== undefined && cursor !== '' ? { cursor } : {}) };
}
