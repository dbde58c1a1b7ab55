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
  /** Items as (time, code) pairs: slot s holds its time at 2s and its code at 2s + 1 (one cache line serves a small list). */
  private items: Float64Array;
  /** Slots handed out so far (the buffer's free tail starts here). */
  private top = 0;
  /** Offsets of freed blocks, per size class (capacity 2^k). */
  private readonly free: number[][] = [];
  /** Per list, HEAD numbers at HEAD * list: its block's first slot, the block's capacity (0: no block yet), the slot of its first item, how many items. */
  private head: Int32Array;
  private lists = 0;
  private readonly initialSlots: number;
  private readonly initialLists: number;

  /**
   * `expected`: about how many lists and slots the caller will use. Buffers are made that large at
   * once: pages of a buffer not yet written cost no memory, where growing to it copies every earlier
   * buffer into fresh pages (on a million-event replay, a tenth of the feature thread's time).
   */
  constructor(expected: { lists?: number; slots?: number } = {}) {
    this.initialSlots = powerOfTwoAtLeast(expected.slots ?? 0, INITIAL_SLOTS);
    this.initialLists = powerOfTwoAtLeast(expected.lists ?? 0, INITIAL_LISTS);
    this.items = new Float64Array(2 * this.initialSlots);
    this.head = new Int32Array(HEAD * this.initialLists);
  }

  /** Makes `n` new empty lists and returns the handle of the first (the others follow it). */
  add(n: number): number {
    const handle = this.lists;
    this.lists += n;
    if (HEAD * this.lists > this.head.length) this.head = grownTo(this.head, powerOfTwoAtLeast(HEAD * this.lists, this.head.length * 2));
    return handle;
  }

  size(list: number): number {
    return this.head[HEAD * list + COUNT] as number;
  }

  timeAt(list: number, k: number): number {
    return this.items[2 * ((this.head[HEAD * list + START] as number) + k)] as number;
  }

  codeAt(list: number, k: number): number {
    return this.items[2 * ((this.head[HEAD * list + START] as number) + k) + 1] as number;
  }

  setTimeAt(list: number, k: number, t: number): void {
    this.items[2 * ((this.head[HEAD * list + START] as number) + k)] = t;
  }

  /** Position of the first item with this code, -1 when none. */
  indexOfCode(list: number, code: number): number {
    const h = HEAD * list;
    const at = 2 * (this.head[h + START] as number) + 1;
    const n = this.head[h + COUNT] as number;
    for (let k = 0; k < n; k++) if (this.items[at + 2 * k] === code) return k;
    return -1;
  }

  /**
   * A copy of the list's times, oldest first: a plain array, allocated in the heap's young generation
   * (a typed array of more than a few items would be a buffer outside it, and each read would add to
   * the external memory that hurries the collector).
   */
  timesOf(list: number): readonly number[] {
    const h = HEAD * list;
    const n = this.head[h + COUNT] as number;
    if (n === 0) return NO_TIMES;
    const times: number[] = [];
    const at = 2 * (this.head[h + START] as number);
    for (let k = 0; k < n; k++) times.push(this.items[at + 2 * k] as number);
    return times;
  }

  /** Inserts at position `k` (0..size); the caller chooses `k` to keep the list in order. */
  insertAt(list: number, k: number, t: number, code: number): void {
    const h = HEAD * list;
    const n = this.head[h + COUNT] as number;
    if ((this.head[h + START] as number) + n === (this.head[h + BASE] as number) + (this.head[h + CAP] as number)) this.makeRoom(list);
    const at = 2 * (this.head[h + START] as number);
    if (k < n) this.items.copyWithin(at + 2 * k + 2, at + 2 * k, at + 2 * n);
    this.items[at + 2 * k] = t;
    this.items[at + 2 * k + 1] = code;
    this.head[h + COUNT] = n + 1;
  }

  /** Inserts after every time not later than `t`: the place of a times-only event (appends in O(1) in the usual in-order case). */
  insertTime(list: number, t: number, code: number): void {
    let k = this.head[HEAD * list + COUNT] as number;
    while (k > 0 && this.timeAt(list, k - 1) > t) k--;
    this.insertAt(list, k, t, code);
  }

  /** Drops the items with a time before `horizon`; returns how many (they were the first ones). */
  dropBefore(list: number, horizon: number): number {
    const h = HEAD * list;
    const n = this.head[h + COUNT] as number;
    const at = 2 * (this.head[h + START] as number);
    let d = 0;
    while (d < n && (this.items[at + 2 * d] as number) < horizon) d++;
    if (d > 0) {
      this.head[h + COUNT] = n - d;
      this.head[h + START] = d === n ? (this.head[h + BASE] as number) : (this.head[h + START] as number) + d;
    }
    return d;
  }

  clear(): void {
    this.items = new Float64Array(2 * this.initialSlots);
    this.top = 0;
    this.free.length = 0;
    this.head = new Int32Array(HEAD * this.initialLists);
    this.lists = 0;
  }

  /** The list's block is full to its end: slide its items to the front when that frees half of it, else move to a block twice the size. */
  private makeRoom(list: number): void {
    const h = HEAD * list;
    const c = this.head[h + CAP] as number;
    const n = this.head[h + COUNT] as number;
    const from = this.head[h + START] as number;
    if (c === 0) {
      const block = this.allocate(MIN_BLOCK);
      this.head[h + BASE] = block;
      this.head[h + START] = block;
      this.head[h + CAP] = MIN_BLOCK;
    } else if (n <= c >>> 1) {
      const to = this.head[h + BASE] as number;
      this.items.copyWithin(2 * to, 2 * from, 2 * (from + n));
      this.head[h + START] = to;
    } else {
      // Allocate first: growing the buffer replaces it, and the copy must read the current one.
      const block = this.allocate(c * 2);
      this.items.copyWithin(2 * block, 2 * from, 2 * (from + n));
      this.release(this.head[h + BASE] as number, c);
      this.head[h + BASE] = block;
      this.head[h + START] = block;
      this.head[h + CAP] = c * 2;
    }
  }

  private allocate(capacity: number): number {
    const reused = this.free[sizeClass(capacity)]?.pop();
    if (reused !== undefined) return reused;
    const block = this.top;
    this.top += capacity;
    if (2 * this.top > this.items.length) this.items = grownTo(this.items, powerOfTwoAtLeast(2 * this.top, this.items.length * 2));
    return block;
  }

  private release(block: number, capacity: number): void {
    (this.free[sizeClass(capacity)] ??= []).push(block);
  }
}

/** Numbers per list in TimeLists.head, and their places. */
const HEAD = 4;
const BASE = 0;
const CAP = 1;
const START = 2;
const COUNT = 3;
const INITIAL_SLOTS = 1 << 16;
const INITIAL_LISTS = 1 << 12;
const MIN_BLOCK = 4;
const NO_TIMES: readonly number[] = Object.freeze([]);

function sizeClass(capacity: number): number {
  return 31 - Math.clz32(capacity);
}

/** The least power of two at least `n` and at least `floor` (itself a power of two). */
export function powerOfTwoAtLeast(n: number, floor: number): number {
  let size = floor;
  while (size < n) size *= 2;
  return size;
}

/** A copy of `column` of length `n` (at least its own), the new part filled with `fill`. */
export function grownTo<T extends Float64Array | Int32Array>(column: T, n: number, fill = 0): T {
  const next = new (column.constructor as new (length: number) => T)(n);
  next.set(column);
  if (fill !== 0) next.fill(fill, column.length);
  return next;
}
