import type { DecisionRecord } from '../../engine/index.js';

/**
 * Every decision is appended here off the hot path (batched), so it can be audited, explained
 * (GET /v1/decisions/:id) and replayed. `append` never blocks and never throws.
 */
export interface DecisionLog {
  append(record: DecisionRecord): void;
  get(decisionId: string): Promise<DecisionRecord | undefined>;
  /**
   * Decisions counted by point and action (GET /v1/stats): since the log began, or with `day`
   * ("YYYY-MM-DD") those decided on that UTC day (kept for dayCountDays days).
   */
  stats(day?: string): Promise<DecisionCounts>;
  /** Ids of the account's most recent decisions, newest first, at most recentPerAccount (written with the batches). */
  recentForAccount(accountId: string): Promise<string[]>;
  /** Writes what is buffered; resolves when done (shutdown, tests). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** point → action → decisions. */
export type DecisionCounts = Record<string, Record<string, number>>;

/** How many decision ids the log keeps per account (the console's account page). */
export const recentPerAccount = 20;
/** How many days the per-day counts are kept. */
export const dayCountDays = 8;

/** The UTC day ("YYYY-MM-DD") a decision counts towards, from its decidedAt; '' when it has none. */
export function decisionDay(record: Pick<DecisionRecord, 'decidedAt'>): string {
  const day = typeof record.decidedAt === 'string' ? record.decidedAt.slice(0, 10) : '';
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : '';
}

/** Ids, newest first: `newest` (newest last, as appended) ahead of `older` (newest first), without repeats, at most recentPerAccount. */
export function mergeRecent(newest: readonly string[], older: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const id of [...[...newest].reverse(), ...older]) {
    if (out.length >= recentPerAccount) break;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
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
