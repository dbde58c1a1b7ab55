/**
 * How the Redis feature store calls its Lua scripts: one round trip of EVALSHA calls at a time, over
 * the store's own lean connection (standalone Redis without TLS), else an ioredis pipeline (one
 * command each on a cluster, where a pipeline must stay within a slot). Scripts are loaded on NOSCRIPT
 * and only the commands that did not run are re-sent.
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { applyScript, flagScript, indexScript, linkIndexScript, loadScript, mergeScript, touchScript } from './feature-scripts.js';
import { ClusterReads } from './cluster-reads.js';
import { bulkString, encodeCommand, RespConnection, type Reply } from './resp-connection.js';
import { withTimeout } from './with-timeout.js';

export type Client = Redis | Cluster;
export type Arg = string | number;
export interface Op {
  command: 'rgFeatApply' | 'rgFeatIndex' | 'rgFeatLink' | 'rgFeatFlag' | 'rgFeatMerge' | 'rgFeatTouch' | 'rgFeatLoad';
  key: string;
  /** Second key (link scripts: the index's flag hash, same hash tag). */
  key2?: string;
  args: Arg[];
}
type ScriptTarget = Record<Op['command'], (...args: Arg[]) => unknown>;

const script = (lua: string, keys: number) => ({ lua, keys, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS: Record<Op['command'], { lua: string; keys: number; sha: string }> = {
  rgFeatApply: script(applyScript, 1),
  rgFeatIndex: script(indexScript, 1),
  rgFeatLink: script(linkIndexScript, 2),
  rgFeatFlag: script(flagScript, 2),
  rgFeatMerge: script(mergeScript, 1),
  rgFeatTouch: script(touchScript, 2),
  rgFeatLoad: script(loadScript, 1),
};

export class FeatureScriptCalls {
  private readonly timeoutMs: number | undefined;
  /** Standalone Redis without TLS: script calls go over a lean connection of the store's own (see resp-connection.ts). */
  private readonly raw: RespConnection | undefined;
  /** Budget of one round trip on `raw`: the store's timeout, else the client's command timeout. */
  private readonly rawTimeoutMs: number;
  /** On a cluster: the reads over lean connections routed by slot (cluster-reads.ts). */
  private readonly clusterReads: ClusterReads | undefined;

  /**
   * Does not own `client`: close() leaves it open (and closes the own script connection, when there
   * is one). Adds seven script commands (rgFeat*) to it. `timeoutMs`: each round trip fails after this long.
   */
  constructor(private readonly client: Client, timeoutMs: number | undefined) {
    this.timeoutMs = timeoutMs;
    const o = client.isCluster ? undefined : (client as Redis).options;
    this.rawTimeoutMs = this.timeoutMs ?? o?.commandTimeout ?? 2000;
    // A cluster without TLS or NAT mapping: the decision read goes over lean connections too, one per master.
    if (client.isCluster) {
      const c = client as Cluster;
      if (!c.options.redisOptions?.tls && c.options.natMap === undefined) this.clusterReads = new ClusterReads(c, this.rawTimeoutMs, `${c.options.redisOptions?.connectionName ?? 'refund-guard'}-reads`);
    }
    if (o !== undefined && !o.tls && !(o.sentinels && o.sentinels.length > 0)) {
      this.raw = new RespConnection({
        ...(o.path ? { path: o.path } : { host: o.host, port: o.port }),
        ...(o.username ? { username: o.username } : {}),
        ...(o.password ? { password: o.password } : {}),
        ...(o.db ? { db: o.db } : {}),
        name: `${o.connectionName ?? 'refund-guard'}-scripts`,
      });
    }
    for (const [name, { lua, keys }] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: keys, lua });
  }

  /** HGETALL of one key (flat field/value list), over the lean connection when there is one, ioredis otherwise. */
  async hgetall(key: string): Promise<readonly string[]> {
    if (this.clusterReads !== undefined) return this.clusterReads.hgetall(key);
    const raw = this.raw;
    if (raw === undefined) {
      const read = this.client.call('HGETALL', key) as Promise<string[]>;
      // A cluster client has no per-command timeout on its nodes (it would cut slot-map refreshes short): the budget is kept here.
      return this.client.isCluster && this.timeoutMs !== undefined ? withTimeout(read, this.timeoutMs) : read;
    }
    const [reply] = await raw.exec(encodeCommand(['HGETALL', key]), 1, this.rawTimeoutMs);
    if (reply instanceof Error) throw reply;
    return reply as string[];
  }

  /** Opens the lean connection now (a PING); best effort. */
  async warmUp(timeoutMs: number): Promise<void> {
    await this.raw?.exec(encodeCommand(['PING']), 1, timeoutMs).catch(() => undefined);
    await this.clusterReads?.warmUp(timeoutMs);
  }

  close(): void {
    this.raw?.close();
    this.clusterReads?.close();
  }

  /** One round trip of script calls, failing after `timeoutMs` when set. */
  run(ops: readonly Op[]): Promise<unknown[]> {
    if (ops.length === 0) return Promise.resolve([]);
    if (this.raw !== undefined) return this.sendRaw(this.raw, ops);
    const ms = this.timeoutMs;
    if (ms === undefined) return this.send(ops);
    return withTimeout(this.send(ops), ms);
  }

  /**
   * One round trip of plain commands (the rebuild's index writes), failing on the first error reply.
   * Cluster: each command on its own (ioredis batches them per node).
   */
  async commands(commands: readonly (readonly Arg[])[]): Promise<unknown[]> {
    if (commands.length === 0) return [];
    const raw = this.raw;
    if (raw !== undefined) {
      let payload = '';
      for (const c of commands) payload += encodeCommand(c);
      const results = await raw.exec(payload, commands.length, this.rawTimeoutMs);
      for (const r of results) if (r instanceof Error) throw r;
      return results;
    }
    if (this.client.isCluster) return Promise.all(commands.map(([name, ...args]) => this.client.call(String(name), ...args)));
    const pipeline = this.client.pipeline();
    const target = pipeline as unknown as { call(command: string, ...args: Arg[]): unknown };
    for (const [name, ...args] of commands) target.call(String(name), ...args);
    return ((await pipeline.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }

  /** Standalone: one pipeline. Cluster: pipelines must stay within a slot, so send commands individually (ioredis batches per node). */
  private async send(ops: readonly Op[]): Promise<unknown[]> {
    if (this.client.isCluster) {
      const target = this.client as unknown as ScriptTarget;
      return Promise.all(ops.map((op) => (op.key2 === undefined ? target[op.command](op.key, ...op.args) : target[op.command](op.key, op.key2, ...op.args))));
    }
    let results = await this.pipelined(ops);
    // Scripts not loaded (a new or flushed Redis): load them, re-send only those commands (they did not run).
    const missing = results.flatMap(([err], k) => (err && err.message.includes('NOSCRIPT') ? [k] : []));
    if (missing.length > 0) {
      for (const command of new Set(missing.map((k) => (ops[k] as Op).command))) await this.client.script('LOAD', SCRIPTS[command].lua);
      const again = await this.pipelined(missing.map((k) => ops[k] as Op));
      results = results.slice();
      missing.forEach((k, j) => (results[k] = again[j] as [Error | null, unknown]));
    }
    return results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }

  /** One write of EVALSHA commands over the store's own connection; scripts loaded on NOSCRIPT, only those commands re-sent. */
  private async sendRaw(raw: RespConnection, ops: readonly Op[]): Promise<unknown[]> {
    const ms = this.rawTimeoutMs;
    let payload = '';
    for (const op of ops) payload += evalsha(op);
    let results: Reply[] = await raw.exec(payload, ops.length, ms);
    const missing: number[] = [];
    results.forEach((r, k) => {
      if (r instanceof Error && r.message.includes('NOSCRIPT')) missing.push(k);
    });
    if (missing.length > 0) {
      const commands = [...new Set(missing.map((k) => (ops[k] as Op).command))];
      let load = '';
      for (const command of commands) load += encodeCommand(['SCRIPT', 'LOAD', SCRIPTS[command].lua]);
      const loaded = await raw.exec(load, commands.length, ms);
      const failed = loaded.find((r): r is Error => r instanceof Error);
      if (failed) throw failed;
      payload = '';
      for (const k of missing) payload += evalsha(ops[k] as Op);
      const again = await raw.exec(payload, missing.length, ms);
      results = results.slice();
      missing.forEach((k, j) => (results[k] = again[j] as Reply));
    }
    for (const r of results) if (r instanceof Error) throw r;
    return results;
  }

  /** One pipeline of plain EVALSHA commands (no per-command script wrapper: less work per command). */
  private async pipelined(ops: readonly Op[]): Promise<[Error | null, unknown][]> {
    const pipeline = this.client.pipeline();
    // The args array is passed whole: ioredis flattens one level of command arguments.
    const target = pipeline as unknown as { call(command: string, ...args: (Arg | readonly Arg[])[]): unknown };
    for (const op of ops) {
      if (op.key2 === undefined) target.call('EVALSHA', SCRIPTS[op.command].sha, 1, op.key, op.args);
      else target.call('EVALSHA', SCRIPTS[op.command].sha, 2, op.key, op.key2, op.args);
    }
    return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
  }
}

/** RESP of the EVALSHA of an op, built without an intermediate argument array. */
function evalsha(op: Op): string {
  const script = SCRIPTS[op.command];
  let out = `*${4 + (op.key2 === undefined ? 0 : 1) + op.args.length}\r\n$7\r\nEVALSHA\r\n$40\r\n${script.sha}\r\n$1\r\n${script.keys}\r\n${bulkString(op.key)}`;
  if (op.key2 !== undefined) out += bulkString(op.key2);
  for (const a of op.args) out += bulkString(a);
  return out;
}
