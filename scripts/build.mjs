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

const isSource = (path) => path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts');
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
  logLevel: 'warning',
});
// Plain JavaScript modules beside the TypeScript (worker entries) and the JSON schemas that modules
// read relative to their own URL (../../policies/*.json), at the same places under dist/.
for (const dir of sourceDirs) {
  for (const path of readdirSync(join(root, dir), { recursive: true }).map(String)) {
    if (path.endsWith('.mjs') && !path.endsWith('bin.mjs')) cpSync(join(root, dir, path), join(out, dir, path));
  }
}
mkdirSync(join(out, 'policies'), { recursive: true });
for (const file of readdirSync(join(root, 'policies')).filter((f) => f.endsWith('.json'))) cpSync(join(root, 'policies', file), join(out, 'policies', file));
writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
rmSync(dist, { recursive: true, force: true });
renameSync(out, dist);
console.log(`built ${entryPoints.length} modules into dist/`);
