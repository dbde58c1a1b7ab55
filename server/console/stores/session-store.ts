import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../../http/auth.js';

/** A signed-in person: who the audit trail names, and what they may do. */
export interface Person {
  role: Role;
  name: string;
}

export interface Session extends Person {
  /** The cookie value; the store keeps only its digest as the key. */
  id: string;
  startedAt: string;
}

/** Sessions end after this long without a request (the console's 30-minute idle rule). */
export const SESSION_IDLE_MS = 30 * 60_000;

/**
 * Server-side console sessions. Every successful `touch` renews the idle period; `end` removes the
 * session so its cookie stops working at once. Memory and Redis implement it and share one contract
 * test (test/console-session-store-contract.test.ts).
 */
export interface SessionStore {
  start(person: Person): Promise<Session>;
  /** The session while it has been used within the idle period (renewing it), else undefined. */
  touch(id: string): Promise<Session | undefined>;
  end(id: string): Promise<void>;
}

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Stores key sessions by a digest of the cookie value, so a dump of the store holds no usable cookie. */
export function sessionKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, { session: Session; lastUsed: number }>();
  constructor(
    private readonly idleMs = SESSION_IDLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async start(person: Person): Promise<Session> {
    const session: Session = { id: newSessionId(), role: person.role, name: person.name, startedAt: new Date(this.now()).toISOString() };
    this.sweep();
    this.sessions.set(sessionKey(session.id), { session, lastUsed: this.now() });
    return { ...session };
  }

  async touch(id: string): Promise<Session | undefined> {
    const key = sessionKey(id);
    const entry = this.sessions.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.lastUsed >= this.idleMs) {
      this.sessions.delete(key);
      return undefined;
    }
    entry.lastUsed = this.now();
    return { ...entry.session };
  }

  async end(id: string): Promise<void> {
    this.sessions.delete(sessionKey(id));
  }

  /** Drops idle sessions when a new one starts, so abandoned sessions do not pile up. */
  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.sessions) if (now - entry.lastUsed >= this.idleMs) this.sessions.delete(key);
  }
}
