import { randomUUID } from 'node:crypto';
import pg from 'pg';

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
