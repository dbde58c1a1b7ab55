import type { Cluster, Redis } from 'ioredis';
import { mergeMerchant, type MerchantState, type MerchantStore, type MerchantUpdate } from '../../engine/index.js';

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
    const next = mergeMerchant(merchantId, await this.get(merchantId), update, at);
    await this.client.set(this.key(merchantId), JSON.stringify(next));
    return next;
  }
}
