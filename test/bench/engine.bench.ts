/**
 * Engine benchmark: the compiled evaluator against the json-rules-engine reference, measured side
 * by side in one run (this machine is noisy, so the ratio is the figure that matters).
 * Run: npx tsx test/bench/engine.bench.ts [scenario]
 *
 * In process, three scenarios, each in a fresh child process (one bundle per process, as in the
 * server or `policy eval`; a second bundle in the same process would make every call site see two):
 *   shipped — the shipped refund.requested bundle, where few rules fire;
 *   twelve  — one 12-rule policy, the size DESIGN.md §7 measured json-rules-engine on;
 *   many-hit — a seeded random 20-rule policy where about 8 rules fire per decision, so building
 *              each decision's reasons is a large part of the cost (test/support/many-hit-policy.ts).
 * Then through `policy eval` as a process (what users and the outside check run), on the many-hit
 * policy: the CLI's own "evaluated N decisions in T ms" (evaluation only), compiled against
 * --engine reference, interleaved rounds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle, readPolicyDirectory, type Facts, type PreparedBundle } from '../../engine/index.js';
import { manyHitFacts, manyHitPolicyYaml } from '../support/many-hit-policy.js';

const scenarios = ['shipped', 'twelve', 'many-hit'] as const;
type Scenario = (typeof scenarios)[number];

const featuresOnly = () => readPolicyDirectory('policies').filter((s) => s.path.endsWith('features.yaml'));
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

function bundleOf(scenario: Scenario): PreparedBundle {
  const sources =
    scenario === 'shipped'
      ? readPolicyDirectory('policies')
      : [...featuresOnly(), scenario === 'twelve' ? { path: 'twelve.yaml', text: twelveRules } : { path: 'many-hits.yaml', text: manyHitPolicyYaml() }];
  const loaded = loadBundle(sources);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return loaded.bundle;
}

const facts: Facts[] = manyHitFacts(4096);
const now = Date.parse('2027-02-15T00:00:00Z');
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Rates are decisions per second of this process's CPU time (process.cpuUsage: user + system, all
 * threads, so the garbage collector's helpers count): ~7 processes share this 2-core machine, and
 * wall time would count the slices the scheduler gave to others. Each slice runs for `ms` of CPU time.
 */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function compiledRate(bundle: PreparedBundle, ms: number): number {
  let n = 0;
  let sink = 0;
  const started = cpuMs();
  while (cpuMs() - started < ms) {
    for (let i = 0; i < facts.length; i++) sink += bundle.evaluate('refund.requested', facts[i]!, now).reasons.length;
    n += facts.length;
  }
  if (sink < 0) console.log(sink);
  return n / ((cpuMs() - started) / 1000);
}

async function referenceRate(bundle: PreparedBundle, ms: number): Promise<number> {
  let n = 0;
  const started = cpuMs();
  while (cpuMs() - started < ms) {
    for (let i = 0; i < 64; i++) await bundle.evaluateReference('refund.requested', facts[n++ % facts.length]!, now);
  }
  return n / ((cpuMs() - started) / 1000);
}

async function inProcess(scenario: Scenario): Promise<void> {
  const bundle = bundleOf(scenario);
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
  let hits = 0;
  for (const f of facts) hits += bundle.evaluate('refund.requested', f, now).reasons.length;
  const policies = bundle.policiesAt('refund.requested');
  const rules = policies.reduce((n, p) => n + p.rules.length, 0);
  console.log(`engine in process: ${scenario} (${policies.length} policies, ${rules} rules, ${(hits / facts.length).toFixed(1)} firing per decision), ${facts.length} distinct fact sets, medians of 9 alternating rounds, per CPU-second`);
  console.log(`  reference (json-rules-engine 7.3.1, plain path resolver): ${fmt(median(references))} decisions/s`);
  console.log(`  compiled closures:                  ${fmt(median(compileds))} decisions/s  (goal >= 1,000,000; rounds ${fmt(Math.min(...compileds))}–${fmt(Math.max(...compileds))})`);
  console.log(`  ratio compiled/reference:           ${median(ratios).toFixed(0)}x  (goal >= 300x; rounds ${Math.round(Math.min(...ratios))}–${Math.round(Math.max(...ratios))}x)`);
}

