import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionInputFor, loadBundle, readPolicyDirectory, validateEvent, type RefundGuardEvent } from '../engine/index.js';
import { generateHistoryToFile } from '../simulator/history/index.js';
import { simulateHistory } from '../simulator/index.js';
import { startTestRuntime, type TestRuntime } from './support/runtime.js';

/**
 * One shared engine: replaying a history through the live server (POST /v1/decisions with
 * occurredAt, then POST /v1/events, over Redis) decides exactly as the simulator does.
 */
let runtime: TestRuntime;
let historyPath: string;

beforeAll(async () => {
  historyPath = join(mkdtempSync(join(tmpdir(), 'rg-agree-')), 'history.ndjson');
  await generateHistoryToFile({ orders: 4000, seed: 'agreement' }, historyPath);
  runtime = await startTestRuntime({ redis: true });
});
afterAll(async () => {
  await runtime.cleanup();
});

const summary = (d: { action: string; reasons: readonly { policy: string; rule: string }[]; shadow: readonly { policy: string; rule: string }[] }) =>
  `${d.action} [${d.reasons.map((r) => `${r.policy}/${r.rule}`).join(',')}] shadow [${d.shadow.map((r) => `${r.policy}/${r.rule}`).join(',')}]`;

describe('the simulator and the live server', () => {
  it('decide identically on every decision of a replayed history', async () => {
    const loaded = loadBundle(readPolicyDirectory('policies'));
    if (!loaded.ok) throw new Error('policies');
    const simulated = new Map<string, string>();
    await simulateHistory({
      history: historyPath,
      baseline: loaded.bundle,
      candidate: loaded.bundle,
      onDecision: (pair) => {
        if (pair.point !== 'integrity.review') simulated.set(pair.eventId, summary(pair.baseline));
      },
    });

    const served = new Map<string, string>();
    const lines = readFileSync(historyPath, 'utf8').split('\n').filter(Boolean);
    for (const line of lines) {
      const parsed = validateEvent(JSON.parse(line));
      if (!parsed.ok) throw new Error(`history line invalid: ${line}`);
      const event: RefundGuardEvent = parsed.event;
      const input = decisionInputFor(event);
      if (input) {
        const { status, body } = await runtime.request('/v1/decisions', { body: input, role: 'backfill' });
        expect(status).toBe(200);
        served.set(event.eventId, summary(body));
      }
      const ingest = await runtime.request('/v1/events', { body: { events: [event] }, role: 'backfill' });
      expect(ingest.status).toBe(200);
    }

    expect(served.size).toBe(simulated.size);
    expect(served.size).toBeGreaterThan(4000);
    const differing = [...served].filter(([eventId, s]) => simulated.get(eventId) !== s);
    expect(differing.slice(0, 5).map(([id, s]) => `${id}: server ${s} / simulator ${simulated.get(id)}`)).toEqual([]);
    // The history must exercise more than the default answers for the comparison to mean something.
    const nonDefault = [...served.values()].filter((s) => !/^(allow|approve|continue) \[\]/.test(s)).length;
    expect(nonDefault).toBeGreaterThan(10);
  }, 120_000);
});
