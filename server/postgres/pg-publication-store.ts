import type { SourceFile } from '../../engine/index.js';
import type { Publication, PublicationHead, PublicationStore, PublishDecision } from '../policies/publication.js';
import { recordBundle } from './policy-bundles.js';
import { inTransaction, type PgClient, type PgPool } from './pool.js';

interface Row {
  seq: string;
  revision: string | null;
  versions: Record<string, number>;
  published_at: Date | null;
  published_by: string | null;
  bundle?: { files: SourceFile[] } | null;
}

/**
 * Published policy bundles in PostgreSQL: the content in policy_bundles (every revision ever
 * published), the one in force in the single row of policy_publication. A publisher locks that
 * row, so two reloads on two instances are checked one after the other, each against what the
 * other published.
 */
export class PgPublicationStore implements PublicationStore {
  readonly kind = 'postgres';

  constructor(private readonly pool: PgPool) {}

  async head(): Promise<PublicationHead | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT seq, revision FROM policy_publication WHERE id = 1');
    const row = rows[0];
    return row?.revision ? { seq: Number(row.seq), revision: row.revision } : undefined;
  }

  async current(): Promise<Publication | undefined> {
    return this.read(this.pool);
  }

  async publish<T>(decide: (current: Publication | undefined) => PublishDecision<T>): Promise<{ value: T; published?: Publication }> {
    return inTransaction(this.pool, async (client) => {
      // Lock first, read after: a read in the locking statement would join the other publisher's
      // policy_bundles row from the snapshot taken before that publisher committed (not there yet),
      // while a new statement sees everything committed before the lock was granted.
      await client.query('SELECT seq FROM policy_publication WHERE id = 1 FOR UPDATE');
      const current = await this.read(client);
      const { draft, value } = decide(current);
      if (draft === undefined) return { value };
      await recordBundle(client, draft.revision, draft.files, draft.versions);
      const seq = (current?.seq ?? 0) + 1;
      const { rows } = await client.query<{ published_at: Date }>(
        'UPDATE policy_publication SET seq = $1, revision = $2, versions = $3, published_at = now(), published_by = $4 WHERE id = 1 RETURNING published_at',
        [seq, draft.revision, JSON.stringify(draft.versions), draft.publishedBy],
      );
      return { value, published: { ...draft, seq, publishedAt: rows[0]!.published_at.toISOString() } };
    });
  }

  private async read(client: PgPool | PgClient): Promise<Publication | undefined> {
    const { rows } = await client.query<Row>(
      `SELECT p.seq, p.revision, p.versions, p.published_at, p.published_by, b.bundle
         FROM policy_publication p LEFT JOIN policy_bundles b ON b.revision = p.revision
        WHERE p.id = 1`,
    );
    const row = rows[0];
    if (!row?.revision || !row.bundle) return undefined;
    return {
      seq: Number(row.seq),
      revision: row.revision,
      versions: row.versions,
      files: row.bundle.files,
      publishedAt: (row.published_at ?? new Date(0)).toISOString(),
      publishedBy: row.published_by ?? '',
    };
  }
}
