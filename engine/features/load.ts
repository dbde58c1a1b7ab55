/**
 * Loads policies/features.yaml: YAML (with positions) → JSON Schema (ajv) → meaning checks
 * (fields exist on the events, references resolve, no cycles). Every problem carries FILE:LINE:COL.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadYaml, defaultYamlLimits, escapePointer, type LoadedYaml } from '../load/yaml-document.js';
import type { Problem, ProblemCode } from '../problems.js';
import { eventFieldCatalogue, type EventType } from '../events/index.js';
import { DEFAULT_MAX_ACCOUNTS_PER_VALUE, type FeatureDefinition, type FeatureDefinitions, type WhereClause } from './definitions.js';

export type FeatureLoadResult = { ok: true; definitions: FeatureDefinitions } | { ok: false; problems: Problem[] };

/** The JSON Schema of features.yaml (also used by editors). */
export const featuresSchema: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../policies/features.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validateSchema = ajv.compile(featuresSchema);

type RawWhere = Record<string, string | number | boolean | { in: (string | number | boolean)[] }>;
interface RawFeature {
  kind: FeatureDefinition['kind'];
  description?: string;
  events?: EventType | EventType[];
  windowDays?: number;
  where?: RawWhere;
  field?: string;
  numerator?: string;
  denominator?: string;
  via?: string[];
  flaggedBy?: string[];
  maxAccountsPerValue?: number;
}

export function loadFeatureDefinitions(file: string, text: string): FeatureLoadResult {
  const loaded = loadYaml(file, text, defaultYamlLimits, 'feature_yaml_error');
  if (!loaded.ok) {
    // The YAML parser refuses duplicate keys; a duplicate feature name deserves its own code.
    return { ok: false, problems: loaded.problems.map((p) => (/unique/i.test(p.message) ? { ...p, code: 'feature_duplicate', message: 'duplicate feature name (a key is defined twice)' } : p)) };
  }
  const doc = loaded.doc;
  if (!validateSchema(doc.value)) return { ok: false, problems: schemaProblems(doc, validateSchema.errors ?? []) };
  const raw = (doc.value as { features: Record<string, RawFeature> }).features;
  const problems: Problem[] = [];
  const report = (pointer: string, code: ProblemCode, message: string, key = false): void => {
    const at = key ? doc.locateKey(pointer) : doc.locate(pointer);
    problems.push({ ...at, code, message, pointer });
  };
  const features: FeatureDefinition[] = [];
  for (const [name, f] of Object.entries(raw)) {
    const base = `/features/${escapePointer(name)}`;
    const definition = normalise(name, f);
    checkFields(definition, base, report);
    features.push(definition);
  }
  checkReferences(features, raw, report);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, definitions: { features } };
}

function normalise(name: string, f: RawFeature): FeatureDefinition {
  const description = f.description === undefined ? {} : { description: f.description };
  const events = f.events === undefined ? [] : Array.isArray(f.events) ? f.events : [f.events];
  const where: WhereClause[] = Object.entries(f.where ?? {}).map(([path, v]) => ({
    path,
    values: typeof v === 'object' ? v.in.map(String) : [String(v)],
  }));
  switch (f.kind) {
    case 'ratio':
      return { kind: 'ratio', name, ...description, numerator: f.numerator ?? '', denominator: f.denominator ?? '' };
    case 'age':
      return { kind: 'age', name, ...description };
    case 'linked':
      return {
        kind: 'linked', name, ...description, events, via: f.via ?? [], flaggedBy: f.flaggedBy ?? [],
        windowDays: f.windowDays ?? 0, maxAccountsPerValue: f.maxAccountsPerValue ?? DEFAULT_MAX_ACCOUNTS_PER_VALUE,
      };
    case 'count':
      return { kind: 'count', name, ...description, events, windowDays: f.windowDays ?? 0, where };
    default:
      return { kind: f.kind, name, ...description, events, windowDays: f.windowDays ?? 0, where, field: f.field ?? '' };
  }
}

type Report = (pointer: string, code: ProblemCode, message: string, key?: boolean) => void;

