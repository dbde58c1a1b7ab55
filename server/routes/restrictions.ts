import type { Context } from 'hono';
import { restrictionStatus } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { callerOf } from '../http/auth.js';
import { readJsonBody } from '../http/json-body.js';
import { errorSchema } from '../http/request-schemas.js';
import { restrictionListSchema, restrictionSchema } from '../http/response-schemas.js';
import { defineRoutes } from '../http/route.js';
import { storeCall } from '../http/store-call.js';
import { validateBody } from '../http/validate.js';
import { requireId } from './accounts.js';
import { liftRestriction } from './integrity-actions.js';
import { json } from '../http/respond.js';

const liftSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  // `by` is a note only (e.g. on whose behalf): the lift is recorded against the token's name.
  properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 }, by: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export function restrictionRoutes(ctx: ServerContext) {
  return defineRoutes([
    {
      method: 'get',
      path: '/v1/restrictions',
      summary: 'Restrictions of an account (lifted and expired kept), with scope, reason, policy version and expiry',
      role: 'analyst',
      tag: 'restrictions',
      query: { accountId: { description: 'The account', schema: { type: 'string' } } },
      responses: { 200: { description: '{restrictions: [...]}', schema: restrictionListSchema }, 400: { description: 'accountId missing or invalid', schema: errorSchema }, 503: { description: 'Store unavailable', schema: errorSchema } },
      async handler(c: Context) {
        const accountId = requireId(c.req.query('accountId'), 'accountId');
        const now = ctx.now();
        const list = await storeCall(() => ctx.state.listRestrictions(accountId));
        return json(c, { restrictions: list.map((r) => ({ ...r, status: restrictionStatus(r, now) })).sort((a, b) => a.createdAt.localeCompare(b.createdAt)) });
      },
    },
    {
      method: 'post',
      path: '/v1/restrictions/:id/lift',
      summary: 'Lift a restriction after an accepted appeal (audited under the token\'s name; a `by` field is kept as liftNote)',
      role: 'admin',
      tag: 'restrictions',
      requestSchema: liftSchema,
      responses: {
        200: { description: 'The lifted restriction', schema: restrictionSchema },
        404: { description: 'Unknown restriction', schema: errorSchema },
        409: { description: 'Already lifted or expired', schema: errorSchema },
        503: { description: 'Store unavailable', schema: errorSchema },
      },
      async handler(c: Context) {
        const restrictionId = requireId(c.req.param('id'), 'id');
        const body = validateBody<{ reason: string; by?: string }>(liftSchema, await readJsonBody(c));
        const lifted = await liftRestriction(ctx, restrictionId, { reason: body.reason, by: callerOf(c).name, ...(body.by !== undefined ? { note: body.by } : {}) });
        return json(c, { ...lifted, status: 'lifted' });
      },
    },
  ]);
}
