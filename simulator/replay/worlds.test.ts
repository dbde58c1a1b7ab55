import { describe, expect, it } from 'vitest';
import { MemoryMerchantStore, loadBundle, readPolicyDirectory, type DecisionInput } from '../../engine/index.js';
import { World, featureStoresFor } from './worlds.js';

const loaded = loadBundle(readPolicyDirectory('policies'));
if (!loaded.ok) throw new Error('shipped policies do not load');
const bundle = loaded.bundle;
const NOW = Date.parse('2027-03-01T00:00:00Z');

describe('World', () => {
  it('keeps each world its own tallied decision when both evaluate with one bundle object', () => {
    const merchants = new MemoryMerchantStore();
    const [features] = featureStoresFor(bundle, bundle);
    const restricted = new World('baseline', bundle, features, merchants, NOW);
    const free = new World('candidate', bundle, features, merchants, NOW);
    restricted.state.addRestrictionSync({
      id: 'r1', accountId: 'a1', scope: { type: 'platform' }, kind: 'restrict_platform', reason: 'test', policy: 'p', policyVersion: 1, rule: 'r',
      createdAt: new Date(NOW - 86_400_000).toISOString(), expiresAt: null, status: 'active',
    });
    const input: DecisionInput = { point: 'order.checkout', account: { id: 'a1' }, merchant: { id: 'm1' }, order: { id: 'o1', amount: 10 } };
    const noFeatures = {};
    const tb = restricted.service.evaluateWith(input, restricted.snapshot('a1', noFeatures), undefined, NOW, bundle);
    const tc = free.service.evaluateWith(input, free.snapshot('a1', noFeatures), undefined, NOW, bundle);
    expect(tc.action).toBe('allow');
    // The second evaluation (same bundle, same point) did not overwrite the first world's answer.
    expect(tb.action).toBe('limit_quantity');
    expect(tb.reasons.map((r) => r.rule)).toEqual(['platform-restriction']);
  });
});
