import type { Context } from 'hono';
import type { MerchantUpdate } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { readJsonBody } from '../http/json-body.js';
import { errorSchema, merchantUpdateSchema } from '../http/request-schemas.js';
import { merchantSchema } from '../http/response-schemas.js';
import { defineRoutes } from '../http/route.js';
import { storeCall } from '../http/store-call.js';
import { validateBody } from '../http/validate.js';
import { requireId } from './accounts.js';
import { callerOf } from '../http/auth.js';
import { updateMerchant } from './integrity-actions.js';
import { json } from '../http/respond.js';

export function merchantRoutes(ctx: ServerContext) {
  return defineRoutes([
    {
      method: 'put',
      path: '/v1/merchants/:id',
      summary: 'Set a merchant\'s settings (interceptAbnormalRefunds, oneClickReject, ...) and API-assigned cohorts',
      role: 'admin',
      tag: 'merchants',
      requestSchema: merchantUpdateSchema,
      responses: { 200: { description: 'The stored merchant', schema: merchantSchema }, 400: { description: 'Invalid body', schema: errorSchema }, 503: { description: 'Store unavailable', schema: errorSchema } },
      async handler(c: Context) {
        const merchantId = requireId(c.req.param('id'), 'id');
        const update = validateBody<MerchantUpdate>(merchantUpdateSchema, await readJsonBody(c));
        return json(c, withStaticCohorts(ctx, await updateMerchant(ctx, merchantId, update, callerOf(c).name)));
      },
    },
    {
      method: 'get',
      path: '/v1/merchants/:id',
      summary: 'A merchant\'s settings and cohorts (API-assigned and from policies/cohorts.yaml)',
      role: 'analyst',
      tag: 'merchants',
      responses: { 200: { description: 'The merchant', schema: merchantSchema }, 404: { description: 'Unknown merchant', schema: errorSchema }, 503: { description: 'Store unavailable', schema: errorSchema } },
      async handler(c: Context) {
        const merchantId = requireId(c.req.param('id'), 'id');
        const stored = await storeCall(() => ctx.merchants.get(merchantId));
        const fixed = ctx.bundles.bundle.cohorts.byMerchant.get(merchantId);
        if (!stored && !fixed) throw new ApiError('not_found', `no merchant ${merchantId}`);
        return json(c, withStaticCohorts(ctx, stored ?? { id: merchantId, settings: {}, cohorts: [] }));
      },
    },
  ]);
}

export function withStaticCohorts(ctx: ServerContext, merchant: { id: string; cohorts: string[] }) {
  return { ...merchant, staticCohorts: [...(ctx.bundles.bundle.cohorts.byMerchant.get(merchant.id) ?? [])] };
}
