import type { SourceFile } from '../../engine/bundle/sources.js';
import type { PgPool } from './pool.js';

/**
 * Every policy bundle an instance activated, by revision, with its source files: what was in force
 * when, and what other instances (scale-out) can load the same bundle from.
 */
export async function publishBundle(pool: PgPool, revision: string, sources: readonly SourceFile[]): Promise<boolean> {
  const { rowCount } = await pool.query('INSERT INTO policy_bundles (revision, bundle) VALUES ($1, $2) ON CONFLICT (revision) DO NOTHING', [
    revision,
    JSON.stringify({ files: sources.map((s) => ({ path: s.path, text: s.text })) }),
  ]);
  return rowCount === 1;
}

export async function publishedBundle(pool: PgPool, revision: string): Promise<{ publishedAt: string; files: SourceFile[] } | undefined> {
  const { rows } = await pool.query<{ published_at: Date; bundle: { files: SourceFile[] } }>('SELECT published_at, bundle FROM policy_bundles WHERE revision = $1', [revision]);
  const row = rows[0];
  return row && { publishedAt: row.published_at.toISOString(), files: row.bundle.files };
}
