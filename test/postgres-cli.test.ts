/** `refund-guard db migrate` and what `serve` says at start about where the data lives. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../server/cli/main.js';
import { deleteKeys, redisUrl } from './support/runtime.js';
import { spawnServer } from './support/spawned-server.js';
import { createTestDatabase, type TestDatabase } from './support/test-postgres.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const collect = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
};

describe('refund-guard db migrate', () => {
  it('applies the migrations once, then finds nothing to do', async () => {
    const first = collect();
    expect(await runCli(['db', 'migrate', '--postgres', db.url], first.io)).toBe(0);
    expect(first.out).toEqual(['applied 0001_system_of_record', 'schema at version 1']);
    const second = collect();
    expect(await runCli(['db', 'migrate', '--postgres', db.url], second.io)).toBe(0);
    expect(second.out).toEqual(['schema at version 1 (nothing to apply)']);
  });

  it('says what is missing without a URL, and what failed when the server does not answer', async () => {
    const saved = process.env['DATABASE_URL'];
    delete process.env['DATABASE_URL'];
    try {
      const none = collect();
      expect(await runCli(['db', 'migrate'], none.io)).toBe(2);
      expect(none.err.join('\n')).toContain('give --postgres URL or set DATABASE_URL');
    } finally {
      if (saved !== undefined) process.env['DATABASE_URL'] = saved;
    }
    const down = collect();
    expect(await runCli(['db', 'migrate', '--postgres', 'postgres://postgres@127.0.0.1:1/none'], down.io)).toBe(1);
    expect(down.err.join('\n')).toMatch(/^refund-guard: db migrate: .*ECONNREFUSED/);
  });
});

describe('serve says at start where the data lives', () => {
  it('with Redis alone: that Redis holds the only copy; with --postgres: that PostgreSQL is the system of record (migrated at start)', async () => {
    const prefix = `rgtest-cli-${randomUUID().slice(0, 8)}`;
    const other = await createTestDatabase();
    try {
      const alone = await spawnServer(['--redis', redisUrl, '--redis-prefix', prefix]);
      alone.child.kill('SIGTERM');
      await alone.exited;
      expect(alone.stderr()).toContain('Redis holds the only copy');

      const durable = await spawnServer(['--redis', redisUrl, '--redis-prefix', prefix], { DATABASE_URL: other.url });
      const events = await fetch(`${durable.baseUrl}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ eventId: 'cli-1', type: 'order.placed', at: '2027-01-01T00:00:00Z', accountId: 'a', merchantId: 'm', orderId: 'o', amount: 1 }] }),
      });
      expect(events.status).toBe(200);
      durable.child.kill('SIGTERM');
      await durable.exited;
      expect(durable.stderr()).toContain('system of record: PostgreSQL');
      expect(durable.stderr()).not.toContain('only copy');
      const check = collect();
      await runCli(['db', 'migrate', '--postgres', other.url], check.io);
      expect(check.out).toEqual(['schema at version 1 (nothing to apply)']);
    } finally {
      await other.drop();
      await deleteKeys(prefix);
    }
  });
});
