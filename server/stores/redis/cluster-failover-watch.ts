import type { Cluster } from 'ioredis';

export interface FailoverSeen {
  /** "host:port" of the masters that no longer serve slots. */
  retired: string[];
  /** Wall ms of the first trouble seen with one of them (a node error, its connection gone), else when the change was seen. */
  troubleAt: number;
  seenAt: number;
}

/** Longest time from a master's first trouble to its failover being seen (node timeout, election, slot-map refresh). */
const MAX_DETECTION_MS = 120_000;

/**
 * Sees a Redis Cluster failover from a cluster client's slot map: after each refresh (ioredis
 * re-reads CLUSTER SLOTS every slotsRefreshInterval and on MOVED or a lost connection), the masters
 * serving slots are compared with those of the previous map. A master that served slots and no
 * longer serves any was failed over (a migration of slots moves them between masters that stay).
 * The first trouble seen with that node (a node error, its connection dropped) dates the failover.
 */
export class ClusterFailoverWatch {
  private masters = new Set<string>();
  private readonly troubleAt = new Map<string, number>();

  constructor(
    private readonly cluster: Cluster,
    private readonly onFailover: (seen: FailoverSeen) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.cluster.on('refresh', this.onRefresh);
    this.cluster.on('node error', this.onNodeError);
    this.cluster.on('-node', this.onNodeGone);
    this.masters = this.servingMasters();
  }

  stop(): void {
    this.cluster.off('refresh', this.onRefresh);
    this.cluster.off('node error', this.onNodeError);
    this.cluster.off('-node', this.onNodeGone);
  }

  private readonly onNodeError = (_err: unknown, key: unknown): void => {
    if (typeof key === 'string' && !this.troubleAt.has(key)) this.troubleAt.set(key, this.now());
  };

  private readonly onNodeGone = (redis: { options?: { host?: string; port?: number } }): void => {
    const key = `${redis.options?.host ?? ''}:${redis.options?.port ?? ''}`;
    if (!this.troubleAt.has(key)) this.troubleAt.set(key, this.now());
  };

  private readonly onRefresh = (): void => {
    const now = this.servingMasters();
    if (now.size === 0) return;
    const retired = [...this.masters].filter((m) => !now.has(m));
    this.masters = now;
    if (retired.length === 0) return;
    const seenAt = this.now();
    // Trouble long before the failover (a node error that healed) does not date it.
    const recent = (t: number | undefined): number => (t !== undefined && seenAt - t <= MAX_DETECTION_MS ? t : seenAt);
    const troubleAt = Math.min(seenAt, ...retired.map((m) => recent(this.troubleAt.get(m))));
    for (const [m, t] of this.troubleAt) if (retired.includes(m) || seenAt - t > MAX_DETECTION_MS) this.troubleAt.delete(m);
    this.onFailover({ retired, troubleAt, seenAt });
  };

  /** "host:port" of each node the slot map names as master of some slot. */
  private servingMasters(): Set<string> {
    const masters = new Set<string>();
    for (const nodes of this.cluster.slots) if (nodes !== undefined && nodes[0] !== undefined) masters.add(nodes[0]);
    return masters;
  }
}
