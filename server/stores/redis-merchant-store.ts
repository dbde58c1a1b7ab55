import type { Cluster, Redis } from 'ioredis';
import type { MerchantState, MerchantStore, MerchantUpdate } from '../../engine/index.js';

/** Merchants as one small hash each: "<prefix>:m:<merchantId>" → {state: JSON}. */
export class RedisMerchantStore implements MerchantStore {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix: string,
  ) {}

  private key(merchantId: string): string {
    return `${this.prefix}:m:${merchantId}`;
  }

  async get(merchantId: string): Promise<MerchantState | undefined> {
    const raw = await this.client.get(this.key(merchantId));
    return raw === null ? undefined : (JSON.parse(raw) as MerchantState);
  }

  async put(merchantId: string, update: MerchantUpdate, at: string): Promise<MerchantState> {
    const current = await this.get(merchantId);
    const next: MerchantState = {
      id: merchantId,
      settings: update.settings !== undefined ? { ...update.settings } : { ...(current?.settings ?? {}) },
      cohorts: update.cohorts !== undefined ? [...new Set(update.cohorts)] : [...(current?.cohorts ?? [])],
      ...(update.category !== undefined ? { category: update.category } : current?.category !== undefined ? { category: current.category } : {}),
      updatedAt: at,
    };
    await this.client.set(this.key(merchantId), JSON.stringify(next));
    return next;
  }
}
