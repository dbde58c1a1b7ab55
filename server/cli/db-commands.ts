import { parseArgs } from 'node:util';
import { migrate, MigrationError } from '../postgres/migrate.js';
import { createPool } from '../postgres/pool.js';
import { UsageError, type CommandIO } from './io.js';

/** The PostgreSQL URL from --postgres or DATABASE_URL. */
export function postgresUrlOf(flag: string | undefined): string {
  const url = flag ?? process.env['DATABASE_URL'];
  if (url === undefined || url === '') throw new UsageError('give --postgres URL or set DATABASE_URL');
  return url;
}

/** `refund-guard db migrate`: applies the missing migrations (under the same advisory lock the server takes). */
export async function dbMigrateCommand(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({ args, options: { postgres: { type: 'string' } } });
  const pool = createPool(postgresUrlOf(values.postgres), { max: 1 });
  try {
    const { applied, version } = await migrate(pool);
    for (const m of applied) io.out(`applied ${String(m.version).padStart(4, '0')}_${m.name}`);
    io.out(`schema at version ${version}${applied.length === 0 ? ' (nothing to apply)' : ''}`);
    return 0;
  } catch (err) {
    io.err(`refund-guard: db migrate: ${err instanceof MigrationError ? `${err.code}: ` : ''}${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
