import type { Complaint, ComplaintStatus, EvidenceReport, ReportStatus, WorkflowRecord } from './model.js';

export interface ListQuery<S extends string> {
  /** Only records in this status (default: every status). */
  status?: S;
  /** Only records whose sort time is >= this (epoch ms). */
  from?: number;
  /** Only records whose sort time is < this (epoch ms): `before: now` on reports = overdue. */
  before?: number;
  limit: number;
  /** From a previous page's nextCursor. */
  cursor?: string;
}

export interface Page<T> {
  records: T[];
  /** null on the last page. */
  nextCursor: string | null;
}

/**
 * One kind of workflow record (reports, complaints), listed by a sort time that never changes
 * (reports: dueAt, complaints: filedAt), then by id. Memory and Redis implement it; one contract
 * suite (test/workflow-store-contract.test.ts) runs against both.
 */
/** Every workflow record is about one order of one account. */
export interface OrderRecord extends WorkflowRecord {
  accountId: string;
  orderId: string;
}

/** The most records forOrder returns. */
export const maxOrderRecords = 50;

export interface RecordStore<T extends OrderRecord> {
  /** Idempotent by id: when the id exists, the stored record is returned unchanged with created false. */
  create(record: T): Promise<{ record: T; created: boolean }>;
  get(id: string): Promise<T | undefined>;
  /**
   * Compare-and-set: replaces the record only while its stored status is `expected`, moving it between
   * status indexes. Undefined for an unknown id; `replaced: false` with the stored record otherwise.
   */
  replace(next: T, expected: T['status']): Promise<{ record: T; replaced: boolean } | undefined>;
  /** Oldest sort time first, ties by id; pages are stable under inserts after the cursor. */
  list(query: ListQuery<T['status']>): Promise<Page<T>>;
  count(query: Omit<ListQuery<T['status']>, 'limit' | 'cursor'>): Promise<number>;
  /**
   * The records about one order of one account (e.g. its earlier reports), oldest sort time first,
   * at most `limit` (capped at maxOrderRecords); the oldest are left out when there are more.
   */
  forOrder(accountId: string, orderId: string, limit: number): Promise<T[]>;
}

export interface WorkflowStore {
  readonly reports: RecordStore<EvidenceReport>;
  readonly complaints: RecordStore<Complaint>;
}

/** The time each kind of record is listed by. */
export const sortTimeOf = {
  reports: (r: EvidenceReport): number => Date.parse(r.dueAt),
  complaints: (c: Complaint): number => Date.parse(c.filedAt),
};

export type { ReportStatus, ComplaintStatus };

/** Fixed-width sort key "<15-digit ms>|<id>": lexical order = (time, id) order. Shared by both stores, so cursors are too. */
export function sortKey(ms: number, id: string): string {
  return `${Math.max(0, Math.trunc(ms)).toString().padStart(15, '0')}|${id}`;
}

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The sort key a cursor stands for, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): string | undefined {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^\d{15}\|[A-Za-z0-9._:-]{1,128}$/.test(key) ? key : undefined;
}

/** Lower and upper (exclusive) bounds of a query as sort keys. */
export function keyBounds(query: { from?: number; before?: number; cursor?: string }): { min: string; minExclusive: boolean; maxExclusive?: string } {
  let min = query.from !== undefined ? sortKey(query.from, '') : '';
  let minExclusive = false;
  const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
  if (after !== undefined && after >= min) {
    min = after;
    minExclusive = true;
  }
  return { min, minExclusive, ...(query.before !== undefined ? { maxExclusive: sortKey(query.before, '') } : {}) };
}
