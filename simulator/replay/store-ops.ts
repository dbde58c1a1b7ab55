/**
 * What a pipelined replay sends its feature thread: each kept account event reduced to what the
 * feature stores keep (type index, time, entry fields per store) and the reads the decisions
 * will take around it. The main thread parses and validates every line anyway (it decides on the
 * events); sending only this spares the feature thread a second parse and validation, which was
 * most of its work besides the stores themselves.
 */
import type { AccountEvent } from '../../engine/events/index.js';
// Module by module, not the features' index (which loads YAML and the event schemas): the feature thread loads this.
import type { CompiledFeatures } from '../../engine/features/compile.js';
import { NO_FIELDS } from '../../engine/features/entry.js';
import { idCode, type IdOrCode } from '../../engine/features/id-code.js';
import type { MemoryFeatureStore } from '../../engine/features/memory-store.js';
import { grownTo } from '../../engine/features/time-lists.js';
import { ownCopy } from './own-copy.js';

/**
 * Numbers per op in StoreOps.nums: line, type index (baseline store), type index (candidate store),
 * time, reads, then the idCode of the account id and of the event id (NaN for an id without a code:
 * its string is sent instead).
 */
export const OP_WIDTH = 7;

/** `reads` bits: read the baseline store before applying the event, read the candidate store before it. */
export const READ_BASELINE = 1;
export const READ_CANDIDATE = 2;
/** `reads` above these bits: integrity reviews after the event, each reading both stores. */
export const REVIEW_SHIFT = 2;

export interface StoreOps {
  /** OP_WIDTH numbers per op (see OP_WIDTH); a type index is -1 where the store keeps no entry of that type. */
  nums: Float64Array;
  /**
   * Per op: the account id and the event id when they have no code, the baseline store's entry fields,
   * then the candidate store's (when it is a separate store), all joined by '|': ids never hold one
   * (the schema's id pattern) and entry fields are escaped. One string crosses to the worker as one
   * copy, where thousands cost one each; ids go as numbers, which the stores find accounts by.
   */
  strings: string;
  /** How many strings `strings` joins: none and one empty string join alike. */
  stringCount: number;
}

/** Accumulates ops until taken; the layouts say how many fields each op has, so nothing else is sent. */
export class StoreOpsWriter {
  /** Written in place (the array sent is a view of it); a new one after each take, as the sent one is transferred. */
  private nums: Float64Array;
  private used = 0;
  private readonly strings: string[] = [];

  constructor(
    private readonly baseline: CompiledFeatures,
    /** Null when one store serves both worlds. */
    private readonly candidate: CompiledFeatures | null,
    /** Ops a batch usually holds (its room grows past it when needed). */
    private readonly batchOps = 256,
  ) {
    this.nums = new Float64Array(OP_WIDTH * batchOps);
  }

  get size(): number {
    return this.used / OP_WIDTH;
  }

  add(event: AccountEvent, line: number, t: number, reads: number): void {
    const accountCode = codeOf(event.accountId);
    const eventCode = codeOf(event.eventId);
    if (accountCode !== accountCode) this.strings.push(event.accountId);
    if (eventCode !== eventCode) this.strings.push(event.eventId);
    const tiB = this.fields(this.baseline, event);
    const tiC = this.candidate === null ? -1 : this.fields(this.candidate, event);
    const at = this.used;
    if (at + OP_WIDTH > this.nums.length) this.nums = grownTo(this.nums, this.nums.length * 2);
    const nums = this.nums;
    nums[at] = line;
    nums[at + 1] = tiB;
    nums[at + 2] = tiC;
    nums[at + 3] = t;
    nums[at + 4] = reads;
    nums[at + 5] = accountCode;
    nums[at + 6] = eventCode;
    this.used = at + OP_WIDTH;
  }

  take(): StoreOps {
    const ops: StoreOps = { nums: this.nums.subarray(0, this.used), strings: this.strings.join(SEPARATOR), stringCount: this.strings.length };
    // The joined text is what crosses: the array is emptied and filled again by the next batch.
    this.nums = new Float64Array(OP_WIDTH * this.batchOps);
    this.used = 0;
    this.strings.length = 0;
    return ops;
  }

