/**
 * Throughput of the history generator: 1M orders into a temporary file.
 * Run with `npx tsx test/bench/history-generate.bench.ts [orders]` (not a vitest test).
 * Target on the 2-core reference machine: under 10 s.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHistoryToFile } from '../../simulator/history/index.js';

const orders = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'history-bench-'));
const file = join(dir, 'history.ndjson');
try {
  const summary = await generateHistoryToFile({ orders, seed: 'bench' }, file);
  const bytes = statSync(file).size;
  const seconds = summary.durationMs / 1000;
  console.log(`orders    ${summary.orders}`);
  console.log(`lines     ${summary.events}`);
  console.log(`seconds   ${seconds.toFixed(2)}`);
  console.log(`lines/s   ${Math.round(summary.events / seconds)}`);
  console.log(`bytes     ${bytes} (${(bytes / 2 ** 20).toFixed(1)} MiB, ${(bytes / summary.events).toFixed(0)} B/line)`);
  console.log(`refunds   ${summary.refunds} (${((100 * summary.refunds) / summary.orders).toFixed(1)}% of orders, ${summary.abuseRefunds} abuse)`);
  console.log(`accounts  ${summary.accounts}, merchants ${summary.merchants}`);
  console.log(`rss       ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
