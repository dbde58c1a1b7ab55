import { draw, weighted } from './random.js';
import type { Random } from './random.js';

/**
 * The merchant catalog: category, cohorts and protection settings, announced once by a
 * `merchant.updated` event at the start of the history so a replay knows every store's
 * configuration before its first order.
 */

export const CATEGORIES = ['apparel', 'electronics', 'fresh-food', 'home', 'beauty'] as const;
export type Category = (typeof CATEGORIES)[number];

const CATEGORY_MIX = weighted<Category>([
  ['apparel', 30],
  ['electronics', 15],
  ['fresh-food', 15],
  ['home', 20],
  ['beauty', 20],
]);

/** Cohorts and the share of merchants in each (exact counts, at least one merchant). */
const COHORT_SHARES: ReadonlyArray<readonly [string, number]> = [
  ['pilot-one-click', 0.1],
  ['high-quality', 0.2],
  ['pilot-2027q1', 0.15],
];

export interface MerchantCatalog {
  count: number;
  ids: string[];
  /** Index into CATEGORIES. */
  category: Uint8Array;
  /** JSON body (after `at`) of each merchant's merchant.updated event. */
  bodies: string[];
}

export function defaultMerchantCount(orders: number): number {
  return Math.min(2000, Math.max(10, Math.round(orders / 400)));
}

export function createMerchants(count: number, rng: Random): MerchantCatalog {
  const ids = Array.from({ length: count }, (_, i) => `m${i + 1}`);
  const category = new Uint8Array(count);
  for (let i = 0; i < count; i++) category[i] = CATEGORIES.indexOf(draw(rng, CATEGORY_MIX));

  // Exact shares rather than per-merchant coin flips, so small catalogs still have every cohort.
  const members = COHORT_SHARES.map(([, share]) => pickSubset(count, Math.max(1, Math.round(share * count)), rng));
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const cohorts: string[] = [];
    COHORT_SHARES.forEach(([name], k) => {
      if (members[k]!.has(i)) cohorts.push(name);
    });
    const cat = CATEGORIES[category[i]!]!;
    cohorts.push(cat);
    const oneClick = members[0]!.has(i); // the one-click pilot is exactly the merchants who turned it on
    const intercept = rng.chance(0.5);
    bodies.push(
      `"merchantId":"${ids[i]}","settings":{"interceptAbnormalRefunds":${intercept},"oneClickReject":${oneClick}},` +
        `"cohorts":${JSON.stringify(cohorts)},"category":"${cat}"`,
    );
  }
  return { count, ids, category, bodies };
}

/**
 * Popular stores take most orders: index = floor(n·u²) gives a density ∝ 1/√x, a cheap
 * heavy head without a lookup table.
 */
export function pickMerchant(catalog: MerchantCatalog, rng: Random): number {
  const u = rng.next();
  return Math.floor(catalog.count * u * u);
}

function pickSubset(n: number, k: number, rng: Random): Set<number> {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k && i < n; i++) {
    const j = rng.int(i, n - 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return new Set(order.slice(0, k));
}
