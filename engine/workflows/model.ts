import type { ComplaintKind, EvidenceItem } from '../events/index.js';

/** What a merchant may say is wrong with the buyer's evidence. */
export const evidenceReasons = ['web_image', 'edited_image', 'not_store_product', 'other'] as const;
export type EvidenceReason = (typeof evidenceReasons)[number];

export const complaintKinds = ['fake_logistics', 'empty_package', 'missing_items', 'swapped_item'] as const satisfies readonly ComplaintKind[];

export const appraisalVerdicts = ['forged', 'genuine'] as const;
export type AppraisalVerdict = (typeof appraisalVerdicts)[number];
export const complaintOutcomes = ['upheld', 'dismissed'] as const;
export type ComplaintOutcome = (typeof complaintOutcomes)[number];

/** The platform appraises a forged-evidence report within 24 hours of the report. */
export const APPRAISAL_SLA_MS = 24 * 3_600_000;

export type ReportStatus = 'pending' | 'appraised';
export type ComplaintStatus = 'pending' | 'resolved';

/** Fields every workflow record has; the store only looks at these. */
export interface WorkflowRecord {
  id: string;
  status: string;
  /**
   * True once the event of the record's latest transition went through RefundGuardService.ingest.
   * False after a call that stored the transition but could not apply it (store outage): the next
   * call about the same record applies it (events are idempotent by eventId).
   */
  applied: boolean;
  /** Digest of the creating request: a retried create with the same id and body is a replay, a different body a conflict. */
  fingerprint: string;
}

export interface Appraisal {
  verdict: AppraisalVerdict;
  note?: string;
  /** The person who appraised it (console sign-in name), when known. */
  by?: string;
  appraisedAt: string;
  /** Seconds from the report to the appraisal (the 24 h SLA). */
  secondsToAppraisal: number;
  withinSla: boolean;
}

export interface EvidenceReport extends WorkflowRecord {
  status: ReportStatus;
  merchantId: string;
  accountId: string;
  orderId: string;
  refundId?: string;
  reason: EvidenceReason;
  evidence: EvidenceItem[];
  /** When the merchant flagged the evidence (default: when the server received it). */
  reportedAt: string;
  /** reportedAt + 24 h: the appraisal is due by then. */
  dueAt: string;
  receivedAt: string;
  appraisal?: Appraisal;
}

export interface Resolution {
  outcome: ComplaintOutcome;
  note?: string;
  /** The person who resolved it (console sign-in name), when known. */
  by?: string;
  resolvedAt: string;
}

export interface Complaint extends WorkflowRecord {
  status: ComplaintStatus;
  kind: ComplaintKind;
  orderId: string;
  accountId: string;
  merchantId: string;
  evidence: EvidenceItem[];
  filedAt: string;
  resolution?: Resolution;
}
