import { restrictionStatus, type Restriction, type RestrictionStatus } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { storeCall } from '../http/store-call.js';

export interface FeatureRow {
  name: string;
  value: number;
  description: string;
}

export interface AccountView {
  id: string;
  features: FeatureRow[];
  /** Every restriction, oldest first, with its status now. */
  record: (Restriction & { status: RestrictionStatus })[];
  orders: { orderId: string; marks: [string, string][] }[];
}

/** An account as the console shows it: the same snapshot GET /v1/accounts/:id reads, with feature descriptions from features.yaml. */
export async function loadAccount(ctx: ServerContext, accountId: string): Promise<AccountView> {
  const now = ctx.now();
  const snapshot = await storeCall(() => ctx.reader.snapshot(accountId, now));
  const definitions = ctx.bundles.bundle.features.features;
  const features = definitions.map((d) => ({ name: d.name, value: snapshot.features[d.name] ?? 0, description: d.description ?? '' }));
  const record = snapshot.restrictions
    .map((r) => ({ ...r, status: restrictionStatus(r, now) }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const orders = [...snapshot.orders].map(([orderId, marks]) => ({
    orderId,
    marks: Object.entries(marks).map(([mark, at]): [string, string] => [mark, new Date(at as number).toISOString()]),
  }));
  return { id: accountId, features, record, orders };
}
