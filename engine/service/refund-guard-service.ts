import type { PreparedBundle } from '../bundle/index.js';
import type { Facts } from '../compile/closures.js';
import type { Decision } from '../evaluate/decision.js';
import type { RefundGuardEvent } from '../events/index.js';
import type { FeatureStore } from '../features/index.js';
import { coveredBy, restrictionFromReview, type Restriction, type RestrictionTrigger } from '../state/restrictions.js';
import type { AccountReader, AccountSnapshot, AccountStateStore, MerchantState, MerchantStore } from '../state/stores.js';
import { isoOf, parseEventTime } from '../features/time.js';
import { LayeredFacts, assembleFacts } from './assemble-facts.js';
import type { DecisionInput } from './decision-input.js';
import { effectsOf, type EventEffect } from './event-effects.js';

export interface ServiceDependencies {
  /** The active bundle; the server swaps bundles, so it is asked for at every decision. */
  bundle(): PreparedBundle;
  features: FeatureStore;
  reader: AccountReader;
  /**
   * Integrity reviews read the account through this one when given: a review is not on a caller's
   * hot path and refuses to decide on a degraded read, so it deserves the patient budget of writes
   * rather than the decision budget (the server passes its write-side store).
   */
  reviewReader?: AccountReader;
  state: AccountStateStore;
  merchants: MerchantStore;
  /** Wall clock for decisions without occurredAt. */
  now(): number;
  newDecisionId(): string;
  /** Called with every decision made (the server's decision log). */
  recordDecision?(record: DecisionRecord): void;
}

/** A decision with what it was made on: the answer, its explanation, and the audit trail. */
export interface DecisionRecord extends Decision {
  decisionId: string;
  policyRevision: string;
  /** True when the account could not be read (e.g. Redis unreachable): its features counted as missing. */
  degraded: boolean;
  occurredAt: string;
  decidedAt: string;
  requestId?: string | undefined;
  accountId: string;
  merchantId: string;
  facts: Facts;
}

export interface ReviewOutcome {
  decision: DecisionRecord;
  restriction?: Restriction;
  /** False when an equivalent restriction was already in force (or this trigger already made one). */
  created: boolean;
}

/**
 * The one place decisions are made and events take effect. The HTTP server and the simulator
 * both drive this class (Redis or memory stores behind the same interfaces).
 */
export class RefundGuardService {
  private readonly occurredIso = new IsoMemo();
  /** Filled again by every evaluateWith (evaluation never yields). */
  private readonly layered = new LayeredFacts();
  private readonly evaluated: Decision & { cohorts: readonly string[] } = { point: 'order.checkout', action: '', params: undefined, reasons: [], shadow: [], missingFacts: [], cohorts: [] };
  private readonly decidedIso = new IsoMemo();

  constructor(private readonly deps: ServiceDependencies) {}

  async decide(input: DecisionInput, reader: AccountReader = this.deps.reader): Promise<DecisionRecord> {
    const now = input.occurredAt !== undefined ? parseEventTime(input.occurredAt) : this.deps.now();
    let degraded = false;
    const [snapshot, merchant] = await Promise.all([
      reader.snapshot(input.account.id, now).catch((): AccountSnapshot | undefined => {
        degraded = true;
        return undefined;
      }),
      this.deps.merchants.get(input.merchant.id).catch((): MerchantState | undefined => {
        degraded = true;
        return undefined;
      }),
    ]);
    return this.decideWith(input, snapshot, merchant, now, degraded);
  }

  /**
   * What decideWith decides, without making it a record: no decision id, no timestamps, and no facts
   * object (the facts are read where they lie, see LayeredFacts); with the merchant's cohorts as the
   * decision saw them. A replay tallying a report, with no one reading its records, decides this way.
   * The answer is one object, filled again by this service's next evaluateWith: read it before then.
   */
  evaluateWith(input: DecisionInput, snapshot: AccountSnapshot | undefined, merchant: MerchantState | undefined, now: number, bundle = this.deps.bundle()): Decision & { cohorts: readonly string[] } {
    const layered = this.layered.fill(input, snapshot, merchant, bundle.cohorts, now);
    const d = bundle.evaluateLayered(input.point, layered.layers, layered.merchant, now);
    const t = this.evaluated;
    t.point = d.point;
    t.action = d.action;
    t.params = d.params;
    t.reasons = d.reasons;
    t.shadow = d.shadow;
    t.missingFacts = d.missingFacts;
    t.cohorts = layered.merchant.cohorts;
    return t;
  }

