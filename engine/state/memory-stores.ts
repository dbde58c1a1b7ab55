import type { MemoryFeatureStore } from '../features/index.js';
import { IdMap } from '../features/id-map.js';
import { mergeMark, type OrderMark, type OrderMarks } from './orders.js';
import type { Restriction } from './restrictions.js';
import { mergeMerchant, type AccountReader, type AccountSnapshot, type AccountStateStore, type MerchantState, type MerchantStore, type MerchantUpdate, type RestrictionLift } from './stores.js';

/** In-memory stores for the embedded default, the simulator and tests; same contract as Redis. */
export class MemoryMerchantStore implements MerchantStore {
  private readonly merchants = new IdMap<MerchantState>();

  getSync(merchantId: string): MerchantState | undefined {
    return this.merchants.get(merchantId);
  }

  async get(merchantId: string): Promise<MerchantState | undefined> {
    const m = this.merchants.get(merchantId);
    return m && structuredClone(m);
  }

  putSync(merchantId: string, update: MerchantUpdate, at: string): MerchantState {
    const next = mergeMerchant(merchantId, this.merchants.get(merchantId), update, at);
    this.merchants.set(merchantId, next);
    return structuredClone(next);
  }

  async put(merchantId: string, update: MerchantUpdate, at: string): Promise<MerchantState> {
    return this.putSync(merchantId, update, at);
  }
}

/** One change to the integrity record (the Redis store appends the same to <prefix>:audit). */
export interface RestrictionAuditEntry {
  kind: 'restriction.created' | 'restriction.lifted';
  id: string;
  accountId: string;
  /** The restriction as it stood after the change. */
  record: Restriction;
}

/** What the state store holds for one account: one lookup serves a decision's restrictions and order marks. */
interface AccountState {
  restrictions: Map<string, Restriction> | undefined;
  /** restrictions' values as a list, kept until they change (a decision reads it, rarely a write). */
  list: readonly Restriction[];
  orders: Map<string, OrderMarks> | undefined;
}

export class MemoryAccountStateStore implements AccountStateStore {
  private readonly auditLog: RestrictionAuditEntry[] = [];
  private readonly accounts = new IdMap<AccountState>();
  private readonly accountOfRestriction = new Map<string, string>();

  restrictionsSync(accountId: string): readonly Restriction[] {
    return this.accounts.get(accountId)?.list ?? noRestrictions;
  }

  ordersSync(accountId: string): ReadonlyMap<string, OrderMarks> {
    return this.accounts.get(accountId)?.orders ?? emptyOrders;
  }

  /** Restrictions and order marks of an account in one lookup (the lists are read-only views). */
  stateSync(accountId: string): { restrictions: readonly Restriction[]; orders: ReadonlyMap<string, OrderMarks> } {
    const state = this.accounts.get(accountId);
    return state === undefined ? noState : { restrictions: state.list, orders: state.orders ?? emptyOrders };
  }

  addRestrictionSync(restriction: Restriction): { restriction: Restriction; created: boolean } {
    const state = this.stateOf(restriction.accountId);
    const map = (state.restrictions ??= new Map());
    const existing = map.get(restriction.id);
    if (existing) return { restriction: structuredClone(existing), created: false };
    map.set(restriction.id, structuredClone(restriction));
    state.list = [...map.values()];
    this.accountOfRestriction.set(restriction.id, restriction.accountId);
    this.audit('restriction.created', restriction);
    return { restriction: structuredClone(restriction), created: true };
  }

  async addRestriction(restriction: Restriction): Promise<{ restriction: Restriction; created: boolean }> {
    return this.addRestrictionSync(restriction);
  }

  async getRestriction(id: string): Promise<Restriction | undefined> {
    const r = this.restrictionById(id);
    return r && structuredClone(r);
  }

  async listRestrictions(accountId: string): Promise<Restriction[]> {
    return this.restrictionsSync(accountId).map((r) => structuredClone(r));
  }

  async liftRestriction(id: string, lift: RestrictionLift): Promise<Restriction | undefined> {
    const r = this.restrictionById(id);
    if (!r) return undefined;
    if (r.status !== 'lifted') {
      // In place: the list holds the same records, so it stays current.
      Object.assign(r, { status: 'lifted', liftedAt: lift.at, liftedBy: lift.by, liftReason: lift.reason, ...(lift.note !== undefined ? { liftNote: lift.note } : {}) });
      this.audit('restriction.lifted', r);
    }
    return structuredClone(r);
  }

  /** Every change to restrictions, oldest first (of one account, or all). */
  async auditTrail(accountId?: string): Promise<RestrictionAuditEntry[]> {
    return this.auditLog.filter((e) => accountId === undefined || e.accountId === accountId).map((e) => structuredClone(e));
  }

  private audit(kind: RestrictionAuditEntry['kind'], restriction: Restriction): void {
    this.auditLog.push({ kind, id: restriction.id, accountId: restriction.accountId, record: structuredClone(restriction) });
  }

  markOrderSync(accountId: string, orderId: string, mark: OrderMark, at: number): void {
    const byOrder = (this.stateOf(accountId).orders ??= new Map());
    byOrder.set(orderId, mergeMark(byOrder.get(orderId) ?? {}, mark, at));
  }

  private stateOf(accountId: string): AccountState {
    let state = this.accounts.get(accountId);
    if (state === undefined) this.accounts.set(accountId, (state = { restrictions: undefined, list: noRestrictions, orders: undefined }));
    return state;
  }

  private restrictionById(id: string): Restriction | undefined {
    const accountId = this.accountOfRestriction.get(id);
    return accountId === undefined ? undefined : this.accounts.get(accountId)?.restrictions?.get(id);
  }

  async markOrder(accountId: string, orderId: string, mark: OrderMark, at: number): Promise<void> {
    this.markOrderSync(accountId, orderId, mark, at);
  }
}

const emptyOrders: ReadonlyMap<string, OrderMarks> = new Map();
/** Most accounts have no restriction: they share this (read-only) list. */
const noRestrictions: readonly Restriction[] = Object.freeze([]);
const noState = Object.freeze({ restrictions: noRestrictions, orders: emptyOrders });

/**
 * Features from the memory feature store (or anything that reads features synchronously: a
 * pipelined replay's values from its feature thread), the integrity record from the memory state store.
 */
export class MemoryAccountReader implements AccountReader {
  constructor(
    private readonly features: Pick<MemoryFeatureStore, 'readSync'>,
    private readonly state: MemoryAccountStateStore,
  ) {}

  snapshotSync(accountId: string, asOf: number): AccountSnapshot {
    return {
      features: this.features.readSync(accountId, asOf),
      ...this.state.stateSync(accountId),
    };
  }

  async snapshot(accountId: string, asOf: number): Promise<AccountSnapshot> {
    return this.snapshotSync(accountId, asOf);
  }
}
