import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './own-redis.js';
import { until } from './until.js';

const run = promisify(execFile);

export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'slave';
  /** Replicas: their master's id. */
  masterId?: string;
  slots: number;
  failed: boolean;
}

interface Node {
  port: number;
  busPort: number;
  dir: string;
  child: ChildProcess | undefined;
}

/**
 * A Redis Cluster of the test's own: 3 masters and 3 replicas of Debian's redis-server on spare
 * loopback ports (data ports and cluster-bus ports both picked free, so no port + 10000 clash),
 * created with `redis-cli --cluster create … --cluster-replicas 1`, and ready once every node says
 * cluster_state:ok and every replica's link to its master is up. The test may kill -9 a master and
 * migrate slots; stop() kills every node and removes their directories.
 */
export class OwnRedisCluster {
  private constructor(
    private readonly nodes: Node[],
    readonly nodeTimeoutMs: number,
  ) {}

  static async start(options: { masters?: number; nodeTimeoutMs?: number } = {}): Promise<OwnRedisCluster> {
    const count = (options.masters ?? 3) * 2;
    const nodes: Node[] = [];
    const taken = new Set<number>();
    const spare = async (): Promise<number> => {
      for (;;) {
        const port = await freePort();
        if (!taken.has(port)) {
          taken.add(port);
          return port;
        }
      }
    };
    for (let i = 0; i < count; i++) nodes.push({ port: await spare(), busPort: await spare(), dir: mkdtempSync(join(tmpdir(), 'rg-cluster-')), child: undefined });
    const cluster = new OwnRedisCluster(nodes, options.nodeTimeoutMs ?? 3000);
    try {
      await Promise.all(nodes.map((n) => cluster.spawnNode(n)));
      await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
      await cluster.waitHealthy();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** "127.0.0.1:port" of every node that runs, for --redis-cluster. */
  get seeds(): string[] {
    return this.nodes.filter((n) => n.child !== undefined).map((n) => `127.0.0.1:${n.port}`);
  }

  private async spawnNode(node: Node): Promise<void> {
    const args = [
      '--port', String(node.port), '--cluster-port', String(node.busPort), '--bind', '127.0.0.1', '--dir', node.dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(this.nodeTimeoutMs),
      '--save', '', '--appendonly', 'no',
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    node.child = child;
    let failure: Error | undefined;
    child.once('error', (err) => (failure = err));
    child.once('exit', (code, signal) => (failure ??= new Error(`redis-server exited (${signal ?? code}) on port ${node.port}`)));
    await until(`cluster node on port ${node.port}`, async () => {
      if (failure) throw failure;
      return (await this.cli(node.port, 'PING').catch(() => '')) === 'PONG';
    });
  }

  /** One redis-cli command against a node; its output, trimmed. */
  async cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 5000 });
    return stdout.trim();
  }

  /** CLUSTER NODES as one node sees it. */
  async topology(fromPort?: number): Promise<ClusterNodeInfo[]> {
    const port = fromPort ?? this.nodes.find((n) => n.child !== undefined)!.port;
    const text = await this.cli(port, 'CLUSTER', 'NODES');
    return text.split('\n').filter((l) => l !== '').map((line) => {
      const [id, address, flags, master, , , , , ...slots] = line.split(' ');
      const count = slots.reduce((sum, range) => {
        if (range.startsWith('[')) return sum; // a slot being migrated or imported
        const [from, to] = range.split('-').map(Number);
        return sum + ((to ?? from!) - from! + 1);
      }, 0);
      return {
        id: id!,
        port: Number(address!.split('@')[0]!.split(':')[1]),
        role: flags!.includes('master') ? 'master' : 'slave',
        ...(master !== '-' ? { masterId: master! } : {}),
        slots: count,
        failed: flags!.includes('fail'),
      };
    });
  }

  /** Every running node says cluster_state:ok, each master has a running replica whose link is up, and they agree on who is master. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await until('the cluster to be ok with every replica linked', async () => {
      const running = this.nodes.filter((n) => n.child !== undefined);
      for (const node of running) {
        const info = await this.cli(node.port, 'CLUSTER', 'INFO').catch(() => '');
        if (!info.includes('cluster_state:ok')) return false;
        const replication = await this.cli(node.port, 'INFO', 'replication').catch(() => '');
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
      }
      const topology = await this.topology().catch(() => []);
      const masters = topology.filter((n) => n.role === 'master' && !n.failed && n.slots > 0);
      return masters.length > 0 && masters.every((m) => topology.some((r) => r.masterId === m.id && !r.failed && running.some((n) => n.port === r.port)));
    }, timeoutMs, 100);
  }

  /** Masters that serve slots, as the cluster sees them now. */
  async masters(): Promise<ClusterNodeInfo[]> {
    return (await this.topology()).filter((n) => n.role === 'master' && !n.failed && n.slots > 0);
  }

  /** SIGKILL a node (by port): a master dies as it does in production, its replica takes over after the node timeout. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    const child = node?.child;
    if (!node || !child) return;
    node.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Waits until the replica of the killed master `port` serves its slots (cluster_state:ok everywhere that runs). */
  async waitFailover(killedPort: number, timeoutMs = 30_000): Promise<void> {
    await until(`a replica to take over from the master on port ${killedPort}`, async () => {
      const topology = await this.topology().catch(() => []);
      const dead = topology.find((n) => n.port === killedPort);
      if (dead === undefined || dead.slots > 0 || !dead.failed) return false;
      for (const node of this.nodes.filter((n) => n.child !== undefined)) {
        if (!(await this.cli(node.port, 'CLUSTER', 'INFO').catch(() => '')).includes('cluster_state:ok')) return false;
      }
      return true;
    }, timeoutMs, 100);
  }

  /** Moves `slots` slots from one master to another (redis-cli --cluster reshard), keys and all; resolves when done. */
  async reshard(from: ClusterNodeInfo, to: ClusterNodeInfo, slots: number): Promise<void> {
    await run('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${to.port}`, '--cluster-from', from.id, '--cluster-to', to.id, '--cluster-slots', String(slots), '--cluster-yes', '--cluster-pipeline', '100'], {
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  }

  /** INFO commandstats of every running master, summed: command → calls. */
  async commandCalls(): Promise<Map<string, number>> {
    const calls = new Map<string, number>();
    for (const m of await this.masters()) {
      const text = await this.cli(m.port, 'INFO', 'commandstats');
      for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, (calls.get(match[1]!) ?? 0) + Number(match[2]));
    }
    return calls;
  }

  /** Kills every node and removes their directories. */
  async stop(): Promise<void> {
    for (const node of this.nodes) {
      await this.kill(node.port);
      rmSync(node.dir, { recursive: true, force: true });
    }
  }
}
