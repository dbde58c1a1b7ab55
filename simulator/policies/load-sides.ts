import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { borrowedNotes, completeWithShippedDefinitions, loadBundle, readPolicyDirectory, shippedDefinitions, type PreparedBundle, type Problem, type SourceFile } from '../../engine/index.js';

/**
 * One side's policies. `notes` name the shipped definition files a side borrowed because its
 * directory lacks them (as `policy validate` does: see completeWithShippedDefinitions).
 */
export type SideLoad =
  | { ok: true; bundle: PreparedBundle; source: string; notes: string[]; sources: SourceFile[] }
  | { ok: false; source: string; problems: Problem[]; message?: string; notes: string[] };

/**
 * The baseline: a directory, or `git:REF` = the candidate's directory as it was at REF.
 * A git baseline answers "what does my uncommitted (or branch) change do against what shipped".
 */
export function loadBaseline(spec: string, candidateDir: string): SideLoad {
  if (!spec.startsWith('git:')) return loadDirectory(spec);
  const ref = spec.slice(4);
  try {
    return { ...loadSources(spec, readDirectoryAtRevision(candidateDir, ref)), source: spec };
  } catch (err) {
    return { ok: false, source: spec, problems: [], message: (err as Error).message, notes: [] };
  }
}

/**
 * The candidate is loaded as a reload over the baseline would be (`previous`), so a policy whose
 * content changed without a version bump is refused here, as the server would refuse it.
 */
export function loadCandidate(dir: string, baseline: PreparedBundle): SideLoad {
  return loadDirectory(dir, baseline);
}

function loadDirectory(dir: string, previous?: PreparedBundle): SideLoad {
  let sources: SourceFile[];
  try {
    sources = readPolicyDirectory(dir);
  } catch (err) {
    return { ok: false, source: dir, problems: [], message: `cannot read policy directory ${dir}: ${(err as Error).message}`, notes: [] };
  }
  return { ...loadSources(dir, sources, previous), source: dir };
}

type LoadedSources = { ok: true; bundle: PreparedBundle; notes: string[]; sources: SourceFile[] } | { ok: false; problems: Problem[]; message?: string; notes: string[] };

function loadSources(where: string, own: readonly SourceFile[], previous?: PreparedBundle): LoadedSources {
  if (own.length === 0) return { ok: false, problems: [], message: 'no policy files (*.yaml) found', notes: [] };
  const { sources, borrowed } = completeWithShippedDefinitions(own, shippedDefinitions());
  const notes = borrowedNotes(where, borrowed);
  const result = loadBundle(sources, previous ? { previous } : {});
  return result.ok ? { ok: true, bundle: result.bundle, notes, sources } : { ok: false, problems: result.problems, notes };
}

/**
 * Both sides from the sources a coordinator loaded them from (SideLoad.sources, the shipped definitions
 * already borrowed): the same bundles, revisions and edit, on a machine without the policy directories.
 */
export function loadSidesFromSources(baseline: readonly SourceFile[], candidate: readonly SourceFile[]): { ok: true; baseline: PreparedBundle; candidate: PreparedBundle } | { ok: false; problems: Problem[] } {
  const b = loadBundle(baseline);
  if (!b.ok) return { ok: false, problems: b.problems };
  const c = loadBundle(candidate, { previous: b.bundle });
  return c.ok ? { ok: true, baseline: b.bundle, candidate: c.bundle } : { ok: false, problems: c.problems };
}

/** The YAML files of `dir` at git revision `ref` of the repository that contains `dir`. */
export function readDirectoryAtRevision(dir: string, ref: string): SourceFile[] {
  if (ref.length === 0 || ref.startsWith('-')) throw new Error(`invalid git revision "${ref}"`);
  const real = realpathSync(dir);
  const top = git(real, ['rev-parse', '--show-toplevel']).trim();
  const rel = relative(realpathSync(top), real).split(sep).join('/');
  const prefix = rel === '' ? '' : `${rel}/`;
  const names = git(top, ['ls-tree', '--name-only', `${ref}:${rel}`])
    .split('\n')
    .filter((n) => /\.ya?ml$/.test(n))
    .sort();
  return names.map((name) => ({ path: `git:${ref}:${prefix}${name}`, text: git(top, ['show', `${ref}:${prefix}${name}`]) }));
}

function git(cwd: string, args: string[]): string {
  try {
    // No shell: the ref comes from the command line and must not be interpreted.
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`);
  }
}
