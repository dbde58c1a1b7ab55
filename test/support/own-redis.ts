import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAnswers } from './service-probe.js';
import { until } from './until.js';

/**
 * A redis-server of the test's own on a spare loopback port, so the test may kill and restart it.
 * The test run's global setup uses it too, for a private Redis when none answers.
 */
export class OwnRedis {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'rg-redis-'));
  constructor(
    readonly port: number,
    readonly binary = 'redis-server',
  ) {}

  static async start(binary = 'redis-server'): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort(), binary);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The running server's process id (undefined when it is not running). */
  get pid(): number | undefined {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  async start(): Promise<void> {
    const child = spawn(this.binary, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    this.child = child;
    let failure: Error | undefined;
    child.once('error', (err) => (failure = err));
    child.once('exit', (code, signal) => (failure ??= new Error(`${this.binary} exited (${signal ?? code}) before answering on port ${this.port}`)));
    await until(`${this.binary} on port ${this.port}`, async () => {
      if (failure) throw failure;
      return redisAnswers(this.url, 500);
    });
  }

  /** SIGKILL: the abrupt way Redis goes away in production. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Kills the server and removes its directory: the end of its life. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
