import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../server/postgres/migrate.js';
import { createPool, type PgPool } from '../../server/postgres/pool.js';

/** The server tests create their databases on (the vitest globalSetup / .ci/run make sure one answers). */
export const adminPostgresUrl = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** The URL of database `name` on the server of `base`. */
export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty database of the test's own, dropped (connections and all) by drop(). */
export async function createTestDatabase(base: string = adminPostgresUrl): Promise<TestDatabase> {
  const name = `rgtest_${process.pid}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  return {
    name,
    url: databaseUrl(base, name),
    drop: () => adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(base: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let schemas = 0;

/**
 * A pool on a new schema of `db`, migrated: each store under test starts empty without a database
 * of its own. The pool ends with closeSchemaPools().
 */
export async function migratedSchemaPool(db: TestDatabase): Promise<PgPool> {
  const schema = `s${++schemas}`;
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const pool = createPool(db.url, { max: 4, schema });
  openPools.push(pool);
  await migrate(pool);
  return pool;
}

const openPools: PgPool[] = [];

export async function closeSchemaPools(): Promise<void> {
  await Promise.all(openPools.splice(0).map((pool) => pool.end()));
}

interface SuiteHooks {
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>, timeout?: number): void;
}

/**
 * A database for one test file, dropped after it, and a maker of migrated schema pools on it
 * (each store under test starts empty); the pools end before the database is dropped.
 */
export function schemaPoolsForSuite(hooks: SuiteHooks): () => Promise<PgPool> {
  let db: TestDatabase | undefined;
  hooks.beforeAll(async () => {
    db = await createTestDatabase();
  });
  hooks.afterAll(async () => {
    await closeSchemaPools();
    await db?.drop();
  });
  return () => {
    if (db === undefined) throw new Error('schemaPoolsForSuite: used before its beforeAll ran');
    return migratedSchemaPool(db);
  };
}
