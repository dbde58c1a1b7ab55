/**
 * Simulator throughput against the floor set by reading the file at all.
 * Run with `npx tsx test/bench/simulate.bench.ts [orders] [rounds]` (not a vitest test).
 * The two sides alternate, ROUNDS times (default 3), and the medians are compared: this machine's
 * speed drifts by 15-30% within a minute, and a single pair of runs can land on either side of it.
 * Goals on the 2-core reference machine: simulate ≥ 0.5× the bare chunked split + JSON.parse
 * rate, peak RSS < 1.5 GiB, for a 1M-order history (~1.35M lines).
 * The floor (a) is exactly that: 1 MiB chunks, UTF-8 decoding, split, JSON.parse; it is written out
 * in test/support/bare-parse.mjs so it stays the same whatever the simulator's own reader learns. (a') runs the same parse
 * through the simulator's reader (forEachLine, with its ASCII fast path) and is printed as a
 * stricter, informative ratio.
 * (b) uses a candidate that differs from the shipped policies (serial-refunder threshold), so
 * flips are tallied and samples kept as in real use.
 * The script runs with the Node flags the CLI's `simulate` runs with (SIMULATE_NODE_FLAGS), relaunching
 * itself when started without them; the bare parse runs in the same process, under the same flags.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle, readPolicyDirectory } from '../../engine/index.js';
import { generateHistoryToFile } from '../../simulator/history/index.js';
import { forEachLine, simulateHistory } from '../../simulator/index.js';
import { SIMULATE_NODE_FLAGS } from '../../simulator/node-flags.js';
import { ensureNodeFlags } from '../../server/cli/relaunch.js';
import { bareChunkedParse } from '../support/bare-parse.mjs';

ensureNodeFlags(SIMULATE_NODE_FLAGS);

const orders = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const dir = mkdtempSync(join(tmpdir(), 'simulate-bench-'));
const file = join(dir, 'history.ndjson');
const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
try {
  const generated = await generateHistoryToFile({ orders, seed: 'bench' }, file);
  console.log(`node flags   ${SIMULATE_NODE_FLAGS.join(' ')} (as the CLI's simulate)`);
  console.log(`history      ${generated.events} lines, ${mib(statSync(file).size)}, generated in ${(generated.durationMs / 1000).toFixed(1)} s`);

  const policies = join(process.cwd(), 'policies');
  const candidateDir = join(dir, 'candidate');
  cpSync(policies, candidateDir, { recursive: true });
  const policyFile = join(candidateDir, 'intercept-abnormal-fast-refund.yaml');
  writeFileSync(policyFile, readFileSync(policyFile, 'utf8').replace('refundRate90d: { gt: 0.6 }', 'refundRate90d: { gt: 0.4 }').replace(/^version: (\d+)/m, (_, v: string) => `version: ${Number(v) + 1}`));
  const baseline = loadBundle(readPolicyDirectory(policies));
  if (!baseline.ok) throw new Error('shipped policies do not load');
  const candidate = loadBundle(readPolicyDirectory(candidateDir), { previous: baseline.bundle });
  if (!candidate.ok) throw new Error('candidate policies do not load');

  const parseRates: number[] = [];
  const simRates: number[] = [];
  const ratios: number[] = [];
  const readerRatios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    // (a) The floor: a bare chunked JSON.parse of each line, nothing else.
    let cpu0 = process.cpuUsage();
    let t0 = performance.now();
    const parsed = await bareChunkedParse(file);
    const parseSeconds = (performance.now() - t0) / 1000;
    const parseCpu = cpuSeconds(cpu0);
    const parseRate = parsed / parseSeconds;

    // (a') The same parse through the simulator's reader.
    let readerParsed = 0;
    t0 = performance.now();
    await forEachLine(file, (text) => {
      if (JSON.parse(text) !== null) readerParsed++;
    });
    const readerRate = readerParsed / ((performance.now() - t0) / 1000);

    // (b) The full simulation: shipped policies vs a candidate with a lower serial-refunder threshold.
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    const report = await simulateHistory({ history: file, baseline: baseline.bundle, candidate: candidate.bundle });
    const simSeconds = (performance.now() - t0) / 1000;
    const simCpu = cpuSeconds(cpu0);
    const simRate = report.history.events / simSeconds;
    const flips = Object.values(report.points).reduce((sum, p) => sum + Object.values(p.flips).reduce((x, y) => x + y, 0), 0);
    parseRates.push(parseRate);
    simRates.push(simRate);
    ratios.push(simRate / parseRate);
    readerRatios.push(simRate / readerRate);
    console.log(`round ${round}    bare parse ${parsed} lines in ${parseSeconds.toFixed(2)} s = ${Math.round(parseRate).toLocaleString('en-US')} lines/s (${parseCpu.toFixed(2)} s of CPU); through the simulator's reader ${Math.round(readerRate).toLocaleString('en-US')} lines/s`);
    console.log(`           simulate ${report.history.events} events, ${report.history.decisions} decisions, ${flips} flips in ${simSeconds.toFixed(2)} s = ${Math.round(simRate).toLocaleString('en-US')} events/s`);
    // Both threads and V8's helpers (GC, compiler) together: with two cores, the ratio can reach 0.5× only when this is under ~4× the bare parse's CPU.
    console.log(`           ${simCpu.toFixed(2)} s of CPU, ${(simCpu / parseCpu).toFixed(1)}× the bare parse's; ratio ${(simRate / parseRate).toFixed(2)}×`);
  }
  const ratio = median(ratios);
  console.log(`bare parse   median ${Math.round(median(parseRates)).toLocaleString('en-US')} lines/s`);
  console.log(`simulate     median ${Math.round(median(simRates)).toLocaleString('en-US')} events/s`);
  console.log(`ratio        ${ratio.toFixed(2)}× the bare parse, median of ${rounds} rounds (${ratios.map((r) => r.toFixed(2)).join(', ')}) (goal ≥ 0.50×) ${ratio >= 0.5 ? 'ok' : 'BELOW GOAL'}`);
  console.log(`             ${median(readerRatios).toFixed(2)}× a bare parse through the simulator's own reader (${readerRatios.map((r) => r.toFixed(2)).join(', ')})`);
  const maxRss = process.resourceUsage().maxRSS * 1024; // kilobytes
  console.log(`peak RSS     ${mib(maxRss)} (goal < 1536 MiB) ${maxRss < 1.5 * 2 ** 30 ? 'ok' : 'ABOVE GOAL'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
