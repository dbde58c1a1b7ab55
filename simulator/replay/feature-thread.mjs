// Entry of the feature worker (feature-thread.ts). A worker inherits the parent's loader flags
// (tsx run, vitest's node), but not hooks registered through tsx's API (the installed CLI):
// then this thread registers tsx itself before loading the TypeScript module.
try {
  await import('./feature-thread.ts');
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  const { register } = await import('tsx/esm/api');
  register();
  // A failed import stays failed for its URL: load the module under a fresh one.
  await import('./feature-thread.ts?tsx');
}
