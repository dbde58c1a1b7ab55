import type { Context } from 'hono';
import { appraisalVerdicts, evidenceReasons, reportEvents, type AppraisalVerdict, type EvidenceReport, type ReportInput } from '../../engine/workflows/index.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { readJsonBody } from '../http/json-body.js';
import { errorSchema, id } from '../http/request-schemas.js';
import { appraisalResultSchema, evidenceReportPageSchema, evidenceReportSchema } from '../http/response-schemas.js';
import { defineRoutes } from '../http/route.js';
import { validateBody } from '../http/validate.js';
import { requireId } from './accounts.js';
import { appraiseReport } from './integrity-actions.js';
import { clientIdSchema, evidenceListSchema, idempotencyKey, noteSchema, pageQuery, publicView, workflowCall, workflowsOf } from './workflow-http.js';
import { json } from '../http/respond.js';

export const evidenceReportRequestSchema = {
  $id: 'EvidenceReportRequest',
  type: 'object',
  additionalProperties: false,
  required: ['merchantId', 'accountId', 'orderId', 'reason', 'evidence'],
  properties: {
    merchantId: id,
    accountId: id,
    orderId: id,
    refundId: id,
    reason: { enum: evidenceReasons },
    evidence: evidenceListSchema,
    reportedAt: { type: 'string', format: 'date-time', maxLength: 40 },
    reportId: clientIdSchema,
  },
} as const;

export const appraisalRequestSchema = {
  $id: 'AppraisalRequest',
  type: 'object',
  additionalProperties: false,
  required: ['verdict'],
  properties: { verdict: { enum: appraisalVerdicts }, note: noteSchema },
} as const;

/** A report as callers see it: overdue by the server clock, and the events it recorded. */
export function reportView(report: EvidenceReport, now: number): Record<string, unknown> {
  return { ...publicView(report), overdue: report.status === 'pending' && now > Date.parse(report.dueAt), events: reportEvents(report) };
}

export function evidenceReportRoutes(ctx: ServerContext) {
  const workflows = workflowsOf(ctx);
  return defineRoutes([
    {
      method: 'post',
      path: '/v1/evidence-reports',
      summary: 'A merchant flags forged evidence: a report due for appraisal within 24 h (records evidence.reported). Idempotent by reportId or Idempotency-Key',
      role: 'service',
      tag: 'evidence-reports',
      requestSchema: evidenceReportRequestSchema,
      responses: {
        201: { description: 'The report: {id, status: pending, reportedAt, dueAt, ...}', schema: evidenceReportSchema },
        200: { description: 'A retried POST (same reportId or Idempotency-Key, same body): the report it created', schema: evidenceReportSchema },
        400: { description: 'Invalid body, every problem listed', schema: errorSchema },
        409: { description: 'The reportId / Idempotency-Key was used for a different report', schema: errorSchema },
        503: { description: 'Store unavailable; retrying is safe', schema: errorSchema },
      },
      async handler(c: Context) {
        const key = idempotencyKey(c);
        const input = validateBody<ReportInput>(evidenceReportRequestSchema, await readJsonBody(c));
        const { report, created } = await workflowCall(() => workflows.fileReport(input, key));
        if (created) ctx.metrics.evidenceReports.inc({ reason: report.reason });
        return json(c, reportView(report, ctx.now()), created ? 201 : 200, { location: `/v1/evidence-reports/${report.id}` });
      },
    },
    {
      method: 'get',
      path: '/v1/evidence-reports',
      summary: 'The appraisal queue: oldest due first, paginated; overdue = the 24 h SLA has passed',
      role: 'appraiser',
      tag: 'evidence-reports',
      query: {
        status: { description: 'pending (default) | appraised | all', schema: { type: 'string', enum: ['pending', 'appraised', 'all'] } },
        overdue: { description: 'true: only reports past dueAt; false: only those not yet due', schema: { type: 'boolean' } },
        limit: { description: '1-500, default 50', schema: { type: 'integer', minimum: 1, maximum: 500 } },
        cursor: { description: 'nextCursor of the previous page', schema: { type: 'string' } },
      },
      responses: { 200: { description: '{reports, nextCursor, counts: {pending, overdue}, now}', schema: evidenceReportPageSchema }, 400: { description: 'Invalid query', schema: errorSchema }, 503: { description: 'Store unavailable', schema: errorSchema } },
      async handler(c: Context) {
        const problems: { path: string; message: string }[] = [];
        const status = c.req.query('status') ?? 'pending';
        if (status !== 'pending' && status !== 'appraised' && status !== 'all') problems.push({ path: '/status', message: 'must be one of "pending", "appraised", "all"' });
        const overdue = c.req.query('overdue');
        if (overdue !== undefined && overdue !== 'true' && overdue !== 'false') problems.push({ path: '/overdue', message: 'must be true or false' });
        const page = pageQuery(c, problems);
        if (problems.length > 0) throw new ApiError('validation_failed', 'the query is invalid', problems);
        const now = ctx.now();
        const result = await workflowCall(() =>
          workflows.listReports({
            ...page,
            ...(status === 'all' ? {} : { status: status as 'pending' | 'appraised' }),
            ...(overdue === 'true' ? { before: now } : overdue === 'false' ? { from: now } : {}),
          }),
        );
        const [pending, overdueCount] = await workflowCall(() => Promise.all([ctx.workflows.reports.count({ status: 'pending' }), ctx.workflows.reports.count({ status: 'pending', before: now })]));
        ctx.metrics.evidencePending.set(pending);
        ctx.metrics.evidenceOverdue.set(overdueCount);
        return json(c, { reports: result.records.map((r) => reportView(r, now)), nextCursor: result.nextCursor, counts: { pending, overdue: overdueCount }, now: new Date(now).toISOString() });
      },
    },
    {
      method: 'get',
      path: '/v1/evidence-reports/:id',
      summary: 'One report with its appraisal and the events it recorded',
      role: ['appraiser', 'analyst'],
      tag: 'evidence-reports',
      responses: { 200: { description: 'The report', schema: evidenceReportSchema }, 404: { description: 'Unknown report', schema: errorSchema }, 503: { description: 'Store unavailable', schema: errorSchema } },
      async handler(c: Context) {
        const reportId = requireId(c.req.param('id'), 'id');
        const report = await workflowCall(() => workflows.getReport(reportId));
        return json(c, reportView(report, ctx.now()));
      },
    },
    {
      method: 'post',
      path: '/v1/evidence-reports/:id/appraisal',
      summary: 'Appraise a report (records evidence.appraised): forged marks the order (intervention → deny_refund) and runs integrity.review',
      role: 'appraiser',
      tag: 'evidence-reports',
      requestSchema: appraisalRequestSchema,
      responses: {
        200: { description: '{report, review: integrity.review decision or null, restrictions: active restrictions of the account}', schema: appraisalResultSchema },
        400: { description: 'Invalid body', schema: errorSchema },
        404: { description: 'Unknown report', schema: errorSchema },
        409: { description: 'Already appraised (already_appraised)', schema: errorSchema },
        503: { description: 'Store unavailable; retrying is safe', schema: errorSchema },
      },
      async handler(c: Context) {
        const reportId = requireId(c.req.param('id'), 'id');
        const body = validateBody<{ verdict: AppraisalVerdict; note?: string }>(appraisalRequestSchema, await readJsonBody(c));
        const { report, review, restrictions } = await appraiseReport(ctx, workflows, reportId, body);
        return json(c, { report: reportView(report, ctx.now()), review, restrictions });
      },
    },
  ]);
}
