/**
 * Event types (DESIGN §5). One interface per `type`; `RefundGuardEvent` is the discriminated union.
 * These mirror the JSON Schemas in ./schemas.ts; the schemas are the source of truth for validation.
 */
export const eventTypes = [
  'merchant.updated',
  'order.placed',
  'refund.requested',
  'refund.completed',
  'return.received',
  'intervention.requested',
  'evidence.reported',
  'evidence.appraised',
  'complaint.filed',
  'complaint.resolved',
] as const;

export type EventType = (typeof eventTypes)[number];

export type RefundType = 'fast_refund' | 'refund_only' | 'return_refund';
export type EventLabel = 'abuse' | 'legit';
export type ComplaintKind = 'fake_logistics' | 'empty_package' | 'missing_items' | 'swapped_item';

interface EventBase {
  eventId: string;
  /** ISO-8601 date-time with offset; use `atMs()` to get epoch ms. */
  at: string;
  merchantId: string;
  /** Ground truth known later; only simulator metrics read it. */
  label?: EventLabel;
}

interface AccountEventBase extends EventBase {
  accountId: string;
}

export interface MerchantUpdatedEvent extends EventBase {
  type: 'merchant.updated';
  settings: Record<string, string | number | boolean | null>;
  cohorts: string[];
  category?: string;
}

export interface OrderPlacedEvent extends AccountEventBase {
  type: 'order.placed';
  orderId: string;
  amount: number;
  currency?: string;
  category?: string;
  quantity?: number;
  deviceId?: string;
  addressId?: string;
}

export interface RefundRequest {
  type: RefundType;
  reason: string;
  amount?: number;
}

export interface RefundRequestedEvent extends AccountEventBase {
  type: 'refund.requested';
  orderId: string;
  amount: number;
  refund: RefundRequest;
}

export interface RefundCompletedEvent extends AccountEventBase {
  type: 'refund.completed';
  orderId: string;
  amount?: number;
}

export interface ReturnReceivedEvent extends AccountEventBase {
  type: 'return.received';
  orderId: string;
}

export interface InterventionRequestedEvent extends AccountEventBase {
  type: 'intervention.requested';
  orderId: string;
  reason?: string;
  /** The refund the buyer asks the platform to enforce, when known. */
  amount?: number;
  refund?: RefundRequest;
}

export interface EvidenceItem {
  kind: string;
  sha256?: string;
  url?: string;
  note?: string;
}

export interface EvidenceReportedEvent extends AccountEventBase {
  type: 'evidence.reported';
  reportId: string;
  orderId?: string;
  evidence: EvidenceItem[];
  reason: string;
}

export interface EvidenceAppraisedEvent extends AccountEventBase {
  type: 'evidence.appraised';
  reportId: string;
  orderId?: string;
  verdict: 'forged' | 'genuine';
}

export interface ComplaintFiledEvent extends AccountEventBase {
  type: 'complaint.filed';
  complaintId: string;
  orderId: string;
  kind: ComplaintKind;
  evidence?: EvidenceItem[];
}

export interface ComplaintResolvedEvent extends AccountEventBase {
  type: 'complaint.resolved';
  complaintId: string;
  orderId?: string;
  outcome: 'upheld' | 'dismissed';
}

export type AccountEvent =
  | OrderPlacedEvent
  | RefundRequestedEvent
  | RefundCompletedEvent
  | ReturnReceivedEvent
  | InterventionRequestedEvent
  | EvidenceReportedEvent
  | EvidenceAppraisedEvent
  | ComplaintFiledEvent
  | ComplaintResolvedEvent;

export type RefundGuardEvent = MerchantUpdatedEvent | AccountEvent;

export type EventOfType<T extends EventType> = Extract<RefundGuardEvent, { type: T }>;

export function isAccountEvent(event: RefundGuardEvent): event is AccountEvent {
  return event.type !== 'merchant.updated';
}
