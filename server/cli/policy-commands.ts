import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import {
  compilePolicyToJson,
  formatProblem,
  isDecisionPoint,
  loadBundle,
  parsePolicyTestFile,
  runPolicyTestCase,
  sortProblems,
  type Decision,
  type Facts,
  type Problem,
  loadYaml,
} from '../../engine/index.js';
import { factsValidator, type FactsCheck } from '../../engine/facts/index.js';
import { featureNames } from '../../engine/features/definitions.js';
import { type CommandIO, UsageError } from './io.js';
import { resolvePolicyTargets, type PolicyTarget } from './policy-paths.js';

/** `policy validate [PATH...]`: every problem as FILE:LINE:COL CODE MESSAGE; exit 1 if any. */
export function policyValidate(paths: readonly string[], io: CommandIO): number {
  const problems: Problem[] = [];
  let policies = 0;
  let tests = 0;
  for (const target of resolvePolicyTargets(paths)) {
    printNotes(target, io);
    const result = loadBundle(target.bundle);
    if (result.ok) policies += result.bundle.policies.length;
    else problems.push(...result.problems);
    for (const test of target.tests) {
      const parsed = parsePolicyTestFile(test);
      if (parsed.ok) tests += parsed.cases.length;
      else problems.push(...parsed.problems);
    }
  }
  for (const p of sortProblems(problems)) io.out(formatProblem(p));
  if (problems.length > 0) {
    io.err(`${problems.length} problem${problems.length === 1 ? '' : 's'} found`);
    return 1;
  }
  io.err(`ok: ${policies} policies and ${tests} test cases are valid`);
  return 0;
}