  private fields(compiled: CompiledFeatures, event: AccountEvent): number {
    const ti = compiled.typeIndex.get(event.type);
    if (ti === undefined) return -1;
    // fieldsOf's values, straight into the strings sent (no array per event).
    const getters = (compiled.layouts[ti] as CompiledFeatures['layouts'][number]).getters;
    for (let k = 0; k < getters.length; k++) this.strings.push((getters[k] as (event: object) => string)(event));
    return ti;
  }
}

/** The feature thread's side: applies a batch of ops to the stores in order, calling `read` for each read asked for. */
export function applyStoreOps(
  ops: StoreOps,
  storeB: MemoryFeatureStore,
  storeC: MemoryFeatureStore,
  read: (line: number, store: MemoryFeatureStore, account: IdOrCode, asOf: number) => void,
): void {
  const { nums } = ops;
  const strings = ops.stringCount === 0 ? [] : ops.strings.split(SEPARATOR);
  const shared = storeB === storeC;
  const layoutsB = storeB.compiled.layouts;
  const layoutsC = storeC.compiled.layouts;
  // Most events (orders) are not kept as entries: their fields are read during the apply only, from
  // one array filled again for each (no array per event).
  const passingB: string[] = [];
  const passingC: string[] = [];
  let s = 0;
  for (let at = 0; at < nums.length; at += OP_WIDTH) {
    const line = nums[at] as number;
    const tiB = nums[at + 1] as number;
    const tiC = nums[at + 2] as number;
    const t = nums[at + 3] as number;
    const reads = nums[at + 4] as number;
    const accountCode = nums[at + 5] as number;
    const eventCode = nums[at + 6] as number;
    const accountId: IdOrCode = accountCode === accountCode ? accountCode : (strings[s++] as string);
    const eventId: IdOrCode = eventCode === eventCode ? eventCode : (strings[s++] as string);
    const nB = tiB < 0 ? 0 : (layoutsB[tiB] as CompiledFeatures['layouts'][number]).paths.length;
    const fieldsB = nB === 0 ? NO_FIELDS : storeB.keepsFields(tiB) ? keptFields(strings, s, nB) : refilled(passingB, strings, s, nB);
    s += nB;
    let fieldsC = NO_FIELDS;
    if (!shared && tiC >= 0) {
      const nC = (layoutsC[tiC] as CompiledFeatures['layouts'][number]).paths.length;
      if (nC > 0) fieldsC = storeC.keepsFields(tiC) ? keptFields(strings, s, nC) : refilled(passingC, strings, s, nC);
      s += nC;
    }
    if (s > strings.length) throw new Error(`store ops out of step at line ${line}: ${s - strings.length} strings missing`);
    if ((reads & READ_BASELINE) !== 0) read(line, storeB, accountId, t);
    if ((reads & READ_CANDIDATE) !== 0) read(line, storeC, accountId, t);
    storeB.applyFields(accountId, eventId, tiB, t, fieldsB);
    if (!shared) storeC.applyFields(accountId, eventId, tiC, t, fieldsC);
    // Integrity reviews read the account after the event: each world's review reads once.
    for (let r = reads >>> REVIEW_SHIFT; r > 0; r--) {
      read(line, storeB, accountId, t);
      read(line, storeC, accountId, t);
    }
  }
  if (s !== strings.length) throw new Error(`store ops out of step: ${strings.length - s} strings left over`);
}

const SEPARATOR = '|';

/**
 * The fields of an entry the store keeps, as strings of their own: a value of 13 characters or more
 * (an evidence fingerprint) split out of the batch's text is a view that would keep the whole text
 * alive as long as the entry (about 17 MB of the feature thread's heap on a million-order replay).
 */
function keptFields(strings: readonly string[], from: number, n: number): string[] {
  const fields = strings.slice(from, from + n);
  for (let k = 0; k < n; k++) fields[k] = ownCopy(fields[k] as string);
  return fields;
}

/** `into` holding strings[from, from + n). */
function refilled(into: string[], strings: readonly string[], from: number, n: number): string[] {
  into.length = n;
  for (let k = 0; k < n; k++) into[k] = strings[from + k] as string;
  return into;
}

/** idCode of a non-empty id, NaN when it has none (the empty id's code, 0, is never sent as one). */
function codeOf(id: string): number {
  const code = idCode(id);
  return code > 0 ? code : Number.NaN;
}
