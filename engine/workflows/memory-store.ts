import type { Complaint, EvidenceReport } from './model.js';
import { encodeCursor, keyBounds, maxOrderRecords, sortKey, sortTimeOf, type OrderRecord, type ListQuery, type Page, type RecordStore, type WorkflowStore } from './store.js';

/** In-memory records (embedded server, tests); same contract as the Redis store. */
export class MemoryRecordStore<T extends OrderRecord> implements RecordStore<T> {
  private readonly records = new Map<string, T>();

  constructor(private readonly sortTime: (record: T) => number) {}

  async create(record: T): Promise<{ record: T; created: boolean }> {
    const existing = this.records.get(record.id);
    if (existing) return { record: structuredClone(existing), created: false };
    this.records.set(record.id, structuredClone(record));
    return { record: structuredClone(record), created: true };
  }

  async get(id: string): Promise<T | undefined> {
    const r = this.records.get(id);
    return r && structuredClone(r);
  }

  async replace(next: T, expected: T['status']): Promise<{ record: T; replaced: boolean } | undefined> {
    const stored = this.records.get(next.id);
    if (!stored) return undefined;
    if (stored.status !== expected) return { record: structuredClone(stored), replaced: false };
    this.records.set(next.id, structuredClone(next));
    return { record: structuredClone(next), replaced: true };
  }

  async list(query: ListQuery<T['status']>): Promise<Page<T>> {
    const matching = this.matching(query);
    const page = matching.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      records: page.map(([, r]) => structuredClone(r)),
      nextCursor: matching.length > query.limit && last ? encodeCursor(last[0]) : null,
    };
  }

  async count(query: Omit<ListQuery<T['status']>, 'limit' | 'cursor'>): Promise<number> {
    return this.matching(query).length;
  }

  async forOrder(accountId: string, orderId: string, limit: number): Promise<T[]> {
    const about = [...this.records.values()].filter((r) => r.accountId === accountId && r.orderId === orderId);
    const sorted = about.map((r): [string, T] => [sortKey(this.sortTime(r), r.id), r]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return sorted.slice(sorted.length - Math.max(0, Math.min(limit, maxOrderRecords))).map(([, r]) => structuredClone(r));
  }

  private matching(query: Omit<ListQuery<T['status']>, 'limit'>): [string, T][] {
    const { min, minExclusive, maxExclusive } = keyBounds(query);
    const out: [string, T][] = [];
    for (const r of this.records.values()) {
      if (query.status !== undefined && r.status !== query.status) continue;
      const key = sortKey(this.sortTime(r), r.id);
      if (minExclusive ? key <= min : key < min) continue;
      if (maxExclusive !== undefined && key >= maxExclusive) continue;
      out.push([key, r]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

export class MemoryWorkflowStore implements WorkflowStore {
  readonly reports = new MemoryRecordStore<EvidenceReport>(sortTimeOf.reports);
  readonly complaints = new MemoryRecordStore<Complaint>(sortTimeOf.complaints);
}
