import type { DecisionRecord } from '../../engine/index.js';
import { countInto, RecentDecisions, type DecisionLog } from './decision-log.js';

/** The embedded default: the last `capacity` decisions and running counts, in process. */
export class MemoryDecisionLog implements DecisionLog {
  private readonly recent: RecentDecisions;
  private readonly counts: Record<string, Record<string, number>> = {};

  constructor(capacity = 100_000) {
    this.recent = new RecentDecisions(capacity);
  }

  append(record: DecisionRecord): void {
    this.recent.add(record);
    countInto(this.counts, record.point, record.action);
  }

  async get(decisionId: string): Promise<DecisionRecord | undefined> {
    return this.recent.get(decisionId);
  }

  async stats(): Promise<Record<string, Record<string, number>>> {
    return structuredClone(this.counts);
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
