import type { ErrorObject } from 'ajv';
import type { LoadedYaml } from '../load/yaml-document.js';
import { escapePointer } from '../load/yaml-document.js';
import type { Problem, ProblemCode } from '../problems.js';

export interface ProblemMapping {
  /** Code used for ordinary schema violations. */
  code: ProblemCode;
  /** Turns an error into a more specific problem; return undefined to use the generic wording. */
  refine?: (error: ErrorObject) => { code: ProblemCode; message: string; pointer?: string; atKey?: boolean } | undefined;
  /** Describes what a oneOf at a schema path accepts, for a single readable message instead of one per branch. */
  describeOneOf?: (error: ErrorObject) => string | undefined;
}

/**
 * ajv reports every failing branch of a oneOf; an analyst needs one sentence per mistake.
 * Branch errors are folded into their oneOf, and each remaining error is placed on the
 * YAML node it is about.
 */
export function schemaErrorsToProblems(doc: LoadedYaml, errors: readonly ErrorObject[], mapping: ProblemMapping): Problem[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  // Branch errors sit at or below the oneOf's instance path (schema paths restart inside a $ref).
  const insideFailedOneOf = (e: ErrorObject) =>
    oneOfs.some((o) => o !== e && (e.instancePath === o.instancePath || e.instancePath.startsWith(`${o.instancePath}/`)));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (insideFailedOneOf(error)) continue;
    const refined = mapping.refine?.(error);
    let pointer = refined?.pointer ?? error.instancePath;
    let atKey = refined?.atKey ?? false;
    let message: string;
    let code = mapping.code;
    if (refined) {
      message = refined.message;
      code = refined.code;
    } else if (error.keyword === 'additionalProperties') {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      pointer = `${error.instancePath}/${escapePointer(extra)}`;
      atKey = true;
      message = `unknown field "${extra}"`;
    } else if (error.keyword === 'oneOf') {
      message = `must be ${mapping.describeOneOf?.(error) ?? 'one of the allowed forms'}`;
    } else if (error.keyword === 'required') {
      message = `missing required field "${String((error.params as { missingProperty: string }).missingProperty)}"`;
    } else if (error.keyword === 'enum') {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    } else {
      message = error.message ?? 'is invalid';
    }
    const where = pointerToPath(error.instancePath);
    const text = where ? `${where}: ${message}` : message;
    const location = atKey ? doc.locateKey(pointer) : doc.locate(pointer);
    const key = `${location.line}:${location.col}:${code}:${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ ...location, code, message: text, pointer });
  }
  return problems;
}

/** "/rules/0/when/all/1" → "rules[0].when.all[1]" — how analysts read a path. */
export function pointerToPath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}
