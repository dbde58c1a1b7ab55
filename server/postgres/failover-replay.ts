import type { AccountStateStore, MerchantState, MerchantStore } from '../../engine/index.js';
import type { Restriction } from '../../engine/state/restrictions.js';
import type { FeatureStore } from '../../engine/features/index.js';
import type { PgEventLog } from './event-log.js';
import type { PgPool } from './pool.js';

export interface FailoverReplayOptions {
  now(): number;
  /** How often the log's newest seq is noted (ms), so a replay scans from a seq, not the whole log. */
  checkpointEveryMs?: number;
  pageSize?: number;
  onReplayed?(result: { since: string; events: number; restrictions: number; merchants: number; ms: number }): void;
  onError?(err: unknown): void;
}

interface Checkpoint {
  at: number;
  seq: string;
}

/** Checkpoints kept: ten minutes at one a second. */
const MAX_CHECKPOINTS = 600;

/**
 * Repairs the cache after a Redis Cluster failover. Replication to a replica is asynchronous, so a
 * master killed outright may take its last acknowledged writes with it: events PostgreSQL committed
 * and whose cache apply the old master confirmed (their outbox rows are gone) are missing from the
 * promoted replica. This applies again every event received since shortly before the failover, every
 * restriction created since then and every merchant; the cache takes them idempotently (an event it
 * holds is a no-op), so what survived is untouched and what was lost comes back.
 *
 * To find "events received since T" without scanning the log, it notes the log's newest seq every
 * second; a replay starts from the last note taken before T.
 */
export class FailoverReplay {
  private readonly checkpoints: Checkpoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: PgPool,
    private readonly log: PgEventLog,
    private readonly cache: { features: FeatureStore; state: AccountStateStore; merchants: MerchantStore },
    private readonly options: FailoverReplayOptions,
  ) {}

  start(): void {
    const note = (): void =>
      void this.log.lastSeq().then(
        (seq) => {
          this.checkpoints.push({ at: this.options.now(), seq });
          if (this.checkpoints.length > MAX_CHECKPOINTS) this.checkpoints.shift();
        },
        (err: unknown) => this.options.onError?.(err),
      );
    note();
    this.timer ??= setInterval(note, this.options.checkpointEveryMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running.catch(() => undefined);
  }

  /**
   * Replays what was committed since `sinceMs` (wall clock). Replays run one after another; each
   * retries until the cache takes it (right after a failover the cluster may still be settling).
   */
  replaySince(sinceMs: number, retryMs = 500): Promise<void> {
    const next = this.running.then(() => this.retrying(sinceMs, retryMs));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async retrying(sinceMs: number, retryMs: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.replayOnce(sinceMs);
        return;
      } catch (err) {
        this.options.onError?.(err);
        if (attempt >= 60 || this.timer === undefined) throw err;
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  }

  private async replayOnce(sinceMs: number): Promise<void> {
    const started = Date.now();
    const since = new Date(sinceMs).toISOString();
    // The last checkpoint noted before `since`: every event received after it has a larger seq.
    let after = '0';
    for (const c of this.checkpoints) if (c.at < sinceMs) after = c.seq;
    const pageSize = this.options.pageSize ?? 5000;
    let events = 0;
    for (;;) {
      const rows = await this.log.pageReceived(after, pageSize, since);
      if (rows.length === 0) break;
      await this.cache.features.apply(rows.map((r) => r.event));
      events += rows.length;
      after = rows[rows.length - 1]!.seq;
      if (rows.length < pageSize) break;
    }
    const restrictions = await this.pool.query<{ record: Restriction }>('SELECT record FROM restrictions WHERE created_at >= $1 ORDER BY created_at, id', [since]);
    for (const { record } of restrictions.rows) await this.cache.state.addRestriction(record);
    const merchants = await this.pool.query<{ state: MerchantState }>('SELECT state FROM merchants');
    for (const { state } of merchants.rows) {
      await this.cache.merchants.put(state.id, { settings: state.settings, cohorts: state.cohorts, ...(state.category !== undefined ? { category: state.category } : {}) }, state.updatedAt ?? new Date(0).toISOString());
    }
    this.options.onReplayed?.({ since, events, restrictions: restrictions.rows.length, merchants: merchants.rows.length, ms: Date.now() - started });
  }
}
