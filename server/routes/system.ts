import type { Context } from 'hono';
import type { ServerContext } from '../context.js';
import { errorSchema } from '../http/request-schemas.js';
import { healthSchema, metricsSchema, openApiSchema, readySchema } from '../http/response-schemas.js';
import { defineRoutes, type RouteDefinition } from '../http/route.js';
import { openApiDocument } from '../http/openapi.js';
import { json } from '../http/respond.js';

export function systemRoutes(ctx: ServerContext, allRoutes: () => readonly RouteDefinition[]) {
  let document: Record<string, unknown> | undefined;
  return defineRoutes([
    { method: 'get', path: '/healthz', summary: 'Liveness', tag: 'system', responses: { 200: { description: 'The process is up', schema: healthSchema } }, handler: (c: Context) => json(c, { status: 'ok' }) },
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: 503 while the store (Redis) is unreachable; 200 rebuilding while a lost cache is rebuilt from PostgreSQL',
      tag: 'system',
      responses: { 200: { description: 'Ready', schema: readySchema }, 503: { description: 'Not ready', schema: errorSchema } },
      async handler(c: Context) {
        const ready = await ctx.ready().catch(() => false);
        if (!ready) return json(c, { error: { code: 'not_ready', message: 'the store is unreachable' } }, 503);
        // Still 200: decisions are answered (degraded) while the cache is rebuilt from PostgreSQL.
        const rebuild = await ctx.cacheRebuild?.().catch(() => undefined);
        if (rebuild !== undefined) return json(c, { status: 'rebuilding', rebuild, store: ctx.storeKind, policyRevision: ctx.bundles.bundle.revision });
        return json(c, { status: 'ready', store: ctx.storeKind, policyRevision: ctx.bundles.bundle.revision });
      },
    },
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tag: 'system',
      responses: { 200: { description: 'Prometheus text format', schema: metricsSchema, contentType: 'text/plain' } },
      async handler(c: Context) {
        return c.text(await ctx.metrics.registry.metrics(), 200, { 'content-type': ctx.metrics.registry.contentType, 'x-content-type-options': 'nosniff' });
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      tag: 'system',
      responses: { 200: { description: 'OpenAPI 3.1', schema: openApiSchema } },
      handler: (c: Context) => json(c, (document ??= openApiDocument(allRoutes(), '0.1.0'))),
    },
  ]);
}
