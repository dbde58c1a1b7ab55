/**
 * The memory feature store's cross-account bookkeeping: which accounts used the same value (a device,
 * an address, an evidence fingerprint), and what that writes onto them: links between accounts using
 * a via value, flags of linked accounts, shared-value times. It gives the same links and flags as
 * server/stores/redis-feature-store.ts, which writes a link onto an account only once the partner is
 * flagged (the contract and differential tests hold them together). Cross-account work happens only
 * when something new is learnt: a new (or earlier) use of a value, or a new flag.
 */
import type { Entry } from '../account-log.js';
import type { CompiledFeatures } from '../compile.js';
import { idCode } from '../id-code.js';
import { IdMap } from '../id-map.js';
import { TimeLists } from '../time-lists.js';
import { addFlag, linksOf, ownFlagsOf, setMin, sharedOf, type MemoryAccount } from './account.js';
import { AccountRows, CACHE_AT, CACHE_WIDTH, CACHED_CODE, CACHED_FIRST_USE, CACHED_GROUP, CACHED_MEMBER, type StoreSizes } from './account-rows.js';

/**
 * The accounts using one value (a device, an address, an evidence fingerprint) are a group: a list of
 * the store's `groups` (TimeLists) holding each member's account number and its first use of the value,
 * in the order they joined. An index maps each value to its group: by the value's idCode where it has
 * one (most devices and addresses: no string kept, no string hashed), else by the value itself, which
 * `groupValues` then keeps so entries can share one copy of it (interning). Lookups pass the code when
 * there is one (see IdMap), as the caller has computed it already.
 */
type GroupIndex = IdMap<number>;

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

/** Each linked feature's plan, and how many via slots they have in all (each has a place in an account's link cache). */
function linkedPlans(c: CompiledFeatures, sizes: StoreSizes): { plans: LinkedPlan[]; cacheSlots: number } {
  const types = c.layouts.length;
  let cacheSlots = 0;
  const plans = c.linked.map((lf): LinkedPlan => {
    // One index per via path (a path read from several event types shares its index, as in Redis).
    const byPath = new Map<string, GroupIndex>();
    const via: LinkedPlan['via'] = Array.from({ length: types }, () => undefined);
    for (const [ti, slots] of lf.viaSlots) {
      via[ti] = slots.map(({ slot, path }) => {
        let index = byPath.get(path);
        if (index === undefined) byPath.set(path, (index = new IdMap(sizes.keys)));
        return { slot, index, cache: cacheSlots++ };
      });
    }
    return { via, isFlag: lf.isFlag, cap: lf.cap };
  });
  return { plans, cacheSlots };
}

export abstract class ValueGroups extends AccountRows {
  /** Members of every group (see GroupIndex), and each group's value. */
  protected readonly groups: TimeLists;
  protected groupValues: string[] = [];
  protected readonly linkedPlans: LinkedPlan[];
  protected readonly sharedPlans: SharedPlan[];

  constructor(c: CompiledFeatures, sizes: StoreSizes) {
    const linked = linkedPlans(c, sizes);
    super(c, sizes, linked.cacheSlots);
    this.linkedPlans = linked.plans;
    this.groups = new TimeLists({ lists: sizes.accounts, slots: sizes.events / 2 });
    const types = c.layouts.length;
    this.sharedPlans = c.shared.map((sf) => {
      const slot = Array.from({ length: types }, () => -1);
      for (const [ti, s] of sf.slots) slot[ti] = s;
      return { slot, index: new IdMap(), cap: sf.cap };
    });
  }

  /** What an event writes beyond its own account's log: links, shared values, flags. */
  protected applyWrites(acc: MemoryAccount, ti: number, entry: Entry): void {
    for (let i = 0; i < this.linkedPlans.length; i++) this.applyLinked(acc, i, ti, entry);
    for (let j = 0; j < this.sharedPlans.length; j++) this.applyShared(acc, j, ti, entry);
  }

  protected clearGroups(): void {
    this.groups.clear();
    this.groupValues = [];
    for (const p of this.linkedPlans) for (const v of p.via) for (const s of v ?? []) s.index.clear();
    for (const p of this.sharedPlans) p.index.clear();
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
}
