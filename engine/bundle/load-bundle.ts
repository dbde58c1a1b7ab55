import { createHash } from 'node:crypto';
import { buildFactCatalogue } from '../facts/index.js';
import { loadYaml } from '../load/yaml-document.js';
import type { PolicyDefinition } from '../policy/model.js';
import { parsePolicy } from '../policy/parse-policy.js';
import type { Problem } from '../problems.js';
import { sortProblems } from '../problems.js';
import { emptyCohortTable, parseCohorts, type CohortTable } from './cohorts.js';
import { featureNames, loadFeatureDefinitions, type FeatureDefinitions } from '../features/index.js';
import { PreparedBundle } from './prepared-bundle.js';
import { classifySource, type SourceFile } from './sources.js';

export type BundleLoadResult = { ok: true; bundle: PreparedBundle } | { ok: false; problems: Problem[] };

export interface BundleLoadOptions {
  /** The bundle being replaced: a policy whose content changed must raise its version. */
  previous?: PreparedBundle;
}

/**
 * Load → validate → compile a whole policy directory. All problems of all files are
 * reported together; a bundle with any problem is refused whole.
 */
export function loadBundle(sources: readonly SourceFile[], options: BundleLoadOptions = {}): BundleLoadResult {
  const problems: Problem[] = [];
  const byKind = (kind: ReturnType<typeof classifySource>) => sources.filter((s) => classifySource(s.path) === kind);

  // One feature file per bundle: the same definitions drive the Redis store and the simulator.
  let features: FeatureDefinitions = { features: [] };
  for (const source of byKind('features')) {
    const parsed = loadFeatureDefinitions(source.path, source.text);
    if (parsed.ok) features = parsed.definitions;
    else problems.push(...parsed.problems);
  }

  let cohorts: CohortTable = emptyCohortTable;
  for (const source of byKind('cohorts')) {
    const loaded = loadYaml(source.path, source.text, undefined, 'cohort_schema_error');
    if (!loaded.ok) { problems.push(...loaded.problems); continue; }
    const parsed = parseCohorts(loaded.doc);
    if (parsed.ok) cohorts = parsed.table; else problems.push(...parsed.problems);
  }

  const catalogue = buildFactCatalogue(featureNames(features));
  const policies: PolicyDefinition[] = [];
  const firstFile = new Map<string, string>();
  for (const source of byKind('policy')) {
    const loaded = loadYaml(source.path, source.text);
    if (!loaded.ok) { problems.push(...loaded.problems); continue; }
    const parsed = parsePolicy(loaded.doc, catalogue);
    if (!parsed.ok) { problems.push(...parsed.problems); continue; }
    const policy = parsed.policy;
    const earlier = firstFile.get(policy.id);
    if (earlier !== undefined) {
      problems.push({ ...loaded.doc.locate('/id'), code: 'policy_duplicate_policy', message: `policy id "${policy.id}" is already used by ${earlier}`, pointer: '/id' });
      continue;
    }
    firstFile.set(policy.id, source.path);
    const before = options.previous?.policy(policy.id);
    if (before && before.contentHash !== policy.contentHash && policy.version <= before.version) {
      problems.push({
        ...loaded.doc.locate('/version'),
        code: 'policy_version_not_raised',
        message: `policy "${policy.id}" changed but its version stayed ${policy.version} (active: ${before.version}); raise the version`,
        pointer: '/version',
      });
      continue;
    }
    policies.push(policy);
  }

  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, bundle: new PreparedBundle({ revision: revisionOf(sources), policies, cohorts, features }) };
}

/** Content hash of every file that shapes decisions (tests excluded), independent of the directory's location. */
function revisionOf(sources: readonly SourceFile[]): string {
  const hash = createHash('sha256');
  const relevant = sources.filter((s) => classifySource(s.path) !== 'test' && classifySource(s.path) !== 'other');
  for (const source of [...relevant].sort((a, b) => baseName(a.path).localeCompare(baseName(b.path)))) {
    hash.update(baseName(source.path)).update('\0').update(source.text).update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
