import { Worker } from 'node:worker_threads';

/**
 * Whether this module runs from the prebuilt JavaScript (dist/, see scripts/build.mjs): then the
 * module a caller names as `x.ts` beside its source is the built `x.js` beside this build.
 */
const runningBuilt = import.meta.url.endsWith('.js');

/**
 * Starts a worker thread running the TypeScript module at `module` (a file URL), with `data` as its
 * workerData. No inherited flags: the worker registers tsx through its API when it has to
 * (ts-worker.mjs), which starts about twice as fast as tsx's --import loader carried over from the
 * parent. From the prebuilt JavaScript, the worker runs the built module and compiles nothing.
 * Throws when the environment cannot start a worker.
 */
export function startTsWorker(module: URL, data: Record<string, unknown>): Worker {
  const target = runningBuilt && module.pathname.endsWith('.ts') ? new URL(`${module.href.slice(0, -'.ts'.length)}.js`) : module;
  return new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { ...data, tsWorker: { module: target.href } }, execArgv: [] });
}
