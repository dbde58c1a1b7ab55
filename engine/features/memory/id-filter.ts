/**
 * One bit per id hash for every id applied: a clear bit proves an event new without touching its
 * account's ids (the costliest part of applying an event, all cache misses, on a long replay). A set
 * bit may be another id's: then the account's kept ids decide. Trimmed ids leave their bits set until
 * the store rebuilds the filter from the ids still kept, once it has taken in its share (`full`).
 */

/** Smallest filter of seen ids, in 32-bit words (2^20 bits); it grows with the ids kept. */
const MIN_ID_FILTER_WORDS = 1 << 15;
/** A rebuilt filter has at least this many bits per kept id (about one new id in 32 finds its bit set)... */
const MIN_BITS_PER_ID = 32;
/** ...and is rebuilt once it has taken in one id per this many bits (then about one in 8 does). */
const MAX_FILL_BITS_PER_ID = 8;

export class IdFilter {
  private readonly words: Int32Array;
  private readonly mask: number;
  /** Ids taken in (each counted once, as kept when the filter was sized, or added since). */
  private ids: number;

  /** A filter sized for `kept` ids (the store then marks each of them). */
  constructor(kept = 0) {
    let words = MIN_ID_FILTER_WORDS;
    while (words * 32 < kept * MIN_BITS_PER_ID) words *= 2;
    this.words = new Int32Array(words);
    this.mask = words * 32 - 1;
    this.ids = kept;
  }

  mayHave(h: number): boolean {
    const bit = h & this.mask;
    return ((this.words[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }

  /** Sets the bit of a hash already counted (a kept id, when rebuilding). */
  mark(h: number): void {
    const bit = h & this.mask;
    this.words[bit >>> 5] = (this.words[bit >>> 5] as number) | (1 << (bit & 31));
  }

  /** Takes in a new id; true when the filter is full and should be rebuilt from the ids kept. */
  add(h: number): boolean {
    this.mark(h);
    return ++this.ids * MAX_FILL_BITS_PER_ID > this.words.length * 32;
  }
}
