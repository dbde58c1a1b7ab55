/**
 * The event fields through which one account's features read another's: the `via` fields of
 * `linked` features (devices, addresses) and the `field` of `shared` ones (evidence fingerprints),
 * as the feature definitions of both bundles name them. Accounts sharing a value of one of these
 * must replay in one shard, or those features would only see the part of the group in each shard.
 */
import type { FeatureDefinitions } from '../../engine/features/index.js';
import { fieldGetter } from '../../engine/features/layout.js';

export interface LinkField {
  path: string;
  /** The path's values in an event, joined by ',' (values are escaped: a ',' never splits one). */
  get(event: object): string;
}

export interface LinkFields {
  /** Event type → its fields that link accounts. */
  readonly byType: ReadonlyMap<string, readonly LinkField[]>;
  /**
   * The last name of each path (`deviceId`, `sha256`): a compact line is scanned for these keys
   * at any depth and in events of any type, which links at least the accounts the features link.
   */
  readonly keys: readonly string[];
}

export function linkFieldsOf(definitions: readonly FeatureDefinitions[]): LinkFields {
  const paths = new Map<string, Set<string>>();
  for (const { features } of definitions) {
    for (const f of features) {
      if (f.kind !== 'linked' && f.kind !== 'shared') continue;
      const fields = f.kind === 'linked' ? f.via : [f.field];
      for (const type of f.events) {
        let set = paths.get(type);
        if (set === undefined) paths.set(type, (set = new Set()));
        for (const p of fields) set.add(p);
      }
    }
  }
  const byType = new Map<string, LinkField[]>();
  const keys = new Set<string>();
  for (const [type, set] of paths) {
    byType.set(type, [...set].sort().map((path) => ({ path, get: fieldGetter(path) })));
    for (const p of set) keys.add(p.slice(p.lastIndexOf('.') + 1));
  }
  return { byType, keys: [...keys].sort() };
}
