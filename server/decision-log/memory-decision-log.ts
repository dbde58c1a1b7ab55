import type { DecisionRecord } from '../../engine/index.js';
import { countInto, loggedJson, RecentDecisions, type DecisionLog } from './decision-log.js';

/** The embedded default: the last `capacity` decisions (at most `maxChars` of JSON) and running counts, in process. */
export class MemoryDecisionLog implements DecisionLog {
  private readonly recent: RecentDecisions;
  private readonly counts: Record<string, Record<string, number>> = {};

  constructor(capacity = 100_000, maxChars = 64 * 1024 * 1024) {
    this.recent = new RecentDecisions(capacity, maxChars);
  }

  get heldChars(): number {
    return this.recent.heldChars;
  }

  append(record: DecisionRecord): void {
    this.recent.add(record.decisionId, loggedJson(record));
    countInto(this.counts, record.point, record.action);
  }

  async get(decisionId: string): Promise<DecisionRecord | undefined> {
    const json = this.recent.get(decisionId);
    return json === undefined ? undefined : (JSON.parse(json) as DecisionRecord);
  }

  async stats(): Promise<Record<string, Record<string, number>>> {
    return structuredClone(this.counts);
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
