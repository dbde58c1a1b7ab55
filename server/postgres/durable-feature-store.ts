import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { FeatureStore } from '../../engine/features/index.js';
import type { PgEventLog } from './event-log.js';

/**
 * Features with the event log in PostgreSQL behind them. A batch is committed to the log first (one
 * statement); only the events PostgreSQL had not seen are then applied to the cache, so a re-send
 * after a cache loss counts once. A failed cache apply does not fail the write: the events are
 * committed and sit in the outbox, and CacheRepair applies them once the cache answers.
 */
export class DurableFeatureStore implements FeatureStore {
  private readonly confirming = new Set<Promise<void>>();

  constructor(
    private readonly log: PgEventLog,
    private readonly cache: FeatureStore,
    private readonly onCacheError: (err: unknown) => void = () => undefined,
  ) {}

  async apply(events: readonly RefundGuardEvent[]): Promise<{ applied: number; duplicates: number }> {
    const fresh = await this.log.append(events);
    if (fresh.length > 0) {
      try {
        await this.cache.apply(fresh.map((f) => f.event));
        this.confirm(fresh.map((f) => f.seq));
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
    await Promise.all([...this.confirming]);
  }

  /** Off the request path: a lost confirmation only means the repair applies those events again, which the cache ignores (idempotent by eventId). */
  private confirm(seqs: string[]): void {
    const done = this.log.confirmApplied(seqs).catch(() => undefined);
    this.confirming.add(done);
    void done.finally(() => this.confirming.delete(done));
  }
}
