/**
 * Console queue page speed: with 10,000 pending evidence reports, GET /console/evidence (the
 * rendered page) against GET /v1/evidence-reports?limit=50 (the JSON it pages through), both
 * in-process through app.request() so only server time is measured, sequentially, on the same
 * store. Fails (exit 1) when the page's median is more than 3× the API's.
 * Run: npx tsx test/bench/console.bench.ts [requests per round, default 200] [redis|memory, default both]
 */
import { randomUUID } from 'node:crypto';
import type { EvidenceReport } from '../../engine/workflows/index.js';
import { createLogger } from '../../server/observability/logger.js';
import { createRuntime, type Runtime } from '../../server/runtime/create-runtime.js';
import { deleteKeys, redisUrl, tokenSpec, tokens } from '../support/runtime.js';

const requests = Number(process.argv[2] ?? 200);
const stores = process.argv[3] ? [process.argv[3]] : ['memory', 'redis'];
const pending = 10_000;
const rounds = 3;
const T0 = Date.parse('2027-02-01T12:00:00Z');

/** Pending reports straight into the workflow store (their events are not what is measured), due across the next 24 h and the past 2 h. */
async function fill(runtime: Runtime): Promise<void> {
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < pending; i++) {
    const reportedAt = T0 - 26 * 3_600_000 + Math.floor((i / pending) * 24 * 3_600_000);
    const report: EvidenceReport = {
      id: `rep-bench-${i}`, status: 'pending', applied: true, fingerprint: 'bench', merchantId: `m${i % 200}`, accountId: `a${i % 5000}`, orderId: `o${i}`,
      reason: 'web_image', evidence: [{ kind: 'photo', note: 'a note', sha256: 'ab'.repeat(32) }],
      reportedAt: new Date(reportedAt).toISOString(), dueAt: new Date(reportedAt + 24 * 3_600_000).toISOString(), receivedAt: new Date(reportedAt).toISOString(),
    };
    batch.push(runtime.ctx.workflows.reports.create(report));
    if (batch.length === 500) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

async function timeOf(runtime: Runtime, path: string, headers: Record<string, string>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const response = await runtime.app.request(`http://bench.local${path}`, { headers });
    await response.text();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

let failed = false;
for (const store of stores) {
  const prefix = `rgbench-${randomUUID().slice(0, 8)}`;
  const runtime = await createRuntime({
    policies: 'policies', tokens: tokenSpec, logger: createLogger({ level: 'silent' }), processMetrics: false, now: () => T0, decisionLogThread: false,
    ...(store === 'redis' ? { redisUrl, redisPrefix: prefix } : {}),
  });
  try {
    const filling = performance.now();
    await fill(runtime);
    const login = await runtime.app.request('http://bench.local/console/login', {
      method: 'POST', headers: { origin: 'http://bench.local', 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${tokens.appraiser}`,
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const api = { authorization: `Bearer ${tokens.appraiser}` };
    // Warm both paths (JIT, connections), then alternate rounds so drift hits both alike.
    await timeOf(runtime, '/v1/evidence-reports?limit=50', api);
    await timeOf(runtime, '/console/evidence', { cookie });
    const apiTimes: number[] = [];
    const pageTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      apiTimes.push(...(await timeOf(runtime, '/v1/evidence-reports?limit=50', api)));
      pageTimes.push(...(await timeOf(runtime, '/console/evidence', { cookie })));
    }
    apiTimes.sort((a, b) => a - b);
    pageTimes.sort((a, b) => a - b);
    const ratio = at(pageTimes, 0.5) / at(apiTimes, 0.5);
    console.log(`${store}: ${pending} pending (filled in ${((performance.now() - filling) / 1000).toFixed(1)} s), ${apiTimes.length} requests each`);
    console.log(`  GET /v1/evidence-reports?limit=50  median ${at(apiTimes, 0.5).toFixed(2)} ms  p90 ${at(apiTimes, 0.9).toFixed(2)} ms`);
    console.log(`  GET /console/evidence               median ${at(pageTimes, 0.5).toFixed(2)} ms  p90 ${at(pageTimes, 0.9).toFixed(2)} ms`);
    console.log(`  page / API (median): ${ratio.toFixed(2)}× (budget 3×) ${ratio <= 3 ? 'ok' : 'OVER BUDGET'}`);
    if (ratio > 3) failed = true;
  } finally {
    await runtime.close();
    if (store === 'redis') await deleteKeys(prefix);
  }
}
process.exitCode = failed ? 1 : 0;
