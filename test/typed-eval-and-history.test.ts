import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventSchemas } from '../engine/events/index.js';
import { factFieldSchema } from '../engine/facts/index.js';
import { loadBundle, readPolicyDirectory } from '../engine/index.js';
import { runCli } from '../server/cli/main.js';
import { simulateHistory } from '../simulator/index.js';

/** Issue 17 §1: `policy eval` lines and history lines are typed by the same catalogue as decision bodies. */
const dir = mkdtempSync(join(tmpdir(), 'rg-typed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function evalLines(lines: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const file = join(dir, `facts-${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['policy', 'eval', '--policies', 'policies', '--point', 'refund.requested', '--facts', file, '--now', '2027-02-01T00:00:00Z'], {
    out: (t) => out.push(...t.split('\n')),
    err: (t) => err.push(...t.split('\n')),
  });
  return { code, out, err };
}

describe('policy eval types each line', () => {
  const good = { account: { id: 'a1', orders90d: 6, refundRate90d: 0.8 }, merchant: { id: 'm1', settings: { interceptAbnormalRefunds: true } }, refund: { type: 'fast_refund', reason: 'x', amount: 5 } };

  it('reports each mistyped line with its line number and every wrong path, and still decides the good ones', async () => {
    const { code, out, err } = await evalLines([
      JSON.stringify(good),
      JSON.stringify({ ...good, order: { id: 'o1', amount: 'lots', quantity: 1.5 } }),
      JSON.stringify({ ...good, refund: { type: 7, reason: 'x', amount: '12' } }),
      JSON.stringify({ ...good, account: { id: 'a1', orders90d: '6' } }),
      JSON.stringify({ ...good, merchant: { id: 'm1', category: ['x'] } }),
      JSON.stringify({ ...good, context: { free: ['form', 1], nested: { a: 1 } } }),
    ]);
    expect(code).toBe(1);
    const results = out.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { action?: string; line?: number; error?: { code: string; message: string } });
    expect(results).toHaveLength(6);
    for (const decided of [results[0]!, results[5]!]) {
      expect(decided.error).toBeUndefined();
      expect(decided.action).toBe('approve');
    }
    expect(results.slice(1, 5).map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(results[1]!.error!.message).toMatch(/\/order\/amount .*; \/order\/quantity /);
    expect(results[2]!.error!.message).toMatch(/\/refund\/type .*\/refund\/amount /);
    // Features come from the bundle's features.yaml: numbers.
    expect(results[3]!.error!.message).toMatch(/\/account\/orders90d must be number/);
    expect(results[4]!.error!.message).toMatch(/\/merchant\/category must be string/);
    const located = err.filter((l) => l.includes('eval_bad_facts'));
    expect(located.map((l) => /:(\d+):1 eval_bad_facts/.exec(l)?.[1])).toEqual(['2', '3', '4', '5']);
  });
});

describe('history lines are typed by the catalogue', () => {
  it('takes each event field that is also a fact from the catalogue, one source for both', () => {
    const placed = eventSchemas['order.placed'] as { properties: Record<string, unknown> };
    const refund = (eventSchemas['refund.requested'] as { properties: { refund: { properties: Record<string, unknown> } } }).properties.refund.properties;
    expect(placed.properties['amount']).toBe(factFieldSchema('order.amount'));
    expect(placed.properties['quantity']).toBe(factFieldSchema('order.quantity'));
    expect(placed.properties['category']).toBe(factFieldSchema('order.category'));
    expect(refund['type']).toBe(factFieldSchema('refund.type'));
    expect(refund['reason']).toBe(factFieldSchema('refund.reason'));
    expect(refund['amount']).toBe(factFieldSchema('refund.amount'));
    expect((eventSchemas['merchant.updated'] as { properties: Record<string, unknown> }).properties['category']).toBe(factFieldSchema('merchant.category'));
  });

  it('counts a mistyped event as a bad line and names its line and path', async () => {
    const at = (h: number) => new Date(Date.parse('2027-01-03T00:00:00Z') + h * 3_600_000).toISOString();
    const lines = [
      { eventId: 'e1', type: 'order.placed', at: at(0), accountId: 'a1', merchantId: 'm1', orderId: 'o1', amount: 10 },
      { eventId: 'e2', type: 'order.placed', at: at(1), accountId: 'a1', merchantId: 'm1', orderId: 'o2', amount: '12' },
      { eventId: 'e3', type: 'order.placed', at: at(2), accountId: 'a1', merchantId: 'm1', orderId: 'o3', amount: 10, quantity: 1.5 },
      { eventId: 'e4', type: 'refund.requested', at: at(3), accountId: 'a1', merchantId: 'm1', orderId: 'o1', amount: 10, refund: { type: 7, reason: 'x' } },
      { eventId: 'e5', type: 'merchant.updated', at: at(4), merchantId: 'm1', settings: {}, cohorts: [], category: ['x'] },
    ];
    const history = join(dir, 'history.ndjson');
    writeFileSync(history, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const loaded = loadBundle(readPolicyDirectory('policies'));
    if (!loaded.ok) throw new Error('the shipped policies do not load');
    const report = await simulateHistory({ history, baseline: loaded.bundle, candidate: loaded.bundle, featureThread: false });
    expect(report.history.badLines).toBe(4);
    const bad = report.history.firstBadLines;
    expect(bad.map((b) => b.line)).toEqual([2, 3, 4, 5]);
    expect(bad[0]!.message).toMatch(/\/amount must be number/);
    expect(bad[1]!.message).toMatch(/\/quantity must be integer/);
    expect(bad[2]!.message).toMatch(/\/refund\/type/);
    expect(bad[3]!.message).toMatch(/\/category must be string/);
  });
});
