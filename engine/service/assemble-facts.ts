import type { Facts } from '../compile/closures.js';
import { FactLayers, factRootIndex } from '../evaluate/fact-layers.js';
import type { CohortTable } from '../bundle/index.js';
import { orderFacts, withoutOrderFacts } from '../state/orders.js';
import { restrictionFacts } from '../state/restrictions.js';
import type { AccountSnapshot, MerchantState } from '../state/stores.js';
import type { DecisionInput } from './decision-input.js';

/**
 * The facts a decision is evaluated on. What the platform knows wins over what the caller
 * says: features, restrictions, order evidence, merchant settings and the stored merchant category
 * overwrite caller fields of the same name, so a caller cannot talk its way past a policy; order
 * evidence fields the platform cannot answer (no order id, store unreadable) are missing, never the caller's.
 * The server and the simulator both build facts here, which is what lets a simulation
 * predict production.
 */
const noSettings: Readonly<Record<string, unknown>> = Object.freeze({});
const noCohorts: readonly string[] = Object.freeze([]);

/** Facts are read, never written, by the evaluators: stored settings and cohorts are shared, not copied. */
export function assembleFacts(input: DecisionInput, snapshot: AccountSnapshot | undefined, merchant: MerchantState | undefined, cohorts: CohortTable, now: number): Facts {
  const merchantId = input.merchant.id;
  // Object.assign, not spreads: V8 takes a slow path for a second spread source, and this runs per decision.
  // The stored fields are assigned after the copy: they replace a caller's field of the same name in its
  // place, or come after the caller's fields, as a second Object.assign source would, without an object for it.
  const merchantFacts: Record<string, unknown> = Object.assign({}, input.merchant);
  merchantFacts['settings'] = merchant?.settings ?? noSettings;
  merchantFacts['cohorts'] = merchantCohorts(merchantId, merchant, cohorts);
  if (merchant?.category !== undefined) merchantFacts['category'] = merchant.category;
  const facts: Record<string, Record<string, unknown>> = {
    // No snapshot (the store could not be read): features, restrictions and evidence marks are missing, not "none".
    account: snapshot === undefined ? Object.assign({}, input.account) : Object.assign({}, input.account, snapshot.features, restrictionFacts(snapshot.restrictions, merchantId, now)),
    merchant: merchantFacts,
  };
  if (input.order !== undefined) {
    const orderId = input.order['id'];
    facts['order'] = typeof orderId === 'string' && snapshot !== undefined ? Object.assign({}, input.order, orderFacts(snapshot.orders.get(orderId), now)) : withoutOrderFacts(input.order);
  }
  if (input.refund !== undefined) facts['refund'] = input.refund;
  if (input.complaint !== undefined) facts['complaint'] = input.complaint;
  if (input.evidence !== undefined) facts['evidence'] = input.evidence;
  if (input.context !== undefined) facts['context'] = input.context;
  return facts;
}

/** The merchant's cohorts as a decision sees them: stored ones, then static ones not stored. */
function merchantCohorts(merchantId: string, merchant: MerchantState | undefined, cohorts: CohortTable): readonly string[] {
  const staticCohorts = cohorts.byMerchant.get(merchantId) ?? noCohorts;
  const storedCohorts = merchant?.cohorts ?? [];
  return staticCohorts.length === 0 ? storedCohorts : [...new Set([...storedCohorts, ...staticCohorts])];
}

/**
 * What assembleFacts would build, as layers (see FactLayers): the same facts, read without copying
 * them into new objects. One instance serves a service's decisions one after another.
 */
export class LayeredFacts {
  readonly layers = new FactLayers();
  /**
   * The merchant root's second layer, what the platform knows of the merchant; its id, settings and
   * cohorts are the merged root's, so it is also the merchant the rollout gates and the report read.
   */
  readonly merchant: { id: string; settings: Readonly<Record<string, unknown>>; cohorts: readonly string[]; category: unknown } = {
    id: '',
    settings: noSettings,
    cohorts: noCohorts,
    category: undefined,
  };

  /** Fills the layers with the facts of this decision (the arguments are assembleFacts'). */
  fill(input: DecisionInput, snapshot: AccountSnapshot | undefined, merchant: MerchantState | undefined, cohorts: CohortTable, now: number): this {
    const layers = this.layers;
    const merchantId = input.merchant.id;
    const known = this.merchant;
    known.id = merchantId;
    known.settings = merchant?.settings ?? noSettings;
    known.cohorts = merchantCohorts(merchantId, merchant, cohorts);
    // The stored category wins where there is one (this layer comes after the caller's).
    known.category = merchant?.category;
    layers.merged(MERCHANT, input.merchant, known);
    if (snapshot === undefined) layers.merged(ACCOUNT, input.account);
    else layers.merged(ACCOUNT, input.account, snapshot.features, restrictionFacts(snapshot.restrictions, merchantId, now));
    const orderId = input.order?.['id'];
    if (input.order !== undefined && typeof orderId === 'string' && snapshot !== undefined) layers.merged(ORDER, input.order, orderFacts(snapshot.orders.get(orderId), now));
    else layers.single(ORDER, input.order === undefined ? undefined : withoutOrderFacts(input.order));
    layers.single(REFUND, input.refund);
    layers.single(COMPLAINT, input.complaint);
    layers.single(EVIDENCE, input.evidence);
    layers.single(CONTEXT, input.context);
    return this;
  }
}

const ACCOUNT = factRootIndex('account');
const MERCHANT = factRootIndex('merchant');
const ORDER = factRootIndex('order');
const REFUND = factRootIndex('refund');
const COMPLAINT = factRootIndex('complaint');
const EVIDENCE = factRootIndex('evidence');
const CONTEXT = factRootIndex('context');
