import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistoryToFile } from '../simulator/history/index.js';
import { simulateCommand, simulateMergeCommand, type DecisionLine, type SimulationReport } from '../simulator/index.js';

interface Collected {
  code: number;
  out: string;
  err: string;
}

async function run(command: typeof simulateCommand, args: string[]): Promise<Collected> {
  let out = '';
  let err = '';
  const code = await command(args, { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') });
  return { code, out, err };
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const readLines = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);

/** Counts only: samples and the first bad lines are truncated lists, not sums. */
function counts(report: SimulationReport): unknown {
  const { samples: _samples, history, ...rest } = report;
  return { ...rest, history: { events: history.events, decisions: history.decisions, badLines: history.badLines } };
}

describe('simulate: baseline policies/ against a candidate with a lower serial-refunder threshold', () => {
  let dir: string;
  let history: string;
  let candidate: string;
  let report: SimulationReport;
  let decisions: DecisionLine[];
  let stdout: string;
  let events: { eventId: string; type: string; label?: string; amount?: number; refund?: { amount?: number } }[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'simulator-report-'));
    history = join(dir, 'history.ndjson');
    await generateHistoryToFile({ orders: 3000, seed: 7 }, history);
    candidate = join(dir, 'candidate');
    cpSync('policies', candidate, { recursive: true });
    const file = join(candidate, 'intercept-abnormal-fast-refund.yaml');
    const text = readFileSync(file, 'utf8');
    const changed = text.replace('refundRate90d: { gt: 0.6 }', 'refundRate90d: { gt: 0.3 }').replace(/^version: (\d+)/m, (_, v: string) => `version: ${Number(v) + 1}`);
    expect(changed).not.toBe(text);
    writeFileSync(file, changed);
    const result = await run(simulateCommand, ['--history', history, '--candidate', candidate, '--json', join(dir, 'r.json'), '--decisions', join(dir, 'd.ndjson')]);
    expect(result.code, result.err).toBe(0);
    stdout = result.out;
    report = readJson<SimulationReport>(join(dir, 'r.json'));
    decisions = readLines<DecisionLine>(join(dir, 'd.ndjson'));
    events = readLines(history);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays every event and writes one decision line per decision', () => {
    expect(report.history.events).toBe(events.length);
    expect(report.history.badLines).toBe(0);
    expect(decisions.length).toBe(report.history.decisions);
    const decisionEvents = events.filter((e) => ['order.placed', 'refund.requested', 'intervention.requested'].includes(e.type)).length;
    expect(decisions.filter((d) => d.point !== 'integrity.review').length).toBe(decisionEvents);
  });

  it('counts as flips exactly the decision lines whose actions differ, per point', () => {
    const flipped = decisions.filter((d) => d.baseline.action !== d.candidate.action);
    expect(flipped.length).toBeGreaterThan(0);
    for (const [point, tally] of Object.entries(report.points)) {
      const expected: Record<string, number> = {};
      for (const d of flipped.filter((x) => x.point === point)) expected[`${d.baseline.action}->${d.candidate.action}`] = (expected[`${d.baseline.action}->${d.candidate.action}`] ?? 0) + 1;
      expect(tally.flips).toEqual(expected);
    }
  });

  it('computes labels and money at refund.requested from the history labels and the decisions', () => {
    const byId = new Map(events.map((e) => [e.eventId, e]));
    for (const side of ['baseline', 'candidate'] as const) {
      let tp = 0, fp = 0, fn = 0, tn = 0, protectedCents = 0, frictionCents = 0;
      for (const d of decisions.filter((x) => x.point === 'refund.requested')) {
        const e = byId.get(d.eventId)!;
        if (e.label === undefined) continue;
        const positive = d[side].action !== 'approve';
        const cents = Math.round((e.refund?.amount ?? e.amount ?? 0) * 100);
        if (positive && e.label === 'abuse') (tp++, (protectedCents += cents));
        else if (positive) (fp++, (frictionCents += cents));
        else if (e.label === 'abuse') fn++;
        else tn++;
      }
      const l = report.labels[side];
      expect({ tp: l.tp, fp: l.fp, fn: l.fn, tn: l.tn }).toEqual({ tp, fp, fn, tn });
      expect(l.precision).toBeCloseTo(tp + fp === 0 ? 0 : tp / (tp + fp), 5);
      expect(l.recall).toBeCloseTo(tp / (tp + fn), 5);
      expect(l.recallCI95[0]).toBeLessThanOrEqual(l.recall);
      expect(l.recallCI95[1]).toBeGreaterThanOrEqual(l.recall);
      expect(report.money[side]).toEqual({ protected: protectedCents / 100, friction: frictionCents / 100 });
    }
    expect(report.labels.candidate.tp).toBeGreaterThan(report.labels.baseline.tp);
  });

  it('attributes the new interceptions to the changed rule and keeps flipped samples with their reasons', () => {
    const rule = report.byRule['intercept-abnormal-fast-refund/serial-refunder'];
    expect(rule).toBeDefined();
    expect(rule!.candidate.enforced).toBeGreaterThan(rule!.baseline.enforced);
    expect(report.samples.length).toBe(Math.min(50, decisions.filter((d) => d.baseline.action !== d.candidate.action).length));
    const sample = report.samples[0]!;
    expect(sample.baseline.action).not.toBe(sample.candidate.action);
    expect(sample.candidate.reasons.map((r) => r.rule)).toContain('serial-refunder');
    const flipsByDay = Object.values(report.byDay).reduce((s, d) => s + d.flips, 0);
    expect(flipsByDay).toBe(decisions.filter((d) => d.baseline.action !== d.candidate.action).length);
  });

  it('counts every decision once per side under each cohort of its merchant, "(none)" included', () => {
    const total = Object.values(report.points).reduce((s, t) => s + Object.values(t.baseline).reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(report.history.decisions);
    // A merchant can sit in several cohorts, so cohort rows add up to at least the total.
    const cohortTotal = Object.values(report.byCohort).reduce((s, c) => s + Object.values(c.baseline).reduce((a, b) => a + b, 0), 0);
    expect(cohortTotal).toBeGreaterThanOrEqual(total);
  });

  it('opens the JSON report with the edit: the changed rule with its old and new condition in DSL form', () => {
    expect(Object.keys(report)[0]).toBe('edit');
    const edit = report.edit!;
    expect(edit.policies.map((p) => [p.id, p.change, p.version])).toEqual([['intercept-abnormal-fast-refund', 'changed', { baseline: 1, candidate: 2 }]]);
    const [rule] = edit.policies[0]!.rules;
    expect(rule).toMatchObject({ id: 'serial-refunder', change: 'changed' });
    expect(rule!.changes).toHaveLength(1);
    expect(rule!.changes[0]!.field).toBe('condition');
    expect(rule!.changes[0]!.baseline).toContain('- account.refundRate90d: { gt: 0.6 }');
    expect(rule!.changes[0]!.candidate).toContain('- account.refundRate90d: { gt: 0.3 }');
    expect(edit.unchanged).toHaveLength(4);
    // The terminal summary opens with the same edit, the changed condition line marked.
    expect(stdout.startsWith(`Edit: baseline ${edit.baseline.revision}`)).toBe(true);
    expect(stdout).toContain('  ~ policy intercept-abnormal-fast-refund at refund.requested, version 1 → 2\n      ~ rule serial-refunder\n          condition:\n');
    expect(stdout).toMatch(/\n {10}- {5}- account\.refundRate90d: \{ gt: 0\.6 \}\n {10}\+ {5}- account\.refundRate90d: \{ gt: 0\.3 \}\n/);
    expect(stdout.indexOf('Edit:')).toBeLessThan(stdout.indexOf(' events, '));
    // Backward compatible: every field a report had before is still there, with its shape.
    for (const key of ['history', 'points', 'labels', 'money', 'byRule', 'byCohort', 'byDay', 'samples']) expect(report).toHaveProperty(key);
  });

  it('reports zero flips when baseline and candidate are the same policies', async () => {
    const same = await run(simulateCommand, ['--history', history, '--candidate', 'policies', '--baseline', 'policies', '--json', join(dir, 'same.json')]);
    expect(same.code, same.err).toBe(0);
    const r = readJson<SimulationReport>(join(dir, 'same.json'));
    for (const t of Object.values(r.points)) expect(t.flips).toEqual({});
    expect(r.samples).toEqual([]);
    expect(r.labels.baseline).toEqual(r.labels.candidate);
    expect(same.out).toContain('0 flipped');
    expect(r.edit!.policies).toEqual([]);
    expect(same.out).toContain('no change: both sides hold the same policies');
  });

  it('counts bad lines with their line numbers and still replays the good ones', async () => {
    const lines = readFileSync(history, 'utf8').split('\n');
    const bad = [...lines];
    bad.splice(10, 0, '{not json');
    bad.splice(20, 0, JSON.stringify({ eventId: 'x1', type: 'order.teleported', at: '2027-01-01T00:00:00Z', merchantId: 'm1' }));
    bad.splice(30, 0, JSON.stringify({ eventId: 'x2', type: 'order.placed', at: '2027-01-01T00:00:00Z', merchantId: 'm1', accountId: 'a1' }));
    const file = join(dir, 'bad.ndjson');
    writeFileSync(file, bad.join('\n'));
    const result = await run(simulateCommand, ['--history', file, '--candidate', candidate, '--json', join(dir, 'bad.json')]);
    expect(result.code, result.err).toBe(0);
    const r = readJson<SimulationReport>(join(dir, 'bad.json'));
    expect(r.history.badLines).toBe(3);
    expect(r.history.firstBadLines.map((b) => b.line)).toEqual([11, 21, 31]);
    expect(r.history.firstBadLines[0]!.message).toMatch(/not JSON/);
    expect(r.history.firstBadLines[1]!.message).toMatch(/type/);
    expect(r.history.firstBadLines[2]!.message).toMatch(/orderId/);
    expect(r.history.events).toBe(report.history.events);
    expect(counts({ ...r, history: { ...r.history, badLines: 0 } })).toEqual(counts(report));
    expect(result.err).toContain(`${file}:11:`);
  });

  it('stops at the first bad line with FILE:LINE under --strict', async () => {
    const lines = readFileSync(history, 'utf8').split('\n');
    lines.splice(4, 0, '{"eventId":');
    const file = join(dir, 'strict.ndjson');
    writeFileSync(file, lines.join('\n'));
    const result = await run(simulateCommand, ['--history', file, '--candidate', candidate, '--strict', '--json', join(dir, 'strict.json')]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${file}:5: not JSON`);
  });

  it('gives the unsharded counts when the reports of three shards are merged', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const part = join(dir, `shard-${i}.json`);
      const result = await run(simulateCommand, ['--history', history, '--candidate', candidate, '--shard', `${i}/3`, '--json', part]);
      expect(result.code, result.err).toBe(0);
      parts.push(part);
    }
    const shardDecisions = parts.map((p) => readJson<SimulationReport>(p).history.decisions);
    expect(shardDecisions.every((n) => n > 0 && n < report.history.decisions)).toBe(true);
    const merged = await run(simulateMergeCommand, ['--out', join(dir, 'merged.json'), ...parts]);
    expect(merged.code, merged.err).toBe(0);
    const m = readJson<SimulationReport>(join(dir, 'merged.json'));
    expect(counts(m)).toEqual(counts(report));
    expect(m.samples.length).toBe(report.samples.length);
    expect(m.edit).toEqual(report.edit);
  });

  it('refuses bad usage with exit 2 and invalid candidate policies with exit 1 and FILE:LINE problems', async () => {
    expect((await run(simulateCommand, ['--history', history])).code).toBe(2);
    expect((await run(simulateCommand, ['--history', history, '--candidate', candidate, '--shard', '3/3'])).code).toBe(2);
    const broken = join(dir, 'broken');
    cpSync(candidate, broken, { recursive: true });
    writeFileSync(join(broken, 'intercept-abnormal-fast-refund.yaml'), 'id: intercept-abnormal-fast-refund\nversion: nope\n');
    const result = await run(simulateCommand, ['--history', history, '--candidate', broken]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/intercept-abnormal-fast-refund\.yaml:\d+:\d+/);
  });
});
