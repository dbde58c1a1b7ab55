import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One file of a policy directory, as text. Loading from text keeps the engine free of where files live (disk, git). */
export interface SourceFile {
  /** Path shown in problems (FILE:LINE:COL). */
  path: string;
  text: string;
}

export type SourceKind = 'policy' | 'features' | 'cohorts' | 'test' | 'other';

export function classifySource(path: string): SourceKind {
  const name = basename(path);
  if (name === 'features.yaml' || name === 'features.yml') return 'features';
  if (name === 'cohorts.yaml' || name === 'cohorts.yml') return 'cohorts';
  if (/\.test\.ya?ml$/.test(name)) return 'test';
  if (/\.ya?ml$/.test(name)) return 'policy';
  return 'other';
}

/** The YAML files of a policy directory, sorted by name so bundle order is stable. */
export function readPolicyDirectory(dir: string): SourceFile[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}
