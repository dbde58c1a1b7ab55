import type { MerchantState, MerchantStore, MerchantUpdate } from '../../engine/index.js';

/**
 * Merchant settings change rarely and are read on every decision: keep them in process.
 * Writes through this instance invalidate at once; another instance's write is seen within
 * `ttlMs`. Misses are cached too, so an unknown merchant costs one read per ttl, not per decision.
 * Every decision of the ttl shares one cached object, so it is frozen: a caller that changed it
 * would change what the next decisions see.
 */
export class CachedMerchantStore implements MerchantStore {
  private readonly cache = new Map<string, { value: MerchantState | undefined; until: number }>();
  private readonly inflight = new Map<string, Promise<MerchantState | undefined>>();

  constructor(
    private readonly inner: MerchantStore,
    private readonly ttlMs = 2000,
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = 100_000,
  ) {}

  async get(merchantId: string): Promise<MerchantState | undefined> {
    const hit = this.cache.get(merchantId);
    if (hit && hit.until > this.clock()) return hit.value;
    let pending = this.inflight.get(merchantId);
    if (!pending) {
      pending = this.inner.get(merchantId).finally(() => this.inflight.delete(merchantId));
      this.inflight.set(merchantId, pending);
    }
    const value = frozen(await pending);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(merchantId, { value, until: this.clock() + this.ttlMs });
    return value;
  }

  async put(merchantId: string, update: MerchantUpdate, at: string): Promise<MerchantState> {
    const stored = frozen(await this.inner.put(merchantId, update, at));
    this.cache.set(merchantId, { value: stored, until: this.clock() + this.ttlMs });
    return stored;
  }
}

function frozen<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) frozen(inner);
  return Object.freeze(value);
}
