import { randomUUID } from 'node:crypto';
import type { AccountStateStore, MerchantState, MerchantStore } from '../../engine/index.js';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { FeatureStore } from '../../engine/features/index.js';
import type { OrderMark } from '../../engine/state/orders.js';
import type { Restriction } from '../../engine/state/restrictions.js';
import type { PgEventLog } from './event-log.js';
import type { PgPool } from './pool.js';

/** The cache stores a rebuild writes into (Redis, or memory). */
export interface CacheTargets {
  features: FeatureStore;
  state: AccountStateStore;
  merchants: MerchantStore;
}

/**
 * One key in the cache saying the cache is whole. A cache that lost its data (restart without
 * persistence, FLUSHALL, failover to an empty replica) lost this key too: that is how the loss is seen.
 */
export interface CacheSentinel {
  read(): Promise<string | null>;
  write(value: string): Promise<void>;
}

export interface RebuildProgress {
  phase: 'events' | 'restrictions' | 'order-marks' | 'merchants';
  eventsApplied: number;
  eventsTotal: number;
  startedAt: string;
}

export interface RebuildResult {
  events: number;
  restrictions: number;
  orderMarks: number;
  merchants: number;
  ms: number;
}

export interface CacheRebuildOptions {
  /** The longest feature window: events older than this count in no window (only each account's first event matters, for its age). */
  windowDays: number;
  now(): number;
  pageSize?: number;
  /** A bulk image (Redis) sends the event fields it has folded every this many events (default 100,000). */
  imageStreamEvery?: number;
  /** Pages applied to the cache at once. */
  pagesInFlight?: number;
  checkIntervalMs?: number;
  onStart?(): void;
  onDone?(result: RebuildResult): void;
  onError?(err: unknown): void;
}

/** A cache whose whole state can be computed from the log in process and written in bulk (the Redis feature store's image). */
export interface FeatureCacheImage {
  add(events: readonly RefundGuardEvent[], streamEvery?: number): Promise<void>;
  write(): Promise<unknown>;
}

function imageOf(features: FeatureStore): FeatureCacheImage | undefined {
  const f = features as FeatureStore & { image?: () => FeatureCacheImage };
  return typeof f.image === 'function' ? f.image() : undefined;
}

/** Key of the advisory lock one rebuilder holds, so instances sharing a cache do not all rebuild it. */
const REBUILD_LOCK_KEY = '7211020002';
const READY = 'ready';

/**
 * Detects a lost cache and rebuilds it from PostgreSQL while the server runs: the windowed
 * events (plus each account's first event), every restriction, the order marks and the
 * merchants. Live writes go on meanwhile; both paths are idempotent, so they may overlap.
 */
export class CacheRebuilder {
  private current: Promise<RebuildResult | undefined> | undefined;
  private progressNow: RebuildProgress | undefined;
  /** readiness() found the sentinel gone before the periodic check did. */
  private lossSeen = false;
  private waitingForOther = false;
  private timer: NodeJS.Timeout | undefined;
  /** Rebuilds this instance has finished since it started. */
  completed = 0;
  /** A write reached PostgreSQL but not the cache (other than events, which the outbox repairs). */
  private stale = false;

  constructor(
    private readonly pool: PgPool,
    private readonly log: PgEventLog,
    private readonly cache: CacheTargets,
    private readonly sentinel: CacheSentinel,
    private readonly options: CacheRebuildOptions,
  ) {}

  /** Undefined when the cache is whole; otherwise what the rebuild has done so far. */
  progress(): (RebuildProgress & { by: 'this-instance' | 'another-instance' }) | undefined {
    if (this.progressNow) return { ...this.progressNow, by: 'this-instance' };
    if (this.waitingForOther) return { phase: 'events', eventsApplied: 0, eventsTotal: 0, startedAt: '', by: 'another-instance' };
    return undefined;
  }

  /**
   * What readiness reports: the rebuild's progress, or, when the sentinel is gone but the periodic
   * check has not run yet (a Redis that just came back empty), a rebuild started now. So /readyz never
   * says `ready` over an empty cache.
   */
  async readiness(): Promise<(RebuildProgress & { by: 'this-instance' | 'another-instance' }) | undefined> {
    const now = this.progress();
    if (now !== undefined) return now;
    if ((await this.sentinel.read()) === READY) return undefined;
    // Decisions answer degraded from now on, not only once the rebuild below has reached its first step.
    this.lossSeen = true;
    void this.check().catch((err: unknown) => this.options.onError?.(err));
    return this.progress() ?? { phase: 'events', eventsApplied: 0, eventsTotal: 0, startedAt: new Date(this.options.now()).toISOString(), by: 'this-instance' };
  }

