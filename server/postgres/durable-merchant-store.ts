import { mergeMerchant, type MerchantState, type MerchantStore, type MerchantUpdate } from '../../engine/index.js';
import { inTransaction, type PgPool } from './pool.js';

/**
 * Merchant settings and cohorts: merged and committed in PostgreSQL, then written whole to the
 * cache (so a cache that lost the merchant gets all of it back, not just this update). Reads stay
 * on the cache: merchant settings are read on the decision path.
 */
export class DurableMerchantStore implements MerchantStore {
  constructor(
    private readonly pool: PgPool,
    private readonly cache: MerchantStore,
    /** As in DurableAccountStateStore: a failed cache write after the commit marks the cache for a rebuild instead of failing. */
    private readonly onCacheStale?: (err: unknown) => void,
  ) {}

  get(merchantId: string): Promise<MerchantState | undefined> {
    return this.cache.get(merchantId);
  }

  async put(merchantId: string, update: MerchantUpdate, at: string): Promise<MerchantState> {
    const next = await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ state: MerchantState }>('SELECT state FROM merchants WHERE id = $1 FOR UPDATE', [merchantId]);
      const merged = mergeMerchant(merchantId, rows[0]?.state, update, at);
      await client.query(
        'INSERT INTO merchants (id, updated_at, state) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET updated_at = EXCLUDED.updated_at, state = EXCLUDED.state',
        [merchantId, merged.updatedAt ?? at, JSON.stringify(merged)],
      );
      // A change a person made is audited with their name, in the same transaction.
      if (update.by !== undefined) {
        await client.query('INSERT INTO audit_log (kind, subject_id, record) VALUES ($1, $2, $3)', ['merchant.updated', merchantId, JSON.stringify(merged)]);
      }
      return merged;
    });
    try {
      await this.cache.put(merchantId, { settings: next.settings, cohorts: next.cohorts, ...(next.category !== undefined ? { category: next.category } : {}), ...(update.by !== undefined ? { by: update.by } : {}) }, at);
    } catch (err) {
      if (this.onCacheStale === undefined) throw err;
      this.onCacheStale(err);
    }
    return next;
  }

  /** What PostgreSQL holds (rebuilds and tests). */
  async stored(merchantId: string): Promise<MerchantState | undefined> {
    const { rows } = await this.pool.query<{ state: MerchantState }>('SELECT state FROM merchants WHERE id = $1', [merchantId]);
    return rows[0]?.state;
  }
}
