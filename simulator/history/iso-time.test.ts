import { describe, expect, it } from 'vitest';
import { createIsoFormatter, parseStart } from './iso-time.js';
import { createRandom } from './random.js';

describe('ISO time formatting', () => {
  it('matches Date#toISOString without milliseconds for any second', () => {
    const iso = createIsoFormatter();
    const rng = createRandom('iso');
    let t = parseStart('2027-01-01');
    for (let i = 0; i < 2000; i++) {
      t += rng.int(0, 20_000);
      expect(iso(t)).toBe(new Date(t * 1000).toISOString().replace('.000Z', 'Z'));
    }
  });

  it('reads a bare date as midnight UTC and rejects garbage', () => {
    expect(parseStart('2027-01-01')).toBe(Date.UTC(2027, 0, 1) / 1000);
    expect(parseStart('2027-01-01T12:00:00Z')).toBe(Date.UTC(2027, 0, 1, 12) / 1000);
    expect(() => parseStart('soon')).toThrow(RangeError);
  });
});