  get rebuilding(): boolean {
    return this.lossSeen || this.progressNow !== undefined || this.waitingForOther;
  }

  /**
   * At start: an empty system of record needs no rebuild, so a new deployment's cache is marked
   * whole at once (its first decisions are not degraded). Then checks now and every checkIntervalMs.
   */
  async start(): Promise<void> {
    try {
      if ((await this.sentinel.read()) !== READY && (await this.systemOfRecordIsEmpty())) await this.sentinel.write(READY);
    } catch (err) {
      this.options.onError?.(err); // the cache or PostgreSQL is down: the checks below retry
    }
    const tick = () => void this.check().catch((err: unknown) => this.options.onError?.(err));
    tick();
    this.timer ??= setInterval(tick, this.options.checkIntervalMs ?? 1000);
    this.timer.unref();
  }

  private async systemOfRecordIsEmpty(): Promise<boolean> {
    const { rows } = await this.pool.query<{ empty: boolean }>(
      'SELECT NOT (EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM restrictions) OR EXISTS (SELECT 1 FROM order_marks) OR EXISTS (SELECT 1 FROM merchants)) AS empty',
    );
    return rows[0]!.empty;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current?.catch(() => undefined);
  }

  /** Rebuilds when the sentinel is missing (or a rebuild never finished); resolves undefined when nothing was to do. */
  check(): Promise<RebuildResult | undefined> {
    this.current ??= this.checkOnce().finally(() => {
      this.current = undefined;
      this.lossSeen = false;
    });
    return this.current;
  }

  /** Rebuilds now, whatever the sentinel says (`refund-guard features rebuild`). */
  async rebuild(onProgress?: (p: RebuildProgress) => void): Promise<RebuildResult> {
    const lock = await this.pool.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [REBUILD_LOCK_KEY]);
      try {
        return await this.rebuildLocked(onProgress);
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [REBUILD_LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      lock.release();
    }
  }

  /** The cache missed a committed write: it is rebuilt once it answers again. */
  markStale(): void {
    this.stale = true;
  }

