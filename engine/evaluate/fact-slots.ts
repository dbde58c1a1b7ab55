import { pathGetter, type Getter } from '../facts/read-path.js';
import type { Facts } from '../compile/closures.js';
import { internalized, load, loadSiteFor } from '../facts/load-site.js';

/**
 * Every fact path a decision point's policies read gets a slot number. A decision reads each
 * path once into a slot array; rule closures then read slots by constant index, so the same
 * path is never read twice and the closures never touch fact objects at all.
 */
export class FactSlots {
  readonly paths: readonly string[];
  private readonly index: ReadonlyMap<string, number>;
  /** Root facts read once per decision (account, merchant, …), each with its load site. */
  private readonly roots: readonly string[];
  private readonly rootSites: readonly number[];
  private readonly rootValues: (Readonly<Record<string, unknown>> | undefined)[];
  /** One-level paths in slot order: root position, field, load site; slotRoot is -1 for deep paths. */
  private readonly slotRoot: readonly number[];
  private readonly slotField: readonly string[];
  private readonly slotSite: readonly number[];
  /** Paths more than one level below their root (merchant.settings.x), walked generically. */
  private readonly deep: readonly { root: string; slot: number; read: Getter }[];

  constructor(paths: Iterable<string>) {
    this.paths = [...new Set(paths)].sort();
    this.index = new Map(this.paths.map((p, i) => [p, i]));
    const roots: string[] = [];
    const slotRoot: number[] = [];
    const slotField: string[] = [];
    const deep: { root: string; slot: number; read: Getter }[] = [];
    this.paths.forEach((path, slot) => {
      const [root, ...rest] = path.split('.') as [string, ...string[]];
      if (rest.length > 1) {
        deep.push({ root, slot, read: pathGetter(rest) });
        slotRoot.push(-1);
        slotField.push('');
        return;
      }
      let at = roots.indexOf(root);
      if (at < 0) at = roots.push(root) - 1;
      slotRoot.push(at);
      slotField.push(internalized(rest[0]!));
    });
    this.roots = roots.map(internalized);
    this.rootSites = this.roots.map(loadSiteFor);
    this.rootValues = new Array<undefined>(roots.length).fill(undefined);
    this.slotRoot = slotRoot;
    this.slotField = slotField;
    this.slotSite = slotField.map(loadSiteFor);
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
    const { roots, rootSites, rootValues, slotRoot, slotField, slotSite } = this;
    for (let r = 0; r < roots.length; r++) {
      const value = load(rootSites[r]!, facts, roots[r]!);
      rootValues[r] = value !== null && typeof value === 'object' ? (value as Readonly<Record<string, unknown>>) : undefined;
    }
    for (let slot = 0; slot < slotRoot.length; slot++) {
      const at = slotRoot[slot]!;
      if (at < 0) continue;
      const root = rootValues[at];
      into[slot] = root === undefined ? undefined : load(slotSite[slot]!, root, slotField[slot]!);
    }
    const deep = this.deep;
    for (let i = 0; i < deep.length; i++) {
      const { root, slot, read } = deep[i]!;
      into[slot] = read(facts[root]);
    }
    for (let r = 0; r < rootValues.length; r++) rootValues[r] = undefined; // hold no reference to this decision's facts
    return into;
  }
}
