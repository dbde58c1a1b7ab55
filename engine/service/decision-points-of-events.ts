import type { RefundGuardEvent } from '../events/index.js';
import type { DecisionPoint } from '../points/index.js';
import type { DecisionInput } from './decision-input.js';

/**
 * The decision a platform service asks for when this event happens, or undefined when the
 * event is not a decision point. The simulator replays history through this, and a replay
 * through the live server (POST /v1/decisions with occurredAt) sends the same inputs.
 */
export function decisionInputFor(event: RefundGuardEvent): DecisionInput | undefined {
  switch (event.type) {
    case 'order.placed': {
      // Assignments, not conditional spreads: every checkout of a replay builds one of these. With both
      // optional fields (the usual order), one literal: all four properties inside the object.
      let order: Record<string, unknown>;
      if (event.quantity !== undefined && event.category !== undefined) {
        order = { id: event.orderId, amount: event.amount, quantity: event.quantity, category: event.category };
      } else {
        order = { id: event.orderId, amount: event.amount };
        if (event.quantity !== undefined) order['quantity'] = event.quantity;
        if (event.category !== undefined) order['category'] = event.category;
      }
      return {
        point: pointOfEventType[event.type],
        requestId: event.eventId,
        occurredAt: event.at,
        account: { id: event.accountId },
        merchant: { id: event.merchantId },
        order,
      };
    }
    case 'refund.requested':
      return {
        point: pointOfEventType[event.type],
        requestId: event.eventId,
        occurredAt: event.at,
        account: { id: event.accountId },
        merchant: { id: event.merchantId },
        order: { id: event.orderId, amount: event.amount },
        refund: { ...event.refund, amount: event.refund.amount ?? event.amount },
      };
    case 'intervention.requested':
      return {
        point: pointOfEventType[event.type],
        requestId: event.eventId,
        occurredAt: event.at,
        account: { id: event.accountId },
        merchant: { id: event.merchantId },
        order: { id: event.orderId, ...(event.amount !== undefined ? { amount: event.amount } : {}) },
        ...(event.refund !== undefined ? { refund: { ...event.refund } } : {}),
      };
    default:
      return undefined;
  }
}

/**
 * decisionInputFor for callers that read each input before asking for the next, and keep none (a
 * replay tallying a report): a checkout's input, most of a replay's, is one set of objects filled
 * again, instead of four new objects per order. Fields an order lacks are undefined there, which
 * reads as absent wherever an input is read (facts, amounts, the report).
 */
export class ReusedDecisionInputs {
  private readonly checkout = {
    point: 'order.checkout' as DecisionPoint,
    requestId: '',
    occurredAt: '',
    account: { id: '' },
    merchant: { id: '' },
    order: { id: '', amount: 0 as unknown, quantity: undefined as unknown, category: undefined as unknown },
  };

  of(event: RefundGuardEvent): DecisionInput | undefined {
    if (event.type !== 'order.placed') return decisionInputFor(event);
    const input = this.checkout;
    input.requestId = event.eventId;
    input.occurredAt = event.at;
    input.account.id = event.accountId;
    input.merchant.id = event.merchantId;
    input.order.id = event.orderId;
    input.order.amount = event.amount;
    input.order.quantity = event.quantity;
    input.order.category = event.category;
    return input;
  }
}

/** The events that ask for a decision, and the point each asks at. */
const pointOfEventType = {
  'order.placed': 'order.checkout',
  'refund.requested': 'refund.requested',
  'intervention.requested': 'refund.intervention',
} as const satisfies Partial<Record<RefundGuardEvent['type'], DecisionPoint>>;

/** The point of `decisionInputFor(event)`, without building the input (undefined: not a decision point). */
export function decisionPointOf(event: RefundGuardEvent): DecisionPoint | undefined {
  return Object.hasOwn(pointOfEventType, event.type) ? pointOfEventType[event.type as keyof typeof pointOfEventType] : undefined;
}

/** Money at stake in a decision: the refund amount asked for (refund points) or the order amount. */
export function amountAtStake(input: DecisionInput): number {
  const refund = input.refund?.['amount'];
  if (typeof refund === 'number') return refund;
  const order = input.order?.['amount'];
  return typeof order === 'number' ? order : 0;
}
