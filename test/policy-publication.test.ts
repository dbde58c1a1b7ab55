/**
 * The published policy bundle on each shared store: PostgreSQL (with --postgres) and Redis alone.
 * Two instances in this process share a key prefix (and a database): a reload on one is served by
 * the other, two reloads racing are checked one after the other, and a Redis store that loses its
 * publication gets it back from the instances.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyPolicies, deleteKeys, redisUrl, startTestRuntime, type TestRuntime } from './support/runtime.js';
import { createTestDatabase, type TestDatabase } from './support/test-postgres.js';
import { until } from './support/until.js';

let db: TestDatabase;
let redis: Redis;
beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
}, 30_000);
afterAll(async () => {
  redis.disconnect();
  await db.drop();
});

let runtimes: TestRuntime[] = [];
let prefixes: string[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
  for (const prefix of prefixes.splice(0)) expect(await deleteKeys(prefix)).toBe(0);
});

function editIntercept(dir: string, minOrders: number, version: number): void {
  const file = join(dir, 'intercept-abnormal-fast-refund.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: \d+/m, `version: ${version}`).replace(/account\.orders90d: \{ gte: \d+ \}/, `account.orders90d: { gte: ${minOrders} }`));
}

const interceptVersion = async (runtime: TestRuntime): Promise<number> =>
  (await runtime.request('/v1/policies', { role: 'analyst' })).body.policies.find((p: { id: string }) => p.id === 'intercept-abnormal-fast-refund').version;

let schemas = 0;
for (const store of ['postgres', 'redis'] as const) {
  describe(`policy publication on ${store === 'postgres' ? 'PostgreSQL' : 'Redis alone'}`, () => {
    /** Two instances of one fleet: the same Redis prefix, and with PostgreSQL one schema of the database. */
    async function fleet(watch = false): Promise<{ one: TestRuntime; two: TestRuntime; dirs: string[]; prefix: string; add(dir: string): Promise<TestRuntime> }> {
      const prefix = `rgtest-pub-${randomUUID().slice(0, 8)}`;
      prefixes.push(prefix);
      const postgresUrl = store === 'postgres' ? await schemaUrl() : undefined;
      const add = async (dir: string) => {
        const runtime = await startTestRuntime({ policies: dir, redisUrl, redisPrefix: prefix, ...(postgresUrl !== undefined ? { postgresUrl } : {}), policyPollMs: 200, watchPolicies: watch });
        runtimes.push(runtime);
        return runtime;
      };
      const dirs = [copyPolicies(), copyPolicies()];
      return { one: await add(dirs[0]!), two: await add(dirs[1]!), dirs, prefix, add };
    }

    it('serves a reload on one instance on the other, and refuses there a version that does not rise', async () => {
      const { one, two, dirs } = await fleet();
      editIntercept(dirs[0]!, 50, 2);
      const reload = await one.request('/v1/policies/reload', { method: 'POST' });
      expect(reload).toMatchObject({ status: 200, body: { changed: true } });
      await until('the other instance serves it', () => two.ctx.bundles.bundle.revision === reload.body.revision, 2000);
      expect(await interceptVersion(two)).toBe(2);
      const refused = await two.request('/v1/policies/reload', { method: 'POST' });
      expect(refused.status).toBe(422);
      expect(refused.body.error.details[0].code).toBe('policy_version_not_raised');
      expect(two.ctx.bundles.bundle.revision).toBe(reload.body.revision);
    });

    it('publishes an edit of a watched directory like a reload', async () => {
      const { one, two, dirs } = await fleet(true);
      const before = two.ctx.bundles.bundle.revision;
      editIntercept(dirs[0]!, 50, 2);
      await until('the other instance serves the edit', () => two.ctx.bundles.bundle.revision !== before, 5000);
      expect(two.ctx.bundles.bundle.revision).toBe(one.ctx.bundles.bundle.revision);
      expect(await interceptVersion(two)).toBe(2);
    });

    it('checks two racing reloads one after the other: one publishes, the other is refused against it', async () => {
      const { one, two, dirs } = await fleet();
      editIntercept(dirs[0]!, 50, 2);
      editIntercept(dirs[1]!, 40, 2);
      const answers = await Promise.all([one, two].map((r) => r.request('/v1/policies/reload', { method: 'POST' })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 422]);
      const winner = answers.find((a) => a.status === 200)!.body.revision as string;
      await until('both serve the winner', () => one.ctx.bundles.bundle.revision === winner && two.ctx.bundles.bundle.revision === winner, 2000);
    });

    it('starts a third instance on the published bundle even when its directory differs', async () => {
      const { one, dirs, add } = await fleet();
      editIntercept(dirs[0]!, 50, 2);
      const published = (await one.request('/v1/policies/reload', { method: 'POST' })).body.revision;
      const third = await add(copyPolicies());
      expect(third.ctx.bundles.bundle.revision).toBe(published);
      expect((await third.request('/v1/policies', { role: 'analyst' })).body.publication).toMatchObject({ store, revision: published });
    });

    if (store === 'redis') {
      it('publishes again what it serves when Redis lost the publication', async () => {
        const { one, two, dirs, prefix } = await fleet();
        editIntercept(dirs[0]!, 50, 2);
        const published = (await one.request('/v1/policies/reload', { method: 'POST' })).body.revision;
        await until('the other serves it', () => two.ctx.bundles.bundle.revision === published, 2000);
        await redis.del(`${prefix}:policy:publication`);
        await until('the publication is back', async () => (await redis.hget(`${prefix}:policy:publication`, 'revision')) === published, 2000);
        // Not the second instance's own directory (version 1): what the fleet served.
        expect([one.ctx.bundles.bundle.revision, two.ctx.bundles.bundle.revision]).toEqual([published, published]);
      });
    }
  });
}

/** A fresh schema of the test database for one fleet (the runtime migrates it). */
async function schemaUrl(): Promise<string> {
  const schema = `pub${++schemas}`;
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}
