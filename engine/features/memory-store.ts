/**
 * In-memory FeatureStore for the simulator (synchronous API), tests and the server without Redis.
 * It keeps what the Redis store keeps (plus links to partners never flagged, which count for nothing)
 * and reads through the same `computeFeatures`.
 *
 * Built for million-event replays: each account IS its AccountLog (one object, buckets/links/flags
 * shared empty until first written); a filter of id hashes proves most events new before any
 * account's ids are looked at (they are, exactly, only when its bit is set); link and shared indexes
 * are keyed by the raw value (no per-event key strings), hold their members in a flat array and are
 * remembered per account, so an account reusing its device or address does no index lookup at all;
 * entries build their sort key only on ties; types whose entries no feature reads (orders) keep only
 * times and ids; event times take a fixed-format fast path.
 *
 * Its parts, one concept a file, in memory/: account.ts (one account, and what other accounts write
 * onto it), account-rows.ts (the table of accounts and their rows), value-groups.ts (accounts sharing
 * a value: links, flags, shared values), id-filter.ts (the filter of seen ids). This file: each
 * account's own event log (times, ids, entries), duplicates, trimming and reads.
 */
import type { RefundGuardEvent } from '../events/index.js';
import type { AccountLog, Entry, FlagEntry, TimeList } from './account-log.js';
import { compileFeatures, emptyResult, type CompiledFeatures } from './compile.js';
import { computeFeatures } from './compute.js';
import type { FeatureDefinitions } from './definitions.js';
import { FieldEntry, NO_FIELDS, fieldsOf } from './entry.js';
import type { TypeLayout } from './layout.js';
import { idCode, idHash, idOfCode, type IdOrCode } from './id-code.js';
import type { FeatureStore } from './store.js';
import { parseEventTime } from './time.js';
import { TimeLists } from './time-lists.js';
import { EMPTY_LIST, NO_TIMES, PassingEntry, type MemoryAccount } from './memory/account.js';
import { FIRST_SEEN, LATEST, SINCE_TRIM, type StoreSizes } from './memory/account-rows.js';
import { IdFilter } from './memory/id-filter.js';
import { ValueGroups } from './memory/value-groups.js';

/** Trim an account's old entries every this many writes (amortised; trimming never changes reads within retention). */
const TRIM_EVERY = 256;
/**
 * Size hints per expected event: at most an account per ACCOUNTS_PER_EVENT events; hash tables start
 * with a key per KEYS_PER_EVENT, below what they reach (they grow once or twice): a table larger
 * than its keys spreads them over more pages, and every lookup of a random account costs a TLB miss more.
 */
const ACCOUNTS_PER_EVENT = 4;
/**
 * Buffers are sized for at most this many events (about 70 bytes of address space each with the
 * shipped features, under 600 MB in all); past it they grow as needed. A larger reservation could be
 * refused outright on a machine with less memory, and a replay that long spends a small fraction of
 * its time growing them.
 */
const MAX_SIZED_EVENTS = 1 << 23;
const KEYS_PER_EVENT = 32;

function sizesFor(expectedEvents: number | undefined): StoreSizes {
  const events = Math.min(expectedEvents ?? 0, MAX_SIZED_EVENTS);
  // Generous for buffers filled in order (pages never written cost nothing), modest for hash tables (written all over).
  return { events, accounts: events / ACCOUNTS_PER_EVENT, keys: events / KEYS_PER_EVENT };
}

export class MemoryFeatureStore extends ValueGroups implements FeatureStore {
  readonly compiled: CompiledFeatures;
  private readonly passing = new PassingEntry();
  /** Times and id codes of every kept event, one list per account and kept type. */
  private readonly timeLists: TimeLists;
  /** Per type index: the position of its list among an account's lists, -1 for a type whose events are not kept. */
  private readonly listOfType: Int32Array;
  /** The type index of each of an account's lists. */
  private readonly typeOfList: number[];
  /** Per type index: the times a read sees of a type not kept (none). */
  private readonly noTimes: TimeList[];
  private readonly zero: Record<string, number>;
  /** Every id applied (see IdFilter); rebuilt from the ids kept when full. */
  private idFilter = new IdFilter();

  /**
   * `lean` (a replay's stores): events of a type no windowed feature counts keep no time and no id.
   * They still set the account's first-seen time and write their links, shared values and flags, all
   * idempotent, so every read is the same; only a repeat of such an event is applied again (to no
   * effect) instead of being reported a duplicate.
   */
  private readonly lean: boolean;

