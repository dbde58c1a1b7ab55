import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { OwnPostgres, postgresBinDir } from './own-postgres.js';
import { OwnRedis } from './own-redis.js';
import { postgresAnswers, redisAnswers } from './service-probe.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A service the test run needs and cannot have: one line names it and how to get it. */
export class MissingServiceError extends Error {
  override readonly name = 'MissingServiceError';
}

export interface TestServices {
  /** What the tests must be told: REDIS_URL and TEST_POSTGRES_URL. */
  env: { REDIS_URL: string; TEST_POSTGRES_URL: string };
  /** One line per service: where it was found, or which private instance was started. */
  notes: string[];
  /** Stops whatever was started privately (nothing when the servers were already there). */
  stop(): Promise<void>;
}

function onPath(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  if (binary.includes('/')) return canRun(binary) ? binary : undefined;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir && canRun(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

function canRun(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the Redis and PostgreSQL the tests talk to: the ones at REDIS_URL / TEST_POSTGRES_URL
 * (defaults on 127.0.0.1) when they answer, otherwise private instances started from the installed
 * binaries on spare ports. With neither, it fails at once with a MissingServiceError naming what
 * is missing and how to get it, before any test could print a connection error.
 */
export async function prepareTestServices(env: NodeJS.ProcessEnv = process.env): Promise<TestServices> {
  const started: { stop(): Promise<void> }[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  };
  try {
    const notes: string[] = [];
    const redisUrl = env['REDIS_URL'] || DEFAULT_REDIS_URL;
    let REDIS_URL = redisUrl;
    if (!(await redisAnswers(redisUrl))) {
      const binary = onPath(env['REDIS_SERVER'] || 'redis-server', env);
      if (binary === undefined) {
        throw new MissingServiceError(`Redis: nothing answers on ${redisUrl} and redis-server is not installed; install it (apt-get install redis-server) or set REDIS_URL to a running Redis`);
      }
      const redis = await OwnRedis.start(binary);
      started.push(redis);
      REDIS_URL = redis.url;
      notes.push(`Redis: nothing answers on ${redisUrl}; started a private redis-server on ${redis.url}`);
    } else {
      notes.push(`Redis: using ${redisUrl}`);
    }

    const postgresUrl = env['TEST_POSTGRES_URL'] || DEFAULT_POSTGRES_URL;
    let TEST_POSTGRES_URL = postgresUrl;
    if (!(await postgresAnswers(postgresUrl))) {
      const bin = postgresBinDir(env);
      if (bin === undefined) {
        throw new MissingServiceError(`PostgreSQL: nothing answers on ${postgresUrl} and no initdb is installed under /usr/lib/postgresql/*/bin; install it (apt-get install postgresql), set PG_BIN to its bin directory, or set TEST_POSTGRES_URL to a running server`);
      }
      const pg = await OwnPostgres.start(bin);
      started.push(pg);
      TEST_POSTGRES_URL = pg.url;
      notes.push(`PostgreSQL: nothing answers on ${postgresUrl}; started a private cluster on ${pg.url}`);
    } else {
      notes.push(`PostgreSQL: using ${postgresUrl}`);
    }
    return { env: { REDIS_URL, TEST_POSTGRES_URL }, notes, stop };
  } catch (err) {
    await stop();
    if (err instanceof MissingServiceError) throw err;
    throw new MissingServiceError(`could not start a private test server: ${err instanceof Error ? err.message : String(err)}`);
  }
}
