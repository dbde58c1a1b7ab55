/**
 * Many server instances as they run in production: separate `refund-guard serve` processes on one
 * Redis (a key prefix of this file's own) and one PostgreSQL database of their own. They agree on
 * features, honour a merchant's settings written on another instance within 1 s, serve one policy
 * revision (published by a reload on any of them, served everywhere within 2 s, even when the
 * pub/sub notice is lost), refuse a version that does not rise on every instance, and list each
 * other with the revision each serves.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, readPolicyDirectory } from '../engine/index.js';
import { PgPublicationStore } from '../server/postgres/pg-publication-store.js';
import { createPool, type PgPool } from '../server/postgres/pool.js';
import { contractRequest, overHttp } from './support/openapi-contract.js';
import { copyPolicies, deleteKeys, redisUrl } from './support/runtime.js';
import { spawnServer, type SpawnedServer } from './support/spawned-server.js';
import { createTestDatabase, type TestDatabase } from './support/test-postgres.js';
import { until } from './support/until.js';

const prefix = `rgtest-inst-${randomUUID().slice(0, 8)}`;
let db: TestDatabase;
let pool: PgPool;
let redis: Redis;
const servers: SpawnedServer[] = [];
const dirs = { a: copyPolicies(), b: copyPolicies(), c: copyPolicies() };
let a: SpawnedServer;
let b: SpawnedServer;

const start = (dir: string) =>
  spawnServer(['--redis', redisUrl, '--redis-prefix', prefix, '--postgres', db.url, '--policies', dir]).then((server) => {
    servers.push(server);
    return server;
  });

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 2 });
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  // One after the other: the first publishes its directory's bundle, the second finds it published.
  a = await start(dirs.a);
  b = await start(dirs.b);
}, 90_000);

afterAll(async () => {
  for (const server of servers) server.child.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.exited));
  await pool?.end();
  redis?.disconnect();
  await db?.drop();
  expect(await deleteKeys(prefix)).toBe(0);
});

async function call(server: SpawnedServer, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<{ status: number; body: any }> {
  const response = await contractRequest(overHttp(server.baseUrl), path, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

/** How long `check` takes to hold, polling every 20 ms (fails after 10 s). */
async function timeUntil(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  await until(what, check, 10_000, 20);
  return performance.now() - started;
}

const day = 86_400_000;
/** Six orders in the last days, five refunded: the serial-refunder rule's account. */
function refunderEvents(accountId: string) {
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < 6; i++) {
    const at = Date.now() - (6 - i) * day;
    events.push({ eventId: `${accountId}-o${i}`, type: 'order.placed', at: new Date(at).toISOString(), accountId, merchantId: 'm-any', orderId: `${accountId}-o${i}`, amount: 50 });
    if (i < 5) events.push({ eventId: `${accountId}-r${i}`, type: 'refund.requested', at: new Date(at + 60_000).toISOString(), accountId, merchantId: 'm-any', orderId: `${accountId}-o${i}`, amount: 50, refund: { type: 'fast_refund', reason: 'damaged' } });
  }
  return events;
}

const fastRefund = (accountId: string, merchantId: string) => ({
  point: 'refund.requested',
  account: { id: accountId },
  merchant: { id: merchantId, category: 'apparel' },
  order: { id: 'o-x', amount: 80 },
  refund: { type: 'fast_refund', reason: 'damaged', amount: 80 },
});

const decide = async (server: SpawnedServer, accountId: string, merchantId: string) => {
  const { status, body } = await call(server, '/v1/decisions', fastRefund(accountId, merchantId));
  expect(status).toBe(200);
  return body as { action: string; policyRevision: string };
};

const revisionOf = async (server: SpawnedServer): Promise<string> => (await call(server, '/v1/policies')).body.revision;

