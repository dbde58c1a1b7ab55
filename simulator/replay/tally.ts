/**
 * Stage 6 of a replay, the tally: each decision pair (and each integrity review's) goes to
 * onTally, in history order, and to onDecision when it is asked for. Without onDecision, one pair
 * object is filled again for every decision, and no decision is made into a record (see decide.ts).
 */
import { amountAtStake, type DecisionInput, type DecisionRecord, type EventEffect, type ReviewOutcome } from '../../engine/index.js';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { DecisionPair, DecisionTally, TallyPair } from './decision-pair.js';
import type { ReplayOptions } from './options.js';

export class TallyStage {
  /** The pair onTally gets when nobody reads records (see ReplayOptions.onTally). */
  private tallied: TallyPair | undefined;
  private readonly onTally: ReplayOptions['onTally'];
  private readonly onDecision: ReplayOptions['onDecision'];
  /** Whether decisions must be made into records (someone reads them through onDecision). */
  readonly wantsRecords: boolean;

  constructor(options: Pick<ReplayOptions, 'onTally' | 'onDecision'>) {
    this.onTally = options.onTally;
    this.onDecision = options.onDecision;
    this.wantsRecords = options.onDecision !== undefined;
  }


  /** A decision taken as tallies only (no onDecision): the reused pair, filled again. */
  tallies(event: RefundGuardEvent, input: DecisionInput, line: number, now: number, baseline: DecisionTally, candidate: DecisionTally): void {
    const t = this.tallied;
    this.onTally(t === undefined ? (this.tallied = pairOf(event, input, line, now, baseline, candidate)) : refill(t, event, input, line, now, baseline, candidate));
  }

  /** A decision taken as records. */
  records(event: RefundGuardEvent, input: DecisionInput, line: number, now: number, baseline: DecisionRecord, candidate: DecisionRecord): void {
    this.both(pairOf(event, input, line, now, baseline, candidate));
  }

  /** The integrity reviews one effect ran in the two worlds. */
  review(event: RefundGuardEvent, line: number, effect: EventEffect & { kind: 'review' }, ob: ReviewOutcome, oc: ReviewOutcome): void {
    this.both(reviewPair(event, line, effect, ob, oc));
  }

  private both(pair: DecisionPair): void {
    this.onTally(pair);
    this.onDecision?.(pair);
  }
}

/** The pair of the decision `event` asked for, by its input, with the two sides given. */
function pairOf<S extends DecisionTally>(event: RefundGuardEvent, input: DecisionInput, line: number, at: number, baseline: S, candidate: S): Omit<DecisionPair, 'baseline' | 'candidate'> & { baseline: S; candidate: S } {
  return {
    eventId: event.eventId,
    point: input.point,
    line,
    at,
    accountId: input.account.id,
    merchantId: input.merchant.id,
    amount: amountAtStake(input),
    label: event.label,
    baseline,
    candidate,
  };
}

/** pairOf written into an existing pair (see ReplayOptions.onTally). */
function refill(pair: TallyPair, event: RefundGuardEvent, input: DecisionInput, line: number, at: number, baseline: DecisionTally, candidate: DecisionTally): TallyPair {
  pair.eventId = event.eventId;
  pair.point = input.point;
  pair.line = line;
  pair.at = at;
  pair.accountId = input.account.id;
  pair.merchantId = input.merchant.id;
  pair.amount = amountAtStake(input);
  pair.label = event.label;
  pair.baseline = baseline;
  pair.candidate = candidate;
  return pair;
}

function reviewPair(event: RefundGuardEvent, line: number, effect: EventEffect & { kind: 'review' }, ob: ReviewOutcome, oc: ReviewOutcome): DecisionPair {
  const pick = (o: ReviewOutcome): DecisionRecord => o.decision;
  return {
    eventId: event.eventId,
    point: 'integrity.review',
    line,
    at: effect.at,
    accountId: effect.accountId,
    merchantId: effect.merchantId,
    amount: 0,
    label: event.label,
    baseline: pick(ob),
    candidate: pick(oc),
  };
}
