/**
 * MemoryFeatureStore at simulator scale: applySync events/s, readSync reads/s and retained heap after
 * loading a generated history, next to a bare JSON.parse of the same lines (a same-run baseline, so the
 * figures can be read as ratios on any machine). Not a vitest test.
 *
 *   npx tsx test/bench/features-memory.bench.ts [orders]      (default 1,000,000 orders ≈ 1.35M events)
 *
 * The history is generated in memory (simulator/history) and streamed in chunks: each chunk is parsed
 * (timed: the baseline), then applied (timed: applySync), then dropped, so the heap holds only the store.
 * Reads replay a second generation of the same history (deterministic): every order.placed /
 * refund.requested event's account is read as of that event's time.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import { loadFeatureDefinitions, MemoryFeatureStore } from '../../engine/features/index.js';
import { generateHistory } from '../../simulator/history/index.js';

const orders = Number(process.argv[2] ?? 1_000_000);
const seed = 'bench';
const CHUNK = 20_000;

const loaded = loadFeatureDefinitions('policies/features.yaml', readFileSync(new URL('../../policies/features.yaml', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));

function forceGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = forceGc();
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;

/** Streams the history in chunks of lines to `each`. */
function history(each: (lines: string[]) => void): number {
  let chunk: string[] = [];
  let n = 0;
  generateHistory({ orders, seed }, (line) => {
    chunk.push(line);
    n++;
    if (chunk.length === CHUNK) { each(chunk); chunk = []; }
  });
  if (chunk.length > 0) each(chunk);
  return n;
}

gc();
const heapBefore = process.memoryUsage().heapUsed;
const store = new MemoryFeatureStore(loaded.definitions);
let parseMs = 0;
let applyMs = 0;
let applied = 0;
const events = history((lines) => {
  let t = performance.now();
  const parsed = lines.map((l) => JSON.parse(l) as RefundGuardEvent);
  parseMs += performance.now() - t;
  t = performance.now();
  for (const e of parsed) if (store.applySync(e)) applied++;
  applyMs += performance.now() - t;
});
gc();
const retained = process.memoryUsage().heapUsed - heapBefore;
const rssAfterLoad = process.memoryUsage().rss;

let readMs = 0;
let reads = 0;
let checksum = 0;
history((lines) => {
  const targets: { a: string; t: number }[] = [];
  for (const l of lines) {
    const e = JSON.parse(l) as RefundGuardEvent;
    if (e.type === 'order.placed' || e.type === 'refund.requested') targets.push({ a: e.accountId, t: Date.parse(e.at) });
  }
  const t = performance.now();
  for (const { a, t: asOf } of targets) {
    const f = store.readSync(a, asOf);
    checksum += (f['orders90d'] ?? 0) + (f['linkedFlaggedAccounts365d'] ?? 0) + (f['reusedEvidenceFingerprints365d'] ?? 0) + (f['distinctMerchantsRefunded30d'] ?? 0);
  }
  readMs += performance.now() - t;
  reads += targets.length;
});

const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
console.log(`history: ${orders.toLocaleString('en-US')} orders, ${events.toLocaleString('en-US')} events (seed ${seed}), ${applied.toLocaleString('en-US')} applied`);
console.log(`baseline JSON.parse:  ${rate(events, parseMs)} lines (${parseMs.toFixed(0)} ms)`);
console.log(`applySync:            ${rate(events, applyMs)} events (${applyMs.toFixed(0)} ms, ${(parseMs / applyMs).toFixed(2)}× JSON.parse speed)`);
console.log(`readSync:             ${rate(reads, readMs)} reads (${reads.toLocaleString('en-US')} reads, ${readMs.toFixed(0)} ms, checksum ${checksum})`);
console.log(`retained heap:        ${mib(retained)} after load and gc (${(retained / events).toFixed(0)} B/event), rss ${mib(rssAfterLoad)}`);
