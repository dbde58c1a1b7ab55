/**
 * Buyer archetypes with ground truth. Each account gets one for life; the archetype decides
 * how often it orders, how often it asks for refunds, and what share of those refunds are
 * abuse. Shares are of newly arriving "units" (a ring is one unit of 3–8 accounts), tuned so
 * roughly 85% of accounts are honest or occasional returners and refunds are ~10–15% of
 * orders overall (see the summary test).
 */

export const ARCHETYPES = [
  'honest',
  'occasional-returner',
  'serial-refunder',
  'forged-evidence',
  'package-fraud',
  'ring',
] as const;

export type Archetype = (typeof ARCHETYPES)[number];

export const A = {
  honest: 0,
  occasionalReturner: 1,
  serialRefunder: 2,
  forgedEvidence: 3,
  packageFraud: 4,
  ring: 5,
} as const;

export interface Profile {
  /** Share of new units (a ring unit brings 3–8 accounts). */
  unitShare: number;
  /** Relative chance of being the buyer when an existing account is picked (0–1]. */
  activity: number;
  /** Chance that an order leads to a refund request. */
  refundRate: number;
  /** Share of those refund requests that are abuse; the rest behave like honest ones. */
  abuseShare: number;
}

/** Indexed by the A codes above. */
export const PROFILES: readonly Profile[] = [
  { unitShare: 0.745, activity: 0.45, refundRate: 0.04, abuseShare: 0 },
  { unitShare: 0.135, activity: 0.55, refundRate: 0.2, abuseShare: 0 },
  { unitShare: 0.05, activity: 0.8, refundRate: 0.35, abuseShare: 0.85 },
  { unitShare: 0.03, activity: 0.6, refundRate: 0.3, abuseShare: 0.9 },
  { unitShare: 0.03, activity: 0.6, refundRate: 0.25, abuseShare: 0.9 },
  { unitShare: 0.01, activity: 0.9, refundRate: 0.35, abuseShare: 0.95 },
];

export function profileOf(archetype: number): Profile {
  const p = PROFILES[archetype];
  if (!p) throw new RangeError(`unknown archetype ${archetype}`);
  return p;
}
