import { describe, expect, it } from 'vitest';
import { idCode } from './id-code.js';
import { IdMap } from './id-map.js';

describe('IdMap', () => {
  it('keeps ids with a code and ids without one apart, and replaces a value set again', () => {
    const map = new IdMap<number>();
    const ids = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? `an-id-too-long-for-a-code-${i}` : i % 3 === 1 ? `m${i}` : `a.${i}:-`));
    ids.forEach((id, i) => map.set(id, i));
    ids.forEach((id, i) => expect(map.get(id)).toBe(i));
    map.set('m1', -1);
    map.set('an-id-too-long-for-a-code-0', -2);
    expect([map.get('m1'), map.get('an-id-too-long-for-a-code-0'), map.get('m4')]).toEqual([-1, -2, 4]);
    for (const id of ['m2', 'unknown', 'an-id-too-long-for-a-code-1', 'é', '']) expect(map.get(id), id).toBeUndefined();
  });

  it('finds an id by its code as by the id, and forgets everything when cleared', () => {
    const map = new IdMap<string>();
    map.set(idCode('a153276'), 'by code');
    map.set('e1', 'by id');
    expect([map.get('a153276'), map.get(idCode('e1')), map.get(idCode('e2'))]).toEqual(['by code', 'by id', undefined]);
    map.set('a-long-account-id-1', 'long');
    map.clear();
    for (const key of ['a153276', 'e1', 'a-long-account-id-1']) expect(map.get(key), key).toBeUndefined();
    map.set('e1', 'again');
    expect(map.get('e1')).toBe('again');
  });
});
