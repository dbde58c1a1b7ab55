import type { Context } from 'hono';
import type { DecisionInput, DecisionRecord } from '../../engine/index.js';
import { orderFactNames } from '../../engine/state/orders.js';
import type { ServerContext } from '../context.js';
import { callerOf, type Role } from '../http/auth.js';
import { mayChooseClock } from '../http/permissions.js';
import { ApiError } from '../http/errors.js';
import { readJsonBody } from '../http/json-body.js';
import { decisionRequestSchema, decisionRequestSchemaFor, decisionResponseSchema, errorSchema, id } from '../http/request-schemas.js';
import { loggedDecisionSchema, statsSchema } from '../http/response-schemas.js';
import { defineRoutes } from '../http/route.js';
import { validateBody } from '../http/validate.js';
import { json } from '../http/respond.js';
import { dayCountDays } from '../decision-log/index.js';

/** What a caller gets back; the logged record also keeps the facts the decision was made on. */
export function decisionResponse(record: DecisionRecord): Record<string, unknown> {
  return {
    decisionId: record.decisionId,
    point: record.point,
    action: record.action,
    ...(record.params !== undefined ? { params: record.params } : {}),
    reasons: record.reasons,
    shadow: record.shadow,
    missingFacts: record.missingFacts,
    policyRevision: record.policyRevision,
    degraded: record.degraded,
    occurredAt: record.occurredAt,
    ...(record.requestId !== undefined ? { requestId: record.requestId } : {}),
  };
}

export function decisionRoutes(ctx: ServerContext) {
  return defineRoutes([
    {
      method: 'post',
      path: '/v1/decisions',
      summary: 'Decide at a decision point: features, restrictions and merchant settings are added server-side',
      role: ['service', 'backfill'],
      tag: 'decisions',
      requestSchema: decisionRequestSchema,
      responses: {
        200: { description: 'The decision with its explanation', schema: decisionResponseSchema },
        400: { description: 'Invalid request (every wrong path listed); order.id missing where the point\'s policies read order facts; (service role) occurredAt too far from the server clock (time_out_of_range)', schema: errorSchema },
      },
      async handler(c: Context) {
        const started = performance.now();
        const input = validateBody<DecisionInput>(decisionRequestSchemaFor(ctx.bundles.bundle), await readJsonBody(c));
        if (input.occurredAt !== undefined && Number.isNaN(Date.parse(input.occurredAt))) {
          throw new ApiError('validation_failed', 'the request body is invalid', [{ path: '/occurredAt', message: 'must be a parseable date-time' }]);
        }
        refuseSteering(ctx, callerOf(c).role, input);
        const record = await ctx.service.decide(input);
        ctx.metrics.countDecision(record.point, record.action);
        if (record.degraded) ctx.metrics.degradedDecisions.inc({ point: record.point });
        ctx.metrics.decisionSeconds.observe((performance.now() - started) / 1000);
        return json(c, decisionResponse(record));
      },
    },
    {
      method: 'get',
      path: '/v1/decisions/:id',
      summary: 'One logged decision with its explanation and the facts it was made on',
      role: 'analyst',
      tag: 'decisions',
      responses: { 200: { description: 'The logged decision', schema: loggedDecisionSchema }, 404: { description: 'Unknown or expired from the log', schema: errorSchema } },
      async handler(c: Context) {
        const decisionId = c.req.param('id') ?? '';
        if (!new RegExp(id.pattern).test(decisionId)) throw new ApiError('validation_failed', 'invalid decision id', [{ path: '/id', message: 'must be 1-128 characters of letters, digits and ._:-' }]);
        const record = await ctx.decisionLog.get(decisionId);
        if (!record) throw new ApiError('not_found', `no logged decision ${decisionId}`);
        return json(c, record);
      },
    },
    {
      method: 'get',
      path: '/v1/stats',
      summary: 'Decisions counted by point and action (e.g. fast refunds intercepted = refund.requested/return_first), since the log began and on one UTC day',
      role: 'analyst',
      tag: 'decisions',
      query: { day: { description: `UTC day YYYY-MM-DD for day.decisions (default: today); the last ${dayCountDays} days are kept`, schema: { type: 'string', format: 'date' } } },
      responses: { 200: { description: 'Counts by point and action', schema: statsSchema }, 400: { description: 'Invalid day', schema: errorSchema }, 503: { description: 'The decision log is unavailable' } },
      async handler(c: Context) {
        const day = c.req.query('day') ?? new Date(ctx.now()).toISOString().slice(0, 10);
        if (!isUtcDay(day)) throw new ApiError('validation_failed', 'the query is invalid', [{ path: '/day', message: 'must be a date as YYYY-MM-DD' }]);
        const [decisions, ofDay] = await Promise.all([ctx.decisionLog.stats(), ctx.decisionLog.stats(day)]);
        return json(c, { decisions, day: { date: day, decisions: ofDay } });
      },
    },
  ]);
}

/** "YYYY-MM-DD" naming a real calendar day. */
export function isUtcDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
}

const orderFactPaths: ReadonlySet<string> = new Set(orderFactNames.map((name) => `order.${name}`));

/**
 * What a caller may not steer. A clock-bound role (service) decides as of now, within the skew
 * allowed, not as of a time before a restriction began. Where the point's policies read the
 * platform's order facts, the order must be named by a valid id, so those facts are read for it.
 */
function refuseSteering(ctx: ServerContext, role: Role, input: DecisionInput): void {
  if (input.occurredAt !== undefined && !mayChooseClock(role)) {
    const now = ctx.now();
    const skew = ctx.clockLimits.decisionSkewMs;
    if (Math.abs(Date.parse(input.occurredAt) - now) > skew) {
      throw new ApiError('time_out_of_range', `occurredAt is more than ${skew / 1000} s from the server clock`, [
        { path: '/occurredAt', message: `must lie within ${skew / 1000} s of ${new Date(now).toISOString()} for the ${role} role (decisions as of other times use the backfill role)` },
      ]);
    }
  }
  if (ctx.bundles.bundle.factPathsAt(input.point).some((path) => orderFactPaths.has(path)) && typeof input.order?.['id'] !== 'string') {
    throw new ApiError('validation_failed', 'the request body is invalid', [
      { path: input.order === undefined ? '/order' : '/order/id', message: `required at ${input.point}: its policies read the platform's facts about the order it names` },
    ]);
  }
}