  /**
   * `expectedEvents` (a replay's stores: from the history's size): about how many events will be
   * applied. Buffers are sized for them at once instead of growing to them (see TimeLists).
   */
  constructor(definitions: FeatureDefinitions | CompiledFeatures, options: { lean?: boolean; expectedEvents?: number } = {}) {
    const c = 'evaluators' in definitions ? definitions : compileFeatures(definitions);
    const sizes = sizesFor(options.expectedEvents);
    super(c, sizes);
    this.compiled = c;
    this.lean = options.lean === true;
    const types = c.layouts.length;
    // Lean: only types some windowed feature counts are kept (see applyFields).
    this.typeOfList = [];
    this.listOfType = new Int32Array(types).fill(-1);
    for (let ti = 0; ti < types; ti++) {
      if (this.lean && c.timesRead[ti] !== true) continue;
      this.listOfType[ti] = this.typeOfList.length;
      this.typeOfList.push(ti);
    }
    this.timeLists = new TimeLists({ lists: sizes.accounts * this.typeOfList.length, slots: 2 * sizes.events });
    this.noTimes = Array.from({ length: types }, () => NO_TIMES);
    this.zero = emptyResult(c);
  }

  async apply(events: readonly RefundGuardEvent[]): Promise<{ applied: number; duplicates: number }> {
    let applied = 0;
    let duplicates = 0;
    for (const event of events) {
      if (this.applySync(event)) applied++;
      else duplicates++;
    }
    return { applied, duplicates };
  }

  async read(accountId: string, asOf: number): Promise<Record<string, number>> {
    return this.readSync(accountId, asOf);
  }

  async close(): Promise<void> {
    this.clearAccounts();
    this.timeLists.clear();
    this.clearGroups();
  }

  /** Applies one validated event; false when it is a duplicate (same eventId already applied to the account). */
  applySync(event: RefundGuardEvent): boolean {
    if (event.type === 'merchant.updated') return true;
    const c = this.compiled;
    const ti = c.typeIndex.get(event.type);
    if (ti === undefined) return this.applyFields(event.accountId, event.eventId, -1, 0, NO_FIELDS);
    const t = parseEventTime(event.at);
    return this.applyFields(event.accountId, event.eventId, ti, t, fieldsOf(c.layouts[ti] as TypeLayout, event));
  }

  /**
   * Whether applyFields keeps the fields array it is given for events of type `ti` (as the entry it
   * stores). Where it does not, it reads them during the call only, and a caller may reuse the array.
   */
  keepsFields(ti: number): boolean {
    return ti >= 0 && (!this.lean || this.compiled.timesRead[ti] === true) && this.compiled.entriesRead[ti] === true;
  }

  /**
   * applySync of an event already reduced to what the store keeps: its type index in `compiled`
   * (-1 for a type no definition reads), its time and its entry fields (`fieldsOf`). A pipelined
   * replay reduces events where it parses them and sends only this to the thread keeping features.
   * The account and the event may be given by the idCode of their id (an IdOrCode), as a pipelined
   * replay sends them: the id strings are then never needed.
   */
  applyFields(accountId: IdOrCode, eventId: IdOrCode, ti: number, t: number, fields: string[]): boolean {
    const acc = this.account(accountId);
    const c = this.compiled;
    // Lean: a type no windowed feature counts keeps no id, so it is not checked for one either.
    const kept = !this.lean || ti < 0 || c.timesRead[ti] === true;
    const code = !kept ? 0 : typeof eventId === 'number' ? eventId : idCode(eventId);
    const h = kept ? idHash(eventId, code) : 0;
    if (kept && this.idFilter.mayHave(h) && this.hasId(acc, eventId, code)) return false;
    if (ti < 0) return true;
    // Only an entry that is kept is an object of its own: the others (orders) are read once, by the writes.
    const entry = kept && c.entriesRead[ti] === true ? new FieldEntry(t, fields, eventId, (c.layouts[ti] as TypeLayout).prefix) : this.passing.of(t, fields);
    const rows = this.rows;
    const row = acc.index * this.rowWidth;
    if (t < (rows[row + FIRST_SEEN] as number)) rows[row + FIRST_SEEN] = t;
    if (!kept) {
      this.applyWrites(acc, ti, entry);
      return true;
    }
    const list = acc.lists + (this.listOfType[ti] as number);
    if (entry instanceof FieldEntry) this.insertEntry(acc, ti, list, entry, code);
    else this.timeLists.insertTime(list, t, code);
    if (code !== code) (acc.uncodedIds ??= []).push(t, eventId as string);
    this.applyWrites(acc, ti, entry);
    if (t > (rows[row + LATEST] as number)) rows[row + LATEST] = t;
    const writes = (rows[row + SINCE_TRIM] as number) + 1;
    rows[row + SINCE_TRIM] = writes;
    if (writes >= TRIM_EVERY) this.trim(acc);
    // Last: a rebuild of the filter reads the ids kept, this one included.
    if (this.idFilter.add(h)) this.rebuildIdFilter();
    return true;
  }