  private async checkOnce(): Promise<RebuildResult | undefined> {
    if (this.stale) {
      // Throws while the cache is still down; the next check tries again.
      await this.sentinel.write('stale');
      this.stale = false;
    }
    if ((await this.sentinel.read()) === READY) {
      this.waitingForOther = false;
      return undefined;
    }
    const lock = await this.pool.connect();
    try {
      const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [REBUILD_LOCK_KEY]);
      if (!rows[0]!.locked) {
        // Another instance is rebuilding the cache this one reads: wait for its sentinel.
        this.waitingForOther = true;
        return undefined;
      }
      try {
        if ((await this.sentinel.read()) === READY) return undefined; // finished while this one waited for the lock
        return await this.rebuildLocked();
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [REBUILD_LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      this.waitingForOther = false;
      lock.release();
    }
  }

  private async rebuildLocked(onProgress?: (p: RebuildProgress) => void): Promise<RebuildResult> {
    const started = Date.now();
    this.options.onStart?.();
    // Written first and checked last: a cache emptied again during the rebuild loses this mark, and is rebuilt again.
    const mark = `building:${randomUUID()}`;
    await this.sentinel.write(mark);
    const since = new Date(this.options.now() - this.options.windowDays * 86_400_000).toISOString();
    const progress: RebuildProgress = { phase: 'events', eventsApplied: 0, eventsTotal: 0, startedAt: new Date(started).toISOString() };
    this.progressNow = progress;
    try {
      progress.eventsTotal = await this.countEvents(since);
      const firstEvents = await this.firstEventsBefore(since);
      const image = imageOf(this.cache.features);
      if (image !== undefined) await this.buildImage(image, firstEvents, since, progress, onProgress);
      else await this.replayEvents(firstEvents, since, progress, onProgress);
      progress.phase = 'restrictions';
      onProgress?.(progress);
      const restrictions = await this.pool.query<{ record: Restriction }>('SELECT record FROM restrictions ORDER BY created_at, id');
      for (const { record } of restrictions.rows) await this.cache.state.addRestriction(record);
      progress.phase = 'order-marks';
      onProgress?.(progress);
      const marks = await this.pool.query<{ account_id: string; order_id: string; mark: OrderMark; at_ms: string }>('SELECT account_id, order_id, mark, at_ms FROM order_marks');
      await Promise.all(marks.rows.map((m) => this.cache.state.markOrder(m.account_id, m.order_id, m.mark, Number(m.at_ms))));
      progress.phase = 'merchants';
      onProgress?.(progress);
      const merchants = await this.pool.query<{ state: MerchantState }>('SELECT state FROM merchants');
      for (const { state } of merchants.rows) {
        await this.cache.merchants.put(state.id, { settings: state.settings, cohorts: state.cohorts, ...(state.category !== undefined ? { category: state.category } : {}) }, state.updatedAt ?? new Date(0).toISOString());
      }
      if ((await this.sentinel.read()) !== mark) throw new Error('the cache was emptied again during the rebuild; rebuilding again');
      await this.sentinel.write(READY);
      this.completed += 1;
      const result = { events: progress.eventsApplied, restrictions: restrictions.rows.length, orderMarks: marks.rows.length, merchants: merchants.rows.length, ms: Date.now() - started };
      this.options.onDone?.(result);
      return result;
    } finally {
      this.progressNow = undefined;
    }
  }

  /** Any cache: the events go through its ordinary writes, a few chunks of the cursor at once. */
  private async replayEvents(firstEvents: RefundGuardEvent[], since: string, progress: RebuildProgress, onProgress?: (p: RebuildProgress) => void): Promise<void> {
    await this.applyEvents(firstEvents, progress, onProgress);
    const pageSize = this.options.pageSize ?? 5000;
    const cursor = await this.log.cursor(since);
    // Chunks are applied a few at a time (the cache takes events in any order, idempotently) while the next is read.
    const applying = new Set<Promise<void>>();
    try {
      for (;;) {
        const { events } = await cursor.fetch(pageSize);
        if (events.length === 0) break;
        const applied: Promise<void> = this.applyEvents(events, progress, onProgress).finally(() => applying.delete(applied));
        applying.add(applied);
        if (applying.size >= (this.options.pagesInFlight ?? 3)) await Promise.race(applying);
      }
      await Promise.all(applying);
    } catch (err) {
      await Promise.allSettled(applying);
      throw err;
    } finally {
      await cursor.close();
    }
  }

  /**
   * A cache that takes a whole log at once (Redis): every chunk of one cursor over the window is folded into the
   * image in this process while the next is read, the image is written in bulk, and events committed meanwhile
   * (after the last page read) go through the ordinary writes.
   */
  private async buildImage(image: FeatureCacheImage, firstEvents: RefundGuardEvent[], since: string, progress: RebuildProgress, onProgress?: (p: RebuildProgress) => void): Promise<void> {
    await image.add(firstEvents, this.options.imageStreamEvery);
    progress.eventsApplied += firstEvents.length;
    const pageSize = this.options.pageSize ?? 10_000;
    let after = '0';
    const cursor = await this.log.cursor(since);
    try {
      let page = cursor.fetch(pageSize);
      for (;;) {
        const { events, lastSeq } = await page;
        if (events.length === 0) break;
        after = lastSeq;
        page = cursor.fetch(pageSize);
        await image.add(events, this.options.imageStreamEvery);
        progress.eventsApplied += events.length;
        onProgress?.(progress);
      }
    } finally {
      await cursor.close();
    }
    await image.write();
    // By log position alone (an index range): what follows the cursor is recent.
    for (;;) {
      const rows = await this.log.page(after, pageSize);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.seq;
      await this.applyEvents(rows.map((r) => r.event), progress, onProgress);
    }
  }

  private async applyEvents(events: readonly RefundGuardEvent[], progress: RebuildProgress, onProgress?: (p: RebuildProgress) => void): Promise<void> {
    if (events.length === 0) return;
    await this.cache.features.apply(events);
    progress.eventsApplied += events.length;
    onProgress?.(progress);
  }

  private async countEvents(since: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM events WHERE at >= $1) + (SELECT count(DISTINCT account_id) FROM events WHERE at < $1) AS n`,
      [since],
    );
    return Number(rows[0]!.n);
  }

  /** Each account's first event when it is older than the windows: the account's age is counted from it. */
  private async firstEventsBefore(since: string): Promise<RefundGuardEvent[]> {
    const { rows } = await this.pool.query<{ body: RefundGuardEvent }>(
      'SELECT DISTINCT ON (account_id) body FROM events WHERE account_id IS NOT NULL AND at < $1 ORDER BY account_id, at, seq',
      [since],
    );
    return rows.map((r) => r.body);
  }
}
