import { describe, expect, it } from 'vitest';
import { loadBundle, readPolicyDirectory } from '../../engine/index.js';
import { FeatureFeed } from './feature-feed.js';
import { OP_WIDTH } from './store-ops.js';

describe('FeatureFeed', () => {
  it('rejects the wait for an answer, rather than hanging, when the feature thread fails on a batch', async () => {
    const loaded = loadBundle(readPolicyDirectory('policies'));
    if (!loaded.ok) throw new Error('shipped policies do not load');
    const feed = await FeatureFeed.start({ baseline: loaded.bundle, candidate: loaded.bundle }, 0, true);
    if (feed === undefined) throw new Error('feature thread did not start');
    try {
      // One op (an order of account a1) whose ids go as strings, but whose strings lack the event id: the worker finds itself out of step.
      const nums = new Float64Array(OP_WIDTH);
      nums.set([1, 0, -1, Date.parse('2027-01-01T00:00:00Z'), 0, Number.NaN, Number.NaN]);
      feed.send({ nums, strings: 'a1', stringCount: 1 });
      await expect(feed.take()).rejects.toThrow(/feature thread: .*store ops out of step/);
    } finally {
      await feed.close();
    }
  });
});
