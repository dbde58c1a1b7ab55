import type { Context } from 'hono';
import { complaintEvents, complaintKinds, complaintOutcomes, type Complaint, type ComplaintInput, type ComplaintOutcome } from '../../engine/workflows/index.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { readJsonBody } from '../http/json-body.js';
import { errorSchema, id } from '../http/request-schemas.js';
import { complaintPageSchema, complaintSchema, resolutionResultSchema } from '../http/response-schemas.js';
import { defineRoutes } from '../http/route.js';
import { validateBody } from '../http/validate.js';
import { requireId } from './accounts.js';
import { resolveComplaint } from './integrity-actions.js';
import { clientIdSchema, evidenceListSchema, idempotencyKey, noteSchema, pageQuery, publicView, workflowCall, workflowsOf } from './workflow-http.js';
import { json } from '../http/respond.js';

export const complaintRequestSchema = {
  $id: 'ComplaintRequest',
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'orderId', 'accountId', 'merchantId', 'evidence'],
  properties: {
    kind: { enum: complaintKinds },
    orderId: id,
    accountId: id,
    merchantId: id,
    evidence: evidenceListSchema,
    complaintId: clientIdSchema,
  },
} as const;

export const resolutionRequestSchema = {
  $id: 'ResolutionRequest',
  type: 'object',
  additionalProperties: false,
  required: ['outcome'],
  properties: { outcome: { enum: complaintOutcomes }, note: noteSchema },
} as const;

export function complaintView(complaint: Complaint): Record<string, unknown> {
  return { ...publicView(complaint), events: complaintEvents(complaint) };
}

export function complaintRoutes(ctx: ServerContext) {
  const workflows = workflowsOf(ctx);
  return defineRoutes([
    {
      method: 'post',
      path: '/v1/complaints',
      summary: 'A merchant complains about an abnormal return (records complaint.filed). Idempotent by complaintId or Idempotency-Key',
      role: 'service',
      tag: 'complaints',
      requestSchema: complaintRequestSchema,
      responses: {
        201: { description: 'The complaint, pending', schema: complaintSchema },
        200: { description: 'A retried POST (same complaintId or Idempotency-Key, same body): the complaint it created', schema: complaintSchema },
        400: { description: 'Invalid body (unknown kinds list the allowed ones)', schema: errorSchema },
        409: { description: 'The complaintId / Idempotency-Key was used for a different complaint', schema: errorSchema },
        503: { description: 'Store unavailable; retrying is safe', schema: errorSchema },
      },
      async handler(c: Context) {
        const key = idempotencyKey(c);
        const input = validateBody<ComplaintInput>(complaintRequestSchema, await readJsonBody(c));
        const { complaint, created } = await workflowCall(() => workflows.fileComplaint(input, key));
        if (created) ctx.metrics.complaintsFiled.inc({ kind: complaint.kind });
        return json(c, complaintView(complaint), created ? 201 : 200, { location: `/v1/complaints/${complaint.id}` });
      },
    },
    {
      method: 'get',
      path: '/v1/complaints',
      summary: 'Complaints, oldest filed first, paginated',
      role: ['appraiser', 'analyst'],
      tag: 'complaints',
      query: {
        status: { description: 'pending (default) | resolved | all', schema: { type: 'string', enum: ['pending', 'resolved', 'all'] } },
        limit: { description: '1-500, default 50', schema: { type: 'integer', minimum: 1, maximum: 500 } },
        cursor: { description: 'nextCursor of the previous page', schema: { type: 'string' } },
      },
      responses: { 200: { description: '{complaints, nextCursor}', schema: complaintPageSchema }, 400: { description: 'Invalid query', schema: errorSchema }, 503: { description: 'Store unavailable', schema: errorSchema } },
      async handler(c: Context) {
        const problems: { path: string; message: string }[] = [];
        const status = c.req.query('status') ?? 'pending';
        if (status !== 'pending' && status !== 'resolved' && status !== 'all') problems.push({ path: '/status', message: 'must be one of "pending", "resolved", "all"' });
        const page = pageQuery(c, problems);
        if (problems.length > 0) throw new ApiError('validation_failed', 'the query is invalid', problems);
        const result = await workflowCall(() => workflows.listComplaints({ ...page, ...(status === 'all' ? {} : { status: status as 'pending' | 'resolved' }) }));
        return json(c, { complaints: result.records.map(complaintView), nextCursor: result.nextCursor });
      },
    },
    {
      method: 'get',
      path: '/v1/complaints/:id',
      summary: 'One complaint with its resolution and the events it recorded',
      role: ['appraiser', 'analyst'],
      tag: 'complaints',
      responses: { 200: { description: 'The complaint', schema: complaintSchema }, 404: { description: 'Unknown complaint', schema: errorSchema }, 503: { description: 'Store unavailable', schema: errorSchema } },
      async handler(c: Context) {
        const complaintId = requireId(c.req.param('id'), 'id');
        return json(c, complaintView(await workflowCall(() => workflows.getComplaint(complaintId))));
      },
    },
    {
      method: 'post',
      path: '/v1/complaints/:id/resolution',
      summary: 'Resolve a complaint (records complaint.resolved); upheld runs integrity.review, which may restrict the account',
      role: 'appraiser',
      tag: 'complaints',
      requestSchema: resolutionRequestSchema,
      responses: {
        200: { description: '{complaint, review: integrity.review decision or null, restrictions: active restrictions of the account}', schema: resolutionResultSchema },
        400: { description: 'Invalid body', schema: errorSchema },
        404: { description: 'Unknown complaint', schema: errorSchema },
        409: { description: 'Already resolved (already_resolved)', schema: errorSchema },
        503: { description: 'Store unavailable; retrying is safe', schema: errorSchema },
      },
      async handler(c: Context) {
        const complaintId = requireId(c.req.param('id'), 'id');
        const body = validateBody<{ outcome: ComplaintOutcome; note?: string }>(resolutionRequestSchema, await readJsonBody(c));
        const { complaint, review, restrictions } = await resolveComplaint(ctx, workflows, complaintId, body);
        return json(c, { complaint: complaintView(complaint), review, restrictions });
      },
    },
  ]);
}
