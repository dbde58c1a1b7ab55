/**
 * The decision-log thread: writes the decisions the server's main thread serialized into the
 * Redis Stream (RedisDecisionLog does the writing, with its retries and its bound), answers
 * look-ups of decisions it holds or wrote, and reports what it wrote or dropped. Joining a batch,
 * encoding it for Redis and its socket write, and the garbage of all that, happen here, off the
 * thread that answers decisions (see threaded-decision-log.ts for the protocol).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { failFastClientOptions } from '../stores/redis/client-options.js';
import { openRedis, type RedisTarget } from '../stores/redis/redis-target.js';
import { mergeRecent } from './decision-log.js';
import { RedisDecisionLog, appendChunk, countPending, pendingIdsOf, type DecisionChunk, type PendingDecision, type RedisDecisionLogOptions } from './redis-decision-log.js';

export interface LogThreadInput {
  target: RedisTarget;
  commandTimeoutMs: number;
  log: Omit<RedisDecisionLogOptions, 'onFlushError' | 'onDropped' | 'onWritten'>;
}

/** What main asks the log thread (its answer comes back as a reply). */
export type LogThreadCall = { op: 'get'; decisionId: string } | { op: 'stats'; day?: string } | { op: 'recent'; accountId: string } | { op: 'flush' | 'close' };

/** Main → log thread. */
export type ToLogThread = (DecisionChunk & { kind: 'chunk'; endsBatch: boolean }) | (LogThreadCall & { kind: 'call'; id: number });

/** Log thread → main. */
export type FromLogThread =
  | { kind: 'ready' }
  | { kind: 'reply'; id: number; value?: unknown; error?: string }
  | { kind: 'written'; count: number }
  | { kind: 'dropped'; count: number }
  | { kind: 'flushError'; message: string };

/** Returns the handler of main's messages and when the first connection attempt is over (ready or not, as the server's own clients). */
export function runLogThread(input: LogThreadInput, post: (message: FromLogThread) => void): { receive: (message: ToLogThread) => void; connected: Promise<void> } {
  // On a cluster, auto-pipelined: a batch's per-account writes (one slot each) leave in one write per node.
  const client = openRedis(input.target, { ...failFastClientOptions('refund-guard-decision-log', input.commandTimeoutMs), ...('clusterNodes' in input.target ? { enableAutoPipelining: true } : {}) });
  // Failures surface as flush errors (retried); the connection's own events only say it again.
  client.on('error', () => undefined);
  const connected = client.connect().catch(() => undefined);
  const log = new RedisDecisionLog(client, {
    ...input.log,
    onFlushError: (err) => post({ kind: 'flushError', message: err instanceof Error ? err.message : String(err) }),
    onDropped: (count) => post({ kind: 'dropped', count }),
    onWritten: (count) => post({ kind: 'written', count }),
  });
  let batch: PendingDecision[] = [];

  const answer = async (message: Extract<ToLogThread, { kind: 'call' }>): Promise<unknown> => {
    switch (message.op) {
      case 'get': {
        const waiting = batch.find((p) => p.decisionId === message.decisionId);
        return waiting !== undefined ? (JSON.parse(waiting.json) as unknown) : log.get(message.decisionId);
      }
      case 'stats': {
        // What this thread holds as the call arrives: a chunk received while Redis answers was also
        // counted by the main thread, which sent it after asking.
        const held = batch.map((p) => ({ tally: p.tally, day: p.day }));
        return countPending(await log.stats(message.day), held, message.day);
      }
      case 'recent': {
        // Held here: newer than what the log buffers or wrote.
        const held = pendingIdsOf(message.accountId, batch);
        return mergeRecent(held, await log.recentForAccount(message.accountId));
      }
      case 'flush':
        // A batch taken while another was being written waits for that write: flush twice.
        await log.flush();
        if (log.buffered > 0) await log.flush();
        return undefined;
      case 'close':
        await log.close();
        await client.quit().catch(() => client.disconnect());
        return undefined;
    }
  };

  const receive = (message: ToLogThread): void => {
    if (message.kind === 'chunk') {
      appendChunk(message, batch);
      if (message.endsBatch) {
        log.appendBatch(batch);
        batch = [];
      }
      return;
    }
    answer(message).then(
      (value) => post({ kind: 'reply', id: message.id, value }),
      (err: unknown) => post({ kind: 'reply', id: message.id, error: err instanceof Error ? err.message : String(err) }),
    );
  };
  return { receive, connected };
}

if (parentPort !== null && (workerData as { decisionLog?: LogThreadInput } | undefined)?.decisionLog !== undefined) {
  const port = parentPort;
  const { receive, connected } = runLogThread((workerData as { decisionLog: LogThreadInput }).decisionLog, (message) => port.postMessage(message));
  port.on('message', receive);
  await connected;
  port.postMessage({ kind: 'ready' } satisfies FromLogThread);
}