  /** Every feature of the account as of asOf. Allocates the result object and the account's log (copies of its times). */
  readSync(accountId: IdOrCode, asOf: number): Record<string, number> {
    const acc = this.accounts.get(accountId);
    if (acc === undefined) return { ...this.zero };
    return computeFeatures(this.compiled, this.logOf(acc), asOf);
  }

  private logOf(acc: MemoryAccount): AccountLog {
    const times = this.noTimes.slice();
    for (let k = 0; k < this.typeOfList.length; k++) times[this.typeOfList[k] as number] = this.timeLists.timesOf(acc.lists + k);
    return { firstSeen: this.rows[acc.index * this.rowWidth + FIRST_SEEN] as number, buckets: acc.buckets, times, links: acc.links, flags: acc.flags, shared: acc.shared };
  }

  /**
   * An entry goes into its bucket and its time into the type's list at the same position, after every
   * entry not greater in (t, key) order; the in-order case (the usual one) is decided on the times alone.
   */
  private insertEntry(acc: MemoryAccount, ti: number, list: number, entry: FieldEntry, code: number): void {
    const lists = this.timeLists;
    if (acc.buckets === this.emptyBuckets) acc.buckets = this.emptyBuckets.slice();
    let bucket = acc.buckets[ti] as Entry[];
    if (bucket === EMPTY_LIST) acc.buckets[ti] = bucket = [];
    const t = entry.t;
    let k = lists.size(list);
    while (k > 0) {
      const pt = lists.timeAt(list, k - 1);
      if (pt < t || (pt === t && (bucket[k - 1] as Entry).key <= entry.key)) break;
      k--;
    }
    if (k === bucket.length) bucket.push(entry);
    else bucket.splice(k, 0, entry);
    lists.insertAt(list, k, t, code);
  }

  /** Whether the account keeps an event of this id; `code` is idCode(id). */
  private hasId(acc: MemoryAccount, id: IdOrCode, code: number): boolean {
    if (code === code) {
      for (let k = 0; k < this.typeOfList.length; k++) if (this.timeLists.indexOfCode(acc.lists + k, code) >= 0) return true;
      return false;
    }
    const uncoded = acc.uncodedIds;
    if (uncoded !== null) for (let k = 1; k < uncoded.length; k += 2) if (uncoded[k] === id) return true;
    return false;
  }

  /** A filter sized for the ids kept now, holding exactly their bits (those of trimmed ids are gone). */
  private rebuildIdFilter(): void {
    const lists = this.timeLists;
    const perAccount = this.typeOfList.length;
    let kept = 0;
    for (const acc of this.accountList) for (let k = 0; k < perAccount; k++) kept += lists.size(acc.lists + k);
    const filter = new IdFilter(kept);
    for (const acc of this.accountList) {
      for (let k = 0; k < perAccount; k++) {
        for (let i = 0, list = acc.lists + k, n = lists.size(list); i < n; i++) {
          const code = lists.codeAt(list, i);
          if (code === code) filter.mark(idHash(code));
        }
      }
      const uncoded = acc.uncodedIds;
      if (uncoded !== null) for (let k = 1; k < uncoded.length; k += 2) filter.mark(idHash(uncoded[k] as string));
    }
    this.idFilter = filter;
  }

  /** The account of an id or id code, made on first sight. */
  private account(key: IdOrCode): MemoryAccount {
    let acc = this.accounts.get(key);
    if (acc === undefined) this.accounts.set(key, (acc = this.newAccount(typeof key === 'number' ? idOfCode(key) : key, this.timeLists.add(this.typeOfList.length))));
    return acc;
  }

  /** Drops entries older than retention before the newest event seen; their ids go with them. */
  private trim(acc: MemoryAccount): void {
    const row = acc.index * this.rowWidth;
    this.rows[row + SINCE_TRIM] = 0;
    const horizon = (this.rows[row + LATEST] as number) - this.compiled.retentionMs;
    for (let k = 0; k < this.typeOfList.length; k++) {
      const n = this.timeLists.dropBefore(acc.lists + k, horizon);
      const ti = this.typeOfList[k] as number;
      if (n > 0 && this.compiled.entriesRead[ti] === true) (acc.buckets[ti] as Entry[]).splice(0, n);
    }
    for (const list of acc.flags) {
      let n = 0;
      while (n < list.length && (list[n] as FlagEntry).t < horizon) n++;
      if (n > 0) list.splice(0, n);
    }
    // The uncoded ids of the times just dropped go with them (their codes in the lists were NaN).
    const uncoded = acc.uncodedIds;
    if (uncoded !== null) acc.uncodedIds = uncoded.filter((_, k) => (uncoded[k - (k & 1)] as number) >= horizon);
  }
}
