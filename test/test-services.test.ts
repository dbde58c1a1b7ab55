import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { postgresBinDir } from './support/own-postgres.js';
import { freePort } from './support/own-redis.js';
import { hostAndPort, postgresAnswers, redisAnswers } from './support/service-probe.js';
import { MissingServiceError, prepareTestServices } from './support/test-services.js';

const run = promisify(execFile);

/** Process ids whose command line names this server binary and port (none once it is stopped). */
function serverProcesses(binary: string, port: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) continue; // exited, not yet reaped
    } catch {
      continue; // exited while we looked
    }
    if (cmdline.includes(binary) && new RegExp(`(--port |-p |:)${port}\\b`).test(cmdline)) found.push(Number(entry));
  }
  return found;
}

/** An address where nothing answers: a port just found free. */
const deadUrl = async (scheme: 'redis' | 'postgres'): Promise<string> =>
  scheme === 'redis' ? `redis://127.0.0.1:${await freePort()}` : `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;

describe('the test run finds or starts its Redis and PostgreSQL', () => {
  it('hands this run the URLs its global setup settled on, through env and inject alike', async () => {
    expect(process.env['REDIS_URL']).toBe(inject('REDIS_URL'));
    expect(process.env['TEST_POSTGRES_URL']).toBe(inject('TEST_POSTGRES_URL'));
    expect(await redisAnswers(inject('REDIS_URL'))).toBe(true);
    expect(await postgresAnswers(inject('TEST_POSTGRES_URL'))).toBe(true);
  });

  it('uses servers that answer and starts nothing', async () => {
    const services = await prepareTestServices({ ...process.env, REDIS_URL: inject('REDIS_URL'), TEST_POSTGRES_URL: inject('TEST_POSTGRES_URL') });
    expect(services.env).toEqual({ REDIS_URL: inject('REDIS_URL'), TEST_POSTGRES_URL: inject('TEST_POSTGRES_URL') });
    expect(services.notes.every((n) => n.includes('using'))).toBe(true);
    await services.stop();
    expect(await redisAnswers(inject('REDIS_URL'))).toBe(true);
  });

  it('starts a private redis-server when nothing answers, and stops it afterwards', async () => {
    const dead = await deadUrl('redis');
    expect(await redisAnswers(dead)).toBe(false);
    const services = await prepareTestServices({ ...process.env, REDIS_URL: dead, TEST_POSTGRES_URL: inject('TEST_POSTGRES_URL') });
    const { port } = hostAndPort(services.env.REDIS_URL, 6379);
    try {
      expect(services.env.REDIS_URL).not.toBe(dead);
      expect(services.env.REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(await redisAnswers(services.env.REDIS_URL)).toBe(true);
      expect(serverProcesses('redis-server', port)).toHaveLength(1);
      expect(services.notes[0]).toBe(`Redis: nothing answers on ${dead}; started a private redis-server on ${services.env.REDIS_URL}`);
    } finally {
      await services.stop();
    }
    expect(await redisAnswers(services.env.REDIS_URL)).toBe(false);
    expect(serverProcesses('redis-server', port)).toEqual([]);
  });

  it.skipIf(postgresBinDir() === undefined)('starts a private PostgreSQL cluster when nothing answers, where a database can be created and dropped, and stops it', async () => {
    const dead = await deadUrl('postgres');
    const services = await prepareTestServices({ ...process.env, REDIS_URL: inject('REDIS_URL'), TEST_POSTGRES_URL: dead });
    const { port } = hostAndPort(services.env.TEST_POSTGRES_URL, 5432);
    const bin = postgresBinDir()!;
    try {
      expect(services.env.TEST_POSTGRES_URL).toBe(`postgres://postgres@127.0.0.1:${port}/postgres`);
      expect(port).not.toBe(hostAndPort(dead, 5432).port);
      expect(await postgresAnswers(services.env.TEST_POSTGRES_URL)).toBe(true);
      // The contract for tests: the admin URL may create a database per run and drop it afterwards.
      const as = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
      await run(`${bin}/createdb`, [...as, 'rg_probe']);
      await run(`${bin}/dropdb`, [...as, 'rg_probe']);
      expect(serverProcesses('postgres', port).length).toBeGreaterThan(0);
    } finally {
      await services.stop();
    }
    expect(await postgresAnswers(services.env.TEST_POSTGRES_URL)).toBe(false);
    expect(serverProcesses('postgres', port)).toEqual([]);
  }, 90_000);

  it('fails at once with one line naming what is missing and how to get it', async () => {
    const noRedis = prepareTestServices({ ...process.env, REDIS_URL: await deadUrl('redis'), REDIS_SERVER: '/nonexistent/redis-server' });
    await expect(noRedis).rejects.toThrow(MissingServiceError);
    await expect(noRedis).rejects.toThrow(/^Redis: nothing answers on redis:\/\/127\.0\.0\.1:\d+ and redis-server is not installed; install it \(apt-get install redis-server\) or set REDIS_URL to a running Redis$/);
    const noPostgres = prepareTestServices({ ...process.env, REDIS_URL: inject('REDIS_URL'), TEST_POSTGRES_URL: await deadUrl('postgres'), PG_BIN: '/nonexistent' });
    await expect(noPostgres).rejects.toThrow(/^PostgreSQL: nothing answers on .* install it \(apt-get install postgresql\)/);
  });

  it('stops `vitest run` before any test with that one line, never a wall of connection errors', async () => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/server-redis.test.ts', '--reporter=default'], {
      env: { ...process.env, REDIS_URL: await deadUrl('redis'), REDIS_SERVER: '/nonexistent/redis-server', NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = output.split('\n').filter((l) => l.trim() !== '' && !/^\s*RUN\s+v/.test(l));
    expect(lines).toEqual([expect.stringMatching(/^npm test cannot run: Redis: nothing answers on .* \(apt-get install redis-server\)/)]);
    expect(output).not.toMatch(/ECONNREFUSED|Error:/);
  }, 60_000);

  it('runs Redis tests under `vitest run` against a private redis-server when nothing answers, and stops it afterwards', async () => {
    const dead = await deadUrl('redis');
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/workflow-store-contract.test.ts', '--reporter=default'], {
      env: { ...process.env, REDIS_URL: dead, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    const started = /started a private redis-server on (redis:\/\/127\.0\.0\.1:(\d+))/.exec(output);
    expect(started, output).not.toBeNull();
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(await redisAnswers(started![1]!)).toBe(false);
    expect(serverProcesses('redis-server', Number(started![2]))).toEqual([]);
  }, 90_000);
});
