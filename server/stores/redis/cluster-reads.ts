/**
 * The decision read (one HGETALL) on a Redis Cluster over lean connections, one per master: the
 * key's slot (CRC16, cluster-key-slot) picks the master from the slot map the ioredis Cluster client
 * keeps up to date (CLUSTER SLOTS every few seconds, on MOVED, after a failover). In process, the
 * ioredis Cluster client spent about three times the CPU of ioredis on one server per read, and the
 * lean connection about half of that again (test/bench/cluster.bench.ts prints all three), and the
 * read is the one command of every decision.
 *
 * Everything unusual goes back to ioredis: a slot the map does not know, and a MOVED or ASK answer
 * while slots migrate. ioredis follows the redirection and, on MOVED, re-reads the slot map, so the
 * next lean read goes to the new owner. A master that does not answer fails the read within its
 * budget (a degraded decision), as on one server. Connections to nodes that are no longer masters
 * are closed when the slot map changes.
 */
import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import { encodeCommand, RespConnection } from './resp-connection.js';
import { withTimeout } from './with-timeout.js';

export class ClusterReads {
  private readonly connections = new Map<string, RespConnection>();

  constructor(
    private readonly cluster: Cluster,
    private readonly timeoutMs: number,
    private readonly name: string,
  ) {
    cluster.on('refresh', this.prune);
  }

  async hgetall(key: string): Promise<readonly string[]> {
    const node = this.cluster.slots[calculateSlot(key)]?.[0];
    if (node === undefined) return this.viaCluster(key);
    const [reply] = await this.connection(node).exec(encodeCommand(['HGETALL', key]), 1, this.timeoutMs);
    if (reply instanceof Error) {
      if (reply.message.startsWith('MOVED') || reply.message.startsWith('ASK')) return this.viaCluster(key);
      throw reply;
    }
    return reply as string[];
  }

  /** Opens a connection to each master now (a PING each), so the first decisions do not pay for it; best effort. */
  async warmUp(timeoutMs: number): Promise<void> {
    const masters = new Set<string>();
    for (const nodes of this.cluster.slots) if (nodes?.[0] !== undefined) masters.add(nodes[0]);
    await Promise.all([...masters].map((node) => this.connection(node).exec(encodeCommand(['PING']), 1, timeoutMs).catch(() => undefined)));
  }

  close(): void {
    this.cluster.off('refresh', this.prune);
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }

  private viaCluster(key: string): Promise<readonly string[]> {
    return withTimeout(this.cluster.call('HGETALL', key) as Promise<string[]>, this.timeoutMs);
  }

  private connection(node: string): RespConnection {
    let c = this.connections.get(node);
    if (c === undefined) {
      const colon = node.lastIndexOf(':');
      const o = this.cluster.options.redisOptions ?? {};
      c = new RespConnection({
        host: node.slice(0, colon),
        port: Number(node.slice(colon + 1)),
        ...(o.username ? { username: o.username } : {}),
        ...(o.password ? { password: o.password } : {}),
        name: this.name,
      });
      this.connections.set(node, c);
    }
    return c;
  }

  /** After a slot-map refresh: connections to nodes that master no slot any more go. */
  private readonly prune = (): void => {
    const masters = new Set<string>();
    for (const nodes of this.cluster.slots) if (nodes?.[0] !== undefined) masters.add(nodes[0]);
    if (masters.size === 0) return;
    for (const [node, c] of this.connections) {
      if (!masters.has(node)) {
        c.close();
        this.connections.delete(node);
      }
    }
  };
}
