/**
 * In-memory FeatureStore for the simulator (synchronous API), tests and the server without Redis.
 * It keeps what the Redis store keeps (plus links to partners never flagged, which count for nothing)
 * and reads through the same `computeFeatures`; the cross-account bookkeeping below gives the same
 * links and flags as server/stores/redis-feature-store.ts, which writes a link onto an account only
 * once the partner is flagged (the contract and differential tests hold them together).
 *
 * Built for million-event replays: each account IS its AccountLog (one object, buckets/links/flags
 * shared empty until first written); a filter of id hashes proves most events new before any
 * account's ids are looked at (they are, exactly, only when its bit is set); link and shared indexes
 * are keyed by the raw value (no per-event key strings), hold their members in a flat array and are
 * remembered per account, so an account reusing its device or address does no index lookup at all;
 * entries build their sort key only on ties; types whose entries no feature reads (orders) keep only
 * times and ids; event times take a fixed-format fast path. Cross-account work happens only when
 * something new is learnt: a new (or earlier) use of a value, or a new flag.
 */
import type { RefundGuardEvent } from '../events/index.js';
import type { AccountLog, Entry, FlagEntry, TimeList } from './account-log.js';
import { compileFeatures, emptyResult, type CompiledFeatures } from './compile.js';
import { computeFeatures } from './compute.js';
import type { FeatureDefinitions } from './definitions.js';
import { FieldEntry, NO_FIELDS, fieldsOf } from './entry.js';
import type { TypeLayout } from './layout.js';
import { idCode, idHash, idOfCode, type IdOrCode } from './id-code.js';
import { IdMap } from './id-map.js';
import type { FeatureStore } from './store.js';
import { parseEventTime } from './time.js';
import { TimeLists, grownTo, powerOfTwoAtLeast } from './time-lists.js';

/**
 * The accounts using one value (a device, an address, an evidence fingerprint) are a group: a list of
 * the store's `groups` (TimeLists) holding each member's account number and its first use of the value,
 * in the order they joined. An index maps each value to its group: by the value's idCode where it has
 * one (most devices and addresses: no string kept, no string hashed), else by the value itself, which
 * `groupValues` then keeps so entries can share one copy of it (interning). Lookups pass the code when
 * there is one (see IdMap), as the caller has computed it already.
 */
type GroupIndex = IdMap<number>;

/**
 * The entry of an event whose entry is not kept, as its writes (links, shared values, flags) read it:
 * one object, reused from event to event.
 */
class PassingEntry implements Entry {
  t = 0;
  f: readonly string[] = NO_FIELDS;
  readonly id = '';
  readonly key = '';
  of(t: number, f: readonly string[]): this {
    this.t = t;
    this.f = f;
    return this;
  }
}

/** Never written: stands for "nothing yet" until an account writes its own list or map. */
const EMPTY_LIST: never[] = [];
const EMPTY_MAP: Map<string, number> = new Map();
const NO_TIMES: TimeList = Object.freeze([]);

/**
 * One account. The times and id codes of the events it keeps are in the store's TimeLists (one list
 * per kept type, handles `lists + k`); the entries of types whose entries a feature reads are here,
 * in `buckets`, in the same order as their list's times. Until it writes one, an account shares the
 * store's empty buckets, links, flags and shared maps. Its times (first seen, latest, writes since
 * the last trim) and its link cache are in the store's columns, at its `index`.
 */
class MemoryAccount {
  /** Per linked feature: times this account was flagged (null until flagged). */
  ownFlags: Set<number>[] | null = null;
  /** The ids without a code (longer than idCode takes) of the events kept, each after its time: [t, id, t, id, ...]. */
  uncodedIds: (number | string)[] | null = null;
  constructor(
    readonly id: string,
    /** The account's number: accounts are numbered 0, 1, ... as they are first seen. */
    readonly index: number,
    /** Handle of the account's first time list in the store's TimeLists. */
    readonly lists: number,
    public buckets: Entry[][],
    public links: Map<string, number>[],
    public flags: FlagEntry[][],
    public shared: Map<string, number>[],
  ) {}
}

