/**
 * Engine benchmark: the compiled evaluator against the json-rules-engine reference on the shipped
 * refund.requested policies, measured side by side in one run (this machine is noisy, so the
 * ratio is the figure that matters). Run: npx tsx test/bench/engine.bench.ts
 */
import { loadBundle, readPolicyDirectory, type Facts, type PreparedBundle } from '../../engine/index.js';

const loaded = loadBundle(readPolicyDirectory('policies'));
if (!loaded.ok) throw new Error('shipped policies do not load');
const shipped = loaded.bundle;

/** A second scenario: one 12-rule policy, the size DESIGN.md §7 measured json-rules-engine on. */
const twelveRules = `id: twelve
version: 1
point: refund.requested
rollout: { mode: enforce }
rules:
${Array.from({ length: 12 }, (_, i) => `  - id: r${i}
    when:
      all:
        - refund.type: { in: [fast_refund, refund_only] }
        - account.orders90d: { gte: ${i % 6} }
        - any:
            - account.refundRate90d: { gt: ${(0.5 + i / 40).toFixed(3)} }
            - account.forgedEvidence365d: { gte: ${1 + (i % 2)} }
        - not: { merchant.category: { eq: fresh-food } }
    then: { action: ${i % 3 === 0 ? 'reject_allowed' : 'return_first'}, reason: rule ${i} }`).join('\n')}
`;
const twelveLoaded = loadBundle([...readPolicyDirectory('policies').filter((s) => s.path.endsWith('features.yaml')), { path: 'twelve.yaml', text: twelveRules }]);
if (!twelveLoaded.ok) throw new Error(twelveLoaded.problems.map((p) => p.message).join('\n'));

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const facts: Facts[] = Array.from({ length: 4096 }, (_, i) => ({
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
const now = Date.parse('2027-02-15T00:00:00Z');

function compiledRate(bundle: PreparedBundle, ms: number): number {
  let n = 0;
  let sink = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < facts.length; i++) sink += bundle.evaluate('refund.requested', facts[i]!, now).reasons.length;
    n += facts.length;
  }
  if (sink < 0) console.log(sink);
  return n / ((performance.now() - started) / 1000);
}

async function referenceRate(bundle: PreparedBundle, ms: number): Promise<number> {
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    await bundle.evaluateReference('refund.requested', facts[n % facts.length]!, now);
    n += 1;
  }
  return n / ((performance.now() - started) / 1000);
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
for (const [name, bundle] of [['shipped refund.requested bundle', shipped], ['one 12-rule policy', twelveLoaded.bundle]] as const) {
  compiledRate(bundle, 500); // warm-up
  await referenceRate(bundle, 300);
  // Short alternating slices, the ratio taken per round: the host's speed drifts over seconds,
  // and one long run of each side would compare two different machines.
  const references: number[] = [];
  const compileds: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < 9; round++) {
    const reference = await referenceRate(bundle, 350);
    const compiled = compiledRate(bundle, 350);
    references.push(reference);
    compileds.push(compiled);
    ratios.push(compiled / reference);
  }
  const rules = bundle.policiesAt('refund.requested').reduce((n, p) => n + p.rules.length, 0);
  console.log(`engine: ${name} (${bundle.policiesAt('refund.requested').length} policies, ${rules} rules), ${facts.length} distinct fact sets, medians of 9 alternating rounds`);
  console.log(`  reference (json-rules-engine 7.3.1, plain path resolver): ${fmt(median(references))} decisions/s`);
  console.log(`  compiled closures:                  ${fmt(median(compileds))} decisions/s  (goal >= 1,000,000)`);
  console.log(`  ratio compiled/reference:           ${median(ratios).toFixed(0)}x  (goal >= 300x; rounds ${Math.round(Math.min(...ratios))}–${Math.round(Math.max(...ratios))}x)`);
}
