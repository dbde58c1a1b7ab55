/**
 * Many instances on a Redis Cluster (a private test cluster): the publication (Redis alone), the
 * pub/sub notices (plain channel names, broadcast by the cluster) and the heartbeats work there as
 * on one Redis.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnRedisCluster } from './support/own-redis-cluster.js';
import { copyPolicies, startTestRuntime, type TestRuntime } from './support/runtime.js';
import { until } from './support/until.js';

let cluster: OwnRedisCluster;
const runtimes: TestRuntime[] = [];
beforeAll(async () => {
  cluster = await OwnRedisCluster.start();
}, 90_000);
afterAll(async () => {
  for (const runtime of runtimes) await runtime.close();
  await cluster?.stop();
}, 30_000);

describe('many instances on a Redis Cluster', () => {
  it('serve one published revision, honour merchant writes from each other, and list each other', async () => {
    const prefix = `rgtest-cinst-${randomUUID().slice(0, 8)}`;
    const dirs = [copyPolicies(), copyPolicies()];
    for (const dir of dirs) runtimes.push(await startTestRuntime({ policies: dir, redisCluster: cluster.seeds, redisPrefix: prefix }));
    const [one, two] = runtimes as [TestRuntime, TestRuntime];
    expect(two.ctx.bundles.bundle.revision).toBe(one.ctx.bundles.bundle.revision);

    const file = join(dirs[0]!, 'intercept-abnormal-fast-refund.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: \d+/m, 'version: 2').replace(/account\.orders90d: \{ gte: \d+ \}/, 'account.orders90d: { gte: 50 }'));
    const reload = await one.request('/v1/policies/reload', { method: 'POST' });
    expect(reload).toMatchObject({ status: 200, body: { changed: true } });
    await until('the other instance serves the publication', () => two.ctx.bundles.bundle.revision === reload.body.revision, 2000);
    expect((await two.request('/v1/policies/reload', { method: 'POST' })).status).toBe(422);

    expect(await two.ctx.merchants.get('m-c')).toBeUndefined(); // cached as unknown
    expect((await one.request('/v1/merchants/m-c', { method: 'PUT', body: { settings: { oneClickReject: true } } })).status).toBe(200);
    await until('the other instance sees the merchant', async () => (await two.ctx.merchants.get('m-c'))?.settings.oneClickReject === true, 1000, 10);

    const listed = (await one.request('/v1/policies', { role: 'analyst' })).body;
    expect(listed.instances.map((i: { id: string }) => i.id).sort()).toEqual([one.ctx.policies.instanceId, two.ctx.policies.instanceId].sort());
    expect(listed.publication).toMatchObject({ store: 'redis', revision: reload.body.revision });
  }, 60_000);
});
