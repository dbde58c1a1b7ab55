import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBaseline } from '../policies/load-sides.js';
import { generateHistoryToFile } from '../history/index.js';
import { linkFieldsOf } from './link-fields.js';
import { planShards } from './plan.js';

const dir = mkdtempSync(join(tmpdir(), 'rg-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shipped = loadBaseline('policies', 'policies');
if (!shipped.ok) throw new Error('the shipped policies do not load');
const links = linkFieldsOf([shipped.bundle.features]);

function shardOfAccount(plan: Awaited<ReturnType<typeof planShards>>): Map<string, number> {
  const of = new Map<string, number>();
  plan.shards.forEach((s, i) => s.accounts.forEach((a) => of.set(a, i)));
  return of;
}

function write(name: string, lines: readonly (object | string)[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

const order = (account: string, extra: object = {}) => ({ eventId: `e-${account}-${Math.random()}`, type: 'order.placed', at: '2027-01-03T10:00:00Z', accountId: account, merchantId: 'm1', orderId: 'o1', amount: 10, ...extra });
const evidence = (account: string, sha: string) => ({ eventId: `r-${account}`, type: 'evidence.reported', at: '2027-01-04T10:00:00Z', accountId: account, merchantId: 'm1', reportId: `r-${account}`, reason: 'x', evidence: [{ kind: 'image', sha256: sha }] });

describe('the planning pass of a distributed simulation', () => {
  it('links the shipped features\' fields: devices, addresses and evidence fingerprints', () => {
    expect(links.keys).toEqual(['addressId', 'deviceId', 'sha256']);
  });

  it('puts accounts sharing a device, an address or a picture in one shard, also through chains and lines that need parsing', async () => {
    const path = write('chains.ndjson', [
      { eventId: 'm', type: 'merchant.updated', at: '2027-01-01T00:00:00Z', merchantId: 'm1', settings: {}, cohorts: [] },
      order('a', { deviceId: 'd1' }),
      order('b', { deviceId: 'd1', addressId: 'h1' }),
      order('c', { addressId: 'h1' }),
      evidence('c', 'p1'),
      // Whitespace and an escape: the scan hands these lines to JSON.parse.
      '{ "eventId": "x1", "type": "evidence.reported", "at": "2027-01-04T10:00:00Z", "accountId": "d", "merchantId": "m1", "reportId": "r9", "reason": "x", "evidence": [ { "kind": "image", "sha256": "p1" } ] }',
      JSON.stringify(order('e', { deviceId: 'd9', note: 'say "hi"' })),
      order('f', { deviceId: 'd9' }),
      order('g'),
      order('h'),
      'not json at all',
    ]);
    for (const shards of [2, 3, 8]) {
      const plan = await planShards(path, links, shards);
      const of = shardOfAccount(plan);
      expect(new Set(['a', 'b', 'c', 'd'].map((a) => of.get(a))).size).toBe(1);
      expect(of.get('e')).toBe(of.get('f'));
      expect([...of.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
      expect(plan.stats).toMatchObject({ merchantEvents: 1, accountEvents: 9, accounts: 8, components: 4 });
      expect(plan.stats.largestComponent).toMatchObject({ accounts: 4, events: 5 });
    }
  });

  it('keeps a giant component whole in one shard and balances the rest around it', async () => {
    const lines = [...Array.from({ length: 40 }, (_, i) => order(`ring${i}`, { deviceId: 'shared' })), ...Array.from({ length: 20 }, (_, i) => order(`solo${i}`))];
    const plan = await planShards(write('giant.ndjson', lines), links, 3);
    const of = shardOfAccount(plan);
    const giant = of.get('ring0');
    for (let i = 0; i < 40; i++) expect(of.get(`ring${i}`)).toBe(giant);
    expect(plan.shards.map((s) => s.events).sort((a, b) => a - b)).toEqual([10, 10, 40]);
    expect(plan.stats.largestComponent.share).toBeCloseTo(40 / 60);
  });

  it('never splits a value group of a generated history with rings, and is the same plan on every run', async () => {
    const path = join(dir, 'generated.ndjson');
    await generateHistoryToFile({ orders: 4000, seed: 11 }, path);
    const plan = await planShards(path, links, 4);
    expect(plan.shards).toHaveLength(4);
    const of = shardOfAccount(plan);
    const groups = new Map<string, Set<number>>();
    let linked = 0;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue;
      const e = JSON.parse(line) as { accountId?: string; deviceId?: string; addressId?: string; evidence?: { sha256?: string }[] };
      if (e.accountId === undefined) continue;
      const values = [e.deviceId && `d:${e.deviceId}`, e.addressId && `a:${e.addressId}`, ...(e.evidence ?? []).map((x) => x.sha256 && `p:${x.sha256}`)];
      for (const v of values) {
        if (!v) continue;
        let set = groups.get(v);
        if (set === undefined) groups.set(v, (set = new Set()));
        set.add(of.get(e.accountId) as number);
        linked++;
      }
    }
    expect(linked).toBeGreaterThan(1000);
    for (const [value, shards] of groups) expect(shards.size, value).toBe(1);
    // Rings make components of several accounts.
    expect(plan.stats.components).toBeLessThan(plan.stats.accounts);
    expect(plan.stats.largestComponent.accounts).toBeGreaterThanOrEqual(3);
    const again = await planShards(path, links, 4);
    expect(again.shards).toEqual(plan.shards);
  });
});
