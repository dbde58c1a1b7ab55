import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifySource, readPolicyDirectory, type SourceFile } from './sources.js';

/** The files a policy reads through, besides policies: its account features and its merchant cohorts. */
const definitionKinds = ['features', 'cohorts'] as const;

export interface CompletedSources {
  sources: SourceFile[];
  /** The shipped files that stand in for the ones the directory lacks (empty when it lacks none). */
  borrowed: SourceFile[];
}

/**
 * An analyst drafting a candidate usually copies the one policy they change into a fresh
 * directory. Such a draft means "the shipped world with my policy", so a directory that holds
 * policies but no features.yaml (or cohorts.yaml) takes the shipped file it lacks, and the
 * caller says so. A directory's own file always wins, even an invalid one; a directory without
 * policies is left alone (there is nothing to check against definitions).
 */
export function completeWithShippedDefinitions(sources: readonly SourceFile[], shipped: readonly SourceFile[]): CompletedSources {
  if (!sources.some((s) => classifySource(s.path) === 'policy')) return { sources: [...sources], borrowed: [] };
  const borrowed: SourceFile[] = [];
  for (const kind of definitionKinds) {
    if (sources.some((s) => classifySource(s.path) === kind)) continue;
    const stand = shipped.find((s) => classifySource(s.path) === kind);
    if (stand !== undefined) borrowed.push(stand);
  }
  return { sources: [...borrowed, ...sources], borrowed };
}

/**
 * features.yaml and cohorts.yaml of the policies/ directory that ships with refund-guard: the
 * one beside the package.json above this module, wherever the package is installed or built to.
 */
export function shippedDefinitions(): SourceFile[] {
  const dir = shippedPolicyDirectory();
  if (dir === undefined) return [];
  return readPolicyDirectory(dir).filter((s) => (definitionKinds as readonly string[]).includes(classifySource(s.path)));
}

export function shippedPolicyDirectory(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    // The package's own root: a build's dist/ has a package.json and policies/ of schemas too, but no definitions.
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'policies', 'features.yaml'))) return join(dir, 'policies');
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** One line per borrowed file, for stderr: what `where` lacked and which file stood in for it. */
export function borrowedNotes(where: string, borrowed: readonly SourceFile[]): string[] {
  return borrowed.map((file) => `${where} has no ${classifySource(file.path)}.yaml: using the shipped definitions in ${file.path}`);
}