/** Fields named by a definition must exist on every event type it reads, with a usable type. */
function checkFields(d: FeatureDefinition, base: string, report: Report): void {
  if (d.kind === 'ratio' || d.kind === 'age') return;
  const eachType = (path: string, pointer: string, check: (info: { type: string; values?: readonly string[]; multi: boolean }, type: EventType) => string | undefined): void => {
    for (const type of d.events) {
      const info = eventFieldCatalogue.get(type)?.get(path);
      if (info === undefined) { report(pointer, 'feature_unknown_field', `event ${type} has no field "${path}"`); return; }
      const message = check(info, type);
      if (message !== undefined) { report(pointer, 'feature_unknown_field', message); return; }
    }
  };
  if (d.kind === 'linked') {
    d.via.forEach((path, i) => eachType(path, `${base}/via/${i}`, () => undefined));
    return;
  }
  if (d.kind !== 'count') {
    const numeric = d.kind === 'sum' || d.kind === 'latest';
    eachType(d.field, `${base}/field`, (info, type) => {
      if (numeric && info.type !== 'number' && info.type !== 'integer') return `${d.kind} needs a numeric field; ${type}.${d.field} is ${info.type}`;
      if (numeric && info.multi) return `${d.kind} needs a single-valued field; ${type}.${d.field} is a list`;
      return undefined;
    });
  }
  for (const clause of d.where) {
    const pointer = `${base}/where/${escapePointer(clause.path)}`;
    eachType(clause.path, pointer, (info, type) => {
      if (info.multi) return `where cannot filter on list field ${type}.${clause.path}`;
      const bad = info.values === undefined ? undefined : clause.values.find((v) => !info.values?.includes(v));
      return bad === undefined ? undefined : `"${bad}" is not a value of ${type}.${clause.path} (${info.values?.join(', ')})`;
    });
  }
}

/** Ratio operands and flaggedBy names must exist (flaggedBy: count features); ratios must not form cycles. */
function checkReferences(features: readonly FeatureDefinition[], raw: Record<string, RawFeature>, report: Report): void {
  const byName = new Map(features.map((f) => [f.name, f]));
  for (const f of features) {
    const base = `/features/${escapePointer(f.name)}`;
    if (f.kind === 'ratio') {
      for (const side of ['numerator', 'denominator'] as const) {
        if (!byName.has(f[side])) report(`${base}/${side}`, 'feature_unknown_reference', `unknown feature "${f[side]}"`);
      }
    } else if (f.kind === 'linked') {
      f.flaggedBy.forEach((ref, i) => {
        const target = byName.get(ref);
        if (target === undefined) report(`${base}/flaggedBy/${i}`, 'feature_unknown_reference', `unknown feature "${ref}"`);
        else if (target.kind !== 'count') report(`${base}/flaggedBy/${i}`, 'feature_unknown_reference', `flaggedBy must name count features; "${ref}" is ${target.kind}`);
      });
    }
  }
  // Only ratios reference features that are evaluated; find cycles among them by DFS.
  const state = new Map<string, 'visiting' | 'done'>();
  let reported = false;
  const visit = (name: string, trail: string[]): void => {
    const f = byName.get(name);
    if (f === undefined || f.kind !== 'ratio' || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      if (reported) return; // one report per cycle is enough; the rest of the walk would repeat it
      reported = true;
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      report(`/features/${escapePointer(name)}`, 'feature_cycle', `features reference each other in a cycle: ${cycle.join(' -> ')}`, true);
      return;
    }
    state.set(name, 'visiting');
    visit(f.numerator, [...trail, name]);
    visit(f.denominator, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(raw)) {
    reported = false;
    visit(name, []);
  }
}

function schemaProblems(doc: LoadedYaml, errors: ErrorObject[]): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  // A failed oneOf reports every branch; keep one sentence per place: the enum error if there is one.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const enumPaths = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === 'if') continue; // "must match then schema": the then-branch errors say why
    if (oneOfPaths.has(e.instancePath) && e.keyword !== 'enum' && (enumPaths.has(e.instancePath) || e.keyword !== 'oneOf')) continue;
    const params = e.params as Record<string, unknown>;
    let pointer = e.instancePath;
    let message = e.message ?? e.keyword;
    let key = false;
    if (e.keyword === 'additionalProperties') {
      pointer = `${pointer}/${escapePointer(String(params['additionalProperty']))}`;
      message = `unknown property "${String(params['additionalProperty'])}"`;
      key = true;
    } else if (e.keyword === 'enum') message = `must be one of: ${(params['allowedValues'] as unknown[]).join(', ')}`;
    else if (e.keyword === 'propertyNames' || (e.keyword === 'pattern' && e.propertyName !== undefined)) {
      pointer = `${pointer}/${escapePointer(String(params['propertyName'] ?? e.propertyName ?? ''))}`;
      message = `invalid name "${String(params['propertyName'] ?? e.propertyName ?? '')}": must match ^[a-z][A-Za-z0-9]*$`;
      key = true;
    }
    const dedupe = `${pointer} ${message}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    const at = key ? doc.locateKey(pointer) : doc.locate(pointer);
    problems.push({ ...at, code: 'feature_schema_error', message, pointer });
  }
  return problems;
}
