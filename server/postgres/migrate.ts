import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PgPool } from './pool.js';

/** The shipped migrations: plain SQL files named NNNN_what.sql, applied in version order. */
export const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Key of the session-level advisory lock every migrating instance takes (any fixed 64-bit number). */
export const MIGRATION_LOCK_KEY = 7_211_020_001n;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    readonly code: 'bad_migration_name' | 'schema_too_new' | 'migration_failed',
    message: string,
  ) {
    super(message);
  }
}

export function loadMigrations(dir: string = migrationsDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match) throw new MigrationError('bad_migration_name', `${dir}${file}: a migration is named NNNN_lowercase_name.sql`);
      return { version: Number(match[1]), name: match[2]!, sql: readFileSync(`${dir}${file}`, 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) throw new MigrationError('bad_migration_name', `${dir}: two migrations have version ${migrations[i]!.version}`);
  }
  return migrations;
}

/**
 * Brings the schema up to date. Instances starting together serialise on one advisory lock: the
 * first applies what is missing, each one after it finds nothing left to do. Every migration runs
 * in its own transaction with its row in schema_migrations, so a failed one leaves no trace.
 */
export async function migrate(pool: PgPool, migrations: readonly Migration[] = loadMigrations()): Promise<{ applied: Migration[]; version: number }> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      const done = new Set(rows.map((r) => r.version));
      const known = new Set(migrations.map((m) => m.version));
      const unknown = rows.filter((r) => !known.has(r.version)).map((r) => r.version);
      if (unknown.length > 0) {
        throw new MigrationError('schema_too_new', `the database has migration ${unknown.join(', ')} that this release does not know; run a release at least as new as the one that applied it`);
      }
      const applied: Migration[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        try {
          await client.query('BEGIN');
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new MigrationError('migration_failed', `migration ${String(migration.version).padStart(4, '0')}_${migration.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
        applied.push(migration);
      }
      const version = Math.max(0, ...done, ...applied.map((m) => m.version));
      return { applied, version };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    client.release(failed);
  }
}
