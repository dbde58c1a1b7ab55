/**
 * Key names of the Redis decision log. On one Redis server: one stream, one stats hash, one day hash
 * per day, one index hash per hour (the names they always had). On a Redis Cluster: K shards, each
 * its own stream, stats, day and index keys under the hash tag `{dlog:<i>}`, so the writes of one
 * batch stay in one slot (one pipeline) and successive batches spread over the masters instead of
 * loading the one that would hold a single stream.
 */
export class DecisionLogKeys {
  /** Shard numbers: [0] unsharded. */
  readonly shards: readonly number[];

  constructor(
    private readonly prefix: string,
    /** 0: the unsharded layout of one Redis server. */
    shardCount: number,
  ) {
    this.shards = shardCount <= 0 ? [0] : Array.from({ length: shardCount }, (_, i) => i);
    this.sharded = shardCount > 0;
  }

  readonly sharded: boolean;

  private tag(shard: number): string {
    return this.sharded ? `:{dlog:${shard}}` : '';
  }

  stream(shard: number): string {
    return `${this.prefix}:decisions${this.tag(shard)}`;
  }

  stats(shard: number): string {
    return `${this.prefix}:stats${this.tag(shard)}`;
  }

  day(shard: number, day: string): string {
    return `${this.stats(shard)}:day:${day}`;
  }

  /**
   * Batch → stream entry, in one hash per hour of the deciding server's clock (the hour is in
   * the decision id, so no clock agreement with Redis is needed).
   */
  index(shard: number, decisionMs: number): string {
    return `${this.prefix}:decision-index${this.tag(shard)}:${Math.floor(decisionMs / 3_600_000)}`;
  }

  /** Each account's recent decision ids (one key per account: its own slot on a cluster). */
  account(accountId: string): string {
    return `${this.prefix}:account-decisions:${accountId}`;
  }
}

/** Shards of the log on a cluster unless configured: a few per master of a 3–6 master cluster. */
export const DEFAULT_CLUSTER_SHARDS = 16;
