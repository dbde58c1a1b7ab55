import type { Context } from 'hono';
import { restrictionStatus } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { errorSchema, id } from '../http/request-schemas.js';
import { accountSchema } from '../http/response-schemas.js';
import { defineRoutes } from '../http/route.js';
import { storeCall } from '../http/store-call.js';
import { json } from '../http/respond.js';

const idPattern = new RegExp(id.pattern);

export function requireId(value: string | undefined, name: string): string {
  if (value === undefined || !idPattern.test(value)) {
    throw new ApiError('validation_failed', `invalid ${name}`, [{ path: `/${name}`, message: 'must be 1-128 characters of letters, digits and ._:-' }]);
  }
  return value;
}

export function accountRoutes(ctx: ServerContext) {
  return defineRoutes([
    {
      method: 'get',
      path: '/v1/accounts/:id',
      summary: 'Current features (every defined feature, as numbers), integrity record and active restrictions',
      role: 'analyst',
      tag: 'accounts',
      query: { asOf: { description: 'Instant to compute features at (default now)', schema: { type: 'string', format: 'date-time' } } },
      responses: { 200: { description: '{id, asOf, features, restrictions, integrityRecord, orders}', schema: accountSchema }, 503: { description: 'Store unavailable', schema: errorSchema } },
      async handler(c: Context) {
        const accountId = requireId(c.req.param('id'), 'id');
        const asOfText = c.req.query('asOf');
        const asOf = asOfText === undefined ? ctx.now() : Date.parse(asOfText);
        if (Number.isNaN(asOf)) throw new ApiError('validation_failed', 'invalid asOf', [{ path: '/asOf', message: 'must be an ISO-8601 date-time' }]);
        const snapshot = await storeCall(() => ctx.reader.snapshot(accountId, asOf));
        // Oldest first, whatever order the store keeps them in.
        const restrictions = snapshot.restrictions
          .map((r) => ({ ...r, status: restrictionStatus(r, asOf) }))
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
        return json(c, {
          id: accountId,
          asOf: new Date(asOf).toISOString(),
          features: snapshot.features,
          restrictions: restrictions.filter((r) => r.status === 'active'),
          integrityRecord: restrictions,
          orders: Object.fromEntries([...snapshot.orders].map(([orderId, marks]) => [orderId, Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, new Date(v as number).toISOString()]))])),
        });
      },
    },
  ]);
}