  /** Evaluation on facts already gathered: the simulator reuses one snapshot for two bundles this way. */
  decideWith(input: DecisionInput, snapshot: AccountSnapshot | undefined, merchant: MerchantState | undefined, now: number, degraded: boolean, bundle = this.deps.bundle()): DecisionRecord {
    const facts = assembleFacts(input, snapshot, merchant, bundle.cohorts, now);
    const decision = bundle.evaluate(input.point, facts, now);
    // Explicit fields, not spreads, and memoised timestamps: this runs for every decision (twice per event in a simulation).
    const record: DecisionRecord = {
      decisionId: this.deps.newDecisionId(),
      point: decision.point,
      action: decision.action,
      params: decision.params,
      reasons: decision.reasons,
      shadow: decision.shadow,
      missingFacts: decision.missingFacts,
      policyRevision: bundle.revision,
      degraded,
      occurredAt: this.occurredIso.of(now),
      decidedAt: this.decidedIso.of(this.deps.now()),
      requestId: input.requestId,
      accountId: input.account.id,
      merchantId: input.merchant.id,
      facts,
    };
    this.deps.recordDecision?.(record);
    return record;
  }

  /** Features first (idempotent by eventId), then each event's other effects, in the batch's order. */
  async ingest(events: readonly RefundGuardEvent[]): Promise<{ applied: number; duplicates: number; reviews: ReviewOutcome[] }> {
    const result = await this.deps.features.apply(events);
    const reviews: ReviewOutcome[] = [];
    for (const event of events) {
      for (const effect of effectsOf(event)) {
        const outcome = await this.applyEffect(effect);
        if (outcome) reviews.push(outcome);
      }
    }
    return { ...result, reviews };
  }

  /** Every effect is idempotent: earliest marks win, merchant updates never go back in time, restriction ids derive from their trigger. */
  async applyEffect(effect: EventEffect): Promise<ReviewOutcome | undefined> {
    switch (effect.kind) {
      case 'merchant': {
        const current = await this.deps.merchants.get(effect.merchantId);
        if (current?.updatedAt !== undefined && Date.parse(current.updatedAt) > Date.parse(effect.at)) return undefined;
        await this.deps.merchants.put(effect.merchantId, effect.update, effect.at);
        return undefined;
      }
      case 'mark':
        await this.deps.state.markOrder(effect.accountId, effect.orderId, effect.mark, effect.at);
        return undefined;
      case 'review':
        return this.review(effect.accountId, effect.merchantId, effect.at, effect.trigger, effect.subject);
    }
  }

  /** integrity.review after an upheld complaint or forged evidence; creates the restriction it decides. */
  async review(accountId: string, merchantId: string, at: number, trigger: RestrictionTrigger, subject: Record<string, unknown> = {}): Promise<ReviewOutcome> {
    const decision = await this.decide({
      point: 'integrity.review',
      occurredAt: new Date(at).toISOString(),
      account: { id: accountId },
      merchant: { id: merchantId },
      ...subject,
    }, this.deps.reviewReader);
    // A review on missing state would silently restrict nothing; fail, so the write is refused and retried.
    if (decision.degraded) throw new Error(`integrity review of ${accountId} could not read the account state`);
    const wanted = restrictionFromReview(decision, { accountId, merchantId, now: at, trigger, decisionId: decision.decisionId });
    if (wanted === undefined) return { decision, created: false };
    const existing = coveredBy(await this.deps.state.listRestrictions(accountId), wanted, at);
    if (existing) return { decision, restriction: existing, created: false };
    const stored = await this.deps.state.addRestriction(wanted);
    return { decision, restriction: stored.restriction, created: stored.created };
  }
}

/** The ISO form of the last instant asked for: consecutive decisions often share their clock. */
class IsoMemo {
  private ms = Number.NaN;
  private iso = '';
  of(ms: number): string {
    if (ms !== this.ms) {
      this.ms = ms;
      this.iso = isoOf(ms);
    }
    return this.iso;
  }
}
