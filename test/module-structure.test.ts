/**
 * The house rules on the shape of the source, held by a test: no non-test source file over 400
 * lines, and no import cycle among the modules of engine/, server/ and simulator/ (type-only imports
 * count: a cycle of them still sends a reader back and forth between two files).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const DIRS = ['engine', 'server', 'simulator'];
const MAX_LINES = 400;

function sourceFiles(): string[] {
  const files: string[] = [];
  for (const dir of DIRS) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (/\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) files.push(join(root, dir, entry));
    }
  }
  return files.sort();
}

/** The project files a module imports (relative specifiers only; `./x.js` is x.ts, x.tsx, or x/index.ts). */
function importsOf(file: string, known: ReadonlySet<string>): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const out: string[] = [];
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const base = resolve(dirname(file), fileName).replace(/\.js$/, '');
    const target = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((f) => known.has(f));
    if (target !== undefined) out.push(target);
  }
  return out;
}

/** Every cycle found by a depth-first walk, each as the files along it (the first repeated at the end). */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const s = state.get(next);
      if (s === 'open') cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('module structure', () => {
  const files = sourceFiles();

  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain(join(root, 'simulator/replay/replay.ts'));
    expect(files).toContain(join(root, 'server/console/console-app.tsx'));
  });

  it(`has no non-test source file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ file: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('finds a cycle where there is one (the check itself)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(importCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('has no import cycle among engine, server and simulator modules', () => {
    const known = new Set(files);
    const graph = new Map(files.map((f) => [f, importsOf(f, known)]));
    // The replay's entry module reaches its stages (the graph is really read).
    expect(graph.get(join(root, 'simulator/replay/replay.ts'))).toContain(join(root, 'simulator/replay/decide.ts'));
    const cycles = importCycles(graph).map((c) => c.map((f) => relative(root, f)).join(' > '));
    expect(cycles).toEqual([]);
  });
});
