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

/** The most a logged decision takes; past it, its facts are left out of the log (the decision stands). */
export const maxLoggedDecisionBytes = 16 * 1024;

/**
 * A decision as the log keeps it: its JSON, at most maxLoggedDecisionBytes (counted in UTF-16 units,
 * as strings are held). Only the facts can make a record large (caller attributes); an oversized
 * record keeps everything else and says how large its facts were.
 */
export function loggedJson(record: DecisionRecord): string {
  const json = JSON.stringify(record);
  if (json.length <= maxLoggedDecisionBytes) return json;
  return JSON.stringify({ ...record, facts: {}, factsOmitted: `the facts took ${json.length} characters, more than the ${maxLoggedDecisionBytes} a logged decision may` });
}

/**
 * Keeps the most recent decisions as JSON, bounded by count and by size; a ring of ids says which
 * one falls out next (no iterator per add).
 */
export class RecentDecisions {
  private readonly byId = new Map<string, string>();
  private readonly ring: (string | undefined)[];
  private oldest = 0;
  private next = 0;
  private size = 0;
  private held = 0;
  constructor(
    private readonly capacity: number,
    private readonly maxChars: number,
  ) {
    this.ring = new Array<string | undefined>(capacity);
  }

  add(decisionId: string, json: string): void {
    while (this.size > 0 && (this.size >= this.capacity || this.held + json.length > this.maxChars)) this.evictOldest();
    this.ring[this.next] = decisionId;
    this.next = (this.next + 1) % this.capacity;
    this.size += 1;
    this.held += json.length;
    this.byId.set(decisionId, json);
  }

  get(id: string): string | undefined {
    return this.byId.get(id);
  }

  /** Characters of JSON held. */
  get heldChars(): number {
    return this.held;
  }

  private evictOldest(): void {
    const id = this.ring[this.oldest] as string;
    this.ring[this.oldest] = undefined;
    this.oldest = (this.oldest + 1) % this.capacity;
    this.size -= 1;
    this.held -= this.byId.get(id)?.length ?? 0;
    this.byId.delete(id);
  }
}

export function countInto(counts: Record<string, Record<string, number>>, point: string, action: string, by = 1): void {
  const row = (counts[point] ??= {});
  row[action] = (row[action] ?? 0) + by;
}
