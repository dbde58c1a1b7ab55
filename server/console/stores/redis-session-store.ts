import type { Cluster, Redis } from 'ioredis';
import { roles, type Role } from '../../http/auth.js';
import { newSessionId, sessionKey, SESSION_IDLE_MS, type Person, type Session, type SessionStore } from './session-store.js';

/** Sessions as Redis strings that expire after the idle period; each touch renews the expiry (GETEX). */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix: string,
    private readonly idleMs = SESSION_IDLE_MS,
  ) {}

  async start(person: Person): Promise<Session> {
    const session: Session = { id: newSessionId(), role: person.role, name: person.name, startedAt: new Date().toISOString() };
    const { id: _id, ...stored } = session;
    await this.client.set(this.key(session.id), JSON.stringify(stored), 'PX', this.idleMs);
    return session;
  }

  async touch(id: string): Promise<Session | undefined> {
    const text = await this.client.getex(this.key(id), 'PX', this.idleMs);
    if (text === null) return undefined;
    const stored = JSON.parse(text) as { role: string; name: string; startedAt: string };
    // A value that is not one of ours (or a role since removed) is no session.
    if (!roles.includes(stored.role as Role) || typeof stored.name !== 'string') return undefined;
    return { id, role: stored.role as Role, name: stored.name, startedAt: stored.startedAt };
  }

  async end(id: string): Promise<void> {
    await this.client.del(this.key(id));
  }

  private key(id: string): string {
    return `${this.prefix}:console:session:${sessionKey(id)}`;
  }
}
