import type { OrderMark, OrderMarks } from './orders.js';
import type { Restriction } from './restrictions.js';

/** A merchant's settings and API-assigned cohorts (static cohorts live in policies/cohorts.yaml). */
export interface MerchantState {
  id: string;
  settings: Record<string, unknown>;
  cohorts: string[];
  category?: string;
  updatedAt?: string;
  /** Who made the last change through the API or console: the name of the token it came with. */
  updatedBy?: string;
}

export interface MerchantUpdate {
  /** The person making the change (the name of their token); absent for changes that arrive as events. */
  by?: string;
  /** Replaces the stored settings when given. */
  settings?: Record<string, unknown>;
  /** Replaces the API-assigned cohorts when given. */
  cohorts?: string[];
  category?: string;
}

export interface MerchantStore {
  get(merchantId: string): Promise<MerchantState | undefined>;
  put(merchantId: string, update: MerchantUpdate, at: string): Promise<MerchantState>;
}

export interface RestrictionLift {
  /** Who lifted it: the name of the token the request came with, never a caller-typed field. */
  by: string;
  reason: string;
  at: string;
  /** Free text from the caller (e.g. on whose behalf); kept, not trusted. */
  note?: string;
}

/** Restrictions and order evidence marks: the integrity record beside the features. */
export interface AccountStateStore {
  /** Idempotent by id: storing a restriction that exists returns the stored one unchanged. */
  addRestriction(restriction: Restriction): Promise<{ restriction: Restriction; created: boolean }>;
  getRestriction(id: string): Promise<Restriction | undefined>;
  listRestrictions(accountId: string): Promise<Restriction[]>;
  /** Undefined when no such restriction; the caller decides whether its status allows lifting. */
  liftRestriction(id: string, lift: RestrictionLift): Promise<Restriction | undefined>;
  markOrder(accountId: string, orderId: string, mark: OrderMark, at: number): Promise<void>;
}

/** Everything a decision needs about one account, read together (Redis: one HGETALL). */
export interface AccountSnapshot {
  features: Record<string, number>;
  restrictions: readonly Restriction[];
  orders: ReadonlyMap<string, OrderMarks>;
}

export interface AccountReader {
  snapshot(accountId: string, asOf: number): Promise<AccountSnapshot>;
}

/** The stored state after an update: given settings or cohorts replace the old ones; the rest stays. */
export function mergeMerchant(merchantId: string, current: MerchantState | undefined, update: MerchantUpdate, at: string): MerchantState {
  const category = update.category ?? current?.category;
  return {
    id: merchantId,
    settings: { ...(update.settings ?? current?.settings ?? {}) },
    cohorts: [...new Set(update.cohorts ?? current?.cohorts ?? [])],
    ...(category !== undefined ? { category } : {}),
    updatedAt: at,
    ...(update.by !== undefined ? { updatedBy: update.by } : {}),
  };
}
