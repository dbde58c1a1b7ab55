import { describe, expect, it } from 'vitest';
import { ratio, wilson95 } from './wilson.js';

/**
 * Reference values: the 95% Wilson score interval as published in standard tables (and as R's
 * binom::binom.confint(x, n, method = "wilson") prints them), to 6 decimals.
 */
const known: [successes: number, trials: number, low: number, high: number][] = [
  [0, 10, 0, 0.277533],
  [1, 10, 0.017876, 0.40415],
  [5, 10, 0.236593, 0.763407],
  [10, 10, 0.722467, 1],
  [50, 100, 0.403832, 0.596168],
];

describe('wilson95', () => {
  it.each(known)('%i of %i gives [%f, %f]', (successes, trials, low, high) => {
    const [lo, hi] = wilson95(successes, trials);
    expect(lo).toBeCloseTo(low, 5);
    expect(hi).toBeCloseTo(high, 5);
  });

  it('knows nothing without trials, and stays inside [0, 1] around the observed share', () => {
    expect(wilson95(0, 0)).toEqual([0, 1]);
    for (const [s, n] of [[3, 7], [999, 1000], [1, 1000]] as const) {
      const [lo, hi] = wilson95(s, n);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(lo).toBeLessThan(s / n);
      expect(hi).toBeGreaterThan(s / n);
    }
  });

  it('ratio is 0 for an empty denominator, else rounded to 6 decimals', () => {
    expect(ratio(1, 0)).toBe(0);
    expect(ratio(1, 3)).toBe(0.333333);
  });
});
