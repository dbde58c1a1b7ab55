import { createHash, timingSafeEqual } from 'node:crypto';

/** Every role a token may carry. What each may do is in permissions.ts (routes name their roles). */
export const roles = ['service', 'analyst', 'appraiser', 'admin', 'backfill'] as const;
export type Role = (typeof roles)[number];

/** Who is calling: the role decides what they may do, the name is who audit records name. */
export interface Caller {
  role: Role;
  name: string;
}

export interface TokenTable {
  /** True only when REFUND_GUARD_TOKENS is unset or empty: every caller is admin, on loopback only. */
  readonly open: boolean;
  /** The caller for an Authorization header value, or undefined when it names no token. */
  callerOf(authorization: string | undefined): Caller | undefined;
}

/** Thrown for a REFUND_GUARD_TOKENS value the server must not start with. */
export class TokenSpecError extends Error {
  override name = 'TokenSpecError';
}

const minTokenLength = 8;
const namePattern = /^[A-Za-z0-9._@-]{1,64}$/;
/** The caller named in audit records when no tokens are configured (loopback only). */
export const openModeCaller: Caller = Object.freeze({ role: 'admin', name: 'local-open-mode' });

/**
 * REFUND_GUARD_TOKENS="service:s3cret,admin:alice:t0ken-a". Each entry is `role:token` or
 * `role:name:token`; without a name the role stands in for it. Tokens are kept only as SHA-256
 * digests and compared in constant time, so neither a dump of the table nor timing reveals them.
 * A value that is set but yields no token is refused: it would otherwise mean "open to everyone".
 */
export function parseTokens(spec: string | undefined): TokenTable {
  if (spec === undefined || spec.trim() === '') return openTable;
  const entries: { digest: Buffer; caller: Caller }[] = [];
  const parts = spec.split(',').map((s) => s.trim());
  parts.forEach((part, index) => {
    if (part === '') return;
    const fields = part.split(':');
    const role = fields[0] as Role;
    const named = fields.length >= 3;
    const name = named ? (fields[1] as string) : role;
    const token = fields.slice(named ? 2 : 1).join(':');
    const where = `REFUND_GUARD_TOKENS entry ${index + 1}`;
    if (fields.length < 2 || !roles.includes(role)) throw new TokenSpecError(`${where}: must be role:token or role:name:token, with role one of ${roles.join(', ')}`);
    if (!namePattern.test(name)) throw new TokenSpecError(`${where}: the name must be 1-64 letters, digits or ._@-`);
    if (token.length < minTokenLength) throw new TokenSpecError(`${where}: the token must have ${minTokenLength}+ characters`);
    const entryDigest = digest(token);
    if (entries.some((e) => e.digest.equals(entryDigest))) throw new TokenSpecError(`${where}: the same token appears twice`);
    entries.push({ digest: entryDigest, caller: Object.freeze({ role, name }) });
  });
  if (entries.length === 0) {
    throw new TokenSpecError('REFUND_GUARD_TOKENS is set but holds no token; unset it (loopback-only open mode) or give role:token entries');
  }
  return {
    open: false,
    callerOf(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) return undefined;
      const presented = digest(match[1]!);
      let found: Caller | undefined;
      // Compare against every entry, so timing does not say which one matched.
      for (const entry of entries) if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.caller;
      return found;
    },
  };
}

const openTable: TokenTable = { open: true, callerOf: () => openModeCaller };

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
