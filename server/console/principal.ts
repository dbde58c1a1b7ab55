import type { Role, TokenTable } from '../http/auth.js';
import type { Person } from './stores/index.js';

/** What the auth module can say about a bearer: its role, and the person's name once tokens carry one. */
interface Principal {
  role: Role;
  name?: string;
}

/**
 * The seam to the token parser: when the token table offers `principalOf` (tokens written
 * `role:name:token`), the name it gives is the person's; until then, and for `role:token` entries,
 * the person is named by their role.
 */
type TokenTableWithPrincipals = TokenTable & { principalOf?(authorization: string | undefined): Principal | undefined };

/** The roles that may sign in to the console; service tokens belong to platform services. */
export const consoleRoles: readonly Role[] = ['analyst', 'appraiser', 'admin'];

export type SignInResult = { ok: true; person: Person } | { ok: false; message: string };

export function signInWithToken(tokens: TokenTable, token: string): SignInResult {
  const trimmed = token.trim();
  if (trimmed === '' || /\s/.test(trimmed)) return { ok: false, message: 'That token is not valid.' };
  const authorization = `Bearer ${trimmed}`;
  const table = tokens as TokenTableWithPrincipals;
  const principal: Principal | undefined = table.principalOf ? table.principalOf(authorization) : roleOnly(table.roleOf(authorization));
  if (principal === undefined) return { ok: false, message: 'That token is not valid.' };
  if (!consoleRoles.includes(principal.role)) return { ok: false, message: `A ${principal.role} token cannot sign in to the console.` };
  const name = principal.name !== undefined && principal.name.trim() !== '' ? principal.name : principal.role;
  return { ok: true, person: { role: principal.role, name } };
}

function roleOnly(role: Role | undefined): Principal | undefined {
  return role === undefined ? undefined : { role };
}
