/**
 * The fields each event type carries, derived from the JSON Schemas, addressed by dotted path
 * ("refund.type", "evidence.sha256"). Feature definitions are checked against this catalogue so a
 * typo in a filter is a load error rather than a feature that is silently always 0.
 */
import { eventSchemas, type JsonSchema } from './schemas.js';
import { eventTypes, type EventType } from './types.js';

export interface EventFieldInfo {
  /** JSON type of the leaf ("string", "number", "integer", "boolean", or "enum" for closed sets). */
  type: string;
  /** Allowed values when the leaf is an enum. */
  values?: readonly string[];
  /** True when the path crosses an array, so one event can carry several values. */
  multi: boolean;
}

function walk(schema: JsonSchema, prefix: string, multi: boolean, out: Map<string, EventFieldInfo>): void {
  const props = schema['properties'] as Record<string, JsonSchema> | undefined;
  if (props === undefined) return;
  for (const [key, sub] of Object.entries(props)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (sub['type'] === 'object' && sub['properties'] !== undefined) walk(sub, path, multi, out);
    else if (sub['type'] === 'array') {
      const items = sub['items'] as JsonSchema;
      if (items['type'] === 'object') walk(items, path, true, out);
      else out.set(path, { type: String(items['type'] ?? 'string'), multi: true });
    } else if (Array.isArray(sub['enum'])) out.set(path, { type: 'enum', values: sub['enum'].map(String), multi });
    else if ('const' in sub) out.set(path, { type: 'enum', values: [String(sub['const'])], multi });
    else if (typeof sub['type'] === 'string') out.set(path, { type: sub['type'], multi });
    else if (sub['type'] === undefined && sub['additionalProperties'] !== undefined) continue;
  }
}

export const eventFieldCatalogue: ReadonlyMap<EventType, ReadonlyMap<string, EventFieldInfo>> = new Map(
  eventTypes.map((type) => {
    const fields = new Map<string, EventFieldInfo>();
    walk(eventSchemas[type], '', false, fields);
    return [type, fields] as const;
  }),
);
