import type { FeatureStore } from '../../engine/features/index.js';
import type { PgEventLog } from './event-log.js';

export interface CacheRepairOptions {
  intervalMs?: number;
  /** Outbox rows younger than this belong to a write still applying them. */
  minAgeMs?: number;
  batchSize?: number;
  onError?(err: unknown): void;
  onRepaired?(count: number): void;
}

/**
 * Applies to the cache what PostgreSQL committed but the cache never confirmed: the apply failed
 * (Redis down), or the process died between commit and apply. Runs at start and then on a timer;
 * re-applying an event the cache already holds is a no-op there (idempotent by eventId).
 */
export class CacheRepair {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly log: PgEventLog,
    private readonly cache: FeatureStore,
    private readonly options: CacheRepairOptions = {},
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.runOnce().catch((err: unknown) => this.options.onError?.(err)), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** One pass over the outbox; resolves with the number of events applied. Concurrent calls share one pass. */
  runOnce(minAgeMs = this.options.minAgeMs ?? 5000): Promise<number> {
    this.running ??= this.drain(minAgeMs).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async drain(minAgeMs: number): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
    let total = 0;
    for (;;) {
      const pending = await this.log.unapplied(batchSize, minAgeMs);
      if (pending.outbox.length === 0) break;
      if (pending.events.length > 0) await this.cache.apply(pending.events);
      await this.log.confirmApplied(pending.outbox);
      total += pending.events.length;
    }
    if (total > 0) this.options.onRepaired?.(total);
    return total;
  }
}