/** Trim an account's old entries every this many writes (amortised; trimming never changes reads within retention). */
const TRIM_EVERY = 256;
/** Rows for this many accounts at first (they double as accounts come). */
const INITIAL_ACCOUNTS = 1 << 12;
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
/** Places in an account's row (MemoryFeatureStore.rows)... */
const FIRST_SEEN = 0;
const LATEST = 1;
const SINCE_TRIM = 2;
const CACHE_AT = 3;
/** ...and in each via slot's entry of its link cache. */
const CACHE_WIDTH = 4;
const CACHED_GROUP = 0;
const CACHED_MEMBER = 1;
const CACHED_FIRST_USE = 2;
const CACHED_CODE = 3;
/** Smallest filter of seen ids, in 32-bit words (2^20 bits); it grows with the ids kept. */
const MIN_ID_FILTER_WORDS = 1 << 15;
/** A rebuilt filter has at least this many bits per kept id (about one new id in 32 finds its bit set)... */
const MIN_BITS_PER_ID = 32;
/** ...and is rebuilt once it has taken in one id per this many bits (then about one in 8 does). */
const MAX_FILL_BITS_PER_ID = 8;

interface LinkedPlan {
  /** Per type index: the index (value → group) of each via slot of that type. */
  readonly via: ({ slot: number; index: GroupIndex; cache: number }[] | undefined)[];
  readonly isFlag: (ti: number, entry: Entry) => boolean;
  readonly cap: number;
}

interface SharedPlan {
  /** Per type index: the slot holding the shared field, -1 when the type has none. */
  readonly slot: number[];
  readonly index: GroupIndex;
  readonly cap: number;
}

