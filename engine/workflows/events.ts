import type { ComplaintFiledEvent, ComplaintResolvedEvent, EvidenceAppraisedEvent, EvidenceReportedEvent, RefundGuardEvent } from '../events/index.js';
import type { Complaint, EvidenceReport } from './model.js';

/**
 * The events a workflow record stands for. They are exactly what POST /v1/events would take
 * (same types, same fields, eventIds derived from the record id), so replaying them through
 * /v1/events rebuilds the same features, order marks and restrictions, and a retried workflow
 * call re-sends the same eventIds (deduplicated).
 */
export function reportedEvent(r: EvidenceReport): EvidenceReportedEvent {
  return {
    eventId: `${r.id}:reported`,
    type: 'evidence.reported',
    at: r.reportedAt,
    accountId: r.accountId,
    merchantId: r.merchantId,
    reportId: r.id,
    orderId: r.orderId,
    evidence: r.evidence.map((e) => ({ ...e })),
    reason: r.reason,
  };
}

export function appraisedEvent(r: EvidenceReport): EvidenceAppraisedEvent | undefined {
  if (r.appraisal === undefined) return undefined;
  return {
    eventId: `${r.id}:appraised`,
    type: 'evidence.appraised',
    at: r.appraisal.appraisedAt,
    accountId: r.accountId,
    merchantId: r.merchantId,
    reportId: r.id,
    orderId: r.orderId,
    verdict: r.appraisal.verdict,
  };
}

export function filedEvent(c: Complaint): ComplaintFiledEvent {
  return {
    eventId: `${c.id}:filed`,
    type: 'complaint.filed',
    at: c.filedAt,
    accountId: c.accountId,
    merchantId: c.merchantId,
    complaintId: c.id,
    orderId: c.orderId,
    kind: c.kind,
    evidence: c.evidence.map((e) => ({ ...e })),
  };
}

export function resolvedEvent(c: Complaint): ComplaintResolvedEvent | undefined {
  if (c.resolution === undefined) return undefined;
  return {
    eventId: `${c.id}:resolved`,
    type: 'complaint.resolved',
    at: c.resolution.resolvedAt,
    accountId: c.accountId,
    merchantId: c.merchantId,
    complaintId: c.id,
    orderId: c.orderId,
    outcome: c.resolution.outcome,
  };
}

/** Every event of a report so far, in time order. */
export function reportEvents(r: EvidenceReport): RefundGuardEvent[] {
  const appraised = appraisedEvent(r);
  return appraised ? [reportedEvent(r), appraised] : [reportedEvent(r)];
}

/** Every event of a complaint so far, in time order. */
export function complaintEvents(c: Complaint): RefundGuardEvent[] {
  const resolved = resolvedEvent(c);
  return resolved ? [filedEvent(c), resolved] : [filedEvent(c)];
}
