import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running the TypeScript module at `module` (a file URL), with `data` as its
 * workerData. No inherited flags: the worker registers tsx through its API when it has to
 * (ts-worker.mjs), which starts about twice as fast as tsx's --import loader carried over from the
 * parent. Throws when the environment cannot start a worker.
 */
export function startTsWorker(module: URL, data: Record<string, unknown>): Worker {
  return new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { ...data, tsWorker: { module: module.href } }, execArgv: [] });
}
