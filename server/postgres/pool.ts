import pg from 'pg';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

/**
 * The server's pool. Connections fail fast (a write answers 503 rather than hanging) and the pool
 * reconnects on its own, so writes come back without a restart when PostgreSQL does.
 */
export function createPool(url: string, options: { max?: number; connectTimeoutMs?: number; statementTimeoutMs?: number; schema?: string } = {}): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 8,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    idleTimeoutMillis: 30_000,
    ...(options.statementTimeoutMs !== undefined ? { query_timeout: options.statementTimeoutMs } : {}),
    application_name: 'refund-guard',
    // A schema of its own (tests share one database this way); the tables are then created and found there.
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its server (PostgreSQL restarted) emits here; the pool drops it and the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `work` in one transaction on one pooled connection; rolls back on any error. */
export async function inTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    // After a failure the connection may be half-broken (server gone): discard it rather than reuse it.
    client.release(failed);
  }
}
