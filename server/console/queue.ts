import { encodeCursor, evidenceReasons, sortKey, type EvidenceReason, type EvidenceReport, type IntegrityWorkflows } from '../../engine/workflows/index.js';
import { workflowCall } from '../routes/workflow-http.js';

export interface QueueFilter {
  merchant?: string;
  reason?: EvidenceReason;
  overdueOnly: boolean;
  cursor?: string;
}

export const QUEUE_PAGE_SIZE = 50;
/** A filtered page reads at most this many queue records; past that it offers a cursor to go on. */
const maxScanned = 5_000;
const batch = 500;

export function parseReason(text: string | undefined): EvidenceReason | undefined {
  return evidenceReasons.find((r) => r === text);
}

/**
 * A page of the pending queue, due soonest first, read through the same workflow listing as
 * GET /v1/evidence-reports. Merchant and reason filters read the queue in batches and keep the matches.
 */
export async function queuePage(workflows: IntegrityWorkflows, filter: QueueFilter, now: number): Promise<{ reports: EvidenceReport[]; nextCursor: string | null }> {
  const base = { status: 'pending' as const, ...(filter.overdueOnly ? { before: now } : {}) };
  if (filter.merchant === undefined && filter.reason === undefined) {
    const page = await workflowCall(() => workflows.listReports({ ...base, limit: QUEUE_PAGE_SIZE, ...(filter.cursor !== undefined ? { cursor: filter.cursor } : {}) }));
    return { reports: page.records, nextCursor: page.nextCursor };
  }
  const matches = (r: EvidenceReport) => (filter.merchant === undefined || r.merchantId === filter.merchant) && (filter.reason === undefined || r.reason === filter.reason);
  const reports: EvidenceReport[] = [];
  let cursor = filter.cursor;
  let scanned = 0;
  while (scanned < maxScanned) {
    const page = await workflowCall(() => workflows.listReports({ ...base, limit: batch, ...(cursor !== undefined ? { cursor } : {}) }));
    for (const record of page.records) {
      scanned++;
      if (!matches(record)) continue;
      reports.push(record);
      if (reports.length === QUEUE_PAGE_SIZE) return { reports, nextCursor: cursorAfter(record) };
    }
    if (page.nextCursor === null) return { reports, nextCursor: null };
    cursor = page.nextCursor;
  }
  return { reports, nextCursor: cursor ?? null };
}

/** The cursor that continues the queue right after this report (its sort key). */
export function cursorAfter(report: EvidenceReport): string {
  return encodeCursor(sortKey(Date.parse(report.dueAt), report.id));
}

/** The next pending report after `report` in queue order (j), or the first one when `report` is undefined. */
export async function reportAfter(workflows: IntegrityWorkflows, report: EvidenceReport | undefined, skip: (r: EvidenceReport) => boolean): Promise<EvidenceReport | undefined> {
  let cursor = report === undefined ? undefined : cursorAfter(report);
  for (let pages = 0; pages < 10; pages++) {
    const page = await workflowCall(() => workflows.listReports({ status: 'pending', limit: 20, ...(cursor !== undefined ? { cursor } : {}) }));
    const found = page.records.find((r) => !skip(r));
    if (found) return found;
    if (page.nextCursor === null) return undefined;
    cursor = page.nextCursor;
  }
  return undefined;
}
