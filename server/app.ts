import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { consoleApp, memoryConsoleStores, type ConsoleStores } from './console/index.js';
import type { ServerContext } from './context.js';
import { bodyLimit } from 'hono/body-limit';
import { requireRole, setCaller } from './http/auth.js';
import { ApiError } from './http/errors.js';
import { maxBodyBytes } from './http/json-body.js';
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
    const requestId = acceptableRequestId(c.req.header('x-request-id')) ?? randomUUID();
    setRequestId(c, requestId);
    const started = performance.now();
    await next();
    const status = c.res.status;
    // Build the log object only when it will be written: this runs on every request.
    if (status >= 500) ctx.logger.error({ requestId, method: c.req.method, path: c.req.path, status, ms: performance.now() - started }, 'request failed');
    else if (debugEnabled) ctx.logger.debug({ requestId, method: c.req.method, path: c.req.path, status, ms: performance.now() - started }, 'request');
  });

  // Open mode (no tokens) makes every caller admin: only a page on this machine may reach it, and a
  // rebound DNS name (a browser told evil.example is 127.0.0.1) sends its own Host, which is refused.
  if (ctx.tokens.open) {
    app.use(async (c, next) => {
      const host = hostnameOf(c.req.header('host')) ?? new URL(c.req.url).hostname;
      if (!loopbackHosts.has(host)) throw new ApiError('host_not_allowed', `without tokens the server only answers requests addressed to a loopback host (127.0.0.1, localhost, [::1]), not ${JSON.stringify(host.slice(0, 100))}`);
      await next();
    });
  }
  // A body is refused once 1 MiB has been read, not after all of it. With a Content-Length (and no
  // Transfer-Encoding) the header decides before anything is read, and Node's parser reads no more
  // than it says; a chunked body is counted as it streams in (Hono's bodyLimit). Only chunked bodies
  // go through bodyLimit: it reads c.req.raw.body, which makes the adapter build a full Request
  // (an AbortSignal and undici's Request), a third of the decision route's CPU when done every time.
  // Only where bodies are taken: a GET need not have its request body looked at.
  const tooLarge = (c: Context) => json(c, new ApiError('payload_too_large', `the body is larger than ${maxBodyBytes} bytes`).toBody(), 413, { connection: 'close' });
  const streamedBodyLimit = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge });
  app.on(['POST', 'PUT'], '*', async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxBodyBytes) return tooLarge(c);
      await next();
      return;
    }
    return streamedBodyLimit(c, next);
  });

  for (const route of routes) {
    const handler = async (c: Context) => {
      if (route.role) setCaller(c, requireRole(ctx.tokens, c.req.header('authorization'), route.role));
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
      // A store's own message (hosts, ports) goes to the log only.
      if (err.status >= 500 && err.cause !== undefined) ctx.logger.warn({ code: err.code, cause: err.cause instanceof Error ? err.cause.message : String(err.cause), path: c.req.path }, 'store call failed');
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

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The host name of a Host header, without its port, lower case (as URL.hostname gives it, without parsing a URL per request). */
export function hostnameOf(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const end = header.startsWith('[') ? header.indexOf(']') + 1 : header.indexOf(':');
  return (end > 0 ? header.slice(0, end) : header).toLowerCase();
}

/**
 * A caller's x-request-id is echoed and logged: up to 128 characters of the kinds ids are made of
 * (UUIDs, trace ids, base64), no markup or spaces; anything else gets a new id.
 */
const requestIdPattern = /^[A-Za-z0-9._:\/+=@-]{1,128}$/;
export function acceptableRequestId(value: string | undefined): string | undefined {
  return value !== undefined && requestIdPattern.test(value) ? value : undefined;
}
