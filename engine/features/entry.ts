/**
 * Event → log entry, and the compact text form the Redis store persists. The memory store builds the
 * very same `key` string, so both stores order and compare entries identically.
 */
import type { AccountEvent } from '../events/index.js';
import type { Entry } from './account-log.js';
import type { CompiledFeatures } from './compile.js';

/** The entry of an account event, or undefined for an event type the catalogue does not know. */
export function extractEntry(compiled: CompiledFeatures, event: AccountEvent, t: number): Entry | undefined {
  const ti = compiled.typeIndex.get(event.type);
  const layout = ti === undefined ? undefined : compiled.layouts[ti];
  if (layout === undefined) return undefined;
  const f: string[] = [];
  let key = layout.code + layout.tag;
  for (const get of layout.getters) {
    const v = get(event);
    f.push(v);
    key += '|' + v;
  }
  return { t, key, f, id: event.eventId };
}

/** Hash value stored in Redis: "<t base36>|<key>". */
export function encodeEntryValue(entry: Entry): string {
  return entry.t.toString(36) + '|' + entry.key;
}

/**
 * Parses a stored value. Entries written under a different field layout (definitions changed since)
 * keep their type and time but read as having no fields, rather than being misread.
 */
export function decodeEntryValue(compiled: CompiledFeatures, id: string, value: string): { ti: number; entry: Entry } | undefined {
  const bar = value.indexOf('|');
  if (bar <= 0) return undefined;
  const t = parseInt(value.slice(0, bar), 36);
  const key = value.slice(bar + 1);
  const ti = key.charCodeAt(0) - 97;
  const layout = compiled.layouts[ti];
  if (layout === undefined || Number.isNaN(t)) return undefined;
  const n = layout.paths.length;
  let f: string[];
  if (key.slice(1, 3) === layout.tag) f = n === 0 ? [] : key.slice(4).split('|');
  else f = new Array<string>(n).fill('');
  if (f.length !== n) f = new Array<string>(n).fill('');
  return { ti, entry: { t, key, f, id } };
}
