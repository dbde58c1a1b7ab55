import type { Cluster, Redis } from 'ioredis';
import { CLAIM_IDLE_MS, type ClaimStore } from './claim-store.js';

// Take or renew the claim in one step, so two appraisers opening the same report at once cannot both get it.
const claimScript = `
local current = redis.call('GET', KEYS[1])
if (not current) or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
return current`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisClaimStore implements ClaimStore {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix: string,
    private readonly idleMs = CLAIM_IDLE_MS,
  ) {}

  async claim(item: string, holder: string): Promise<string> {
    return (await this.client.eval(claimScript, 1, this.key(item), holder, String(this.idleMs))) as string;
  }

  async holderOf(item: string): Promise<string | undefined> {
    return (await this.client.get(this.key(item))) ?? undefined;
  }

  async holders(items: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (items.length === 0) return found;
    const values = await this.client.mget(items.map((item) => this.key(item)));
    items.forEach((item, i) => {
      const holder = values[i];
      if (holder !== null && holder !== undefined) found.set(item, holder);
    });
    return found;
  }

  async release(item: string, holder: string): Promise<void> {
    await this.client.eval(releaseScript, 1, this.key(item), holder);
  }

  /** One hash tag for every claim: holders() reads a queue page's claims with one MGET, which on a Redis Cluster must stay in one slot. */
  private key(item: string): string {
    return `${this.prefix}:console:claim:{claims}:${item}`;
  }
}
