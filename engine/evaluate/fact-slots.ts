import { pathGetter, type Getter } from '../facts/read-path.js';
import type { Facts } from '../compile/closures.js';

/**
 * Every fact path a decision point's policies read gets a slot number. A decision reads each
 * path once into a slot array; rule closures then read slots by constant index. Reading facts
 * by name inside closures that share code makes property loads megamorphic, and the same path
 * would be read again by every rule that names it.
 */
export class FactSlots {
  readonly paths: readonly string[];
  private readonly index: ReadonlyMap<string, number>;
  /** Paths grouped by root, so each root object is looked up once per decision; flat arrays keep the loop tight. */
  private readonly rootNames: readonly string[];
  private readonly rootFields: readonly (readonly string[])[];
  private readonly rootSlots: readonly (readonly number[])[];
  /** Paths more than one level below their root (merchant.settings.x), walked generically. */
  private readonly deep: readonly { root: string; slot: number; read: Getter }[];

  constructor(paths: Iterable<string>) {
    this.paths = [...new Set(paths)].sort();
    this.index = new Map(this.paths.map((p, i) => [p, i]));
    const byRoot = new Map<string, { fields: string[]; slots: number[] }>();
    const deep: { root: string; slot: number; read: Getter }[] = [];
    this.paths.forEach((path, slot) => {
      const [root, ...rest] = path.split('.') as [string, ...string[]];
      if (rest.length > 1) {
        deep.push({ root, slot, read: pathGetter(rest) });
        return;
      }
      const group = byRoot.get(root) ?? { fields: [], slots: [] };
      group.fields.push(rest[0]!);
      group.slots.push(slot);
      byRoot.set(root, group);
    });
    this.rootNames = [...byRoot.keys()];
    this.rootFields = [...byRoot.values()].map((g) => g.fields);
    this.rootSlots = [...byRoot.values()].map((g) => g.slots);
    this.deep = deep;
  }

  slotOf(path: string): number {
    const slot = this.index.get(path);
    if (slot === undefined) throw new RangeError(`no slot for fact path ${path}`);
    return slot;
  }

  get size(): number {
    return this.paths.length;
  }

  /** Reads every path into `into` (reused by the caller); missing values are undefined. */
  fill(facts: Facts, into: unknown[]): unknown[] {
    const { rootNames, rootFields, rootSlots } = this;
    for (let r = 0; r < rootNames.length; r++) {
      const root = facts[rootNames[r]!];
      const fields = rootFields[r]!;
      const slots = rootSlots[r]!;
      if (root === null || typeof root !== 'object') {
        for (let i = 0; i < slots.length; i++) into[slots[i]!] = undefined;
        continue;
      }
      for (let i = 0; i < fields.length; i++) into[slots[i]!] = (root as Record<string, unknown>)[fields[i]!];
    }
    for (const { root, slot, read } of this.deep) into[slot] = read(facts[root]);
    return into;
  }
}
