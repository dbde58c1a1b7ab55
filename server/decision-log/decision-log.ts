import type { DecisionRecord } from '../../engine/index.js';

/**
 * Every decision is appended here off the hot path (batched), so it can be audited, explained
 * (GET /v1/decisions/:id) and replayed. `append` never blocks and never throws.
 */
export interface DecisionLog {
  append(record: DecisionRecord): void;
  get(decisionId: string): Promise<DecisionRecord | undefined>;
  /** Decisions counted by point and action since the log began (GET /v1/stats). */
  stats(): Promise<Record<string, Record<string, number>>>;
  /** Writes what is buffered; resolves when done (shutdown, tests). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Keeps the most recent decisions; a ring of ids says which one falls out next (no iterator per add). */
export class RecentDecisions {
  private readonly byId = new Map<string, DecisionRecord>();
  private readonly ring: (string | undefined)[];
  private next = 0;
  constructor(private readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity);
  }

  add(record: DecisionRecord): void {
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.byId.delete(evicted);
    this.ring[this.next] = record.decisionId;
    this.next = (this.next + 1) % this.capacity;
    this.byId.set(record.decisionId, record);
  }

  get(id: string): DecisionRecord | undefined {
    return this.byId.get(id);
  }
}

export function countInto(counts: Record<string, Record<string, number>>, point: string, action: string, by = 1): void {
  const row = (counts[point] ??= {});
  row[action] = (row[action] ?? 0) + by;
}
