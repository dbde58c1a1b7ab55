/**
 * The memory feature store's table of accounts: each account by id (or id code) and by number, and
 * one row of numbers per account number holding what an event of the account touches most.
 *
 * The store is built as a chain of classes over one object (AccountRows ← ValueGroups ←
 * MemoryFeatureStore), one concept a file, so that the hot paths read `this.rows` and the other
 * columns as fields of the store itself, with no object in between.
 */
import type { Entry, FlagEntry } from '../account-log.js';
import type { CompiledFeatures } from '../compile.js';
import { IdMap } from '../id-map.js';
import { grownTo, powerOfTwoAtLeast } from '../time-lists.js';
import { EMPTY_LIST, EMPTY_MAP, MemoryAccount } from './account.js';

/** Places in an account's row (AccountRows.rows)... */
export const FIRST_SEEN = 0;
export const LATEST = 1;
export const SINCE_TRIM = 2;
export const CACHE_AT = 3;
/** ...and in each via slot's entry of its link cache. */
export const CACHE_WIDTH = 4;
export const CACHED_GROUP = 0;
export const CACHED_MEMBER = 1;
export const CACHED_FIRST_USE = 2;
export const CACHED_CODE = 3;

/** Rows for this many accounts at first (they double as accounts come). */
const INITIAL_ACCOUNTS = 1 << 12;

/** How large to make buffers and hash tables at once (see MemoryFeatureStore's size hints). */
export interface StoreSizes {
  /** Events expected (capped). */
  readonly events: number;
  /** Accounts expected. */
  readonly accounts: number;
  /** Keys a hash table of ids starts with. */
  readonly keys: number;
}

export abstract class AccountRows {
  protected readonly accounts: IdMap<MemoryAccount>;
  /** Accounts by number (MemoryAccount.index). */
  protected accountList: MemoryAccount[] = [];
  /**
   * One row of `rowWidth` numbers per account number, what an event of the account touches most: its
   * first event time (+Infinity until one), its latest event time kept, its writes since the last
   * trim, then its link cache, CACHE_WIDTH numbers per via slot (LinkedPlan cache position): the group
   * of the value it used last there (plus one; 0: none), its position in the group, its first use of
   * the value, and the value's idCode. One row in one array: one cache line or two per event, where
   * separate columns or objects cost a miss each.
   */
  protected rows: Float64Array;
  protected readonly rowWidth: number;
  protected readonly emptyBuckets: Entry[][];
  protected readonly emptyLinks: Map<string, number>[];
  protected readonly emptyFlags: FlagEntry[][];
  protected readonly emptyShared: Map<string, number>[];

  /** `cacheSlots`: via slots over all linked features and types (each account's row caches CACHE_WIDTH numbers for each). */
  constructor(c: CompiledFeatures, sizes: StoreSizes, cacheSlots: number) {
    this.accounts = new IdMap(sizes.keys);
    this.rowWidth = CACHE_AT + CACHE_WIDTH * cacheSlots;
    this.rows = new Float64Array(powerOfTwoAtLeast(sizes.accounts, INITIAL_ACCOUNTS) * this.rowWidth);
    this.emptyBuckets = Array.from({ length: c.layouts.length }, () => EMPTY_LIST);
    this.emptyLinks = c.linked.map(() => EMPTY_MAP);
    this.emptyFlags = c.linked.map(() => EMPTY_LIST);
    this.emptyShared = c.shared.map(() => EMPTY_MAP);
  }

  /** A new account, numbered next, whose time lists start at handle `lists`; its row starts empty. */
  protected newAccount(id: string, lists: number): MemoryAccount {
    const index = this.accountList.length;
    const acc = new MemoryAccount(id, index, lists, this.emptyBuckets, this.emptyLinks, this.emptyFlags, this.emptyShared);
    this.accountList.push(acc);
    if ((index + 1) * this.rowWidth > this.rows.length) this.rows = grownTo(this.rows, this.rows.length * 2);
    const row = index * this.rowWidth;
    this.rows.fill(0, row, row + this.rowWidth);
    this.rows[row + FIRST_SEEN] = Number.POSITIVE_INFINITY;
    this.rows[row + LATEST] = Number.NEGATIVE_INFINITY;
    return acc;
  }

  protected clearAccounts(): void {
    this.accounts.clear();
    this.accountList = [];
  }
}
