import type { Worker } from 'node:worker_threads';
import type { PreparedBundle } from '../../engine/index.js';
import { startTsWorker } from '../../engine/threads/index.js';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { FeatureStore } from '../../engine/features/index.js';
import type { FeatureThreadInput, FeatureThreadReady, FeatureValues } from './feature-thread.js';
import type { StoreOps } from './store-ops.js';
import { sameFeatures, type FeatureSource } from './worlds.js';

type Side = 'baseline' | 'candidate';

/**
 * The main thread's end of a pipelined replay (see feature-thread.ts): `send` a batch of store
 * ops, later `take` the feature values it produced (answers come back in the order batches were
 * sent), then read them through each side's `source`, which stands in for that world's store.
 */
export class FeatureFeed {
  readonly shared: boolean;
  private names: Record<Side, string[]> = { baseline: [], candidate: [] };
  private values: Float64Array = new Float64Array(0);
  private at = 0;
  /** Answers received, not yet taken. */
  private readonly arrived: Float64Array[] = [];
  private waiter: { resolve(): void; reject(err: Error): void } | undefined;
  private failure: Error | undefined;
  private closing = false;
  private started = false;

  private constructor(
    private readonly worker: Worker,
    shared: boolean,
  ) {
    this.shared = shared;
  }

  /**
   * Starts the worker without waiting for it: batches sent meanwhile queue up in its port, so the
   * main thread reads ahead while the worker loads its modules (about half a second). Undefined when
   * no worker can start here, unless `required` (then the error).
   */
  static start(options: { baseline: PreparedBundle; candidate: PreparedBundle }, expectedEvents = 0, required = false): FeatureFeed | undefined {
    const shared = sameFeatures(options.baseline, options.candidate);
    const input: FeatureThreadInput = {
      baselineFeatures: options.baseline.features,
      candidateFeatures: shared ? null : options.candidate.features,
      expectedEvents,
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
    return feed;
  }

  /** The worker has its stores ready, or has failed: either way, waiting on it now is not waiting out its start. */
  get settled(): boolean {
    return this.started || this.failure !== undefined;
  }

  send(ops: StoreOps): void {
    this.worker.postMessage(ops, [ops.nums.buffer as ArrayBuffer]);
  }

  /**
   * Waits for the answer to the oldest batch not yet taken; its values are read next. Rejects with
   * FeatureThreadUnavailable when the worker failed before it was ready (nothing was decided yet).
   */
  async take(): Promise<void> {
    if (this.at < this.values.length) throw new Error(`feature thread: ${this.values.length - this.at} values of a batch left unread`);
    while (this.arrived.length === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
    }
    this.values = this.arrived.shift() as Float64Array;
    this.at = 0;
  }

  /** The next value vector, which must belong to `line`, as the features object of `side`. */
  next(side: Side, line: number): Record<string, number> {
    const v = this.values;
    if (this.at >= v.length) throw new Error(`feature thread: no values for line ${line}`);
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
      applySync: (_event: RefundGuardEvent) => true,
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
    this.worker.on('message', (msg: FeatureThreadReady | FeatureValues | { error: string }) => {
      if ('error' in msg) {
        this.fail(new Error(`feature thread: ${msg.error}`));
      } else if ('names' in msg) {
        this.names = msg.names;
        this.started = true;
      } else {
        this.arrived.push(msg.values);
        const w = this.waiter;
        this.waiter = undefined;
        w?.resolve();
      }
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`feature thread exited (${code})`));
    });
  }

  private fail(err: Error): void {
    this.failure ??= this.started ? err : new FeatureThreadUnavailable(err);
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }
}

/** The feature thread failed before its stores were ready (an environment that cannot run it): no batch was answered. */
export class FeatureThreadUnavailable extends Error {
  override name = 'FeatureThreadUnavailable';
  constructor(readonly reason: Error) {
    super(`feature thread did not start: ${reason.message}`);
  }
}
