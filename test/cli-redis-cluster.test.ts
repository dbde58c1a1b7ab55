/**
 * `refund-guard serve --redis-cluster HOST:PORT,...` (or REDIS_CLUSTER_NODES): a server process on a
 * Redis Cluster of the test's own takes events, decides from them and says it is ready; malformed or
 * conflicting settings are usage errors before anything is opened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../server/cli/main.js';
import { OwnRedisCluster } from './support/own-redis-cluster.js';
import { spawnServer } from './support/spawned-server.js';

async function cli(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(args, { out: () => undefined, err: (t) => void (err += t) });
  return { code, err };
}

describe('serve --redis-cluster', () => {
  it('refuses --redis and --redis-cluster together, and a node that is not HOST:PORT', async () => {
    const both = await cli(['serve', '--redis', 'redis://127.0.0.1:6379', '--redis-cluster', '127.0.0.1:7000']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('give --redis or --redis-cluster, not both');
    const malformed = await cli(['serve', '--redis-cluster', '127.0.0.1:7000,nonsense']);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain('cluster node "nonsense" is not HOST:PORT');
  });

  describe('on a cluster', () => {
    let cluster: OwnRedisCluster;
    beforeAll(async () => {
      cluster = await OwnRedisCluster.start();
    }, 90_000);
    afterAll(async () => {
      await cluster?.stop();
    });

    for (const how of ['the flag', 'REDIS_CLUSTER_NODES'] as const) {
      it(`decides from the events it took, with the cluster given by ${how}`, async () => {
        const nodes = cluster.seeds.slice(0, 2).join(',');
        const prefix = `rgcli${how === 'the flag' ? 'f' : 'e'}`;
        const server = await spawnServer(how === 'the flag' ? ['--redis-cluster', nodes, '--redis-prefix', prefix] : ['--redis-prefix', prefix], how === 'the flag' ? {} : { REDIS_CLUSTER_NODES: nodes });
        try {
          expect(server.stderr()).toContain('store: redis');
          const ready = await fetch(`${server.baseUrl}/readyz`);
          expect(ready.status).toBe(200);
          const at = new Date(Date.now() - 3_600_000).toISOString();
          const events = Array.from({ length: 6 }, (_, i) => ({ eventId: `${prefix}-${i}`, type: 'order.placed', at, accountId: 'buyer-1', merchantId: 'm1', orderId: `o${i}`, amount: 20 }));
          const posted = await fetch(`${server.baseUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
          expect(posted.status).toBe(200);
          const account = (await (await fetch(`${server.baseUrl}/v1/accounts/buyer-1`)).json()) as { features: Record<string, number> };
          expect(account.features['orders90d']).toBe(6);
          const decision = await fetch(`${server.baseUrl}/v1/decisions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ point: 'order.checkout', account: { id: 'buyer-1' }, merchant: { id: 'm1' } }) });
          expect(decision.status).toBe(200);
          expect(((await decision.json()) as { degraded: boolean }).degraded).toBe(false);
        } finally {
          server.child.kill('SIGTERM');
          await server.exited;
        }
      }, 60_000);
    }
  });
});
