import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './own-redis.js';
import { postgresAnswers } from './service-probe.js';

const run = promisify(execFile);

/** Where Debian puts the server binaries; PG_BIN overrides, else the newest installed version. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['PG_BIN']) return existsSync(join(env['PG_BIN'], 'initdb')) ? env['PG_BIN'] : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/**
 * A PostgreSQL cluster of the test run's own: initdb into a temporary directory, pg_ctl start on a
 * spare loopback port, trust authentication for the `postgres` superuser. PostgreSQL refuses to
 * run as root, so as root the binaries run as the `postgres` system user.
 */
export class OwnPostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** initdb and start a new cluster (the binaries from postgresBinDir() unless given). */
  static async start(bin: string | undefined = postgresBinDir()): Promise<OwnPostgres> {
    if (bin === undefined) throw new Error('no PostgreSQL server binaries (apt-get install postgresql, or set PG_BIN)');
    const dir = mkdtempSync(join(tmpdir(), 'rg-pg-'));
    if (userInfo().uid === 0) {
      const ids = await run('id', ['-u', 'postgres']).then(
        async (uid) => ({ uid: Number(uid.stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) }),
        () => {
          throw new Error('PostgreSQL cannot run as root and there is no `postgres` user (apt-get install postgresql creates it)');
        },
      );
      chownSync(dir, ids.uid, ids.gid);
    }
    const pg = new OwnPostgres(await freePort(), dir, bin);
    try {
      await pg.asOwner('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
      await pg.start();
    } catch (err) {
      await pg.stop(); // leaves no cluster running and no directory behind
      throw err;
    }
    return pg;
  }

  /**
   * Starts the cluster again after kill(), on the same port, with the data it had. fsync is off (only
   * PostgreSQL crashes in these tests, never the machine), but commits stay synchronous: a kill must
   * not lose what was acknowledged.
   */
  async start(): Promise<void> {
    const settings = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40 -c shared_buffers=16MB`;
    await this.asOwner('pg_ctl', ['-D', join(this.dir, 'data'), '-o', settings, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
    if (!(await postgresAnswers(this.url))) throw new Error(`private PostgreSQL started but does not answer on port ${this.port}`);
  }

  /** Immediate shutdown: every backend exits at once, as in a crash; committed data stays for start(). */
  async kill(): Promise<void> {
    await this.asOwner('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  }

  /** Stops the cluster and removes its directory: the end of its life (as OwnRedis.stop). */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async asOwner(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    const [file, argv] = userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    try {
      await run(file, argv, { cwd: this.dir });
    } catch (err) {
      const detail = (err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? String(err);
      throw new Error(`${tool} failed: ${detail}`);
    }
  }
}
