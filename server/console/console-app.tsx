import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { workflowsOf } from '../routes/workflow-http.js';
import { accountRoutes } from './account-routes.js';
import { signInRoutes, signOutRoutes } from './auth-routes.js';
import { complaintRoutes } from './complaint-routes.js';
import type { ConsoleEnv } from './env.js';
import { evidenceRoutes } from './evidence-routes.js';
import { merchantRoutes } from './merchant-routes.js';
import { ErrorPage } from './pages/auth.js';
import { readRoutes } from './read-routes.js';
import { render } from './render.js';
import { consoleHeaders, requireSession, sameOriginOnly } from './security.js';
import { serveStaticFile } from './static.js';
import type { ConsoleStores } from './stores/index.js';

/** Console forms are a few kilobytes; anything larger is refused before it is read. */
const maxFormBytes = 64 * 1024;

/**
 * The console, mounted at /console: server-rendered pages over the same workflow steps, stores and
 * role rules as /v1. Order matters: headers, then the Origin check, then sign-in (no session
 * needed), then the session check for everything else.
 */
export function consoleApp(ctx: ServerContext, stores: ConsoleStores): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const workflows = workflowsOf(ctx);
  app.use(consoleHeaders());
  app.use(sameOriginOnly());
  app.use(
    bodyLimit({
      maxSize: maxFormBytes,
      onError: () => {
        throw new ApiError('payload_too_large', `console forms are limited to ${maxFormBytes} bytes`);
      },
    }),
  );
  app.get('/static/:file', serveStaticFile);
  signInRoutes(app, ctx, stores);
  app.use(requireSession(stores.sessions));
  signOutRoutes(app, ctx, stores);
  readRoutes(app, ctx);
  evidenceRoutes(app, ctx, workflows, stores);
  complaintRoutes(app, ctx, workflows);
  accountRoutes(app, ctx);
  merchantRoutes(app, ctx);

  app.notFound((c) => render(c, <ErrorPage now={ctx.now()} status={404} message={`There is no console page at ${c.req.path}.`} />, 404));
  app.onError((err, c) => {
    const person = c.get('person');
    if (err instanceof ApiError && err.status !== 500) {
      const details = Array.isArray(err.details) ? err.details.map((d: { path?: string; message: string }) => `${d.path ?? ''} ${d.message}`.trim()) : [];
      const message = details.length > 0 ? `${err.message} (${details.join('; ')})` : err.message;
      return render(c, <ErrorPage now={ctx.now()} {...(person !== undefined ? { person } : {})} status={err.status} message={message} />, err.status);
    }
    // Never a stack trace on a page; the log keeps it.
    ctx.logger.error({ err, path: c.req.path }, 'console error');
    return c.html('<!DOCTYPE html><title>Error</title><p>Something went wrong; it has been logged.</p>', 500);
  });
  return app;
}
