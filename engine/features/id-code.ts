import { fnv1a } from './fnv1a.js';

/**
 * Ids as numbers, where that is exact. An id of at most 8 characters of the id alphabet
 * ([A-Za-z0-9._:-], the events schema's: 66 characters) is written in bijective base 66, digits
 * 1..66 (no zero digit, so different lengths never meet): every such id has its own number, below
 * 66^9 / 65 < 2^53, so a double holds it exactly, and idOfCode gives the id back. The memory feature
 * store keeps event ids as these numbers (no string per event for the garbage collector to copy and
 * mark, duplicates still found exactly) and finds accounts by them; a pipelined replay sends them to
 * its feature thread instead of the strings. Longer ids have no code (NaN).
 */
export function idCode(id: string): number {
  const n = id.length;
  if (n > MAX_CODED_LENGTH) return Number.NaN;
  let code = 0;
  for (let i = n - 1; i >= 0; i--) {
    const c = id.charCodeAt(i);
    const digit = c < 128 ? (DIGITS[c] as number) : 0;
    if (digit === 0) return Number.NaN;
    code = code * BASE + digit;
  }
  return code;
}

/** An id, or its idCode when it has one (a number is only ever a code: an integer of at least 1). */
export type IdOrCode = string | number;

/** The id whose idCode is `code` (a code idCode gave: an integer of at least 1). */
export function idOfCode(code: number): string {
  let id = '';
  for (let rest = code; rest > 0; ) {
    const digit = rest % BASE || BASE;
    id += ALPHABET[digit - 1] as string;
    rest = (rest - digit) / BASE;
  }
  return id;
}

/**
 * The memory store's 32-bit hash of an id for its filter of ids: from the id's code when it has one
 * (cheaper than hashing the string again), else FNV-1a of the string. `code` is idCode(id); an id given
 * as its code (IdOrCode) is hashed by it.
 */
export function idHash(id: IdOrCode, code = typeof id === 'number' ? id : idCode(id)): number {
  return code === code ? hashOfCode(code) : fnv1a(id as string);
}

/** A 32-bit hash of a code (any well-spread function of it will do). */
export function hashOfCode(code: number): number {
  const low = code % 4294967296;
  const high = (code - low) / 4294967296;
  return (Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b) ^ (low >>> 15)) >>> 0;
}

const MAX_CODED_LENGTH = 8;
const BASE = 66;
/** Digit (1..65) of each character of the id alphabet, 0 for any other. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-';
const DIGITS = (() => {
  const digits = new Uint8Array(128);
  for (let k = 0; k < ALPHABET.length; k++) digits[ALPHABET.charCodeAt(k)] = k + 1;
  return digits;
})();
