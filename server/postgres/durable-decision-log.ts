import { defaultAction, type DecisionRecord } from '../../engine/index.js';
import type { DecisionCounts, DecisionLog } from '../decision-log/index.js';
import type { PgPool } from './pool.js';

/** Past this many unwritten decisions (PostgreSQL down a long time) the oldest are dropped and counted. */
const maxQueued = 100_000;

const insertSql = `
INSERT INTO decisions (decision_id, point, action, account_id, merchant_id, occurred_at, policy_revision, record)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::json[])
ON CONFLICT (decision_id) DO NOTHING`;

/** The decisions PostgreSQL keeps: those that acted (not the point's default action) and every integrity.review. */
export function isRecordedDecision(record: Pick<DecisionRecord, 'point' | 'action'>): boolean {
  return record.point === 'integrity.review' || record.action !== defaultAction(record.point);
}

/**
 * The decision log, with the decisions that matter also written to PostgreSQL: in batches, off the
 * request path (append never waits). `persist()` is how a caller waits for them, before
 * acknowledging a restriction a decision created.
 */
export class DurableDecisionLog implements DecisionLog {
  private queue: DecisionRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: PgPool,
    private readonly inner: DecisionLog,
    private readonly options: { flushMs?: number; onError?(err: unknown): void; onDropped?(n: number): void } = {},
  ) {}

  append(record: DecisionRecord): void {
    this.inner.append(record);
    if (!isRecordedDecision(record)) return;
    this.queue.push(record);
    if (this.queue.length > maxQueued) this.options.onDropped?.(this.queue.splice(0, this.queue.length - maxQueued).length);
    this.schedule();
  }

  /** A failed write is tried again on the next tick of the timer, so decisions reach PostgreSQL once it is back. */
  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.persist().catch((err: unknown) => {
        this.options.onError?.(err);
        this.schedule();
      });
    }, this.options.flushMs ?? 100);
    this.timer.unref();
  }

  /** Writes every decision appended so far; rejects (and keeps them queued) when PostgreSQL does not take them. */
  persist(): Promise<void> {
    // Writes are chained: one batch at a time, in order.
    const next = this.writing.catch(() => undefined).then(() => this.writeQueued());
    this.writing = next;
    return next;
  }

  get(decisionId: string): Promise<DecisionRecord | undefined> {
    return this.inner.get(decisionId);
  }

  stats(day?: string): Promise<DecisionCounts> {
    return this.inner.stats(day);
  }

  recentForAccount(accountId: string): Promise<string[]> {
    return this.inner.recentForAccount(accountId);
  }

  async flush(): Promise<void> {
    await Promise.all([this.persist().catch((err: unknown) => this.options.onError?.(err)), this.inner.flush()]);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.inner.close();
  }

  private async writeQueued(): Promise<void> {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    try {
      await this.pool.query(insertSql, [
        batch.map((d) => d.decisionId),
        batch.map((d) => d.point),
        batch.map((d) => d.action),
        batch.map((d) => d.accountId),
        batch.map((d) => d.merchantId),
        batch.map((d) => d.occurredAt),
        batch.map((d) => d.policyRevision),
        batch.map((d) => JSON.stringify(d)),
      ]);
    } catch (err) {
      this.queue = batch.concat(this.queue);
      throw err;
    }
  }
}
