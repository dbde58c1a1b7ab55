import { pathGetter, type Getter } from '../facts/read-path.js';
import type { Facts } from '../compile/closures.js';
import { internalized, load, loadSiteFor } from '../facts/load-site.js';
import { factRootIndex, type FactLayers } from './fact-layers.js';

/**
 * Every fact path a decision point's policies read gets a slot number. A decision reads each
 * path once into a slot array; rule closures then read slots by constant index, so the same
 * path is never read twice and the closures never touch fact objects at all.
 */
export class FactSlots {
  readonly paths: readonly string[];
  private readonly index: ReadonlyMap<string, number>;
  /**
   * Root facts read once per decision (account, merchant, …), each with its load site. Paths are
   * sorted, so a root's paths are the contiguous slots [rootStart, rootEnd).
   */
  private readonly roots: readonly string[];
  private readonly rootSites: readonly number[];
  private readonly rootStart: readonly number[];
  private readonly rootEnd: readonly number[];
  /** Per slot: the field below the root and its load site; -1 for deeper paths. */
  private readonly slotField: readonly string[];
  private readonly slotSite: readonly number[];
  /** Paths more than one level below their root (merchant.settings.x), walked generically. */
  private readonly deep: readonly { root: string; slot: number; read: Getter }[];
  /** For fillLayered: each root's place in FactLayers, and each deep path's first field with what reads the rest from it. */
  private readonly rootLayer: readonly number[];
  private readonly deepLayered: readonly { root: number; slot: number; first: string; site: number; rest: Getter }[];

  constructor(paths: Iterable<string>) {
    this.paths = [...new Set(paths)].sort();
    this.index = new Map(this.paths.map((p, i) => [p, i]));
    const roots: string[] = [];
    const rootStart: number[] = [];
    const rootEnd: number[] = [];
    const slotField: string[] = [];
    const slotSite: number[] = [];
    const deep: { root: string; slot: number; read: Getter }[] = [];
    const deepLayered: { root: number; slot: number; first: string; site: number; rest: Getter }[] = [];
    this.paths.forEach((path, slot) => {
      const [root, ...rest] = path.split('.') as [string, ...string[]];
      if (roots[roots.length - 1] !== root) {
        if (roots.includes(root)) throw new Error(`fact paths of root "${root}" are not contiguous`); // cannot happen: sorted
        roots.push(root);
        rootStart.push(slot);
        rootEnd.push(slot);
      }
      rootEnd[rootEnd.length - 1] = slot + 1;
      if (rest.length > 1) {
        deep.push({ root, slot, read: pathGetter(rest) });
        const first = internalized(rest[0]!);
        deepLayered.push({ root: factRootIndex(root), slot, first, site: loadSiteFor(first), rest: pathGetter(rest.slice(1)) });
        slotField.push('');
        slotSite.push(-1);
        return;
      }
      const field = internalized(rest[0]!);
      slotField.push(field);
      slotSite.push(loadSiteFor(field));
    });
    this.roots = roots.map(internalized);
    this.rootSites = this.roots.map(loadSiteFor);
    this.rootStart = rootStart;
    this.rootEnd = rootEnd;
    this.slotField = slotField;
    this.slotSite = slotSite;
    this.deep = deep;
    this.rootLayer = roots.map(factRootIndex);
    this.deepLayered = deepLayered;
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
    const { roots, rootSites, rootStart, rootEnd, slotField, slotSite } = this;
    for (let r = 0; r < roots.length; r++) {
      const value = load(rootSites[r]!, facts, roots[r]!);
      const root = value !== null && typeof value === 'object' ? (value as Readonly<Record<string, unknown>>) : undefined;
      const end = rootEnd[r]!;
      for (let slot = rootStart[r]!; slot < end; slot++) {
        const site = slotSite[slot]!;
        if (site >= 0) into[slot] = root === undefined ? undefined : load(site, root, slotField[slot]!);
      }
    }
    const deep = this.deep;
    for (let i = 0; i < deep.length; i++) {
      const { root, slot, read } = deep[i]!;
      into[slot] = read(facts[root]);
    }
    return into;
  }

  /** fill() of the facts the layers merge into, read from the layers (see FactLayers): the same values. */
  fillLayered(layers: FactLayers, into: unknown[]): unknown[] {
    const { rootLayer, rootStart, rootEnd, slotField, slotSite } = this;
    for (let r = 0; r < rootLayer.length; r++) {
      const root = rootLayer[r]!;
      const present = root >= 0 && layers.has(root);
      const end = rootEnd[r]!;
      for (let slot = rootStart[r]!; slot < end; slot++) {
        const site = slotSite[slot]!;
        if (site >= 0) into[slot] = present ? layers.read(root, site, slotField[slot]!) : undefined;
      }
    }
    const deep = this.deepLayered;
    for (let i = 0; i < deep.length; i++) {
      const { root, slot, first, site, rest } = deep[i]!;
      into[slot] = root >= 0 && layers.has(root) ? rest(layers.read(root, site, first)) : undefined;
    }
    return into;
  }
}
