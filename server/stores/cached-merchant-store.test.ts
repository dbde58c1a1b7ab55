import { describe, expect, it } from 'vitest';
import { MemoryMerchantStore, type MerchantState, type MerchantStore, type MerchantUpdate } from '../../engine/index.js';
import { CachedMerchantStore } from './cached-merchant-store.js';

/** The store behind the cache, counting its reads; `failNext` makes the next read fail. */
class CountingStore implements MerchantStore {
  reads = 0;
  failNext = false;
  private gate: Promise<void> | undefined;
  constructor(readonly inner = new MemoryMerchantStore()) {}
  /** Holds reads until the returned function is called (to have several gets wait on one read). */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((r) => (release = r));
    return release;
  }
  async get(merchantId: string): Promise<MerchantState | undefined> {
    this.reads++;
    if (this.gate) await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store unavailable');
    }
    return this.inner.get(merchantId);
  }
  put(merchantId: string, update: MerchantUpdate, at: string): Promise<MerchantState> {
    return this.inner.put(merchantId, update, at);
  }
}

const at = '2027-03-01T00:00:00.000Z';

describe('CachedMerchantStore', () => {
  it('reads the store once per ttl for a merchant, misses included', async () => {
    let now = 0;
    const inner = new CountingStore();
    await inner.put('m1', { settings: { interceptAbnormalRefunds: true } }, at);
    const cache = new CachedMerchantStore(inner, 2000, () => now);
    for (let i = 0; i < 5; i++) expect((await cache.get('m1'))?.settings).toEqual({ interceptAbnormalRefunds: true });
    for (let i = 0; i < 5; i++) expect(await cache.get('unknown')).toBeUndefined();
    expect(inner.reads).toBe(2);
    now = 1999;
    await cache.get('m1');
    expect(inner.reads).toBe(2);
    now = 2000;
    await cache.get('m1');
    await cache.get('unknown');
    expect(inner.reads).toBe(4);
  });

  it('shows a write through itself at once, and another instance\'s write once its ttl has run out', async () => {
    let now = 0;
    const shared = new MemoryMerchantStore();
    const mine = new CachedMerchantStore(shared, 2000, () => now);
    const theirs = new CachedMerchantStore(shared, 2000, () => now);
    expect(await mine.get('m1')).toBeUndefined();
    await mine.put('m1', { cohorts: ['pilot'] }, at);
    expect((await mine.get('m1'))?.cohorts).toEqual(['pilot']);
    await theirs.put('m1', { cohorts: ['high-quality'] }, at);
    now = 1500;
    expect((await mine.get('m1'))?.cohorts).toEqual(['pilot']); // within the ttl of mine's own write
    now = 2000;
    expect((await mine.get('m1'))?.cohorts).toEqual(['high-quality']);
  });

  it('serves concurrent gets of one merchant with one read', async () => {
    const inner = new CountingStore();
    await inner.put('m1', { settings: {} }, at);
    const release = inner.hold();
    const cache = new CachedMerchantStore(inner, 2000, () => 0);
    const gets = Promise.all([cache.get('m1'), cache.get('m1'), cache.get('m1')]);
    release();
    expect((await gets).map((m) => m?.id)).toEqual(['m1', 'm1', 'm1']);
    expect(inner.reads).toBe(1);
  });

  it('does not cache a failed read: the error reaches the caller and the next get reads again', async () => {
    const inner = new CountingStore();
    await inner.put('m1', { settings: { oneClickReject: true } }, at);
    const cache = new CachedMerchantStore(inner, 2000, () => 0);
    inner.failNext = true;
    await expect(cache.get('m1')).rejects.toThrow('store unavailable');
    expect((await cache.get('m1'))?.settings).toEqual({ oneClickReject: true });
    expect(inner.reads).toBe(2);
  });

  it('keeps at most maxEntries merchants', async () => {
    const inner = new CountingStore();
    const cache = new CachedMerchantStore(inner, 2000, () => 0, 3);
    for (const id of ['a', 'b', 'c', 'd']) await cache.get(id);
    expect((cache as unknown as { cache: Map<string, unknown> }).cache.size).toBeLessThanOrEqual(3);
    await cache.get('d'); // the newest stays cached
    expect(inner.reads).toBe(4);
  });

  it('shows another instance\'s write at once when told of it (invalidate), and announces its own writes', async () => {
    const shared = new MemoryMerchantStore();
    const mine = new CachedMerchantStore(shared, 2000, () => 0);
    const theirs = new CachedMerchantStore(shared, 2000, () => 0);
    const announced: string[] = [];
    theirs.onWrite = (id) => {
      announced.push(id);
      mine.invalidate(id);
    };
    await mine.put('m1', { cohorts: ['pilot'] }, at);
    expect((await mine.get('m1'))?.cohorts).toEqual(['pilot']);
    await theirs.put('m1', { cohorts: ['high-quality'] }, at);
    expect(announced).toEqual(['m1']);
    expect((await mine.get('m1'))?.cohorts).toEqual(['high-quality']); // the clock never moved: no ttl ran out
  });

  it('does not cache a read that was under way when an invalidation came (it may hold the old settings)', async () => {
    const inner = new CountingStore();
    await inner.put('m1', { cohorts: ['old'] }, at);
    const cache = new CachedMerchantStore(inner, 2000, () => 0);
    const release = inner.hold();
    const stale = cache.get('m1');
    await inner.inner.put('m1', { cohorts: ['new'] }, at); // written elsewhere while the read waits
    cache.invalidate('m1');
    release();
    await stale;
    expect((await cache.get('m1'))?.cohorts).toEqual(['new']);
  });

  it('forgets every merchant on invalidate() without an id (notices may have been lost)', async () => {
    const inner = new CountingStore();
    const cache = new CachedMerchantStore(inner, 2000, () => 0);
    for (const id of ['a', 'b']) await cache.get(id);
    cache.invalidate();
    for (const id of ['a', 'b']) await cache.get(id);
    expect(inner.reads).toBe(4);
  });
});
