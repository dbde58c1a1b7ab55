import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { consoleApp, memoryConsoleStores, type ConsoleStores } from './console/index.js';
import type { ServerContext } from './context.js';
import { requireRole } from './http/auth.js';
import { ApiError } from './http/errors.js';
import type { RouteDefinition } from './http/route.js';
import { accountRoutes } from './routes/accounts.js';
import { complaintRoutes } from './routes/complaints.js';
import { decisionRoutes } from './routes/decisions.js';
import { eventRoutes } from './routes/events.js';
import { evidenceReportRoutes } from './routes/evidence-reports.js';
import { merchantRoutes } from './routes/merchants.js';
import { policyRoutes } from './routes/policies.js';
import { restrictionRoutes } from './routes/restrictions.js';
import { systemRoutes } from './routes/system.js';
import { json, setRequestId } from './http/respond.js';

/**
 * The Hono app: routes from one table (which also writes /openapi.json), role checks before
 * every handler, errors as {error: {code, message, details}} with the status from errors.ts.
 */
export function createApp(ctx: ServerContext, options: { console?: ConsoleStores } = {}): { app: Hono; routes: RouteDefinition[] } {
  const app = new Hono();
  const routes: RouteDefinition[] = [];
  routes.push(
    ...decisionRoutes(ctx),
    ...eventRoutes(ctx),
    ...accountRoutes(ctx),
    ...merchantRoutes(ctx),
    ...policyRoutes(ctx),
    ...restrictionRoutes(ctx),
    ...evidenceReportRoutes(ctx),
    ...complaintRoutes(ctx),
  );
  routes.push(...systemRoutes(ctx, () => routes));

  const debugEnabled = ctx.logger.isLevelEnabled('debug');
  app.use(async (c, next) => {
    const requestId = c.req.header('x-request-id') ?? randomUUID();
    setRequestId(c, requestId);
    const started = performance.now();
    await next();
    const status = c.res.status;
    // Build the log object only when it will be written: this runs on every request.
    if (status >= 500) ctx.logger.error({ requestId, method: c.req.method, path: c.req.path, status, ms: performance.now() - started }, 'request failed');
    else if (debugEnabled) ctx.logger.debug({ requestId, method: c.req.method, path: c.req.path, status, ms: performance.now() - started }, 'request');
  });

  for (const route of routes) {
    const handler = async (c: Context) => {
      if (route.role) requireRole(ctx.tokens, c.req.header('authorization'), route.role);
      const response = await route.handler(c);
      ctx.metrics.countRequest(route.path, response.status);
      return response;
    };
    app.on(route.method.toUpperCase(), route.path, handler);
  }

  app.route('/console', consoleApp(ctx, options.console ?? memoryConsoleStores()));

  app.notFound((c) => json(c, new ApiError('not_found', `no route ${c.req.method} ${c.req.path}`).toBody(), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      ctx.metrics.httpRequests.inc({ route: c.req.routePath, status: String(err.status) });
      return json(c, err.toBody(), err.status);
    }
    // Never a stack trace to the caller; the log keeps it.
    ctx.logger.error({ err, path: c.req.path }, 'unhandled error');
    ctx.metrics.httpRequests.inc({ route: c.req.routePath, status: '500' });
    return json(c, new ApiError('internal_error', 'internal error; it has been logged').toBody(), 500);
  });
  return { app, routes };
}
