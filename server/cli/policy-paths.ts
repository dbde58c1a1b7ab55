import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { borrowedNotes, classifySource, completeWithShippedDefinitions, readPolicyDirectory, shippedDefinitions, type SourceFile } from '../../engine/index.js';
import { UsageError } from './io.js';

/**
 * What a set of CLI paths means: each directory is a bundle; a single file is checked inside
 * the bundle context of its own directory (features and cohorts), without its sibling policies.
 * A directory that lacks features.yaml or cohorts.yaml borrows the shipped one (see
 * completeWithShippedDefinitions); `notes` say so, and every command prints them on stderr.
 */
export interface PolicyTarget {
  /** Sources that make up the bundle to load. */
  bundle: SourceFile[];
  /** Test files to run or check. */
  tests: SourceFile[];
  /** One line per shipped definition file borrowed for this target. */
  notes: string[];
}

export function resolvePolicyTargets(paths: readonly string[]): PolicyTarget[] {
  const list = paths.length > 0 ? paths : ['policies'];
  let shipped: SourceFile[] | undefined;
  const complete = (where: string, sources: SourceFile[]) => {
    const done = completeWithShippedDefinitions(sources, (shipped ??= shippedDefinitions()));
    return { bundle: done.sources, notes: borrowedNotes(where, done.borrowed) };
  };
  return list.map((path) => {
    if (!existsSync(path)) throw new UsageError(`no such file or directory: ${path}`);
    if (statSync(path).isDirectory()) {
      const sources = readPolicyDirectory(path);
      return { ...complete(path, sources.filter((s) => classifySource(s.path) !== 'test')), tests: sources.filter((s) => classifySource(s.path) === 'test') };
    }
    const file: SourceFile = { path, text: readFileSync(path, 'utf8') };
    const dir = dirname(path);
    if (classifySource(path) === 'test') {
      // A test file runs against the whole bundle of its directory.
      return { ...complete(dir, readPolicyDirectory(dir).filter((s) => classifySource(s.path) !== 'test')), tests: [file] };
    }
    const context = readPolicyDirectory(dir).filter((s) => {
      const kind = classifySource(s.path);
      return (kind === 'features' || kind === 'cohorts') && resolve(s.path) !== resolve(path);
    });
    return { ...complete(dir, [...context, file]), tests: [] };
  });
}