/** `policy test [PATH...]`: runs *.test.yaml; the last line is "N passed, N failed". */
export function policyTest(paths: readonly string[], io: CommandIO): number {
  let passed = 0;
  let failed = 0;
  for (const target of resolvePolicyTargets(paths)) {
    printNotes(target, io);
    const loaded = loadBundle(target.bundle);
    if (!loaded.ok) {
      for (const p of loaded.problems) io.out(formatProblem(p));
      failed += Math.max(1, countCases(target.tests));
      continue;
    }
    for (const test of target.tests) {
      const parsed = parsePolicyTestFile(test);
      if (!parsed.ok) {
        for (const p of parsed.problems) io.out(formatProblem(p));
        failed += 1;
        continue;
      }
      for (const { testCase, location } of parsed.cases) {
        const result = runPolicyTestCase(loaded.bundle, test.path, testCase, location);
        if (result.passed) {
          passed += 1;
          io.out(`ok   ${test.path} › ${testCase.name}`);
        } else {
          failed += 1;
          io.out(`FAIL ${location.file}:${location.line}:${location.col} › ${testCase.name}`);
          for (const failure of result.failures) io.out(`       ${failure}`);
        }
      }
    }
  }
  io.out(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

function printNotes(target: PolicyTarget, io: CommandIO): void {
  for (const note of target.notes) io.err(`refund-guard: ${note}`);
}

function countCases(tests: readonly { path: string; text: string }[]): number {
  return tests.reduce((n, t) => {
    const parsed = parsePolicyTestFile(t);
    return n + (parsed.ok ? parsed.cases.length : 1);
  }, 0);
}

/** `policy compile FILE`: the json-rules-engine rules as JSON. */
export function policyCompile(file: string, io: CommandIO): number {
  const [target] = resolvePolicyTargets([file]);
  printNotes(target!, io);
  const loaded = loadBundle(target!.bundle);
  if (!loaded.ok) {
    for (const p of loaded.problems) io.err(formatProblem(p));
    return 1;
  }
  const text = readFileSync(file, 'utf8');
  const doc = loadYaml(file, text);
  const id = doc.ok ? (doc.doc.value as { id?: unknown }).id : undefined;
  const policy = loaded.bundle.policies.find((p) => p.id === id);
  if (!policy) throw new UsageError(`${file} is not a policy file`);
  io.out(JSON.stringify(compilePolicyToJson(policy), null, 2));
  return 0;
}

export interface EvalOptions {
  policies: string;
  point: string;
  facts: string;
  engine: 'compiled' | 'reference';
  now?: string;
}

/**
 * `policy eval`: one decision JSON a line, in input order. The last stderr line is
 * "evaluated N decisions in T ms (C ms CPU)", T covering evaluation only, not reading or writing, and C
 * the process's CPU time over the same spans (what the evaluation cost on a machine shared with others).
 */
export async function policyEval(options: EvalOptions, io: CommandIO): Promise<number> {
  if (!isDecisionPoint(options.point)) throw new UsageError(`unknown decision point "${options.point}"`);
  const point = options.point;
  const [target] = resolvePolicyTargets([options.policies]);
  printNotes(target!, io);
  const loaded = loadBundle(target!.bundle);
  if (!loaded.ok) {
    for (const p of loaded.problems) io.err(formatProblem(p));
    return 1;
  }
  const bundle = loaded.bundle;
  const checkFacts = factsValidator(featureNames(bundle.features));
  const defaultNow = options.now !== undefined ? Date.parse(options.now) : Date.now();
  if (Number.isNaN(defaultNow)) throw new UsageError(`--now is not a date: ${options.now}`);

  let evaluated = 0;
  let badLines = 0;
  let evaluationMs = 0;
  let evaluationCpuUs = 0;
  const chunkSize = 5000;
  let pending: { line: number; facts: Facts; now: number }[] = [];
  const flush = async () => {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const decisions: Decision[] = new Array(pending.length);
    if (options.engine === 'reference') {
      for (let i = 0; i < pending.length; i++) decisions[i] = await bundle.evaluateReference(point, pending[i]!.facts, pending[i]!.now);
    } else {
      for (let i = 0; i < pending.length; i++) decisions[i] = bundle.evaluate(point, pending[i]!.facts, pending[i]!.now);
    }
    evaluationMs += performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    evaluationCpuUs += cpu.user + cpu.system;
    evaluated += pending.length;
    if (decisions.length > 0) io.out(decisions.map((d) => JSON.stringify(d)).join('\n'));
    pending = [];
  };

  const lines = createInterface({ input: createReadStream(options.facts), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    const parsed = parseFactsLine(text, defaultNow, checkFacts);
    if ('error' in parsed) {
      await flush(); // keep output in input order
      badLines += 1;
      io.out(JSON.stringify({ line: lineNumber, error: { code: 'eval_bad_facts', message: parsed.error } }));
      io.err(`${options.facts}:${lineNumber}:1 eval_bad_facts ${parsed.error}`);
      continue;
    }
    pending.push({ line: lineNumber, facts: parsed.facts, now: parsed.now });
    if (pending.length >= chunkSize) await flush();
  }
  await flush();
  const rate = evaluationMs > 0 ? Math.round((evaluated / evaluationMs) * 1000) : 0;
  io.err(`${options.engine} engine, revision ${bundle.revision}: ${rate} decisions/s${badLines ? `, ${badLines} bad lines` : ''}`);
  io.err(`evaluated ${evaluated} decisions in ${evaluationMs.toFixed(1)} ms (${(evaluationCpuUs / 1000).toFixed(1)} ms CPU)`);
  return badLines > 0 ? 1 : 0;
}

/** A line's facts, typed by the catalogue and the bundle's features: every wrong path is named. */
function parseFactsLine(text: string, defaultNow: number, checkFacts: (value: unknown) => FactsCheck): { facts: Facts; now: number } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'a facts line is a JSON object such as {"account":{...},"merchant":{...}}' };
  const checked = checkFacts(value);
  if (!checked.ok) return { error: checked.problems.map((p) => `${p.path} ${p.message}`).join('; ') };
  const { occurredAt, ...facts } = checked.facts;
  let now = defaultNow;
  if (occurredAt !== undefined) {
    now = Date.parse(occurredAt as string);
    if (Number.isNaN(now)) return { error: '/occurredAt must be an ISO-8601 date-time' };
  }
  return { facts: facts as Facts, now };
}
