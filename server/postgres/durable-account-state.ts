import type { AccountStateStore, RestrictionAuditEntry, RestrictionLift } from '../../engine/index.js';
import type { OrderMark } from '../../engine/state/orders.js';
import type { Restriction } from '../../engine/state/restrictions.js';
import { inTransaction, type PgClient, type PgPool } from './pool.js';

/**
 * Restrictions, their lifts, the audit trail and order marks: committed in PostgreSQL first, then
 * applied to the cache the decisions read. Reads of restrictions come from PostgreSQL (they are
 * not on the decision path), so they survive a cache loss.
 */
export class DurableAccountStateStore implements AccountStateStore {
  constructor(
    private readonly pool: PgPool,
    private readonly cache: AccountStateStore,
    /** Awaited before a restriction is stored: the decision that made it is durable first. */
    private readonly beforeRestriction: (restriction: Restriction) => Promise<void> = async () => undefined,
    /**
     * A cache write failed after the commit. Given: the write still succeeds (it is in PostgreSQL) and
     * this is told, so the cache gets rebuilt once it answers; not given: the failure is thrown.
     */
    private readonly onCacheStale?: (err: unknown) => void,
  ) {}

  private async toCache(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (this.onCacheStale === undefined) throw err;
      this.onCacheStale(err);
    }
  }

  async addRestriction(restriction: Restriction): Promise<{ restriction: Restriction; created: boolean }> {
    await this.beforeRestriction(restriction);
    const result = await inTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO restrictions (id, account_id, created_at, expires_at, lifted_at, record) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [restriction.id, restriction.accountId, restriction.createdAt, restriction.expiresAt, restriction.liftedAt ?? null, JSON.stringify(restriction)],
      );
      if (inserted.rowCount === 1) {
        await audit(client, 'restriction.created', restriction);
        return { restriction, created: true };
      }
      const stored = await client.query<{ record: Restriction }>('SELECT record FROM restrictions WHERE id = $1', [restriction.id]);
      return { restriction: stored.rows[0]!.record, created: false };
    });
    await this.toCache(() => this.cache.addRestriction(result.restriction));
    return result;
  }

  async getRestriction(id: string): Promise<Restriction | undefined> {
    const { rows } = await this.pool.query<{ record: Restriction }>('SELECT record FROM restrictions WHERE id = $1', [id]);
    return rows[0]?.record;
  }

  async listRestrictions(accountId: string): Promise<Restriction[]> {
    const { rows } = await this.pool.query<{ record: Restriction }>('SELECT record FROM restrictions WHERE account_id = $1 ORDER BY created_at, id', [accountId]);
    return rows.map((r) => r.record);
  }

  async liftRestriction(id: string, lift: RestrictionLift): Promise<Restriction | undefined> {
    const lifted = await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ record: Restriction }>('SELECT record FROM restrictions WHERE id = $1 FOR UPDATE', [id]);
      const current = rows[0]?.record;
      if (current === undefined || current.status === 'lifted') return current;
      const next: Restriction = { ...current, status: 'lifted', liftedAt: lift.at, liftedBy: lift.by, liftReason: lift.reason };
      await client.query('UPDATE restrictions SET lifted_at = $2, record = $3 WHERE id = $1', [id, lift.at, JSON.stringify(next)]);
      await audit(client, 'restriction.lifted', next);
      return next;
    });
    if (lifted === undefined) return undefined;
    // A cache that lost the restriction gets it back as PostgreSQL holds it.
    await this.toCache(async () => {
      if ((await this.cache.liftRestriction(id, lift)) === undefined) await this.cache.addRestriction(lifted);
    });
    return lifted;
  }

  /** Every change to restrictions, oldest first (of one account, or all), as PostgreSQL recorded it. */
  async auditTrail(accountId?: string): Promise<RestrictionAuditEntry[]> {
    const { rows } = await this.pool.query<{ kind: RestrictionAuditEntry['kind']; subject_id: string; account_id: string; record: Restriction }>(
      'SELECT kind, subject_id, account_id, record FROM audit_log WHERE ($1::text IS NULL OR account_id = $1) ORDER BY seq',
      [accountId ?? null],
    );
    return rows.map((r) => ({ kind: r.kind, id: r.subject_id, accountId: r.account_id, record: r.record }));
  }

  async markOrder(accountId: string, orderId: string, mark: OrderMark, at: number): Promise<void> {
    // The earliest time of a mark wins, as in the cache: re-sends and replays converge.
    await this.pool.query(
      `INSERT INTO order_marks (account_id, order_id, mark, at_ms) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, order_id, mark) DO UPDATE SET at_ms = LEAST(order_marks.at_ms, EXCLUDED.at_ms)`,
      [accountId, orderId, mark, at],
    );
    await this.toCache(() => this.cache.markOrder(accountId, orderId, mark, at));
  }
}

async function audit(client: PgClient, kind: 'restriction.created' | 'restriction.lifted', restriction: Restriction): Promise<void> {
  await client.query('INSERT INTO audit_log (kind, subject_id, account_id, record) VALUES ($1, $2, $3, $4)', [kind, restriction.id, restriction.accountId, JSON.stringify(restriction)]);
}
