/**
 * The feature thread of a pipelined replay. Keeping the account features (apply every event, read
 * as of each decision) depends on events only, never on decisions, and is half of a replay's work;
 * so a worker thread does it while the main thread parses the next lines and decides. The main
 * thread sends each batch of lines as store ops (store-ops.ts: every event already parsed,
 * validated and reduced to the entries the stores keep); the worker applies them in order and
 * answers with the feature values of every read the batch asked for, in order, each vector
 * [line, ...values] in the order of its side's feature names, which the main thread checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
// Module by module, not the engine's index: a worker starts faster loading only what it runs.
import type { FeatureDefinitions } from '../../engine/features/definitions.js';
import { MemoryFeatureStore } from '../../engine/features/memory-store.js';
import { applyStoreOps, type StoreOps } from './store-ops.js';

export interface FeatureThreadInput {
  baselineFeatures: FeatureDefinitions;
  /** Null when both bundles define the same features (one store serves both worlds). */
  candidateFeatures: FeatureDefinitions | null;
  /** About how many events the stores will take in (a size hint, see MemoryFeatureStore). */
  expectedEvents?: number;
}

/** The worker's first message: the feature names of each side, in the order values are sent. */
export interface FeatureThreadReady {
  names: { baseline: string[]; candidate: string[] };
}

/** The worker's answer to one batch of store ops. */
export interface FeatureValues {
  values: Float64Array;
}

/** The stores of one replay and what applying a batch reads from them. */
export class FeatureThread {
  private readonly storeB: MemoryFeatureStore;
  private readonly storeC: MemoryFeatureStore;

  constructor(input: FeatureThreadInput) {
    const options = { lean: true, expectedEvents: input.expectedEvents ?? 0 };
    this.storeB = new MemoryFeatureStore(input.baselineFeatures, options);
    this.storeC = input.candidateFeatures === null ? this.storeB : new MemoryFeatureStore(input.candidateFeatures, options);
  }

  ready(): FeatureThreadReady {
    return { names: { baseline: Object.keys(this.storeB.readSync('', 0)), candidate: Object.keys(this.storeC.readSync('', 0)) } };
  }

  apply(ops: StoreOps): FeatureValues {
    const values: number[] = [];
    applyStoreOps(ops, this.storeB, this.storeC, (line, store, account, asOf) => {
      const features = store.readSync(account, asOf);
      values.push(line);
      for (const name in features) values.push(features[name] as number);
    });
    return { values: new Float64Array(values) };
  }
}

if (parentPort !== null && (workerData as { featureThread?: FeatureThreadInput } | undefined)?.featureThread !== undefined) {
  const port = parentPort;
  try {
    const thread = new FeatureThread((workerData as { featureThread: FeatureThreadInput }).featureThread);
    port.on('message', (ops: StoreOps) => {
      try {
        const answer = thread.apply(ops);
        port.postMessage(answer, [answer.values.buffer as ArrayBuffer]);
      } catch (err) {
        port.postMessage(errorMessage(err));
      }
    });
    port.postMessage(thread.ready());
  } catch (err) {
    port.postMessage(errorMessage(err));
  }
}

function errorMessage(err: unknown): { error: string } {
  return { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}
