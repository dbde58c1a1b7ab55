/**
 * Many small lists of (time, code) pairs, kept in two shared Float64Arrays instead of two
 * JavaScript arrays per list. The memory feature store holds one list per account and event type it
 * keeps (event times, sorted, and id codes), and one per shared or linking value (the accounts that
 * used it, as account numbers, and when each first did): on a million-event replay that was hundreds of thousands of small arrays, each born in the
 * young generation and copied twice by the garbage collector before it settled (most of what the
 * feature thread's collector did). Here the lists live in a few large buffers outside the heap the
 * collector copies, and a list's handle is a plain integer.
 *
 * A list occupies one block of the buffers, of a power-of-two capacity; a full block is moved to one
 * twice its size (or its live part slid to the front, when trimming left the front half empty), and
 * freed blocks are reused by the next list of that size, so memory follows the times kept, not the
 * times ever inserted.
 */
export class TimeLists {
  private times = new Float64Array(INITIAL_SLOTS);
  private codes = new Float64Array(INITIAL_SLOTS);
  /** Slots handed out so far (the buffers' free tail starts here). */
  private top = 0;
  /** Offsets of freed blocks, per size class (capacity 2^k). */
  private readonly free: number[][] = [];
  /** Per list: its block's offset and capacity (0: no block yet), where its items start in the block, how many. */
  private base = new Int32Array(INITIAL_LISTS);
  private cap = new Int32Array(INITIAL_LISTS);
  private first = new Int32Array(INITIAL_LISTS);
  private count = new Int32Array(INITIAL_LISTS);
  private lists = 0;

  /** Makes `n` new empty lists and returns the handle of the first (the others follow it). */
  add(n: number): number {
    const handle = this.lists;
    this.lists += n;
    if (this.lists > this.base.length) {
      let size = this.base.length * 2;
      while (size < this.lists) size *= 2;
      this.base = grownTo(this.base, size);
      this.cap = grownTo(this.cap, size);
      this.first = grownTo(this.first, size);
      this.count = grownTo(this.count, size);
    }
    return handle;
  }

  size(list: number): number {
    return this.count[list] as number;
  }

  timeAt(list: number, k: number): number {
    return this.times[(this.base[list] as number) + (this.first[list] as number) + k] as number;
  }

  codeAt(list: number, k: number): number {
    return this.codes[(this.base[list] as number) + (this.first[list] as number) + k] as number;
  }

  setTimeAt(list: number, k: number, t: number): void {
    this.times[(this.base[list] as number) + (this.first[list] as number) + k] = t;
  }

  /** Position of the first item with this code, -1 when none. */
  indexOfCode(list: number, code: number): number {
    const at = (this.base[list] as number) + (this.first[list] as number);
    const n = this.count[list] as number;
    for (let k = 0; k < n; k++) if (this.codes[at + k] === code) return k;
    return -1;
  }

  /** The list's times, oldest first: a view that is valid until the next insert or trim of any list. */
  timesOf(list: number): Float64Array {
    const n = this.count[list] as number;
    if (n === 0) return NO_TIMES;
    const at = (this.base[list] as number) + (this.first[list] as number);
    return this.times.subarray(at, at + n);
  }

  /** The list's id codes, in the order of its times (same validity as timesOf). */
  codesOf(list: number): Float64Array {
    const n = this.count[list] as number;
    if (n === 0) return NO_TIMES;
    const at = (this.base[list] as number) + (this.first[list] as number);
    return this.codes.subarray(at, at + n);
  }

  /** Inserts at position `k` (0..size); the caller chooses `k` to keep the list in order. */
  insertAt(list: number, k: number, t: number, code: number): void {
    const n = this.count[list] as number;
    if ((this.first[list] as number) + n === (this.cap[list] as number)) this.makeRoom(list);
    const at = (this.base[list] as number) + (this.first[list] as number);
    if (k < n) {
      this.times.copyWithin(at + k + 1, at + k, at + n);
      this.codes.copyWithin(at + k + 1, at + k, at + n);
    }
    this.times[at + k] = t;
    this.codes[at + k] = code;
    this.count[list] = n + 1;
  }

  /** Inserts after every time not later than `t`: the place of a times-only event (appends in O(1) in the usual in-order case). */
  insertTime(list: number, t: number, code: number): void {
    let k = this.count[list] as number;
    while (k > 0 && this.timeAt(list, k - 1) > t) k--;
    this.insertAt(list, k, t, code);
  }

  /** Drops the items with a time before `horizon`; returns how many (they were the first ones). */
  dropBefore(list: number, horizon: number): number {
    const n = this.count[list] as number;
    const at = (this.base[list] as number) + (this.first[list] as number);
    let d = 0;
    while (d < n && (this.times[at + d] as number) < horizon) d++;
    if (d > 0) {
      this.count[list] = n - d;
      this.first[list] = d === n ? 0 : (this.first[list] as number) + d;
    }
    return d;
  }

  clear(): void {
    this.times = new Float64Array(INITIAL_SLOTS);
    this.codes = new Float64Array(INITIAL_SLOTS);
    this.top = 0;
    this.free.length = 0;
    this.base = new Int32Array(INITIAL_LISTS);
    this.cap = new Int32Array(INITIAL_LISTS);
    this.first = new Int32Array(INITIAL_LISTS);
    this.count = new Int32Array(INITIAL_LISTS);
    this.lists = 0;
  }

  /** The list's block is full to its end: slide its items to the front when that frees half of it, else move to a block twice the size. */
  private makeRoom(list: number): void {
    const c = this.cap[list] as number;
    const n = this.count[list] as number;
    const from = (this.base[list] as number) + (this.first[list] as number);
    if (c === 0) {
      this.base[list] = this.allocate(MIN_BLOCK);
      this.cap[list] = MIN_BLOCK;
    } else if (n <= c >>> 1) {
      const to = this.base[list] as number;
      this.times.copyWithin(to, from, from + n);
      this.codes.copyWithin(to, from, from + n);
    } else {
      // Allocate first: growing the buffers replaces them, and the copy must read the current ones.
      const block = this.allocate(c * 2);
      this.times.copyWithin(block, from, from + n);
      this.codes.copyWithin(block, from, from + n);
      this.release(this.base[list] as number, c);
      this.base[list] = block;
      this.cap[list] = c * 2;
    }
    this.first[list] = 0;
  }

  private allocate(capacity: number): number {
    const reused = this.free[sizeClass(capacity)]?.pop();
    if (reused !== undefined) return reused;
    const block = this.top;
    this.top += capacity;
    if (this.top > this.times.length) {
      let size = this.times.length * 2;
      while (size < this.top) size *= 2;
      this.times = grownTo(this.times, size);
      this.codes = grownTo(this.codes, size);
    }
    return block;
  }

  private release(block: number, capacity: number): void {
    (this.free[sizeClass(capacity)] ??= []).push(block);
  }
}

const INITIAL_SLOTS = 1 << 16;
const INITIAL_LISTS = 1 << 12;
const MIN_BLOCK = 4;
const NO_TIMES = new Float64Array(0);

function sizeClass(capacity: number): number {
  return 31 - Math.clz32(capacity);
}

/** A copy of `column` of length `n` (at least its own), the new part filled with `fill`. */
export function grownTo<T extends Float64Array | Int32Array>(column: T, n: number, fill = 0): T {
  const next = new (column.constructor as new (length: number) => T)(n);
  next.set(column);
  if (fill !== 0) next.fill(fill, column.length);
  return next;
}
