#!/usr/bin/env node
// The installed `refund-guard` command. It runs the prebuilt JavaScript in dist/ (`npm run build`,
// which `npm ci` and `npm install` run through `prepare`) when that build is at least as new as every
// source file; otherwise the TypeScript sources through tsx, which compiles them at each start
// (about 0.4 s more), so an edited checkout never runs a stale build. REFUND_GUARD_FROM_SOURCE=1 forces
// the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const built = new URL('dist/server/cli/main.js', root);
process.env.REFUND_GUARD_CLI = '1';

function buildIsCurrent() {
  if (process.env.REFUND_GUARD_FROM_SOURCE === '1' || !existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  for (const dir of ['engine', 'server', 'simulator']) {
    const base = new URL(`${dir}/`, root);
    for (const path of readdirSync(base, { recursive: true })) {
      // Tests are not built: editing one does not make the build stale.
      if (typeof path === 'string' && /\.(tsx?|mjs|sql|css|js)$/.test(path) && !/\.test\.tsx?$/.test(path) && statSync(new URL(path, base)).mtimeMs > builtAt) return false;
    }
  }
  return true;
}

if (buildIsCurrent()) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