export class MemoryFeatureStore implements FeatureStore {
  readonly compiled: CompiledFeatures;
  private readonly accounts: IdMap<MemoryAccount>;
  private readonly passing = new PassingEntry();
  /** Accounts by number (MemoryAccount.index). */
  private accountList: MemoryAccount[] = [];
  /**
   * One row of `rowWidth` numbers per account number, what an event of the account touches most: its
   * first event time (+Infinity until one), its latest event time kept, its writes since the last
   * trim, then its link cache, CACHE_WIDTH numbers per via slot (LinkedPlan cache position): the group
   * of the value it used last there (plus one; 0: none), its position in the group, its first use of
   * the value, and the value's idCode. One row in one array: one cache line or two per event, where
   * separate columns or objects cost a miss each.
   */
  private rows: Float64Array;
  private readonly rowWidth: number;
  /** Members of every group (see GroupIndex), and each group's value. */
  private readonly groups: TimeLists;
  private groupValues: string[] = [];
  /** Times and id codes of every kept event, one list per account and kept type. */
  private readonly timeLists: TimeLists;
  /** Per type index: the position of its list among an account's lists, -1 for a type whose events are not kept. */
  private readonly listOfType: Int32Array;
  /** The type index of each of an account's lists. */
  private readonly typeOfList: number[];
  /** Per type index: the times a read sees of a type not kept (none). */
  private readonly noTimes: TimeList[];
  /** Number of via slots over all linked features and types (an account's link cache holds CACHE_WIDTH entries for each). */
  private readonly cacheSlots: number;
  private readonly linkedPlans: LinkedPlan[];
  private readonly sharedPlans: SharedPlan[];
  private readonly emptyBuckets: Entry[][];
  private readonly emptyLinks: Map<string, number>[];
  private readonly emptyFlags: FlagEntry[][];
  private readonly emptyShared: Map<string, number>[];
  private readonly zero: Record<string, number>;
  /**
   * One bit per id hash for every id applied: a clear bit proves an event new without touching its
   * account's ids (the costliest part of applying an event, all cache misses, on a long replay). A
   * set bit may be another id's: then the account's kept ids decide. Trimmed ids leave their bits
   * set until the filter is rebuilt from the ids still kept, once it has taken in its share.
   */
  private idFilter = new Int32Array(MIN_ID_FILTER_WORDS);
  private idsInFilter = 0;

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
    this.lean = options.lean === true;
    const events = Math.min(options.expectedEvents ?? 0, MAX_SIZED_EVENTS);
    // Generous for buffers filled in order (pages never written cost nothing), modest for hash tables (written all over).
    const accounts = events / ACCOUNTS_PER_EVENT;
    this.accounts = new IdMap(events / KEYS_PER_EVENT);
    this.groups = new TimeLists({ lists: accounts, slots: events / 2 });
    const c = (this.compiled = 'evaluators' in definitions ? definitions : compileFeatures(definitions));
    const types = c.layouts.length;
    let cacheSlots = 0;
    this.linkedPlans = c.linked.map((lf) => {
      // One index per via path (a path read from several event types shares its index, as in Redis).
      const byPath = new Map<string, GroupIndex>();
      const via: LinkedPlan['via'] = Array.from({ length: types }, () => undefined);
      for (const [ti, slots] of lf.viaSlots) {
        via[ti] = slots.map(({ slot, path }) => {
          let index = byPath.get(path);
          if (index === undefined) byPath.set(path, (index = new IdMap(events / KEYS_PER_EVENT)));
          return { slot, index, cache: cacheSlots++ };
        });
      }
      return { via, isFlag: lf.isFlag, cap: lf.cap };
    });
    this.sharedPlans = c.shared.map((sf) => {
      const slot = Array.from({ length: types }, () => -1);
      for (const [ti, s] of sf.slots) slot[ti] = s;
      return { slot, index: new IdMap(), cap: sf.cap };
    });
    this.cacheSlots = cacheSlots;
    this.rowWidth = CACHE_AT + CACHE_WIDTH * cacheSlots;
    this.rows = new Float64Array(powerOfTwoAtLeast(accounts, INITIAL_ACCOUNTS) * this.rowWidth);
    // Lean: only types some windowed feature counts are kept (see applyFields).
    this.typeOfList = [];
    this.listOfType = new Int32Array(types).fill(-1);
    for (let ti = 0; ti < types; ti++) {
      if (this.lean && c.timesRead[ti] !== true) continue;
      this.listOfType[ti] = this.typeOfList.length;
      this.typeOfList.push(ti);
    }
    this.timeLists = new TimeLists({ lists: accounts * this.typeOfList.length, slots: 2 * events });
    this.noTimes = Array.from({ length: types }, () => NO_TIMES);
    this.emptyBuckets = Array.from({ length: types }, () => EMPTY_LIST);
    this.emptyLinks = c.linked.map(() => EMPTY_MAP);
    this.emptyFlags = c.linked.map(() => EMPTY_LIST);
    this.emptyShared = c.shared.map(() => EMPTY_MAP);
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
    this.accounts.clear();
    this.accountList = [];
    this.timeLists.clear();
    this.groups.clear();
    this.groupValues = [];
    for (const p of this.linkedPlans) for (const v of p.via) for (const s of v ?? []) s.index.clear();
    for (const p of this.sharedPlans) p.index.clear();
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
    if (kept && this.mayHaveId(h) && this.hasId(acc, eventId, code)) return false;
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
    this.addToIdFilter(h);
    return true;
  }

  /** What an event writes beyond its own account's log: links, shared values, flags. */
  private applyWrites(acc: MemoryAccount, ti: number, entry: Entry): void {
    for (let i = 0; i < this.linkedPlans.length; i++) this.applyLinked(acc, i, ti, entry);
    for (let j = 0; j < this.sharedPlans.length; j++) this.applyShared(acc, j, ti, entry);
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

  private mayHaveId(h: number): boolean {
    const bits = this.idFilter.length * 32 - 1;
    const bit = h & bits;
    return ((this.idFilter[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }

  private addToIdFilter(h: number): void {
    const bit = h & (this.idFilter.length * 32 - 1);
    this.idFilter[bit >>> 5] = (this.idFilter[bit >>> 5] as number) | (1 << (bit & 31));
    if (++this.idsInFilter * MAX_FILL_BITS_PER_ID > this.idFilter.length * 32) this.rebuildIdFilter();
  }

  /** Sized for the ids kept now, holding exactly their bits (those of trimmed ids are gone). */
  private rebuildIdFilter(): void {
    const lists = this.timeLists;
    const perAccount = this.typeOfList.length;
    let kept = 0;
    for (const acc of this.accountList) for (let k = 0; k < perAccount; k++) kept += lists.size(acc.lists + k);
    let words = MIN_ID_FILTER_WORDS;
    while (words * 32 < kept * MIN_BITS_PER_ID) words *= 2;
    const filter = new Int32Array(words);
    const mask = words * 32 - 1;
    const add = (h: number): void => {
      const bit = h & mask;
      filter[bit >>> 5] = (filter[bit >>> 5] as number) | (1 << (bit & 31));
    };
    for (const acc of this.accountList) {
      for (let k = 0; k < perAccount; k++) {
        for (let i = 0, list = acc.lists + k, n = lists.size(list); i < n; i++) {
          const code = lists.codeAt(list, i);
          if (code === code) add(idHash(code));
        }
      }
      const uncoded = acc.uncodedIds;
      if (uncoded !== null) for (let k = 1; k < uncoded.length; k += 2) add(idHash(uncoded[k] as string));
    }
    this.idFilter = filter;
    this.idsInFilter = kept;
  }

  /** The account of an id or id code, made on first sight. */
  private account(key: IdOrCode): MemoryAccount {
    let acc = this.accounts.get(key);
    if (acc === undefined) this.accounts.set(key, (acc = this.newAccount(typeof key === 'number' ? idOfCode(key) : key)));
    return acc;
  }

  private newAccount(id: string): MemoryAccount {
    const index = this.accountList.length;
    const acc = new MemoryAccount(id, index, this.timeLists.add(this.typeOfList.length), this.emptyBuckets, this.emptyLinks, this.emptyFlags, this.emptyShared);
    this.accountList.push(acc);
    if ((index + 1) * this.rowWidth > this.rows.length) this.rows = grownTo(this.rows, this.rows.length * 2);
    const row = index * this.rowWidth;
    this.rows.fill(0, row, row + this.rowWidth);
    this.rows[row + FIRST_SEEN] = Number.POSITIVE_INFINITY;
    this.rows[row + LATEST] = Number.NEGATIVE_INFINITY;
    return acc;
  }

  /** A new group of one member: `acc`, using `v` (`code` is idCode(v)) from `t` on. */
  private newGroup(index: GroupIndex, v: string, code: number, acc: MemoryAccount, t: number): number {
    const g = this.groups.add(1);
    this.groupValues.push(code > 0 ? '' : v);
    this.groups.insertAt(g, 0, t, acc.index);
    index.set(code > 0 ? code : v, g);
    return g;
  }

  private applyLinked(acc: MemoryAccount, i: number, ti: number, entry: Entry): void {
    const plan = this.linkedPlans[i] as LinkedPlan;
    const t = entry.t;
    // Flag first, then look at links (Redis: the apply script writes the flag and reads links atomically).
    if (plan.isFlag(ti, entry)) {
      const own = ownFlagsOf(acc, i, this.linkedPlans.length);
      if (!own.has(t)) {
        own.add(t);
        for (const b of (acc.links[i] as Map<string, number>).keys()) addFlag(this.accounts.get(b) as MemoryAccount, i, acc.id, t);
      }
    }
    const via = plan.via[ti];
    if (via === undefined) return;
    for (let k = 0; k < via.length; k++) {
      const { slot, index, cache } = via[k] as NonNullable<LinkedPlan['via'][number]>[number];
      const raw = entry.f[slot];
      if (!raw) continue;
      if (raw.includes(',')) {
        for (const v of raw.split(',')) this.useLinkValue(acc, i, plan.cap, index, v, t, -1);
      } else {
        const value = this.useLinkValue(acc, i, plan.cap, index, raw, t, cache);
        // Entries share the index's copy of the value (when it keeps one).
        if (value !== undefined) (entry.f as string[])[slot] = value;
      }
    }
  }

  /**
   * Records that `acc` used `v` at `t`. Only a first (or earlier) use can change links: then every
   * other member's link time and the flags both ways are brought up to date. Returns the value to keep
   * in the entry: the index's copy, or `v` itself when the index keeps its code.
   */
  private useLinkValue(acc: MemoryAccount, i: number, cap: number, index: GroupIndex, v: string, t: number, cache: number): string | undefined {
    const groups = this.groups;
    const code = idCode(v);
    let g = -1;
    let k = -1;
    // The value this account used last time in this slot: no index lookup, usually nothing new.
    if (cache >= 0) {
      // The account's first use of the value sits in the cache itself: the usual answer ("the same
      // value, nothing earlier") reads no group. The cached first use is never earlier than the
      // group's (which only moves earlier), so trusting it can only send us the long way.
      // Values are compared by their codes where they have one: the stored string is not read.
      const rows = this.rows;
      const at = acc.index * this.rowWidth + CACHE_AT + CACHE_WIDTH * cache;
      const cached = (rows[at + CACHED_GROUP] as number) - 1;
      if (cached >= 0 && (code > 0 ? rows[at + CACHED_CODE] === code : this.groupValues[cached] === v)) {
        const value = code > 0 ? v : (this.groupValues[cached] as string);
        if ((rows[at + CACHED_FIRST_USE] as number) <= t) return value;
        g = cached;
        k = rows[at + CACHED_MEMBER] as number;
        const since = groups.timeAt(g, k);
        if (since <= t) {
          rows[at + CACHED_FIRST_USE] = since;
          return value;
        }
      }
    }
    if (g < 0) {
      g = index.get(code > 0 ? code : v) ?? -1;
      if (g < 0) {
        if (cap <= 0) return undefined;
        this.remember(acc, cache, this.newGroup(index, v, code, acc, t), 0, t, code);
        return v;
      }
      k = groups.indexOfCode(g, acc.index);
    }
    const value = code > 0 ? v : (this.groupValues[g] as string);
    if (k < 0) {
      k = groups.size(g);
      if (k >= cap) return value;
      groups.insertAt(g, k, t, acc.index);
      this.remember(acc, cache, g, k, t, code);
    } else {
      const since = groups.timeAt(g, k);
      if (since <= t) {
        this.remember(acc, cache, g, k, since, code);
        return value;
      }
      groups.setTimeAt(g, k, t);
      this.remember(acc, cache, g, k, t, code);
    }
    const fa = t; // acc's first use is now t (a new member, or an earlier use than known)
    for (let m = 0, n = groups.size(g); m < n; m++) {
      const b = this.accountList[groups.codeAt(g, m)] as MemoryAccount;
      if (b === acc) continue;
      const fb = groups.timeAt(g, m);
      const since = fa > fb ? fa : fb;
      setMin(linksOf(acc, i, this.emptyLinks), b.id, since);
      setMin(linksOf(b, i, this.emptyLinks), acc.id, since);
      const bFlags = b.ownFlags?.[i];
      if (bFlags !== undefined) for (const ft of bFlags) addFlag(acc, i, b.id, ft);
      const aFlags = acc.ownFlags?.[i];
      if (aFlags !== undefined) for (const ft of aFlags) addFlag(b, i, acc.id, ft);
    }
    return value;
  }

  /** Caches, for the account's via slot `cache`, that it used the value of group `g` (idCode `code`) from `firstUse` on, as member `k`. */
  private remember(acc: MemoryAccount, cache: number, g: number, k: number, firstUse: number, code: number): void {
    if (cache < 0) return;
    const rows = this.rows;
    const at = acc.index * this.rowWidth + CACHE_AT + CACHE_WIDTH * cache;
    rows[at + CACHED_GROUP] = g + 1;
    rows[at + CACHED_MEMBER] = k;
    rows[at + CACHED_FIRST_USE] = firstUse;
    rows[at + CACHED_CODE] = code;
  }

  private applyShared(acc: MemoryAccount, j: number, ti: number, entry: Entry): void {
    const plan = this.sharedPlans[j] as SharedPlan;
    const slot = plan.slot[ti] as number;
    if (slot < 0) return;
    const raw = entry.f[slot];
    if (!raw) return;
    const t = entry.t;
    const groups = this.groups;
    for (const v of raw.includes(',') ? raw.split(',') : [raw]) {
      const code = idCode(v);
      const g = plan.index.get(code > 0 ? code : v) ?? -1;
      if (g < 0) {
        if (plan.cap > 0) this.newGroup(plan.index, v, code, acc, t);
        continue;
      }
      const k = groups.indexOfCode(g, acc.index);
      if (k < 0) {
        if (groups.size(g) >= plan.cap) continue;
        groups.insertAt(g, groups.size(g), t, acc.index);
      } else if (groups.timeAt(g, k) <= t) {
        continue; // nothing new: every pair already holds these times
      } else {
        groups.setTimeAt(g, k, t);
      }
      for (let m = 0, n = groups.size(g); m < n; m++) {
        const b = this.accountList[groups.codeAt(g, m)] as MemoryAccount;
        if (b === acc) continue;
        setMin(sharedOf(acc, j, this.emptyShared), v, groups.timeAt(g, m));
        setMin(sharedOf(b, j, this.emptyShared), v, t);
      }
    }
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

function ownFlagsOf(acc: MemoryAccount, i: number, linked: number): Set<number> {
  if (acc.ownFlags === null) acc.ownFlags = Array.from({ length: linked }, () => new Set<number>());
  return acc.ownFlags[i] as Set<number>;
}

function linksOf(acc: MemoryAccount, i: number, empty: readonly Map<string, number>[]): Map<string, number> {
  if (acc.links === empty) acc.links = empty.map(() => EMPTY_MAP);
  let m = acc.links[i] as Map<string, number>;
  if (m === EMPTY_MAP) acc.links[i] = m = new Map();
  return m;
}

function sharedOf(acc: MemoryAccount, j: number, empty: readonly Map<string, number>[]): Map<string, number> {
  if (acc.shared === empty) acc.shared = empty.map(() => EMPTY_MAP);
  let m = acc.shared[j] as Map<string, number>;
  if (m === EMPTY_MAP) acc.shared[j] = m = new Map();
  return m;
}

/** "x was flagged at t", once: the flag list is sorted by t, so a duplicate sits among the equal times. */
function addFlag(target: MemoryAccount, i: number, x: string, t: number): void {
  let list = target.flags[i] as FlagEntry[];
  let k = list.length;
  while (k > 0 && (list[k - 1] as FlagEntry).t > t) k--;
  for (let j = k - 1; j >= 0 && (list[j] as FlagEntry).t === t; j--) if ((list[j] as FlagEntry).x === x) return;
  if (list === EMPTY_LIST) {
    // First flag of this feature: the account gets its own lists (the outer array may be the shared empty one).
    target.flags = target.flags.slice();
    target.flags[i] = list = [];
  }
  if (k === list.length) list.push({ x, t });
  else list.splice(k, 0, { x, t });
}

function setMin(map: Map<string, number>, key: string, t: number): void {
  const cur = map.get(key);
  if (cur === undefined || t < cur) map.set(key, t);
}
