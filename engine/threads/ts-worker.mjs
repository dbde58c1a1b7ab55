// Entry of every worker thread that runs a TypeScript module (workerData.tsWorker.module, a URL).
// A worker inherits the parent's loader flags (tsx run, vitest's node), but not hooks registered
// through tsx's API (the installed CLI): then this thread registers tsx itself before loading it.
import { workerData } from 'node:worker_threads';

const { module } = workerData.tsWorker;
try {
  await import(module);
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  const { register } = await import('tsx/esm/api');
  register();
  // A failed import stays failed for its URL: load the module under a fresh one.
  await import(`${module}?tsx`);
}
