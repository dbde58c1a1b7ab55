import { createHash, randomBytes } from 'node:crypto';
import type { EvidenceItem, RefundGuardEvent } from '../events/index.js';
import type { ReviewOutcome } from '../service/refund-guard-service.js';
import { complaintEvents, reportEvents } from './events.js';
import {
  APPRAISAL_SLA_MS,
  type AppraisalVerdict,
  type Complaint,
  type ComplaintOutcome,
  type ComplaintStatus,
  type EvidenceReason,
  type EvidenceReport,
  type ReportStatus,
} from './model.js';
import type { ComplaintKind } from '../events/index.js';
import { decodeCursor, type OrderRecord, type ListQuery, type Page, type RecordStore, type WorkflowStore } from './store.js';

export type WorkflowErrorCode = 'not_found' | 'already_appraised' | 'already_resolved' | 'id_conflict' | 'invalid';

/** A workflow refusal; the server maps the code to its HTTP status. */
export class WorkflowError extends Error {
  override name = 'WorkflowError';
  constructor(
    readonly code: WorkflowErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface WorkflowDependencies {
  store: WorkflowStore;
  /** RefundGuardService.ingest: features, order marks, integrity reviews. */
  ingest(events: readonly RefundGuardEvent[]): Promise<{ reviews: ReviewOutcome[] }>;
  now(): number;
}

/** What a merchant sends when flagging evidence: the report's own fields, plus an optional client id and time. */
export type ReportInput = Pick<EvidenceReport, 'merchantId' | 'accountId' | 'orderId' | 'refundId' | 'reason' | 'evidence'> & {
  reportedAt?: string;
  /** Client-chosen id: a retried POST with the same id (and body) returns the same report. */
  reportId?: string;
};

export interface ComplaintInput {
  kind: ComplaintKind;
  orderId: string;
  accountId: string;
  merchantId: string;
  evidence: EvidenceItem[];
  complaintId?: string;
}

export interface TransitionResult<T> {
  record: T;
  /** The integrity.review this transition ran (forged verdict, upheld complaint), if any. */
  review?: ReviewOutcome;
  /** True when this call made the transition (false: a retry that completed an earlier one). */
  transitioned: boolean;
}

/** Reported times may run slightly ahead of the server's clock; more than this is refused. */
const maxClockSkewMs = 5 * 60_000;

/**
 * Forged-evidence reports and abnormal-return complaints. Each step stores the record, then
 * applies the step's events through the service, exactly as /v1/events would. A step whose
 * events could not be applied (store outage) is completed by the next call about the record.
 */
export class IntegrityWorkflows {
  constructor(private readonly deps: WorkflowDependencies) {}

  async fileReport(input: ReportInput, idempotencyKey?: string): Promise<{ report: EvidenceReport; created: boolean }> {
    const now = this.deps.now();
    const reportedAt = input.reportedAt !== undefined ? Date.parse(input.reportedAt) : now;
    if (Number.isNaN(reportedAt) || reportedAt < 0) throw new WorkflowError('invalid', 'reportedAt is not a date-time', { path: '/reportedAt' });
    if (reportedAt > now + maxClockSkewMs) throw new WorkflowError('invalid', 'reportedAt is in the future', { path: '/reportedAt' });
    const { reportId, ...content } = input;
    const record: EvidenceReport = {
      id: reportId ?? workflowId('rep', idempotencyKey),
      status: 'pending',
      applied: false,
      fingerprint: fingerprint(content),
      merchantId: input.merchantId,
      accountId: input.accountId,
      orderId: input.orderId,
      ...(input.refundId !== undefined ? { refundId: input.refundId } : {}),
      reason: input.reason,
      evidence: input.evidence.map((e) => ({ ...e })),
      reportedAt: iso(reportedAt),
      dueAt: iso(reportedAt + APPRAISAL_SLA_MS),
      receivedAt: iso(now),
    };
    const { record: stored, created } = await this.deps.store.reports.create(record);
    if (!created && stored.fingerprint !== record.fingerprint) {
      throw new WorkflowError('id_conflict', `report ${stored.id} already exists with different content`, { id: stored.id });
    }
    const applied = stored.applied ? stored : (await this.apply(this.deps.store.reports, stored, reportEvents)).record;
    return { report: applied, created };
  }

  async getReport(id: string): Promise<EvidenceReport> {
    const r = await this.deps.store.reports.get(id);
    if (!r) throw new WorkflowError('not_found', `no evidence report ${id}`);
    return r;
  }

  async appraise(id: string, appraisal: { verdict: AppraisalVerdict; note?: string; by?: string }): Promise<TransitionResult<EvidenceReport>> {
    const store = this.deps.store.reports;
    let stored = await this.getReport(id);
    if (stored.status === 'pending') {
      const now = this.deps.now();
      const seconds = Math.max(0, (now - Date.parse(stored.reportedAt)) / 1000);
      const next: EvidenceReport = {
        ...stored,
        status: 'appraised',
        applied: false,
        appraisal: {
          verdict: appraisal.verdict,
          ...(appraisal.note !== undefined ? { note: appraisal.note } : {}),
          ...(appraisal.by !== undefined ? { by: appraisal.by } : {}),
          appraisedAt: iso(now),
          secondsToAppraisal: seconds,
          withinSla: now <= Date.parse(stored.dueAt),
        },
      };
      const swapped = await store.replace(next, 'pending');
      if (swapped === undefined) throw new WorkflowError('not_found', `no evidence report ${id}`);
      if (swapped.replaced) return { ...(await this.apply(store, next, reportEvents)), transitioned: true };
      stored = swapped.record; // someone else appraised it first
    }
    return this.settled(store, stored, reportEvents, stored.appraisal?.verdict === appraisal.verdict, () => {
      throw new WorkflowError('already_appraised', `evidence report ${id} was already appraised`, {
        verdict: stored.appraisal?.verdict,
        appraisedAt: stored.appraisal?.appraisedAt,
      });
    });
  }

  async listReports(query: ListQuery<ReportStatus>): Promise<Page<EvidenceReport>> {
    checkCursor(query.cursor);
    return this.deps.store.reports.list(query);
  }

  async fileComplaint(input: ComplaintInput, idempotencyKey?: string): Promise<{ complaint: Complaint; created: boolean }> {
    const now = this.deps.now();
    const { complaintId, ...content } = input;
    const record: Complaint = {
      id: complaintId ?? workflowId('cmp', idempotencyKey),
      status: 'pending',
      applied: false,
      fingerprint: fingerprint(content),
      kind: input.kind,
      orderId: input.orderId,
      accountId: input.accountId,
      merchantId: input.merchantId,
      evidence: input.evidence.map((e) => ({ ...e })),
      filedAt: iso(now),
    };
    const { record: stored, created } = await this.deps.store.complaints.create(record);
    if (!created && stored.fingerprint !== record.fingerprint) {
      throw new WorkflowError('id_conflict', `complaint ${stored.id} already exists with different content`, { id: stored.id });
    }
    const applied = stored.applied ? stored : (await this.apply(this.deps.store.complaints, stored, complaintEvents)).record;
    return { complaint: applied, created };
  }

  async getComplaint(id: string): Promise<Complaint> {
    const c = await this.deps.store.complaints.get(id);
    if (!c) throw new WorkflowError('not_found', `no complaint ${id}`);
    return c;
  }

  async resolve(id: string, resolution: { outcome: ComplaintOutcome; note?: string; by?: string }): Promise<TransitionResult<Complaint>> {
    const store = this.deps.store.complaints;
    let stored = await this.getComplaint(id);
    if (stored.status === 'pending') {
      const next: Complaint = {
        ...stored,
        status: 'resolved',
        applied: false,
        resolution: { outcome: resolution.outcome, ...(resolution.note !== undefined ? { note: resolution.note } : {}), ...(resolution.by !== undefined ? { by: resolution.by } : {}), resolvedAt: iso(this.deps.now()) },
      };
      const swapped = await store.replace(next, 'pending');
      if (swapped === undefined) throw new WorkflowError('not_found', `no complaint ${id}`);
      if (swapped.replaced) return { ...(await this.apply(store, next, complaintEvents)), transitioned: true };
      stored = swapped.record;
    }
    return this.settled(store, stored, complaintEvents, stored.resolution?.outcome === resolution.outcome, () => {
      throw new WorkflowError('already_resolved', `complaint ${id} was already resolved`, {
        outcome: stored.resolution?.outcome,
        resolvedAt: stored.resolution?.resolvedAt,
      });
    });
  }

  async listComplaints(query: ListQuery<ComplaintStatus>): Promise<Page<Complaint>> {
    checkCursor(query.cursor);
    return this.deps.store.complaints.list(query);
  }

  /**
   * A second appraisal/resolution: if the first one's events never reached the service, apply them
   * now; when the caller asked for the same outcome this completes their earlier (failed) call,
   * otherwise it is a conflict.
   */
  private async settled<T extends OrderRecord>(
    store: RecordStore<T>,
    stored: T,
    eventsOf: (r: T) => RefundGuardEvent[],
    sameOutcome: boolean,
    conflict: () => never,
  ): Promise<TransitionResult<T>> {
    if (stored.applied) conflict();
    const completed = await this.apply(store, stored, eventsOf);
    if (!sameOutcome) conflict();
    return { ...completed, transitioned: false };
  }

  /** Every event of the record so far (duplicates are skipped by eventId), then the record is marked applied. */
  private async apply<T extends OrderRecord>(store: RecordStore<T>, record: T, eventsOf: (r: T) => RefundGuardEvent[]): Promise<{ record: T; review?: ReviewOutcome }> {
    const { reviews } = await this.deps.ingest(eventsOf(record));
    const done = { ...record, applied: true };
    const marked = await store.replace(done, record.status);
    const review = reviews[reviews.length - 1];
    return { record: marked?.replaced ? done : (marked?.record ?? done), ...(review !== undefined ? { review } : {}) };
  }
}

function checkCursor(cursor: string | undefined): void {
  if (cursor !== undefined && decodeCursor(cursor) === undefined) throw new WorkflowError('invalid', 'cursor is not one this server returned', { path: '/cursor' });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An Idempotency-Key always maps to the same id, so a retried POST finds the record it created. */
export function workflowId(kind: 'rep' | 'cmp', idempotencyKey?: string): string {
  if (idempotencyKey !== undefined) return `${kind}-${createHash('sha256').update(`${kind}\0${idempotencyKey}`).digest('base64url').slice(0, 22)}`;
  return `${kind}-${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
}

/** Digest of a request's content with keys sorted, so field order does not matter. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 22);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
