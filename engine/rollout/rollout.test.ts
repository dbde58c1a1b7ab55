import murmurhash from 'murmurhash';
import { describe, expect, it } from 'vitest';
import { loadBundle, rolloutBucket } from '../index.js';
import { sources } from '../../test/support/policy-sources.js';

describe('rollout buckets', () => {
  it('hash with MurmurHash3 x86 32-bit, matching published vectors', () => {
    expect(murmurhash.v3('', 0)).toBe(0);
    expect(murmurhash.v3('hello', 0)).toBe(0x248bfa47);
    expect(murmurhash.v3('The quick brown fox jumps over the lazy dog', 0)).toBe(0x2e4ff723);
  });

  it('bucket "policyId:merchantId" into 0..9999 as the README publishes', () => {
    expect(rolloutBucket('one-click-reject-risky-orders', 'm-demo-1')).toBe(2885);
    expect(rolloutBucket('one-click-reject-risky-orders', 'm-1001')).toBe(868);
    expect(rolloutBucket('intercept-abnormal-fast-refund', 'm-demo-1')).toBe(4205);
    expect(rolloutBucket('intercept-abnormal-fast-refund', 'm-1001')).toBe(437);
    expect(rolloutBucket('p', 'm')).toBe(3888);
  });

  it('spread merchants evenly', () => {
    const counts = new Array(10).fill(0) as number[];
    for (let i = 0; i < 20_000; i++) counts[Math.floor(rolloutBucket('spread', `m${i}`) / 1000)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(1800);
  });
});

const policy = (percent: number, extra = '') => `id: gated
version: 1
point: refund.requested
rollout: { mode: enforce, percent: ${percent}${extra} }
rules:
  - id: always
    when: { account.orders90d: { gte: 0 } }
    then: { action: return_first, reason: gated }
`;

function enforcedMerchants(text: string, merchants: string[], now = 0): Set<string> {
  const loaded = loadBundle(sources({ 'p.yaml': text }));
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join());
  return new Set(merchants.filter((id) => loaded.bundle.evaluate('refund.requested', { account: { orders90d: 1 }, merchant: { id } }, now).action === 'return_first'));
}

describe('the rollout gate', () => {
  const merchants = Array.from({ length: 2000 }, (_, i) => `m-${i}`);

  it('only adds merchants when the percent rises', () => {
    let previous = new Set<string>();
    for (const percent of [0, 0.01, 1, 5, 12.5, 25, 50, 99.99, 100]) {
      const now = enforcedMerchants(policy(percent), merchants);
      for (const m of previous) expect(now.has(m)).toBe(true);
      expect(now.size).toBeGreaterThanOrEqual(previous.size);
      previous = now;
    }
    expect(previous.size).toBe(merchants.length);
  });

  it('covers about the stated share', () => {
    const covered = enforcedMerchants(policy(25), merchants).size;
    expect(covered).toBeGreaterThan(400);
    expect(covered).toBeLessThan(600);
  });

  it('buckets each policy independently', () => {
    const a = enforcedMerchants(policy(50), merchants);
    const b = enforcedMerchants(policy(50).replace('id: gated', 'id: other'), merchants);
    const overlap = [...a].filter((m) => b.has(m)).length;
    expect(overlap).toBeGreaterThan(350);
    expect(overlap).toBeLessThan(650);
  });

  it('opens stages by the decision clock, not the wall clock', () => {
    const staged = policy(100, ', stages: [{ from: "2027-01-09", cohorts: [pilot] }, { from: "2027-03-31T00:00:00Z", cohorts: all }]');
    const loaded = loadBundle(sources({ 'p.yaml': staged, 'cohorts.yaml': 'cohorts:\n  pilot: { merchants: [m-1] }\n' }));
    if (!loaded.ok) throw new Error('load');
    const decide = (id: string, at: string) => loaded.bundle.evaluate('refund.requested', { account: { orders90d: 1 }, merchant: { id } }, Date.parse(at)).action;
    expect(decide('m-1', '2027-01-08T23:59:59Z')).toBe('approve');
    expect(decide('m-1', '2027-01-09T00:00:00Z')).toBe('return_first');
    expect(decide('m-2', '2027-03-30T23:59:59Z')).toBe('approve');
    expect(decide('m-2', '2027-03-31T00:00:00Z')).toBe('return_first');
  });

  it('requires the opt-in setting to be exactly true', () => {
    const text = policy(100, ', optIn: interceptAbnormalRefunds');
    const loaded = loadBundle(sources({ 'p.yaml': text }));
    if (!loaded.ok) throw new Error('load');
    const decide = (settings: unknown) => loaded.bundle.evaluate('refund.requested', { account: { orders90d: 1 }, merchant: { id: 'm', settings } }, 0).action;
    expect(decide({ interceptAbnormalRefunds: true })).toBe('return_first');
    expect(decide({ interceptAbnormalRefunds: 'yes' })).toBe('approve');
    expect(decide({})).toBe('approve');
    expect(decide(undefined)).toBe('approve');
  });

  it('reports outside merchants in shadow when asked, and skips them otherwise', () => {
    const shadowed = loadBundle(sources({ 'p.yaml': policy(0, ', outside: shadow') }));
    const skipped = loadBundle(sources({ 'p.yaml': policy(0) }));
    if (!shadowed.ok || !skipped.ok) throw new Error('load');
    const facts = { account: { orders90d: 1 }, merchant: { id: 'm' } };
    expect(shadowed.bundle.evaluate('refund.requested', facts, 0)).toMatchObject({ action: 'approve', shadow: [{ rule: 'always' }] });
    expect(skipped.bundle.evaluate('refund.requested', facts, 0)).toMatchObject({ action: 'approve', shadow: [] });
  });
});
