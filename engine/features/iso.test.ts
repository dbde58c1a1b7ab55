import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoOf } from './time.js';

describe('isoOf', () => {
  it('is new Date(ms).toISOString() for every instant Date can hold', () => {
    const edges = [0, -1, 1, -0, 86_399_999, -86_400_000, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, -8.64e15, 1.5, -0.5, 1_800_000_000_000.7];
    for (const ms of edges) expect(isoOf(ms)).toBe(new Date(ms).toISOString());
    fc.assert(fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => isoOf(ms) === new Date(ms).toISOString()));
    fc.assert(fc.property(fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }), (ms) => isoOf(ms) === new Date(ms).toISOString() && isoOf(ms) === new Date(ms).toISOString()));
  });
});
