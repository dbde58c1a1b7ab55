/**
 * THE feature computation. Both stores call this on an AccountLog; there is no second implementation.
 */
import type { AccountLog } from './account-log.js';
import { emptyResult, type CompiledFeatures } from './compile.js';

/**
 * Every defined feature as of `asOf` (epoch ms): only entries with t <= asOf count, windows are
 * [asOf - windowDays, asOf] inclusive. Pass `out` to reuse a result object.
 */
export function computeFeatures(compiled: CompiledFeatures, log: AccountLog, asOf: number, out: Record<string, number> = emptyResult(compiled)): Record<string, number> {
  for (const evaluate of compiled.evaluators) evaluate(log, asOf, out);
  return out;
}
