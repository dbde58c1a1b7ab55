/**
 * Event → log entry, and the compact text form the Redis store persists. The memory store builds the
 * very same `key` string, so both stores order and compare entries identically.
 */
import type { AccountEvent } from '../events/index.js';
import type { Entry } from './account-log.js';
import type { CompiledFeatures } from './compile.js';
import { idOfCode } from './id-code.js';
import type { TypeLayout } from './layout.js';

/**
 * An entry whose `key` is built only when asked (ties in ordering, the Redis encoding): the hot
 * in-order path of the memory store never builds it. `p` is the layout prefix (type code + tag).
 */
export class FieldEntry implements Entry {
  /** `eventId`: the id, or its idCode (see id-code.ts), as a pipelined replay sends it. */
  constructor(readonly t: number, readonly f: string[], private readonly eventId: string | number, private readonly p: string) {}
  get id(): string {
    return typeof this.eventId === 'string' ? this.eventId : idOfCode(this.eventId);
  }
  get key(): string {
    let key = this.p;
    for (const v of this.f) key += '|' + v;
    return key;
  }
}

/** The field list of every entry without fields: shared, never written. */
export const NO_FIELDS: string[] = [];
type Getter = (event: object) => string;

/** The entry of an account event, or undefined for an event type the catalogue does not know. */
export function extractEntry(compiled: CompiledFeatures, event: AccountEvent, t: number): FieldEntry | undefined {
  const ti = compiled.typeIndex.get(event.type);
  const layout = ti === undefined ? undefined : compiled.layouts[ti];
  if (layout === undefined) return undefined;
  return entryOf(layout, event, t);
}

/** The entry of an event of a known layout. */
export function entryOf(layout: TypeLayout, event: AccountEvent, t: number): FieldEntry {
  return new FieldEntry(t, fieldsOf(layout, event), event.eventId, layout.prefix);
}

/** The field values an entry of this layout keeps. Layouts without fields share one empty (never written) list. */
export function fieldsOf(layout: TypeLayout, event: AccountEvent): string[] {
  const g = layout.getters;
  // Literals for the usual sizes: packed arrays of exactly the right length.
  switch (g.length) {
    case 0: return NO_FIELDS;
    case 1: return [(g[0] as Getter)(event)];
    case 2: return [(g[0] as Getter)(event), (g[1] as Getter)(event)];
    case 3: return [(g[0] as Getter)(event), (g[1] as Getter)(event), (g[2] as Getter)(event)];
    default: return g.map((get) => get(event));
  }
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
