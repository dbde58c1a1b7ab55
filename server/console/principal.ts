import type { Role, TokenTable } from '../http/auth.js';
import type { Person } from './stores/index.js';

/** The roles that may sign in to the console; service and backfill tokens belong to platform services. */
export const consoleRoles: readonly Role[] = ['analyst', 'appraiser', 'admin'];

export type SignInResult = { ok: true; person: Person } | { ok: false; message: string };

/**
 * A person signs in with a token from REFUND_GUARD_TOKENS; the token's name (`role:name:token`)
 * is who audit records name, and a `role:token` entry is named by its role.
 */
export function signInWithToken(tokens: TokenTable, token: string): SignInResult {
  const trimmed = token.trim();
  if (trimmed === '' || /\s/.test(trimmed)) return { ok: false, message: 'That token is not valid.' };
  const caller = tokens.callerOf(`Bearer ${trimmed}`);
  if (caller === undefined) return { ok: false, message: 'That token is not valid.' };
  if (!consoleRoles.includes(caller.role)) return { ok: false, message: `A ${caller.role} token cannot sign in to the console.` };
  return { ok: true, person: { role: caller.role, name: caller.name } };
}
