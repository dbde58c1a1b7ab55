import type { Facts } from '../../engine/index.js';

/**
 * A seeded random policy of the shape that makes building the decision the main cost: about
 * 20 refund.requested rules of mixed actions, about 8 of which fire per decision on
 * `manyHitFacts`. Shared by the engine bench (in process and through `policy eval`) and the
 * differential test, so the shape the bench measures is the shape the reference checks.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  // mulberry32: small, fast and good enough to spread thresholds and facts.
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const actions = ['approve', 'return_first', 'reject_allowed'] as const;

/** One comparison that holds on roughly `chance` of manyHitFacts (the facts are uniform, see there). */
function comparisonWithChance(random: () => number, chance: number): string {
  switch (Math.floor(random() * 4)) {
    case 0:
      return `account.orders90d: { gte: ${Math.round(12 * (1 - chance))} }`;
    case 1:
      return `account.refundRate90d: { gt: ${(1 - chance).toFixed(3)} }`;
    case 2:
      return `refund.amount: { lt: ${Math.round(300 * chance)} }`;
    default:
      return `account.refunds90d: { lte: ${Math.max(0, Math.round(6 * chance) - 1)} }`;
  }
}

export interface ManyHitOptions {
  seed?: number;
  rules?: number;
  /** About the share of manyHitFacts each rule fires on. */
  hitChance?: number;
  id?: string;
  mode?: 'enforce' | 'shadow';
}

/** YAML text of the policy: `rules` rules (20 by default), each firing on about `hitChance` (0.4) of manyHitFacts. */
export function manyHitPolicyYaml({ seed = 18, rules = 20, hitChance = 0.4, id = 'many-hits', mode = 'enforce' }: ManyHitOptions = {}): string {
  const random = seededRandom(seed);
  const lines = [`id: ${id}`, `version: 1`, `point: refund.requested`, `rollout: { mode: ${mode} }`, `rules:`];
  for (let i = 0; i < rules; i++) {
    // all[a, any[b, c]]: P = pa * (1 - (1 - pb)(1 - pc)); with pa = 0.6 and pb = pc chosen to land near hitChance.
    const pa = 0.6;
    const anyChance = Math.min(0.99, hitChance / pa);
    const pb = 1 - Math.sqrt(1 - anyChance);
    const shape = Math.floor(random() * 3);
    const a = comparisonWithChance(random, pa);
    const b = comparisonWithChance(random, pb);
    const c = comparisonWithChance(random, pb);
    lines.push(`  - id: r${i}`);
    lines.push(`    when:`);
    lines.push(`      all:`);
    lines.push(`        - ${a}`);
    if (shape === 0) lines.push(`        - any: [{ ${b} }, { ${c} }]`);
    else if (shape === 1) lines.push(`        - any: [{ ${b} }, { all: [{ ${c} }, { not: { merchant.category: { eq: fresh-food } } }] }]`);
    else lines.push(`        - any: [{ ${b} }, { refund.type: { in: [fast_refund] } }]`);
    lines.push(`    then: { action: ${actions[Math.floor(random() * actions.length)]}, reason: many-hit rule ${i} }`);
  }
  return `${lines.join('\n')}\n`;
}

/** `count` fact sets with uniform values (the thresholds above assume it), seeded. */
export function manyHitFacts(count: number, seed = 42): Facts[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => ({
    account: {
      id: `a${i}`,
      orders90d: Math.floor(random() * 12),
      refunds90d: Math.floor(random() * 6),
      refundRate90d: random(),
      forgedEvidence365d: random() < 0.05 ? 1 + Math.floor(random() * 2) : 0,
      upheldComplaints365d: random() < 0.05 ? 1 : 0,
      activeRestrictions: random() < 0.02 ? 1 : 0,
      linkedFlaggedAccounts365d: random() < 0.03 ? 2 : 0,
      distinctMerchantsRefunded30d: Math.floor(random() * 4),
    },
    merchant: {
      id: `m-${i % 500}`,
      category: pick(['apparel', 'electronics', 'fresh-food', 'home']),
      cohorts: i % 10 === 0 ? ['pilot-one-click'] : [],
      settings: { interceptAbnormalRefunds: random() < 0.5, oneClickReject: random() < 0.3 },
    },
    refund: { type: pick(['fast_refund', 'refund_only', 'return_refund']), amount: Math.round(random() * 300) },
  }));
}
