import type { SourceFile } from '../../engine/bundle/sources.js';
import type { PgClient, PgPool } from './pool.js';

/**
 * Every policy bundle an instance activated or published, by revision, with its source files and
 * policy versions: what was in force when, and what other instances load the published one from
 * (pg-publication-store.ts).
 */
export async function publishBundle(pool: PgPool, revision: string, sources: readonly SourceFile[]): Promise<boolean> {
  return recordBundle(pool, revision, sources);
}

export async function recordBundle(client: PgPool | PgClient, revision: string, sources: readonly SourceFile[], versions?: Record<string, number>): Promise<boolean> {
  const { rowCount } = await client.query('INSERT INTO policy_bundles (revision, bundle) VALUES ($1, $2) ON CONFLICT (revision) DO NOTHING', [
    revision,
    JSON.stringify({ files: sources.map((s) => ({ path: s.path, text: s.text })), ...(versions !== undefined ? { versions } : {}) }),
  ]);
  return rowCount === 1;
}

export async function publishedBundle(pool: PgPool, revision: string): Promise<{ publishedAt: string; files: SourceFile[] } | undefined> {
  const { rows } = await pool.query<{ published_at: Date; bundle: { files: SourceFile[] } }>('SELECT published_at, bundle FROM policy_bundles WHERE revision = $1', [revision]);
  const row = rows[0];
  return row && { publishedAt: row.published_at.toISOString(), files: row.bundle.files };
}
