import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './own-redis.js';

const bin = (name: string): string => `/usr/lib/postgresql/15/bin/${name}`;

/** The postgres account's ids: PostgreSQL refuses to run as root. */
function postgresUser(): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
}

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, a spare loopback port,
 * run as the postgres user), so a test may take it down and bring it back.
 */
export class OwnPostgres {
  private child: ChildProcess | undefined;
  private readonly user = postgresUser();

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'rg-pg-'));
    const server = new OwnPostgres(await freePort(), dir);
    chownSync(dir, server.user.uid, server.user.gid);
    execFileSync(bin('initdb'), ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '--no-instructions'], { ...server.user, stdio: 'ignore' });
    await server.start();
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  async start(): Promise<void> {
    const args = ['-D', this.dataDir, '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=40', '-c', 'shared_buffers=16MB'];
    this.child = spawn(bin('postgres'), args, { ...this.user, stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 500 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw new Error(`postgres did not start on port ${this.port}`);
  }

  /** Immediate shutdown (SIGQUIT): every backend exits at once, as in a crash; committed data stays. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGQUIT');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
