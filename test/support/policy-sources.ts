import type { SourceFile } from '../../engine/index.js';

/** A minimal feature file for tests that build bundles in memory. */
export const testFeaturesYaml = `features:
  orders90d: { kind: count, events: order.placed, windowDays: 90 }
  refunds90d: { kind: count, events: refund.requested, windowDays: 90 }
  refundRate90d: { kind: ratio, numerator: refunds90d, denominator: orders90d }
  forgedEvidence365d: { kind: count, events: evidence.appraised, windowDays: 365, where: { verdict: forged } }
`;

export function sources(files: Record<string, string>, withFeatures = true): SourceFile[] {
  const all: Record<string, string> = withFeatures ? { 'features.yaml': testFeaturesYaml, ...files } : files;
  return Object.entries(all).map(([path, text]) => ({ path, text }));
}
