import {
  encodeCursor,
  keyBounds,
  maxOrderRecords,
  sortKey,
  sortTimeOf,
  type Complaint,
  type EvidenceReport,
  type ListQuery,
  type Page,
  type RecordStore,
  type OrderRecord,
  type WorkflowStore,
} from '../../engine/workflows/index.js';
import type { PgPool } from './pool.js';

/**
 * Workflow records (the case files) in PostgreSQL, one table per kind: the record as jsonb, its
 * status and its fixed sort key "<15-digit ms>|<id>" (collation "C", so the order is the
 * Redis store's lexical order and cursors are interchangeable).
 */
export class PgRecordStore<T extends OrderRecord> implements RecordStore<T> {
  constructor(
    private readonly pool: PgPool,
    private readonly table: 'evidence_reports' | 'complaints',
    private readonly sortTime: (record: T) => number,
  ) {}

  async create(record: T): Promise<{ record: T; created: boolean }> {
    const inserted = await this.pool.query<{ record: T }>(
      `INSERT INTO ${this.table} (id, status, sort_key, record) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING record`,
      [record.id, record.status, sortKey(this.sortTime(record), record.id), JSON.stringify(record)],
    );
    if (inserted.rows.length === 1) return { record: inserted.rows[0]!.record, created: true };
    const stored = await this.get(record.id);
    // Deleted between the two statements: records are never deleted, so this is a broken database.
    if (stored === undefined) throw new Error(`${this.table} ${record.id} conflicted on insert but cannot be read`);
    return { record: stored, created: false };
  }

  async get(id: string): Promise<T | undefined> {
    const { rows } = await this.pool.query<{ record: T }>(`SELECT record FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0]?.record;
  }

  async replace(next: T, expected: T['status']): Promise<{ record: T; replaced: boolean } | undefined> {
    // One statement: the status check and the write cannot be split by a concurrent appraisal.
    const updated = await this.pool.query<{ record: T }>(
      `UPDATE ${this.table} SET status = $2, record = $3 WHERE id = $1 AND status = $4 RETURNING record`,
      [next.id, next.status, JSON.stringify(next), expected],
    );
    if (updated.rows.length === 1) return { record: updated.rows[0]!.record, replaced: true };
    const stored = await this.get(next.id);
    return stored === undefined ? undefined : { record: stored, replaced: false };
  }

  async list(query: ListQuery<T['status']>): Promise<Page<T>> {
    const { where, params } = this.range(query);
    params.push(query.limit + 1);
    const { rows } = await this.pool.query<{ record: T; sort_key: string }>(
      `SELECT record, sort_key FROM ${this.table} WHERE ${where} ORDER BY sort_key LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    return { records: page.map((r) => r.record), nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.sort_key) : null };
  }

  async count(query: Omit<ListQuery<T['status']>, 'limit' | 'cursor'>): Promise<number> {
    const { where, params } = this.range(query);
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table} WHERE ${where}`, params);
    return Number(rows[0]!.n);
  }

  async forOrder(accountId: string, orderId: string, limit: number): Promise<T[]> {
    const n = Math.max(0, Math.min(limit, maxOrderRecords));
    if (n === 0) return [];
    // The newest n, returned oldest first (migration 0002 indexes accountId, orderId, sort_key).
    const { rows } = await this.pool.query<{ record: T }>(
      `SELECT record FROM (SELECT record, sort_key FROM ${this.table} WHERE record->>'accountId' = $1 AND record->>'orderId' = $2 ORDER BY sort_key DESC LIMIT $3) newest ORDER BY sort_key`,
      [accountId, orderId, n],
    );
    return rows.map((r) => r.record);
  }

  private range(query: Omit<ListQuery<T['status']>, 'limit'>): { where: string; params: unknown[] } {
    const { min, minExclusive, maxExclusive } = keyBounds(query);
    const params: unknown[] = [min];
    const clauses = [minExclusive ? 'sort_key > $1' : 'sort_key >= $1'];
    if (maxExclusive !== undefined) {
      params.push(maxExclusive);
      clauses.push(`sort_key < $${params.length}`);
    }
    if (query.status !== undefined) {
      params.push(query.status);
      clauses.push(`status = $${params.length}`);
    }
    return { where: clauses.join(' AND '), params };
  }
}

export class PgWorkflowStore implements WorkflowStore {
  readonly reports: PgRecordStore<EvidenceReport>;
  readonly complaints: PgRecordStore<Complaint>;

  constructor(pool: PgPool) {
    this.reports = new PgRecordStore<EvidenceReport>(pool, 'evidence_reports', sortTimeOf.reports);
    this.complaints = new PgRecordStore<Complaint>(pool, 'complaints', sortTimeOf.complaints);
  }
}
