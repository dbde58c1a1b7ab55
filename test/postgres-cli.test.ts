/** `refund-guard db migrate` and what `serve` says at start about where the data lives. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startHarness } from './support/workflow-harness.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../server/cli/main.js';
import { deleteKeys, redisUrl, startTestRuntime } from './support/runtime.js';
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
    expect(first.out).toEqual(['applied 0001_system_of_record', 'applied 0002_records_by_order', 'applied 0003_outbox_per_batch', 'applied 0004_policy_publication', 'schema at version 4']);
    const second = collect();
    expect(await runCli(['db', 'migrate', '--postgres', db.url], second.io)).toBe(0);
    expect(second.out).toEqual(['schema at version 4 (nothing to apply)']);
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

/** The notice follows the "listening" line: wait for it before signalling (a SIGTERM before the handler is installed ends the process at once). */
async function saidWithin(server: { stderr(): string }, text: string, ms = 10_000): Promise<void> {
  for (const until = Date.now() + ms; !server.stderr().includes(text) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
}

describe('serve says at start where the data lives', () => {
  it('with Redis alone: that Redis holds the only copy; with --postgres: that PostgreSQL is the system of record (migrated at start)', async () => {
    const prefix = `rgtest-cli-${randomUUID().slice(0, 8)}`;
    const other = await createTestDatabase();
    try {
      const alone = await spawnServer(['--redis', redisUrl, '--redis-prefix', prefix]);
      await saidWithin(alone, 'only copy');
      alone.child.kill('SIGTERM');
      await alone.exited;
      expect(alone.stderr()).toContain('Redis holds the only copy');

      const durable = await spawnServer(['--redis', redisUrl, '--redis-prefix', prefix], { DATABASE_URL: other.url });
      await saidWithin(durable, 'system of record');
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
      expect(check.out).toEqual(['schema at version 4 (nothing to apply)']);
    } finally {
      await other.drop();
      await deleteKeys(prefix);
    }
  });
});

describe('refund-guard history export and features rebuild', () => {
  const placed = (n: number, at: string) => ({ eventId: `hx-${n}`, type: 'order.placed', at, accountId: `hx-a${n % 2}`, merchantId: 'm1', orderId: `hx-o${n}`, amount: 10 + n });

  it('exports the event log as a history file in time order, from --since on, each event as it was sent', async () => {
    const h = await startHarness({ postgres: true });
    try {
      const sent = [placed(1, '2027-01-05T00:00:00Z'), placed(2, '2027-01-02T00:00:00Z'), placed(3, '2027-01-09T00:00:00Z'), placed(4, '2027-01-03T00:00:00Z')];
      await h.events(sent.slice(0, 2));
      await h.events(sent.slice(2));
      const url = h.runtime.systemOfRecord!.pool.options.connectionString!;
      const dir = mkdtempSync(join(tmpdir(), 'rg-export-'));
      const all = collect();
      expect(await runCli(['history', 'export', '--postgres', url, '--out', join(dir, 'all.ndjson')], all.io)).toBe(0);
      const lines = readFileSync(join(dir, 'all.ndjson'), 'utf8').trimEnd().split('\n');
      expect(lines).toEqual([sent[1], sent[3], sent[0], sent[2]].map((e) => JSON.stringify(e)));
      expect(all.err).toEqual([`exported 4 events to ${join(dir, 'all.ndjson')}`]);
      const recent = collect();
      expect(await runCli(['history', 'export', '--postgres', url, '--since', '2027-01-04', '--out', join(dir, 'recent.ndjson')], recent.io)).toBe(0);
      expect(readFileSync(join(dir, 'recent.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l).eventId)).toEqual(['hx-1', 'hx-3']);
      const bad = collect();
      expect(await runCli(['history', 'export', '--postgres', url, '--since', 'yesterday-ish', '--out', join(dir, 'x')], bad.io)).toBe(2);
      expect(bad.err.join('')).toContain('--since must be a date');
    } finally {
      await h.close();
    }
  });

  it('labels refund requests from the recorded outcomes with --labels outcomes (upheld complaint, forged verdict: abuse; dismissed, genuine: legit)', async () => {
    const h = await startHarness({ postgres: true });
    try {
      const refund = (orderId: string, extra: Record<string, unknown> = {}) => ({ eventId: `rr-${orderId}`, type: 'refund.requested', at: '2027-01-20T00:00:00Z', accountId: 'lx', merchantId: 'm1', orderId, amount: 9, refund: { type: 'refund_only', reason: 'damaged' }, ...extra });
      await h.events(['o1', 'o2', 'o3', 'o4'].map((o, i) => ({ eventId: `op-${o}`, type: 'order.placed', at: `2027-01-1${i}T00:00:00Z`, accountId: 'lx', merchantId: 'm1', orderId: o, amount: 9 })));
      await h.events([refund('o1'), refund('o2'), refund('o3', { label: 'abuse' }), refund('o4')]);
      const complaint = await h.call('POST', '/v1/complaints', 'service', { kind: 'empty_package', accountId: 'lx', merchantId: 'm1', orderId: 'o1', evidence: [{ kind: 'photo' }] });
      expect((await h.call('POST', `/v1/complaints/${complaint.body.id}/resolution`, 'appraiser', { outcome: 'upheld' })).status).toBe(200);
      const report = await h.call('POST', '/v1/evidence-reports', 'service', { merchantId: 'm1', accountId: 'lx', orderId: 'o2', reason: 'web_image', evidence: [{ kind: 'photo', sha256: 'c'.repeat(64) }] });
      expect((await h.call('POST', `/v1/evidence-reports/${report.body.id}/appraisal`, 'appraiser', { verdict: 'genuine' })).status).toBe(200);
      const dismissed = await h.call('POST', '/v1/complaints', 'service', { kind: 'swapped_item', accountId: 'lx', merchantId: 'm1', orderId: 'o3', evidence: [{ kind: 'photo' }] });
      expect((await h.call('POST', `/v1/complaints/${dismissed.body.id}/resolution`, 'appraiser', { outcome: 'dismissed' })).status).toBe(200);
      const url = h.runtime.systemOfRecord!.pool.options.connectionString!;
      const dir = mkdtempSync(join(tmpdir(), 'rg-labels-'));
      const refundLabels = (file: string) =>
        Object.fromEntries(readFileSync(join(dir, file), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'refund.requested').map((e) => [e.orderId, e.label ?? null]));
      expect(await runCli(['history', 'export', '--postgres', url, '--labels', 'outcomes', '--out', join(dir, 'labelled.ndjson')], collect().io)).toBe(0);
      // o3 keeps the label its producer sent; o4 has no outcome and stays unlabelled.
      expect(refundLabels('labelled.ndjson')).toEqual({ o1: 'abuse', o2: 'legit', o3: 'abuse', o4: null });
      expect(await runCli(['history', 'export', '--postgres', url, '--out', join(dir, 'plain.ndjson')], collect().io)).toBe(0);
      expect(refundLabels('plain.ndjson')).toEqual({ o1: null, o2: null, o3: 'abuse', o4: null });
      // simulate reads the log directly: the same report as from the labelled export.
      const fromFile = collect();
      expect(await runCli(['simulate', '--history', join(dir, 'labelled.ndjson'), '--candidate', 'policies'], fromFile.io)).toBe(0);
      const fromPostgres = collect();
      expect(await runCli(['simulate', '--history', url, '--candidate', 'policies'], fromPostgres.io)).toBe(0);
      expect(fromPostgres.out.join('\n').replaceAll(/rg-history-\w+\/history\.ndjson/g, 'H')).toEqual(fromFile.out.join('\n').replaceAll(join(dir, 'labelled.ndjson'), 'H'));
      expect(fromFile.out.join('\n')).toMatch(/\d/);
      const bad = collect();
      expect(await runCli(['history', 'export', '--postgres', url, '--labels', 'guess', '--out', join(dir, 'x')], bad.io)).toBe(2);
      expect(bad.err.join('')).toContain('--labels takes "outcomes"');
    } finally {
      await h.close();
    }
  });

  it('rebuilds a lost cache by hand: features and the sentinel are back before any server starts', async () => {
    const prefix = `rgtest-rebuild-${randomUUID().slice(0, 8)}`;
    const database = await createTestDatabase();
    try {
      const first = await startTestRuntime({ redisUrl, redisPrefix: prefix, postgresUrl: database.url });
      let before: Record<string, number>;
      try {
        expect((await first.request('/v1/events', { role: 'service', body: { events: [placed(10, '2027-01-28T00:00:00Z'), placed(12, '2027-01-29T00:00:00Z'), placed(14, '2027-01-30T00:00:00Z')] } })).status).toBe(200);
        before = (await first.request('/v1/accounts/hx-a0', { role: 'analyst' })).body.features;
        expect(before.orders90d).toBe(3);
      } finally {
        await first.close();
      }
      await deleteKeys(prefix);
      const rebuild = collect();
      expect(await runCli(['features', 'rebuild', '--postgres', database.url, '--redis', redisUrl, '--redis-prefix', prefix], rebuild.io)).toBe(0);
      expect(rebuild.out.join('\n')).toMatch(/^rebuilt 3 events, 0 restrictions, 0 order marks, 0 merchants in \d+ ms \(\d+ events\/s\)$/);
      const client = new Redis(redisUrl);
      expect(await client.get(`${prefix}:cache:sentinel`)).toBe('ready');
      client.disconnect();
      // A server on the cache alone (no PostgreSQL, so no rebuild of its own) reads what the command put there.
      const cacheOnly = await startTestRuntime({ redisUrl, redisPrefix: prefix });
      try {
        expect((await cacheOnly.request('/v1/accounts/hx-a0', { role: 'analyst' })).body.features).toEqual(before);
      } finally {
        await cacheOnly.close();
      }
    } finally {
      await deleteKeys(prefix);
      await database.drop();
    }
  });
});
