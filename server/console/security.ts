import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { allows, type Role } from '../http/auth.js';
import { ApiError } from '../http/errors.js';
import type { ConsoleEnv } from './env.js';
import { SESSION_IDLE_MS, type Session, type SessionStore } from './stores/index.js';

export const SESSION_COOKIE = 'rg_console';

/** Scripts, styles and everything else only from this origin; never framed (clickjacking). */
export const consoleHeaders = (): MiddlewareHandler =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: 'DENY',
    xContentTypeOptions: 'nosniff',
    referrerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
  });

/**
 * CSRF: every request that may change state must come from a page of this origin. Checked on the
 * Origin header whatever the content type (Hono's csrf() only looks at form content types).
 */
export const sameOriginOnly = (): MiddlewareHandler => async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const origin = c.req.header('origin');
    if (origin === undefined || !ownOrigins(c).includes(origin)) {
      throw new ApiError('forbidden', 'cross-origin request refused: console forms only work from the console itself');
    }
  }
  await next();
};

/**
 * The console's own origin: as this server sees the request, and as the browser saw it through a
 * TLS-terminating proxy (X-Forwarded-Proto/-Host). A cross-site page cannot set those headers on
 * its victim's request, so they cannot make a foreign Origin pass.
 */
function ownOrigins(c: Context): string[] {
  const url = new URL(c.req.url);
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim() ?? c.req.header('host') ?? url.host;
  return [url.origin, `${proto ?? url.protocol.replace(':', '')}://${host}`];
}

export function isSecureRequest(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export function setSessionCookie(c: Context, session: Session): void {
  setCookie(c, SESSION_COOKIE, session.id, {
    path: '/console',
    httpOnly: true,
    sameSite: 'Strict',
    secure: isSecureRequest(c),
    maxAge: Math.floor(SESSION_IDLE_MS / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/console', httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c) });
}

export function sessionIdOf(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** Pages and actions need a live session; without one, pages send the person to sign in. */
export const requireSession =
  (sessions: SessionStore): MiddlewareHandler<ConsoleEnv> =>
  async (c, next) => {
    const id = sessionIdOf(c);
    const session = id === undefined ? undefined : await sessions.touch(id);
    if (session === undefined) {
      if (id !== undefined) clearSessionCookie(c);
      if (c.req.method === 'GET') {
        const back = new URL(c.req.url);
        return c.redirect(`/console/login?next=${encodeURIComponent(back.pathname + back.search)}`, 302);
      }
      throw new ApiError('unauthorized', 'your console session has ended; sign in again');
    }
    c.set('person', session);
    await next();
  };

/** The role check every console action runs on the server (hiding a button is not a check). */
export function requireConsoleRole(c: Context<ConsoleEnv>, needed: Role | readonly Role[]): Session {
  const person = c.get('person');
  const anyOf: readonly Role[] = typeof needed === 'string' ? [needed] : needed;
  if (!anyOf.some((role) => allows(person.role, role))) throw new ApiError('forbidden', `this needs the ${anyOf.join(' or ')} role; you are signed in as ${person.role}`);
  return person;
}

export function mayAct(person: Session, needed: Role): boolean {
  return allows(person.role, needed);
}

/** Who may read the console's pages. */
export const readers: readonly Role[] = ['analyst', 'appraiser'];
