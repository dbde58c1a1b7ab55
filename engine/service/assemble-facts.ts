import type { Facts } from '../compile/closures.js';
import type { CohortTable } from '../bundle/index.js';
import { orderFacts } from '../state/orders.js';
import { restrictionFacts } from '../state/restrictions.js';
import type { AccountSnapshot, MerchantState } from '../state/stores.js';
import type { DecisionInput } from './decision-input.js';

/**
 * The facts a decision is evaluated on. What the platform knows wins over what the caller
 * says: features, restrictions, order evidence and merchant settings overwrite caller fields
 * of the same name, so a caller cannot talk its way past a policy.
 * The server and the simulator both build facts here, which is what lets a simulation
 * predict production.
 */
const noSettings: Readonly<Record<string, unknown>> = Object.freeze({});
const noCohorts: readonly string[] = Object.freeze([]);

/** Facts are read, never written, by the evaluators: stored settings and cohorts are shared, not copied. */
export function assembleFacts(input: DecisionInput, snapshot: AccountSnapshot | undefined, merchant: MerchantState | undefined, cohorts: CohortTable, now: number): Facts {
  const merchantId = input.merchant.id;
  const staticCohorts = cohorts.byMerchant.get(merchantId) ?? noCohorts;
  const storedCohorts = merchant?.cohorts ?? [];
  // Object.assign, not spreads: V8 takes a slow path for a second spread source, and this runs per decision.
  // The stored fields are assigned after the copy: they replace a caller's field of the same name in its
  // place, or come after the caller's fields, as a second Object.assign source would, without an object for it.
  const merchantFacts: Record<string, unknown> = Object.assign({}, input.merchant);
  merchantFacts['settings'] = merchant?.settings ?? noSettings;
  merchantFacts['cohorts'] = staticCohorts.length === 0 ? storedCohorts : [...new Set([...storedCohorts, ...staticCohorts])];
  if (merchant?.category !== undefined && input.merchant['category'] === undefined) merchantFacts['category'] = merchant.category;
  const facts: Record<string, Record<string, unknown>> = {
    // No snapshot (the store could not be read): features, restrictions and evidence marks are missing, not "none".
    account: snapshot === undefined ? Object.assign({}, input.account) : Object.assign({}, input.account, snapshot.features, restrictionFacts(snapshot.restrictions, merchantId, now)),
    merchant: merchantFacts,
  };
  if (input.order !== undefined) {
    const orderId = input.order['id'];
    facts['order'] = typeof orderId === 'string' && snapshot !== undefined ? Object.assign({}, input.order, orderFacts(snapshot.orders.get(orderId), now)) : input.order;
  }
  if (input.refund !== undefined) facts['refund'] = input.refund;
  if (input.complaint !== undefined) facts['complaint'] = input.complaint;
  if (input.evidence !== undefined) facts['evidence'] = input.evidence;
  if (input.context !== undefined) facts['context'] = input.context;
  return facts;
}
