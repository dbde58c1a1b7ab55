/**
 * `history generate`, `simulate` and `simulate merge` (DESIGN §6). server/cli/main.ts imports
 * these lazily by name. Exit codes: 0 ok, 1 bad input data (invalid policies, bad line under
 * --strict, unreadable files), 2 bad usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatProblem } from '../engine/index.js';
import { generateHistoryToFile } from './history/index.js';
import { loadBaseline, loadCandidate, type SideLoad } from './policies/load-sides.js';
import { ProgressLine } from './progress.js';
import { DecisionFileWriter } from './replay/decision-lines.js';
import { BadLineError } from './replay/replay.js';
import { parseShard, type Shard } from './replay/shard.js';
import { isSimulationReport, mergeReports } from './report/merge.js';
import { summaryTable } from './report/summary-table.js';
import type { SimulationReport } from './report/types.js';
import { simulateHistory } from './simulate.js';
import { writeReport } from './write-report.js';

export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
}

export const simulateUsage = `usage: refund-guard simulate --history FILE|postgres://… --candidate DIR [--baseline DIR|git:REF] [--json F] [--html F] [--decisions F] [--strict] [--shard i/N] [--workers URL [--shards N] [--prefix P]]

Replays a history under the baseline and the candidate policies and reports what the edit changes.
A policy directory without features.yaml or cohorts.yaml uses the shipped one (a note on stderr says so).

  --history FILE        NDJSON history, one event a line, in time order; or postgres://… to replay the
                        system of record's event log, labelled from recorded outcomes
  --candidate DIR       the policies under test
  --baseline DIR|git:REF  what to compare with (default: policies); git:REF is the candidate directory at REF
  --json F              write the full report as JSON
  --html F              write the report as one self-contained HTML page
  --decisions F         write every decision pair as NDJSON
  --strict              stop at the first bad history line (default: count it and go on)
  --shard i/N           replay only the accounts hashed to shard i of N (merge the reports with simulate
                        merge); approximate for cross-account features: prefer --workers
  --workers URL         replay on refund-guard worker processes through this Redis: shards follow connected
                        components of accounts, and the report is the one a single run writes
  --shards N            shards of a run on workers (default: 4)
  --prefix P            BullMQ key prefix of the workers' queue (default: {sim}, a Redis Cluster hash tag)
  -h, --help            print this help
`;
export const simulateMergeUsage = `usage: refund-guard simulate merge --out F REPORT.json...

Adds the JSON reports of the shards of one simulation into the report of the whole.

  --out F        where to write the merged JSON report
  -h, --help     print this help
`;
export const historyGenerateUsage = `usage: refund-guard history generate --orders N [--seed S] --out FILE

Writes a synthetic, labelled NDJSON history for the simulator.

  --orders N     how many orders to generate
  --seed S       random seed, for a reproducible history (default: a fixed seed)
  --out FILE     where to write the history
  -h, --help     print this help
`;
const simulateUsage1 = simulateUsage.split('\n', 1)[0]!;
const mergeUsage1 = simulateMergeUsage.split('\n', 1)[0]!;
const generateUsage = historyGenerateUsage.split('\n', 1)[0]!;

export async function historyGenerateCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parse(args, { orders: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } }, io, generateUsage);
  if (!parsed) return 2;
  const { orders, seed, out } = parsed.values;
  const n = Number(orders);
  if (orders === undefined || !/^\d+$/.test(orders) || !Number.isSafeInteger(n)) return usage(io, `--orders must be a non-negative integer`, generateUsage);
  if (!out) return usage(io, '--out FILE is required', generateUsage);
  try {
    const s = await generateHistoryToFile({ orders: n, ...(seed !== undefined ? { seed } : {}) }, out);
    io.out(`${out}: ${s.events} events, ${s.orders} orders, ${s.refunds} refund requests (${s.abuseRefunds} abuse), ${s.accounts} accounts, ${s.merchants} merchants in ${(s.durationMs / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    if (err instanceof RangeError) return usage(io, err.message, generateUsage);
    io.err(`refund-guard: cannot write ${out}: ${(err as Error).message}`);
    return 1;
  }
}

export async function simulateCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parse(
    args,
    {
      history: { type: 'string' },
      candidate: { type: 'string' },
      baseline: { type: 'string', default: 'policies' },
      json: { type: 'string' },
      html: { type: 'string' },
      decisions: { type: 'string' },
      strict: { type: 'boolean', default: false },
      shard: { type: 'string' },
      workers: { type: 'string' },
      shards: { type: 'string' },
      prefix: { type: 'string' },
    },
    io,
    simulateUsage1,
  );
  if (!parsed) return 2;
  const v = parsed.values;
  if (!v.history || !v.candidate) return usage(io, '--history and --candidate are required', simulateUsage1);
  let shard: Shard | undefined;
  try {
    shard = v.shard === undefined ? undefined : parseShard(v.shard);
  } catch (err) {
    return usage(io, (err as Error).message, simulateUsage1);
  }

  if (v.workers === undefined && (v.shards !== undefined || v.prefix !== undefined)) return usage(io, '--shards and --prefix go with --workers URL', simulateUsage1);
  if (v.workers !== undefined && (shard !== undefined || v.decisions !== undefined)) return usage(io, '--workers plans its own shards and returns counts: it takes neither --shard nor --decisions', simulateUsage1);
  const shards = v.shards === undefined ? 4 : /^\d+$/.test(v.shards) ? Number(v.shards) : NaN;
  if (!(shards >= 1 && shards <= 4096)) return usage(io, `--shards must be an integer from 1 to 4096, got ${v.shards}`, simulateUsage1);

  const baseline = loadBaseline(v.baseline ?? 'policies', v.candidate);
  for (const note of baseline.notes) io.err(`refund-guard: baseline ${note}`);
  if (!baseline.ok) return refuse(io, 'baseline', baseline);
  const candidate = loadCandidate(v.candidate, baseline.bundle);
  for (const note of candidate.notes) io.err(`refund-guard: candidate ${note}`);
  if (!candidate.ok) return refuse(io, 'candidate', candidate);

  if (v.workers !== undefined) {
    const { simulateOnWorkersCommand } = await import('./distributed/simulate-command.js');
    const targets = { history: v.history, ...(v.json ? { json: v.json } : {}), ...(v.html ? { html: v.html } : {}) };
    return simulateOnWorkersCommand({ redisUrl: v.workers, shards, prefix: v.prefix, strict: v.strict ?? false, targets }, baseline, candidate, io);
  }

  const progress = new ProgressLine();
  const decisions = v.decisions ? new DecisionFileWriter(v.decisions) : undefined;
  let report: SimulationReport;
  try {
    report = await simulateHistory({
      history: v.history,
      baseline: baseline.bundle,
      candidate: candidate.bundle,
      ...(shard ? { shard } : {}),
      strict: v.strict ?? false,
      ...(decisions ? { onDecision: (pair) => decisions.write(pair) } : {}),
      onProgress: (p) => progress.update(p.bytesRead, p.totalBytes, p.events),
    });
  } catch (err) {
    progress.done();
    await decisions?.close().catch(() => undefined);
    if (err instanceof BadLineError) {
      io.err(`${err.message}\n(--strict: stopped at the first bad line)`);
      return 1;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      io.err(`refund-guard: cannot read history ${v.history}: ${(err as Error).message}`);
      return 1;
    }
    throw err;
  }
  progress.done();
  await decisions?.close();

  await writeReport(report, { history: v.history, ...(v.json ? { json: v.json } : {}), ...(v.html ? { html: v.html } : {}) }, baseline, candidate, io);
  return 0;
}

export async function simulateMergeCommand(args: string[], io: CommandIO): Promise<number> {
  const parsed = parse(args, { out: { type: 'string' } }, io, mergeUsage1, true);
  if (!parsed) return 2;
  const out = parsed.values.out;
  if (!out || parsed.positionals.length === 0) return usage(io, 'simulate merge needs --out F and at least one report', mergeUsage1);
  const reports: SimulationReport[] = [];
  for (const file of parsed.positionals) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      io.err(`refund-guard: cannot read report ${file}: ${(err as Error).message}`);
      return 1;
    }
    if (!isSimulationReport(value)) {
      io.err(`refund-guard: ${file} is not a simulation report`);
      return 1;
    }
    reports.push(value);
  }
  const merged = mergeReports(reports);
  await writeFile(out, JSON.stringify(merged, null, 2) + '\n');
  io.out(summaryTable(merged));
  return 0;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse<O extends Options>(args: string[], options: O, io: CommandIO, help: string, positionals = false) {
  try {
    return parseArgs({ args, options: options as O & Options, allowPositionals: positionals, strict: true });
  } catch (err) {
    usage(io, (err as Error).message, help);
    return undefined;
  }
}

function usage(io: CommandIO, message: string, help: string): number {
  io.err(`refund-guard: ${message}\n${help}`);
  return 2;
}

function refuse(io: CommandIO, side: 'baseline' | 'candidate', load: SideLoad & { ok: false }): number {
  io.err(`refund-guard: the ${side} policies (${load.source}) cannot be loaded${load.message ? `: ${load.message}` : ''}`);
  for (const p of load.problems) io.err(formatProblem(p));
  return 1;
}
