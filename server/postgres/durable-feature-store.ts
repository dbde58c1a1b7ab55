import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { FeatureStore } from '../../engine/features/index.js';
import type { PgEventLog } from './event-log.js';

/**
 * Features with the event log in PostgreSQL behind them. A batch is committed to the log first (one
 * statement); only the events PostgreSQL had not seen are then applied to the cache, so a re-send
 * after a cache loss counts once. A failed cache apply does not fail the write: the events are
 * committed and their batch sits in the outbox, and CacheRepair applies them once the cache answers.
 * Concurrent batches overlap: one commits while another is applied to the cache.
 */
export class DurableFeatureStore implements FeatureStore {
  /** Outbox rows whose events the cache holds, deleted together by one statement off the request path. */
  private toConfirm: string[] = [];
  private confirming: Promise<void> | undefined;

  constructor(
    private readonly log: PgEventLog,
    private readonly cache: FeatureStore,
    private readonly onCacheError: (err: unknown) => void = () => undefined,
  ) {}

  async apply(events: readonly RefundGuardEvent[]): Promise<{ applied: number; duplicates: number }> {
    const { fresh, outbox } = await this.log.append(events);
    if (fresh.length > 0) {
      try {
        await this.cache.apply(fresh);
        if (outbox !== undefined) this.confirm(outbox);
      } catch (err) {
        this.onCacheError(err);
      }
    }
    return { applied: fresh.length, duplicates: events.length - fresh.length };
  }

  read(accountId: string, asOf: number): Promise<Record<string, number>> {
    return this.cache.read(accountId, asOf);
  }

  /** Waits for outstanding outbox confirmations; the cache store is closed by its owner. */
  async close(): Promise<void> {
    while (this.confirming !== undefined) await this.confirming;
  }

  /**
   * Off the request path, batched: the rows confirmed while one DELETE runs go with the next. A lost
   * confirmation only means the repair applies those events again, which the cache ignores
   * (idempotent by eventId).
   */
  private confirm(outbox: string): void {
    this.toConfirm.push(outbox);
    if (this.confirming !== undefined) return;
    const drain = async (): Promise<void> => {
      while (this.toConfirm.length > 0) {
        const ids = this.toConfirm;
        this.toConfirm = [];
        await this.log.confirmApplied(ids).catch(() => undefined);
      }
    };
    this.confirming = drain().finally(() => {
      this.confirming = undefined;
    });
  }
}
