import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, MigrationError } from '../server/postgres/migrate.js';
import { createPool, type PgPool } from '../server/postgres/pool.js';
import { createTestDatabase, type TestDatabase } from './support/test-postgres.js';

describe('versioned migrations', () => {
  let db: TestDatabase;
  const pools: PgPool[] = [];
  const pool = (): PgPool => {
    const p = createPool(db.url, { max: 2 });
    pools.push(p);
    return p;
  };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  it('instances starting at once apply each migration exactly once, under the advisory lock', async () => {
    const shipped = loadMigrations();
    expect(shipped.map((m) => m.version)).toEqual([...shipped.map((m) => m.version)].sort((a, b) => a - b));
    const results = await Promise.all([pool(), pool(), pool(), pool()].map((p) => migrate(p)));
    const appliedCounts = results.map((r) => r.applied.length).sort();
    expect(appliedCounts).toEqual([0, 0, 0, shipped.length]);
    for (const r of results) expect(r.version).toBe(shipped.at(-1)!.version);
    const p = pool();
    const { rows } = await p.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(shipped.map((m) => m.version));
    const tables = await p.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['events', 'cache_outbox', 'evidence_reports', 'complaints', 'restrictions', 'order_marks', 'audit_log', 'merchants', 'policy_bundles', 'decisions']),
    );
    expect((await migrate(p)).applied).toEqual([]);
  });

  it('a failing migration leaves neither its changes nor its version row', async () => {
    const p = pool();
    const broken = [...loadMigrations(), { version: 9001, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT no_such_column FROM events;' }];
    const err = await migrate(p, broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('migration_failed');
    expect((err as MigrationError).message).toContain('9001_broken');
    expect((await p.query("SELECT to_regclass('half_done') AS t")).rows[0].t).toBeNull();
    expect((await p.query('SELECT count(*)::int AS n FROM schema_migrations WHERE version = 9001')).rows[0].n).toBe(0);
  });

  it('refuses a database migrated by a newer release', async () => {
    const p = pool();
    await p.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')");
    try {
      const err = await migrate(p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as MigrationError).code).toBe('schema_too_new');
      expect((err as MigrationError).message).toContain('9999');
    } finally {
      await p.query('DELETE FROM schema_migrations WHERE version = 9999');
    }
  });

  it('carries the per-event outbox rows of an older schema over into one per-batch row, so the repair still applies them', async () => {
    const other = await createTestDatabase();
    const p = createPool(other.url, { max: 2 });
    try {
      const shipped = loadMigrations();
      await migrate(p, shipped.filter((m) => m.version < 3));
      await p.query(`INSERT INTO events (event_id, type, account_id, merchant_id, at, body)
        SELECT 'old-' || n, 'order.placed', 'a1', 'm1', now(), '{}' FROM generate_series(1, 3) AS n`);
      await p.query("INSERT INTO cache_outbox (seq) SELECT seq FROM events WHERE event_id IN ('old-1', 'old-3')");
      await migrate(p, shipped);
      const { rows } = await p.query<{ ids: string[] }>(
        'SELECT array_agg(e.event_id ORDER BY e.seq) AS ids FROM cache_outbox o CROSS JOIN LATERAL unnest(o.seqs) AS s(seq) JOIN events e ON e.seq = s.seq',
      );
      expect(rows[0]!.ids).toEqual(['old-1', 'old-3']);
      expect((await p.query('SELECT count(*)::int AS n FROM cache_outbox')).rows[0].n).toBe(1);
    } finally {
      await p.end();
      await other.drop();
    }
  });
});
