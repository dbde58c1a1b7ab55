import type { DecisionRecord } from '../../engine/index.js';
import { countInto, dayCountDays, decisionDay, loggedJson, mergeRecent, RecentDecisions, recentPerAccount, type DecisionCounts, type DecisionLog } from './decision-log.js';

/**
 * The embedded default, in process: the last `capacity` decisions (at most `maxChars` of JSON),
 * running and per-day counts, and the recent decision ids of the last `capacity` accounts seen.
 */
export class MemoryDecisionLog implements DecisionLog {
  private readonly recent: RecentDecisions;
  private readonly counts: DecisionCounts = {};
  private readonly byDay = new Map<string, DecisionCounts>();
  /** Account → its recent ids, oldest first; Map order = least recently decided account first. */
  private readonly byAccount = new Map<string, string[]>();

  constructor(
    private readonly capacity = 100_000,
    maxChars = 64 * 1024 * 1024,
  ) {
    this.recent = new RecentDecisions(capacity, maxChars);
  }

  get heldChars(): number {
    return this.recent.heldChars;
  }

  append(record: DecisionRecord): void {
    this.recent.add(record.decisionId, loggedJson(record));
    countInto(this.counts, record.point, record.action);
    this.countDay(decisionDay(record), record.point, record.action);
    this.indexAccount(record.accountId, record.decisionId);
  }

  async get(decisionId: string): Promise<DecisionRecord | undefined> {
    const json = this.recent.get(decisionId);
    return json === undefined ? undefined : (JSON.parse(json) as DecisionRecord);
  }

  async stats(day?: string): Promise<DecisionCounts> {
    return structuredClone(day === undefined ? this.counts : (this.byDay.get(day) ?? {}));
  }

  async recentForAccount(accountId: string): Promise<string[]> {
    return mergeRecent(this.byAccount.get(accountId) ?? [], []);
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}

  private countDay(day: string, point: string, action: string): void {
    if (day === '') return;
    let counts = this.byDay.get(day);
    if (counts === undefined) {
      this.byDay.set(day, (counts = {}));
      // Keep the latest dayCountDays days (ISO days sort as strings).
      const days = [...this.byDay.keys()].sort();
      for (const old of days.slice(0, Math.max(0, days.length - dayCountDays))) this.byDay.delete(old);
    }
    countInto(counts, point, action);
  }

  private indexAccount(accountId: string, decisionId: string): void {
    const ids = this.byAccount.get(accountId) ?? [];
    this.byAccount.delete(accountId);
    ids.push(decisionId);
    if (ids.length > recentPerAccount) ids.splice(0, ids.length - recentPerAccount);
    this.byAccount.set(accountId, ids);
    if (this.byAccount.size > this.capacity) this.byAccount.delete(this.byAccount.keys().next().value as string);
  }
}
