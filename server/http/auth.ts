import type { Context } from 'hono';
import { ApiError } from './errors.js';
import type { Caller, Role, TokenTable } from './tokens.js';

export { roles, parseTokens, type Caller, type Role, type TokenTable } from './tokens.js';

/** admin may do everything; every other role only its own routes. */
export function allows(role: Role, needed: Role): boolean {
  return role === 'admin' || role === needed;
}

/** `needed` may list several roles (any of them will do). Returns who is calling. */
export function requireRole(table: TokenTable, authorization: string | undefined, needed: Role | readonly Role[]): Caller {
  const caller = table.callerOf(authorization);
  if (caller === undefined) throw new ApiError('unauthorized', 'a valid Authorization: Bearer token is required');
  const anyOf: readonly Role[] = typeof needed === 'string' ? [needed] : needed;
  if (!anyOf.some((n) => allows(caller.role, n))) throw new ApiError('forbidden', `this route needs the ${anyOf.join(' or ')} role`);
  return caller;
}

const callerKey = 'caller';

/** Set by the app once the route's role check passed. */
export function setCaller(c: Context, caller: Caller): void {
  c.set(callerKey as never, caller as never);
}

/** The checked caller of this request; only routes that name a role have one. */
export function callerOf(c: Context): Caller {
  const caller = c.get(callerKey as never) as Caller | undefined;
  if (caller === undefined) throw new Error('callerOf: the route names no role');
  return caller;
}
