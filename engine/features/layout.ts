/**
 * What each event type keeps in the account log: the dotted field paths the definitions read, in a
 * fixed order ("slots"), and how to pull them from an event. Values are escaped canonical strings so
 * the memory store and the Redis encoding hold byte-identical data.
 */
import { eventTypes, type EventType } from '../events/types.js';
import type { FeatureDefinition } from './definitions.js';
import { fnv1a } from './fnv1a.js';

export interface TypeLayout {
  readonly type: EventType;
  /** One character, the type's position in `eventTypes`. */
  readonly code: string;
  /** Two characters derived from `paths`: entries written under another layout are recognised, not misread. */
  readonly tag: string;
  /** code + tag: how every entry key of this type begins. */
  readonly prefix: string;
  readonly paths: readonly string[];
  readonly getters: readonly ((event: object) => string)[];
}

/** Escapes the encoding's separators so a value can never split a payload. */
export function escapeValue(value: string): string {
  return needsEscape(value) ? value.replace(/%/g, '%25').replace(/\|/g, '%7C').replace(/,/g, '%2C') : value;
}

/** Same as /[%|,]/.test(value), without the regex machinery (values are short). */
function needsEscape(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 37 || c === 124 || c === 44) return true;
  }
  return false;
}

/** Canonical string of a scalar: numbers in JS shortest round-trip form, so Number(s) gives the value back. */
function canonical(value: unknown): string | undefined {
  if (typeof value === 'string') return escapeValue(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A getter for a dotted path; a path crossing arrays yields all values joined by ','. */
export function fieldGetter(path: string): (event: object) => string {
  const parts = path.split('.');
  if (parts.length === 1) {
    const key = parts[0] as string;
    return (event) => canonical((event as Record<string, unknown>)[key]) ?? '';
  }
  const collect = (value: unknown, depth: number, out: string[]): void => {
    if (Array.isArray(value)) {
      for (const item of value) collect(item, depth, out);
      return;
    }
    if (depth === parts.length) {
      const s = canonical(value);
      if (s !== undefined) out.push(s);
      return;
    }
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, parts[depth] as string)) {
      collect((value as Record<string, unknown>)[parts[depth] as string], depth + 1, out);
    }
  };
  const slow = (event: object): string => {
    const out: string[] = [];
    collect(event, 0, out);
    return out.join(',');
  };
  // Fast path for a chain of plain objects (no arrays on the way): the same result without the list.
  return (event) => {
    let value: unknown = event;
    for (const part of parts) {
      if (typeof value !== 'object' || value === null) return '';
      if (Array.isArray(value)) return slow(event);
      if (!Object.hasOwn(value, part)) return '';
      value = (value as Record<string, unknown>)[part];
    }
    if (Array.isArray(value)) return slow(event);
    return canonical(value) ?? '';
  };
}

/** Collects, per event type, every field path any definition reads from it. */
export function buildLayouts(features: readonly FeatureDefinition[]): TypeLayout[] {
  const paths = new Map<EventType, Set<string>>(eventTypes.map((t) => [t, new Set<string>()]));
  for (const f of features) {
    if (f.kind === 'ratio' || f.kind === 'age') continue;
    const wanted: string[] = f.kind === 'linked' ? [...f.via] : f.kind === 'count' ? [] : [f.field];
    if (f.kind !== 'linked') for (const w of f.where) wanted.push(w.path);
    for (const type of f.events) for (const p of wanted) paths.get(type)?.add(p);
  }
  // Flag matching of linked features reads the where-fields of their flaggedBy count features, already included above.
  return eventTypes.map((type, index) => {
    const list = [...(paths.get(type) ?? [])].sort();
    const code = String.fromCharCode(97 + index);
    const tag = layoutTag(list);
    return { type, code, tag, prefix: code + tag, paths: list, getters: list.map(fieldGetter) };
  });
}

function layoutTag(paths: readonly string[]): string {
  return (fnv1a(paths.join(',')) % 1296).toString(36).padStart(2, '0');
}
