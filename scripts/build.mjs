#!/usr/bin/env node
// `npm run build` (also run by `npm ci` / `npm install` through `prepare`): the TypeScript of engine/,
// server/ and simulator/ transpiled file by file into dist/, the same tree, so the CLI starts without
// compiling anything (server/cli/bin.mjs runs dist/ when it is at least as new as the sources).
// Types are not checked here (`npm run typecheck` does that); esbuild only strips them.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
// Built beside dist/ and swapped in at the end: a CLI started meanwhile finds the old build, none
// (and runs the sources), or the new one, never half of one.
const out = join(root, `dist.building-${process.pid}`);
const sourceDirs = ['engine', 'server', 'simulator'];

const isSource = (path) => /\.tsx?$/.test(path) && !/\.test\.tsx?$/.test(path) && !path.endsWith('.d.ts');
const entryPoints = sourceDirs.flatMap((dir) =>
  readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter(isSource)
    .map((path) => join(root, dir, path)),
);

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: out,
  outbase: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // The console's pages (.tsx) render with hono/jsx, as tsconfig.json says for tsc and tsx.
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  logLevel: 'warning',
});
// Files modules read relative to their own URL, at the same places under dist/: plain JavaScript
// modules (worker entries), the console's static script and stylesheet, the PostgreSQL migrations,
// and the JSON schemas (../../policies/*.json).
const isAsset = (path) => (path.endsWith('.mjs') && !path.endsWith('bin.mjs')) || /(^|\/)static\/[^/]+\.(css|js)$/.test(path) || /(^|\/)migrations\/[^/]+\.sql$/.test(path);
for (const dir of sourceDirs) {
  for (const path of readdirSync(join(root, dir), { recursive: true }).map(String)) {
    if (isAsset(path)) cpSync(join(root, dir, path), join(out, dir, path));
  }
}
mkdirSync(join(out, 'policies'), { recursive: true });
for (const file of readdirSync(join(root, 'policies')).filter((f) => f.endsWith('.json'))) cpSync(join(root, 'policies', file), join(out, 'policies', file));
writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
rmSync(dist, { recursive: true, force: true });
renameSync(out, dist);
console.log(`built ${entryPoints.length} modules into dist/`);
