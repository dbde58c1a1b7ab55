import type { Hono } from 'hono';
import type { ServerContext } from '../context.js';
import type { ConsoleEnv } from './env.js';
import { formFields } from './form.js';
import { LoginPage, LogoutPage } from './pages/auth.js';
import { signInWithToken } from './principal.js';
import { render } from './render.js';
import { clearSessionCookie, sessionIdOf, setSessionCookie } from './security.js';
import type { ConsoleStores } from './stores/index.js';

/** Only paths inside the console are followed after sign-in (no open redirect). */
function safeNext(next: string | undefined): string | undefined {
  return next !== undefined && /^\/console(\/[A-Za-z0-9._:~%?&=/-]*)?$/.test(next) && !next.startsWith('//') ? next : undefined;
}

/** Sign-in needs no session; it is registered before the session check. */
export function signInRoutes(app: Hono<ConsoleEnv>, ctx: ServerContext, stores: ConsoleStores): void {
  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next'));
    return render(c, <LoginPage now={ctx.now()} {...(next !== undefined ? { next } : {})} signedOut={c.req.query('signed-out') !== undefined} />);
  });

  app.post('/login', async (c) => {
    const fields = await formFields(c);
    const next = safeNext(fields.get('next'));
    const result = signInWithToken(ctx.tokens, fields.get('token') ?? '');
    if (!result.ok) return render(c, <LoginPage now={ctx.now()} error={result.message} {...(next !== undefined ? { next } : {})} />, 401);
    // A fresh session id at every sign-in; an older session of this browser ends.
    const previous = sessionIdOf(c);
    if (previous !== undefined) await stores.sessions.end(previous);
    const session = await stores.sessions.start(result.person);
    setSessionCookie(c, session);
    ctx.logger.info({ by: session.name, role: session.role }, 'console sign-in');
    return c.redirect(next ?? '/console', 303);
  });
}

/** Signing out: a confirmation page (the Sign out link) and the POST that ends the session on the server. */
export function signOutRoutes(app: Hono<ConsoleEnv>, ctx: ServerContext, stores: ConsoleStores): void {
  app.get('/logout', (c) => render(c, <LogoutPage now={ctx.now()} person={c.get('person')} />));
  app.post('/logout', async (c) => {
    const person = c.get('person');
    await stores.sessions.end(person.id);
    clearSessionCookie(c);
    ctx.logger.info({ by: person.name, role: person.role }, 'console sign-out');
    return c.redirect('/console/login?signed-out=1', 303);
  });
}
