import type { MemoryFeatureStore } from '../features/index.js';
import { mergeMark, type OrderMark, type OrderMarks } from './orders.js';
import type { Restriction } from './restrictions.js';
import { mergeMerchant, type AccountReader, type AccountSnapshot, type AccountStateStore, type MerchantState, type MerchantStore, type MerchantUpdate, type RestrictionLift } from './stores.js';

/** In-memory stores for the embedded default, the simulator and tests; same contract as Redis. */
export class MemoryMerchantStore implements MerchantStore {
  private readonly merchants = new Map<string, MerchantState>();

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

export class MemoryAccountStateStore implements AccountStateStore {
  private readonly auditLog: RestrictionAuditEntry[] = [];
  private readonly restrictionsByAccount = new Map<string, Map<string, Restriction>>();
  private readonly accountOfRestriction = new Map<string, string>();
  private readonly orders = new Map<string, Map<string, OrderMarks>>();

  restrictionsSync(accountId: string): readonly Restriction[] {
    const map = this.restrictionsByAccount.get(accountId);
    return map ? [...map.values()] : noRestrictions;
  }

  ordersSync(accountId: string): ReadonlyMap<string, OrderMarks> {
    return this.orders.get(accountId) ?? emptyOrders;
  }

  addRestrictionSync(restriction: Restriction): { restriction: Restriction; created: boolean } {
    let map = this.restrictionsByAccount.get(restriction.accountId);
    if (!map) this.restrictionsByAccount.set(restriction.accountId, (map = new Map()));
    const existing = map.get(restriction.id);
    if (existing) return { restriction: structuredClone(existing), created: false };
    map.set(restriction.id, structuredClone(restriction));
    this.accountOfRestriction.set(restriction.id, restriction.accountId);
    this.audit('restriction.created', restriction);
    return { restriction: structuredClone(restriction), created: true };
  }

  async addRestriction(restriction: Restriction): Promise<{ restriction: Restriction; created: boolean }> {
    return this.addRestrictionSync(restriction);
  }

  async getRestriction(id: string): Promise<Restriction | undefined> {
    const accountId = this.accountOfRestriction.get(id);
    const r = accountId === undefined ? undefined : this.restrictionsByAccount.get(accountId)?.get(id);
    return r && structuredClone(r);
  }

  async listRestrictions(accountId: string): Promise<Restriction[]> {
    return this.restrictionsSync(accountId).map((r) => structuredClone(r));
  }

  async liftRestriction(id: string, lift: RestrictionLift): Promise<Restriction | undefined> {
    const accountId = this.accountOfRestriction.get(id);
    const r = accountId === undefined ? undefined : this.restrictionsByAccount.get(accountId)?.get(id);
    if (!r) return undefined;
    if (r.status !== 'lifted') {
      Object.assign(r, { status: 'lifted', liftedAt: lift.at, liftedBy: lift.by, liftReason: lift.reason });
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
    let byOrder = this.orders.get(accountId);
    if (!byOrder) this.orders.set(accountId, (byOrder = new Map()));
    byOrder.set(orderId, mergeMark(byOrder.get(orderId) ?? {}, mark, at));
  }

  async markOrder(accountId: string, orderId: string, mark: OrderMark, at: number): Promise<void> {
    this.markOrderSync(accountId, orderId, mark, at);
  }
}

const emptyOrders: ReadonlyMap<string, OrderMarks> = new Map();
/** Most accounts have no restriction: they share this (read-only) list. */
const noRestrictions: readonly Restriction[] = Object.freeze([]);

/** Features from the memory feature store, the integrity record from the memory state store. */
export class MemoryAccountReader implements AccountReader {
  constructor(
    private readonly features: MemoryFeatureStore,
    private readonly state: MemoryAccountStateStore,
  ) {}

  snapshotSync(accountId: string, asOf: number): AccountSnapshot {
    return {
      features: this.features.readSync(accountId, asOf),
      restrictions: this.state.restrictionsSync(accountId),
      orders: this.state.ordersSync(accountId),
    };
  }

  async snapshot(accountId: string, asOf: number): Promise<AccountSnapshot> {
    return this.snapshotSync(accountId, asOf);
  }
}
