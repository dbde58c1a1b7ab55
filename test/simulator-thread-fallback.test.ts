import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadBundle, readPolicyDirectory } from '../engine/index.js';
import { generateHistoryToFile } from '../simulator/history/index.js';
import { simulateHistory } from '../simulator/index.js';

/** Workers started for the feature thread, and the errors they reported. */
const started: Worker[] = [];
const errors: Error[] = [];

// Every worker this test starts runs a module that throws as it loads: the feature thread fails
// after the replay has started reading (asynchronously, before it is ready), as in an environment
// that cannot run it.
vi.mock('../engine/threads/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../engine/threads/index.js')>();
  return {
    ...real,
    startTsWorker: (_module: URL, data: Record<string, unknown>): Worker => {
      const worker = real.startTsWorker(new URL('./support/failing-thread.ts', import.meta.url), data);
      worker.on('error', (err) => errors.push(err));
      started.push(worker);
      return worker;
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'simulator-fallback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulate when the feature thread cannot start', () => {
  it('replays in one thread and gives the report the one-thread replay gives', async () => {
    const history = join(dir, 'history.ndjson');
    // Large enough (16 MiB) for the replay to choose a feature thread by default.
    await generateHistoryToFile({ orders: 64_000, seed: 5 }, history);
    expect(statSync(history).size).toBeGreaterThanOrEqual(16 << 20);
    const loaded = loadBundle(readPolicyDirectory('policies'));
    if (!loaded.ok) throw new Error('shipped policies do not load');
    const bundle = loaded.bundle;

    const fallback = await simulateHistory({ history, baseline: bundle, candidate: bundle });
    expect(started).toHaveLength(1);
    expect(errors.map((e) => e.message)).toEqual(['this worker cannot start here']);

    const oneThread = await simulateHistory({ history, baseline: bundle, candidate: bundle, featureThread: false });
    expect(started).toHaveLength(1);
    expect(fallback.history.decisions).toBeGreaterThan(64_000);
    expect(fallback).toEqual(oneThread);
  }, 60_000);

  it('fails when the feature thread was asked for', async () => {
    const history = join(dir, 'small.ndjson');
    await generateHistoryToFile({ orders: 200, seed: 6 }, history);
    const loaded = loadBundle(readPolicyDirectory('policies'));
    if (!loaded.ok) throw new Error('shipped policies do not load');
    await expect(simulateHistory({ history, baseline: loaded.bundle, candidate: loaded.bundle, featureThread: true })).rejects.toThrow(/this worker cannot start here/);
  });
});