/** Edits the intercept policy in `dir`: the serial-refunder rule's order threshold, and the version. */
function editIntercept(dir: string, minOrders: number, version: number): void {
  const file = join(dir, 'intercept-abnormal-fast-refund.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: \d+/m, `version: ${version}`).replace(/account\.orders90d: \{ gte: \d+ \}/, `account.orders90d: { gte: ${minOrders} }`));
}

describe('many instances on one Redis and one PostgreSQL', () => {
  it('agree on an account\'s features, whichever instance took the events', async () => {
    expect((await call(a, '/v1/events', { events: refunderEvents('acc-1') })).status).toBe(200);
    // A 200 means "in PostgreSQL"; on a loaded machine the cache may take a moment (its repair) to hold it too.
    let onA = await call(a, '/v1/accounts/acc-1');
    let onB = await call(b, '/v1/accounts/acc-1');
    await until('both instances read the six orders', async () => {
      [onA, onB] = await Promise.all([call(a, '/v1/accounts/acc-1'), call(b, '/v1/accounts/acc-1')]);
      return onA.status === 200 && onB.status === 200 && onA.body.features.orders90d === 6 && onB.body.features.orders90d === 6;
    });
    expect(onB.body.features).toEqual(onA.body.features);
    expect(onB.body.features).toMatchObject({ orders90d: 6, refunds90d: 5 });
  });

  it('serve the bundle the first instance published, and B\'s start did not change it', async () => {
    const revision = await revisionOf(a);
    expect(await revisionOf(b)).toBe(revision);
    const { body } = await call(b, '/v1/policies');
    expect(body.publication).toMatchObject({ store: 'postgres', revision, publishedBy: (await call(a, '/v1/policies')).body.instance });
  });

  it('honour a merchant opt-in written on A in B\'s next decision within 1 s', async () => {
    await call(a, '/v1/events', { events: refunderEvents('acc-2') });
    // B has read (and cached) the merchant before the write.
    expect((await decide(b, 'acc-2', 'm-opt')).action).not.toBe('return_first');
    expect((await call(a, '/v1/merchants/m-opt', { settings: { interceptAbnormalRefunds: true } }, 'PUT')).status).toBe(200);
    const ms = await timeUntil('B honours the opt-in', async () => (await decide(b, 'acc-2', 'm-opt')).action === 'return_first');
    console.log(`merchant opt-in on A in force on B after ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
  });

  it('serve a reload on A on B within 2 s, and B\'s decisions carry the new revision', async () => {
    const before = await revisionOf(a);
    editIntercept(dirs.a, 50, 2);
    const reload = await call(a, '/v1/policies/reload', undefined, 'POST');
    expect(reload.status).toBe(200);
    expect(reload.body.changed).toBe(true);
    const revision = reload.body.revision as string;
    expect(revision).not.toBe(before);
    const ms = await timeUntil('B serves the published revision', async () => (await decide(b, 'acc-2', 'm-opt')).policyRevision === revision);
    console.log(`reload on A served by B after ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(2000);
    // The new content is in force on B: six orders are below the raised threshold.
    expect(await decide(b, 'acc-2', 'm-opt')).toMatchObject({ policyRevision: revision, action: expect.not.stringMatching(/^return_first$/) });
    const listed = (await call(b, '/v1/policies')).body;
    expect(listed.policies.find((p: { id: string }) => p.id === 'intercept-abnormal-fast-refund').version).toBe(2);
  });

  it('refuse, on either instance, a changed policy whose version does not rise above the published one', async () => {
    const published = await revisionOf(a);
    // B's directory still holds version 1, which differs from the published version 2.
    const onB = await call(b, '/v1/policies/reload', undefined, 'POST');
    expect(onB.status).toBe(422);
    expect(onB.body.error.details.map((d: { code: string }) => d.code)).toContain('policy_version_not_raised');
    editIntercept(dirs.a, 60, 2);
    const onA = await call(a, '/v1/policies/reload', undefined, 'POST');
    expect(onA.status).toBe(422);
    expect(onA.body.error.details.map((d: { code: string }) => d.code)).toContain('policy_version_not_raised');
    expect([await revisionOf(a), await revisionOf(b)]).toEqual([published, published]);
    expect((await call(b, '/v1/policies')).body.lastLoadError.problems[0].code).toBe('policy_version_not_raised');
  });

  it('start a new instance C on the published revision, not its own directory\'s', async () => {
    const published = await revisionOf(a);
    const c = await start(dirs.c);
    expect(await revisionOf(c)).toBe(published);
    expect((await decide(c, 'acc-2', 'm-opt')).policyRevision).toBe(published);
    // A, B and C are listed by A with the revision each serves.
    const ids = await Promise.all([a, b, c].map(async (s) => (await call(s, '/v1/policies')).body.instance as string));
    let instances: { id: string; revision: string; pid: number; lastSeen: string }[] = [];
    await until('A lists A, B and C', async () => {
      instances = (await call(a, '/v1/policies')).body.instances;
      return ids.every((id) => instances.some((i) => i.id === id && i.revision === published));
    });
    expect(instances.find((i) => i.id === ids[2])!.pid).toBe(c.child.pid);
    for (const i of instances) expect(Date.now() - Date.parse(i.lastSeen)).toBeLessThan(30_000);
  }, 30_000);

  it('converge by polling on a publication whose pub/sub notice never came (subscriber connections killed)', async () => {
    const ids = await Promise.all(servers.map(async (s) => (await call(s, '/v1/policies')).body.instance as string));
    const subscribers = async () =>
      ((await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string).split('\n').filter((line) => ids.some((id) => line.includes(` name=refund-guard-sub:${id} `)));
    const killed = (await subscribers()).map((line) => /(?:^| )id=(\d+)/.exec(line)![1]!);
    expect(killed).toHaveLength(servers.length);
    for (const id of killed) await redis.call('CLIENT', 'KILL', 'ID', id);
    // Each instance subscribes again on a new connection; whatever was sent meanwhile is lost.
    await until('every instance subscribed again', async () => (await subscribers()).filter((line) => !killed.some((id) => line.startsWith(`id=${id} `))).length === servers.length);

    // A publication committed without any PUBLISH: an instance that died between the two.
    editIntercept(dirs.a, 70, 3);
    const sources = readPolicyDirectory(dirs.a);
    const loaded = loadBundle(sources);
    if (!loaded.ok) throw new Error('the edited directory does not load');
    const revision = loaded.bundle.revision;
    await new PgPublicationStore(pool).publish(() => ({
      value: undefined,
      draft: { revision, versions: Object.fromEntries(loaded.bundle.policies.map((p) => [p.id, p.version])), files: sources, publishedBy: 'test-without-notice' },
    }));
    const ms = await timeUntil('every instance serves the publication', async () => (await Promise.all(servers.map(revisionOf))).every((r) => r === revision));
    console.log(`publication without a notice served by all ${servers.length} instances after ${ms.toFixed(0)} ms (polling)`);
    expect(ms).toBeLessThan(2000);

    // The new subscriptions carry the next publication and the next merchant change.
    editIntercept(dirs.a, 5, 4);
    expect((await call(a, '/v1/policies/reload', undefined, 'POST')).status).toBe(200);
    await until('B serves version 4 and intercepts for the opted-in merchant', async () => (await decide(b, 'acc-2', 'm-opt')).action === 'return_first', 2000);
    expect((await call(a, '/v1/merchants/m-opt', { settings: { interceptAbnormalRefunds: false } }, 'PUT')).status).toBe(200);
    const opted = await timeUntil('B honours the opt-out', async () => (await decide(b, 'acc-2', 'm-opt')).action !== 'return_first');
    expect(opted).toBeLessThan(1000);
  }, 30_000);
});
