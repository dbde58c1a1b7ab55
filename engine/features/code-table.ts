import { hashOfCode } from './id-code.js';
import { powerOfTwoAtLeast } from './time-lists.js';

/**
 * A map from idCode numbers (integers of at least 1) to numbers 0, 1, 2, ... in one Float64Array of
 * (code, value + 1) pairs, open addressing with linear probing. The memory feature store finds an
 * account by the code of its id here: a lookup reads one or two cache lines of one array, where a Map
 * keyed by the id string hashes a fresh string and reads the stored key string and the entry apart.
 */
export class CodeTable {
  /** Pairs (code, value + 1); a code of 0 marks an empty pair. */
  private pairs: Float64Array;
  private size = 0;
  private readonly initialPairs: number;

  /** `expectedKeys`: about how many codes will be added; the table starts large enough for them (it grows past them). */
  constructor(expectedKeys = 0) {
    this.initialPairs = powerOfTwoAtLeast(2 * expectedKeys, INITIAL_PAIRS);
    this.pairs = new Float64Array(2 * this.initialPairs);
  }

  /** The value of `code`, -1 when absent. */
  get(code: number): number {
    const mask = (this.pairs.length >>> 1) - 1;
    for (let i = hashOfCode(code) & mask; ; i = (i + 1) & mask) {
      const at = 2 * i;
      const key = this.pairs[at] as number;
      if (key === code) return (this.pairs[at + 1] as number) - 1;
      if (key === 0) return -1;
    }
  }

  /** Sets the value of a code not in the table. */
  add(code: number, value: number): void {
    if (2 * (this.size + 1) > this.pairs.length >>> 1) this.grow();
    this.place(this.pairs, code, value + 1);
    this.size++;
  }

  clear(): void {
    this.pairs = new Float64Array(2 * this.initialPairs);
    this.size = 0;
  }

  private place(pairs: Float64Array, code: number, stored: number): void {
    const mask = (pairs.length >>> 1) - 1;
    let i = hashOfCode(code) & mask;
    while (pairs[2 * i] !== 0) i = (i + 1) & mask;
    pairs[2 * i] = code;
    pairs[2 * i + 1] = stored;
  }

  /** Twice the pairs: the table stays at most half full. */
  private grow(): void {
    const old = this.pairs;
    const next = new Float64Array(2 * old.length);
    for (let at = 0; at < old.length; at += 2) if (old[at] !== 0) this.place(next, old[at] as number, old[at + 1] as number);
    this.pairs = next;
  }
}

const INITIAL_PAIRS = 1 << 12;
