import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idCode, idHash, idOfCode } from './id-code.js';
import { fnv1a } from './fnv1a.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-';
const shortId = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 8 });

describe('idCode', () => {
  it('gives every id of up to 8 characters of the id alphabet its own safe integer', () => {
    fc.assert(
      fc.property(shortId, shortId, (a, b) => {
        const [ca, cb] = [idCode(a), idCode(b)];
        expect(Number.isSafeInteger(ca) && Number.isSafeInteger(cb)).toBe(true);
        expect(ca === cb).toBe(a === b);
      }),
      { numRuns: 20_000 },
    );
    // Ids that differ only by length or by a first or last character.
    const near = ['A', 'AA', 'AAAAAAAA', 'AAAAAAA', '-', '--------', 'e1', 'e10', 'e01', '1e', 'a', 'b', 'aaaaaaab', 'baaaaaaa'];
    expect(new Set(near.map(idCode)).size).toBe(near.length);
  });

  it('gives the id back from its code', () => {
    fc.assert(fc.property(shortId, (id) => idOfCode(idCode(id)) === id), { numRuns: 20_000 });
    for (const id of ['A', '--------', 'e1347401', 'a153276', 'AAAAAAAA']) expect(idOfCode(idCode(id))).toBe(id);
  });

  it('gives none to a longer id or one with a character outside the alphabet', () => {
    expect(idCode('abcdefghi')).toBeNaN();
    for (const id of ['a b', 'a/b', 'é', 'a\u0000', 'x#']) expect(idCode(id), id).toBeNaN();
    // The empty id (which the schema refuses) has code 0: still its own.
    expect(idCode('')).toBe(0);
  });

  it('hashes by the code where there is one, else by the string', () => {
    expect(idHash('abcdefghi')).toBe(fnv1a('abcdefghi'));
    fc.assert(fc.property(shortId, (id) => Number.isInteger(idHash(id)) && idHash(id) >= 0 && idHash(id) < 2 ** 32));
  });
});
