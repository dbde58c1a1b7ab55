import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';

export const roles = ['service', 'analyst', 'appraiser', 'admin'] as const;
export type Role = (typeof roles)[number];

export interface TokenTable {
  /** True when no tokens are configured: every caller is admin, and the server binds loopback only. */
  readonly open: boolean;
  /** The caller's role for an Authorization header value, or undefined. */
  roleOf(authorization: string | undefined): Role | undefined;
}

/**
 * REFUND_GUARD_TOKENS="service:s3cret,admin:t0ken". Tokens are kept only as SHA-256 digests and
 * compared in constant time, so neither memory dumps of the table nor timing reveal them.
 */
export function parseTokens(spec: string | undefined): TokenTable {
  const entries: { digest: Buffer; role: Role }[] = [];
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = part.indexOf(':');
    const role = part.slice(0, colon) as Role;
    const token = part.slice(colon + 1);
    if (colon < 1 || !roles.includes(role) || token.length < 8) {
      throw new Error(`REFUND_GUARD_TOKENS: each entry is role:token with role one of ${roles.join(', ')} and a token of 8+ characters (entry ${entries.length + 1} is not)`);
    }
    entries.push({ digest: digest(token), role });
  }
  return {
    open: entries.length === 0,
    roleOf(authorization) {
      if (entries.length === 0) return 'admin';
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) return undefined;
      const presented = digest(match[1]!);
      let found: Role | undefined;
      // Compare against every entry, so timing does not say which one matched.
      for (const entry of entries) if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.role;
      return found;
    },
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** admin may do everything; every other role only its own routes. */
export function allows(role: Role, needed: Role): boolean {
  return role === 'admin' || role === needed;
}

/** `needed` may list several roles (any of them will do). */
export function requireRole(table: TokenTable, authorization: string | undefined, needed: Role | readonly Role[]): Role {
  const role = table.roleOf(authorization);
  if (role === undefined) throw new ApiError('unauthorized', 'a valid Authorization: Bearer token is required');
  const anyOf: readonly Role[] = typeof needed === 'string' ? [needed] : needed;
  if (!anyOf.some((n) => allows(role, n))) throw new ApiError('forbidden', `this route needs the ${anyOf.join(' or ')} role`);
  return role;
}
