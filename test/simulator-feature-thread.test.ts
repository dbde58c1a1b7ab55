import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, readPolicyDirectory, type PreparedBundle } from '../engine/index.js';
import { generateHistoryToFile } from '../simulator/history/index.js';
import { BadLineError, simulateHistory, type DecisionPair, type SimulationReport } from '../simulator/index.js';

/** decidedAt is the wall clock at the start of a replay: the one field two runs may not share. */
function withoutClock(pair: DecisionPair): DecisionPair {
  return { ...pair, baseline: { ...pair.baseline, decidedAt: '' }, candidate: { ...pair.candidate, decidedAt: '' } };
}

/** The pipelined replay (features in a worker thread) must give exactly what the in-thread replay gives. */
describe('simulate with a feature thread', () => {
  let dir: string;
  let history: string;
  let badHistory: string;
  let baseline: PreparedBundle;
  let candidate: PreparedBundle;
  let otherFeatures: PreparedBundle;

  const load = (path: string, previous?: PreparedBundle): PreparedBundle => {
    const loaded = loadBundle(readPolicyDirectory(path), previous ? { previous } : {});
    if (!loaded.ok) throw new Error(`cannot load ${path}`);
    return loaded.bundle;
  };

  const both = async (options: { history: string; candidate: PreparedBundle; shard?: { index: number; count: number }; featureBatchLines?: number }) => {
    const out: { report: SimulationReport; pairs: DecisionPair[] }[] = [];
    for (const featureThread of [false, true]) {
      const pairs: DecisionPair[] = [];
      // Small batches: a few thousand lines cross many batches, as a long history does.
      const report = await simulateHistory({ featureBatchLines: 97, ...options, baseline, featureThread, onDecision: (p) => pairs.push(withoutClock(p)) });
      out.push({ report, pairs });
    }
    return out as [(typeof out)[0], (typeof out)[0]];
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'simulator-thread-'));
    history = join(dir, 'history.ndjson');
    await generateHistoryToFile({ orders: 3000, seed: 11 }, history);
    const lines = readFileSync(history, 'utf8').split('\n');
    lines[40] = '{not json';
    lines[400] = '{"eventId":"x1","type":"order.placed"}';
    lines[401] = '   ';
    lines[900] = '[1]';
    lines[1500] = (lines[1500] as string).replace('"at":"', '"at":"x');
    badHistory = join(dir, 'bad.ndjson');
    writeFileSync(badHistory, lines.join('\n'));

    baseline = load('policies');
    const cand = join(dir, 'candidate');
    cpSync('policies', cand, { recursive: true });
    const file = join(cand, 'intercept-abnormal-fast-refund.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('refundRate90d: { gt: 0.6 }', 'refundRate90d: { gt: 0.3 }').replace(/^version: (\d+)/m, (_, v: string) => `version: ${Number(v) + 1}`));
    candidate = load(cand, baseline);
    // Different feature definitions: each world keeps its own store.
    const feat = join(dir, 'features');
    cpSync(cand, feat, { recursive: true });
    const defs = join(feat, 'features.yaml');
    const text = readFileSync(defs, 'utf8');
    const changed = text.replace(/(refunds90d:\n(?:.*\n)*?\s+windowDays: )90/, '$160');
    expect(changed).not.toBe(text);
    writeFileSync(defs, changed);
    otherFeatures = load(feat, baseline);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same report and the same decisions, facts included', async () => {
    const [inThread, piped] = await both({ history, candidate });
    expect(piped.report.history.decisions).toBeGreaterThan(0);
    expect(piped.report).toEqual(inThread.report);
    expect(piped.pairs).toEqual(inThread.pairs);
  });

  it('tallies the same report when nobody reads its decisions as records', async () => {
    // Without onDecision, decisions other than integrity reviews are not made into records.
    for (const featureThread of [false, true]) {
      const withRecords = await simulateHistory({ history, baseline, candidate, featureThread, featureBatchLines: 97, onDecision: () => undefined });
      const tallied = await simulateHistory({ history, baseline, candidate, featureThread, featureBatchLines: 97 });
      expect(tallied.samples.length).toBeGreaterThan(0);
      expect(tallied).toEqual(withRecords);
    }
  });

  it('gives the same when some ids are too long to cross to the feature thread as numbers', async () => {
    // Ids of up to 8 characters go as their idCode, longer ones as strings: half the accounts, half
    // the events and half the devices and addresses here have long ids, so batches mix both.
    const mixed = join(dir, 'mixed-ids.ndjson');
    const lines = readFileSync(history, 'utf8').split('\n').map((line, k) =>
      line
        .replace(/"accountId":"a(\d*[02468])"/, '"accountId":"account-with-a-long-id-$1"')
        .replace(/"eventId":"e/, k % 2 === 0 ? '"eventId":"event-with-a-long-id-' : '"eventId":"e')
        .replace(/"deviceId":"d(\d*[02468])"/, '"deviceId":"device-with-a-long-id-$1"')
        .replace(/"addressId":"h(\d*[13579])"/, '"addressId":"address-with-a-long-id-$1"'),
    );
    expect(lines.filter((l) => l.includes('account-with-a-long-id-')).length).toBeGreaterThan(1000);
    expect(lines.filter((l) => l.includes('device-with-a-long-id-')).length).toBeGreaterThan(1000);
    writeFileSync(mixed, lines.join('\n'));
    const [inThread, piped] = await both({ history: mixed, candidate });
    expect(piped.report.history.badLines).toBe(0);
    expect(piped.report).toEqual(inThread.report);
    expect(piped.pairs).toEqual(inThread.pairs);
  });

  it('gives the same when the two bundles define features differently', async () => {
    const [inThread, piped] = await both({ history, candidate: otherFeatures });
    expect(piped.report).toEqual(inThread.report);
    expect(piped.pairs).toEqual(inThread.pairs);
  });

  it('reports the same bad lines, and the same for one shard', async () => {
    // One line per batch: batches of only merchants, blank or bad lines send the feature thread nothing to apply.
    const [inThread, piped] = await both({ history: badHistory, candidate, featureBatchLines: 1 });
    expect(piped.report.history.badLines).toBe(4);
    expect(piped.report).toEqual(inThread.report);
    const [s0, s1] = await both({ history: badHistory, candidate, shard: { index: 1, count: 2 } });
    expect(s1.report).toEqual(s0.report);
    expect(s1.pairs).toEqual(s0.pairs);
  });

  it('stops at the first bad line under --strict', async () => {
    for (const featureThread of [false, true]) {
      const err = await simulateHistory({ history: badHistory, baseline, candidate, strict: true, featureThread }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadLineError);
      expect((err as BadLineError).line).toBe(41);
    }
  });

  it('fails, not hangs, on a history it cannot read', async () => {
    await expect(simulateHistory({ history: join(dir, 'missing.ndjson'), baseline, candidate, featureThread: true })).rejects.toThrow(/ENOENT/);
  });
});
