import type { Cluster, Redis } from 'ioredis';
import type { Publication, PublicationHead, PublicationStore, PublishDecision } from '../../policies/publication.js';

/** Sets the publication only if the seq is still the one `decide` saw (one key: fine on a cluster too). */
const compareAndSet = `
local seq = redis.call('HGET', KEYS[1], 'seq') or '0'
if seq ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'revision', ARGV[3], 'doc', ARGV[4])
return 1`;

/**
 * The published policy bundle in Redis, for instances that run without PostgreSQL: one hash,
 * written by compare-and-set on its seq, so two reloads racing are checked one after the other
 * (the loser decides again against what the winner published). Redis may lose it (it is a
 * cache); an instance that then finds nothing published publishes the bundle it serves.
 */
export class RedisPublicationStore implements PublicationStore {
  readonly kind = 'redis';
  private readonly key: string;

  constructor(
    private readonly client: Redis | Cluster,
    prefix: string,
    private readonly attempts = 10,
  ) {
    this.key = `${prefix}:policy:publication`;
  }

  async head(): Promise<PublicationHead | undefined> {
    const [seq, revision] = await this.client.hmget(this.key, 'seq', 'revision');
    return seq && revision ? { seq: Number(seq), revision } : undefined;
  }

  async current(): Promise<Publication | undefined> {
    const doc = await this.client.hget(this.key, 'doc');
    return doc === null ? undefined : (JSON.parse(doc) as Publication);
  }

  async publish<T>(decide: (current: Publication | undefined) => PublishDecision<T>): Promise<{ value: T; published?: Publication }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.current();
      const { draft, value } = decide(current);
      if (draft === undefined) return { value };
      const expected = current?.seq ?? 0;
      // A seq from the clock, above the last: should Redis lose the hash, the next publication's seq is
      // still above every seq an instance serves, so none mistakes it for one it already has.
      const published: Publication = { ...draft, seq: Math.max(expected + 1, Date.now()), publishedAt: new Date().toISOString() };
      const set = await this.client.eval(compareAndSet, 1, this.key, String(expected), String(published.seq), published.revision, JSON.stringify(published));
      if (set === 1) return { value, published };
      if (attempt >= this.attempts) throw new Error(`the policy publication kept changing during ${attempt} attempts to publish`);
    }
  }
}
