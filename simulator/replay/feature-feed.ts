import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../engine/threads/index.js';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { FeatureStore } from '../../engine/features/index.js';
import type { FeatureBatch, FeatureThreadInput } from './feature-thread.js';
import type { ReplayOptions } from './replay.js';
import { pointsReadingFeatures, sameFeatures, type FeatureSource } from './worlds.js';

type Side = 'baseline' | 'candidate';

/**
 * The main thread's end of a pipelined replay (see feature-thread.ts): batches from the worker,
 * consumed in history order. `covers(line)` says whether the worker has got that far; `until`
 * waits for it. Each side's `source` stands in for that world's feature store.
 */
export class FeatureFeed {
  readonly shared: boolean;
  /** Lines before this number are covered by the batches taken. */
  private end = 1;
  /** Line kinds of the batches taken, oldest first; `kindsFirst` is the line of kinds[0]. */
  private readonly kindQueue: { first: number; kinds: Uint8Array }[] = [];
  private kinds: Uint8Array = new Uint8Array(0);
  private kindsFirst = 1;
  private bad: [number, string][] = [];
  private badAt = 0;
  private values: Float64Array = new Float64Array(0);
  private at = 0;
  /** Batches received, not yet taken. */
  private readonly arrived: FeatureBatch[] = [];
  /** Batches taken whose values are still to be read. */
  private readonly valueQueue: Float64Array[] = [];
  private names: Record<Side, string[]> = { baseline: [], candidate: [] };
  private waiter: { line: number; resolve(): void; reject(err: Error): void } | undefined;
  failure: Error | undefined;
  private started!: Promise<boolean>;
  private closing = false;
  private done = false;

  private constructor(
    private readonly worker: Worker,
    shared: boolean,
  ) {
    this.shared = shared;
  }

  /**
   * Starts the worker and waits for its first batch. When the worker fails before sending one:
   * undefined (the caller replays in its own thread), or with `required` the worker's error.
   */
  static async start(options: ReplayOptions, required = false): Promise<FeatureFeed | undefined> {
    const shared = sameFeatures(options.baseline, options.candidate);
    const input: FeatureThreadInput = {
      historyPath: options.historyPath,
      baselineFeatures: options.baseline.features,
      candidateFeatures: shared ? null : options.candidate.features,
      baselinePoints: [...pointsReadingFeatures(options.baseline)],
      candidatePoints: [...pointsReadingFeatures(options.candidate)],
      ...(options.shard ? { shard: options.shard } : {}),
    };
    let worker: Worker;
    try {
      worker = startTsWorker(new URL('./feature-thread.ts', import.meta.url), { featureThread: input });
    } catch (err) {
      if (required) throw err;
      return undefined;
    }
    const feed = new FeatureFeed(worker, shared);
    feed.listen();
    if (!(await feed.started)) {
      await feed.close();
      if (required) throw feed.failure ?? new Error('feature thread did not start');
      return undefined;
    }
    return feed;
  }

  /** Lines up to `line` are covered by the batches received. */
  covers(line: number): boolean {
    if (line < this.end) return true;
    this.take();
    return line < this.end;
  }

  /** What to do with `line` (a LineKind; the line must be covered). */
  kind(line: number): number {
    let i = line - this.kindsFirst;
    while (i >= this.kinds.length) {
      const next = this.kindQueue.shift();
      if (next === undefined) throw new Error(`feature thread: line ${line} not covered`);
      this.kinds = next.kinds;
      this.kindsFirst = next.first;
      i = line - next.first;
    }
    return this.kinds[i] as number;
  }

  until(line: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { line, resolve, reject };
      this.wake();
    });
  }

  /** The message of `line` when the worker found it bad. */
  badLine(line: number): string | undefined {
    const next = this.bad[this.badAt];
    if (next === undefined || next[0] !== line) return undefined;
    this.badAt++;
    return next[1];
  }

  /** The next value vector, which must belong to `line`, as the features object of `side`. */
  next(side: Side, line: number): Record<string, number> {
    while (this.at >= this.values.length) {
      const values = this.valueQueue.shift();
      if (values === undefined) throw new Error(`feature thread: no values for line ${line}`);
      this.values = values;
      this.at = 0;
    }
    const v = this.values;
    if (v[this.at] !== line) throw new Error(`feature thread out of step at line ${line} (got ${v[this.at]})`);
    this.at++;
    const out: Record<string, number> = {};
    for (const name of this.names[side]) out[name] = v[this.at++] as number;
    return out;
  }

  /** Stands in for one world's feature store: reads come from the worker, applying is the worker's job. */
  source(side: Side): FeatureSource & FeatureStore {
    let reviewAt = 0;
    return {
      readSync: (_accountId: string, _asOf: number, line = reviewAt) => this.next(side, line),
      reviewLine: (line: number) => {
        reviewAt = line;
      },
      applySync: () => true,
      apply: () => Promise.reject(new Error('a pipelined replay applies events in its feature thread')),
      read: () => Promise.resolve(this.next(side, reviewAt)),
      close: () => Promise.resolve(),
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.worker.removeAllListeners();
    await this.worker.terminate();
  }

  private listen(): void {
    let first: (ok: boolean) => void = () => undefined;
    this.started = new Promise((resolve) => (first = resolve));
    this.worker.on('message', (msg: FeatureBatch | { error: string }) => {
      if ('error' in msg) {
        first(false);
        this.fail(new Error(`feature thread: ${msg.error}`));
      } else {
        first(true);
        this.arrived.push(msg);
        this.wake();
      }
    });
    this.worker.on('error', (err) => {
      first(false);
      this.fail(err);
    });
    this.worker.on('exit', (code) => {
      first(false);
      if (!this.closing && !this.done && !this.arrived.some((b) => b.done)) this.fail(new Error(`feature thread exited (${code})`));
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }

  private wake(): void {
    const w = this.waiter;
    if (w === undefined || !this.covers(w.line)) return;
    this.waiter = undefined;
    w.resolve();
  }

  /** Takes the batches received: their coverage and bad lines now, their values as they are reached. */
  private take(): void {
    for (let batch = this.arrived.shift(); batch !== undefined; batch = this.arrived.shift()) {
      this.worker.postMessage(0); // taken: the worker may read one more chunk
      if (batch.names) this.names = batch.names;
      if (batch.done) this.done = true;
      this.end = batch.first + batch.kinds.length;
      if (batch.kinds.length > 0) this.kindQueue.push({ first: batch.first, kinds: batch.kinds });
      if (batch.values.length > 0) this.valueQueue.push(batch.values);
      if (batch.bad.length > 0) {
        if (this.badAt > 0) {
          this.bad = this.bad.slice(this.badAt);
          this.badAt = 0;
        }
        for (const b of batch.bad) this.bad.push(b);
      }
    }
  }
}
