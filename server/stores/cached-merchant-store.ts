import type { MerchantState, MerchantStore, MerchantUpdate } from '../../engine/index.js';

/**
 * Merchant settings change rarely and are read on every decision: keep them in process.
 * Writes through this instance invalidate at once and are announced (`onWrite`: pub/sub to the
 * other instances, which call `invalidate`); an announcement lost on the way is made up for by
 * `ttlMs`. Misses are cached too, so an unknown merchant costs one read per ttl, not per decision.
 * Every decision of the ttl shares one cached object, so it is frozen: a caller that changed it
 * would change what the next decisions see.
 */
export class CachedMerchantStore implements MerchantStore {
  private readonly cache = new Map<string, { value: MerchantState | undefined; until: number }>();
  private readonly inflight = new Map<string, Promise<MerchantState | undefined>>();
  /**
   * Counts invalidations: a read that started before one may have read the old settings, so its
   * answer is returned but not cached (else it would stay for a whole ttl after the invalidation).
   */
  private epoch = 0;
  /** Told after each write through this cache (the runtime announces it to the other instances). */
  onWrite: ((merchantId: string) => void) | undefined;

  constructor(
    private readonly inner: MerchantStore,
    private readonly ttlMs = 2000,
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = 100_000,
  ) {}

  async get(merchantId: string): Promise<MerchantState | undefined> {
    const hit = this.cache.get(merchantId);
    if (hit && hit.until > this.clock()) return hit.value;
    const epoch = this.epoch;
    let pending = this.inflight.get(merchantId);
    if (!pending) {
      const read = this.inner.get(merchantId).finally(() => {
        if (this.inflight.get(merchantId) === read) this.inflight.delete(merchantId);
      });
      pending = read;
      this.inflight.set(merchantId, read);
    }
    const value = frozen(await pending);
    if (epoch !== this.epoch) return value;
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(merchantId, { value, until: this.clock() + this.ttlMs });
    return value;
  }

  /** Forgets one merchant (another instance wrote it), or every merchant (notices may have been lost). */
  invalidate(merchantId?: string): void {
    this.epoch++;
    if (merchantId === undefined) {
      this.cache.clear();
      this.inflight.clear();
    } else {
      this.cache.delete(merchantId);
      this.inflight.delete(merchantId);
    }
  }

  async put(merchantId: string, update: MerchantUpdate, at: string): Promise<MerchantState> {
    const stored = frozen(await this.inner.put(merchantId, update, at));
    this.invalidate(merchantId);
    this.cache.set(merchantId, { value: stored, until: this.clock() + this.ttlMs });
    this.onWrite?.(merchantId);
    return stored;
  }
}

function frozen<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) frozen(inner);
  return Object.freeze(value);
}
