import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { classifySource, readPolicyDirectory, type SourceFile } from '../../engine/index.js';
import { UsageError } from './io.js';

/**
 * What a set of CLI paths means: each directory is a bundle; a single file is checked inside
 * the bundle context of its own directory (features and cohorts), without its sibling policies.
 */
export interface PolicyTarget {
  /** Sources that make up the bundle to load. */
  bundle: SourceFile[];
  /** Test files to run or check. */
  tests: SourceFile[];
}

export function resolvePolicyTargets(paths: readonly string[]): PolicyTarget[] {
  const list = paths.length > 0 ? paths : ['policies'];
  return list.map((path) => {
    if (!existsSync(path)) throw new UsageError(`no such file or directory: ${path}`);
    if (statSync(path).isDirectory()) {
      const sources = readPolicyDirectory(path);
      return { bundle: sources.filter((s) => classifySource(s.path) !== 'test'), tests: sources.filter((s) => classifySource(s.path) === 'test') };
    }
    const file: SourceFile = { path, text: readFileSync(path, 'utf8') };
    const context = readPolicyDirectory(dirname(path)).filter((s) => {
      const kind = classifySource(s.path);
      return (kind === 'features' || kind === 'cohorts') && resolve(s.path) !== resolve(path);
    });
    if (classifySource(path) === 'test') {
      // A test file runs against the whole bundle of its directory.
      return { bundle: readPolicyDirectory(dirname(path)).filter((s) => classifySource(s.path) !== 'test'), tests: [file] };
    }
    return { bundle: [...context, file], tests: [] };
  });
}
