import { load } from '../facts/load-site.js';

/**
 * The roots a decision's facts have (assembleFacts builds exactly these), and their places in
 * FactLayers. A policy path under any other root reads nothing.
 */
export const factRoots = ['account', 'merchant', 'order', 'refund', 'complaint', 'evidence', 'context'] as const;

const MAX_LAYERS = 3;
const none: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A decision's facts as assembleFacts would merge them, unmerged: per root, up to three objects,
 * a later one's field winning over an earlier one's, as Object.assign({}, ...layers) would have it.
 * Reading a field walks the layers from the last, instead of copying every field of every layer into
 * a new object per root and decision, which is most of what assembling facts costs. Fields are never
 * explicitly undefined in these objects (they come from JSON and from the stores), so "the last layer
 * whose field is not undefined" is the merged object's field.
 *
 * One instance is filled again for each decision (evaluation is synchronous); it is read, never kept.
 */
export class FactLayers {
  private readonly layers: Readonly<Record<string, unknown>>[] = new Array(factRoots.length * MAX_LAYERS).fill(none);
  private readonly counts: number[] = new Array(factRoots.length).fill(0);
  private readonly present: boolean[] = new Array(factRoots.length).fill(false);

  /**
   * Root `root` (an index into factRoots) is Object.assign({}, a, b, c): present whatever `a` is
   * (a source that is not an object adds no field).
   */
  merged(root: number, a: unknown, b?: object, c?: object): void {
    const at = root * MAX_LAYERS;
    let n = 0;
    if (a !== null && typeof a === 'object') this.layers[at + n++] = a as Readonly<Record<string, unknown>>;
    if (b !== undefined) this.layers[at + n++] = b as Readonly<Record<string, unknown>>;
    if (c !== undefined) this.layers[at + n++] = c as Readonly<Record<string, unknown>>;
    this.counts[root] = n;
    this.present[root] = true;
  }

  /** Root `root` is `value` itself: present when it is an object. */
  single(root: number, value: unknown): void {
    const isObject = value !== null && typeof value === 'object';
    if (isObject) this.layers[root * MAX_LAYERS] = value as Readonly<Record<string, unknown>>;
    this.counts[root] = isObject ? 1 : 0;
    this.present[root] = isObject;
  }

  /** Whether the root is present (an object in the merged facts). */
  has(root: number): boolean {
    return this.present[root] as boolean;
  }

  /** The merged root's field `name` (its load site `site`, see load-site.ts). */
  read(root: number, site: number, name: string): unknown {
    const at = root * MAX_LAYERS;
    for (let k = (this.counts[root] as number) - 1; k >= 0; k--) {
      const value = load(site, this.layers[at + k] as Readonly<Record<string, unknown>>, name);
      if (value !== undefined) return value;
    }
    return undefined;
  }
}

/** The place of a root name in factRoots, -1 for any other name. */
export function factRootIndex(name: string): number {
  return (factRoots as readonly string[]).indexOf(name);
}