/** `policy eval` on `lines` lines of the many-hit facts: the CLI's evaluation-only rate, per CPU-second (see cpuMs). */
function policyEvalRate(dir: string, engine: 'compiled' | 'reference', lines: number): number {
  const result = spawnSync(process.execPath, ['server/cli/bin.mjs', 'policy', 'eval', '--policies', join(dir, 'policies'), '--point', 'refund.requested', '--facts', join(dir, `facts-${lines}.ndjson`), '--engine', engine, '--now', '2027-02-15T00:00:00Z'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const match = /evaluated (\d+) decisions in ([\d.]+) ms \(([\d.]+) ms CPU\)/.exec(result.stderr);
  if (result.status !== 0 || match === null) throw new Error(`policy eval failed: ${result.stderr}`);
  return Number(match[1]) / (Number(match[3]) / 1000);
}

function throughPolicyEval(): void {
  const dir = mkdtempSync(join(tmpdir(), 'rg-engine-bench-'));
  try {
    const policyDir = join(dir, 'policies');
    spawnSync('mkdir', [policyDir]);
    copyFileSync('policies/features.yaml', join(policyDir, 'features.yaml'));
    writeFileSync(join(policyDir, 'many-hits.yaml'), manyHitPolicyYaml());
    // The reference takes ~0.3 ms a decision, so it reads 10k lines; the compiled side reads the same
    // 10k lines (ratio on the same file, start-up of the JIT included) and a 200k-line file (steady state).
    const shortLines = 10_000;
    const longLines = 200_000;
    const all = manyHitFacts(longLines, 7).map((f) => JSON.stringify(f));
    writeFileSync(join(dir, `facts-${longLines}.ndjson`), `${all.join('\n')}\n`);
    writeFileSync(join(dir, `facts-${shortLines}.ndjson`), `${all.slice(0, shortLines).join('\n')}\n`);
    const references: number[] = [];
    const shorts: number[] = [];
    const longs: number[] = [];
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      references.push(policyEvalRate(dir, 'reference', shortLines));
      shorts.push(policyEvalRate(dir, 'compiled', shortLines));
      longs.push(policyEvalRate(dir, 'compiled', longLines));
    }
    const ratios = (xs: number[]) => xs.map((x, i) => x / references[i]!);
    const line = (label: string, xs: number[]) => {
      const r = ratios(xs);
      console.log(`  ${label} ${fmt(median(xs))} decisions/s, ratio ${median(r).toFixed(0)}x  (goal >= 300x; rounds ${Math.round(Math.min(...r))}–${Math.round(Math.max(...r))}x)`);
    };
    console.log(`engine through \`policy eval\` (one process per run, evaluation CPU time as the CLI reports it): many-hit policy, medians of ${rounds} alternating rounds`);
    console.log(`  --engine reference (${shortLines} lines):  ${fmt(median(references))} decisions/s`);
    line(`--engine compiled (${shortLines} lines): `, shorts);
    line(`--engine compiled (${longLines} lines):`, longs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const only = process.argv[2];
if (only !== undefined) {
  if (!(scenarios as readonly string[]).includes(only) && only !== 'policy-eval') throw new Error(`unknown scenario ${only}: ${scenarios.join(', ')}, policy-eval`);
  if (only === 'policy-eval') throughPolicyEval();
  else await inProcess(only as Scenario);
} else {
  for (const scenario of [...scenarios, 'policy-eval']) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, scenario], { stdio: 'inherit' });
    if (child.status !== 0) process.exitCode = 1;
  }
}
