import { factGetter } from '../facts/read-path.js';
import type { ConditionNode, Scalar } from '../policy/model.js';

/**
 * The fast evaluator: each condition node becomes a closure over pre-split paths and
 * pre-bound operands. Nothing from policy text is ever turned into code.
 * Results use three-valued logic: FALSE, TRUE, UNKNOWN (a fact was missing).
 */
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;
export type Truth = 0 | 1 | 2;

export type Facts = Readonly<Record<string, unknown>>;
export type CompiledCondition = (facts: Facts) => Truth;

/** json-rules-engine's numeric validator, kept bit-for-bit so both evaluators agree on odd inputs. */
function numeric(a: unknown): boolean {
  return typeof a === 'number' ? a === a : Number.parseFloat(a as string).toString() !== 'NaN';
}

type Test = (a: unknown, b: unknown) => boolean;

const tests: Record<Exclude<Extract<ConditionNode, { kind: 'compare' }>['operator'], 'between'>, Test> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => numeric(a) && (a as number) > (b as number),
  gte: (a, b) => numeric(a) && (a as number) >= (b as number),
  lt: (a, b) => numeric(a) && (a as number) < (b as number),
  lte: (a, b) => numeric(a) && (a as number) <= (b as number),
  in: (a, b) => (b as unknown[]).indexOf(a) > -1,
  notIn: (a, b) => (b as unknown[]).indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  notContains: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
};

export function compileCondition(node: ConditionNode): CompiledCondition {
  switch (node.kind) {
    case 'all':
      return compileAll(node.items.map(compileCondition));
    case 'any':
      return compileAny(node.items.map(compileCondition));
    case 'not': {
      const inner = compileCondition(node.item);
      return (f) => {
        const r = inner(f);
        return r === UNKNOWN ? UNKNOWN : r === TRUE ? FALSE : TRUE;
      };
    }
    case 'compare':
      return compileComparison(node);
  }
}

function compileAll(items: CompiledCondition[]): CompiledCondition {
  if (items.length === 1) return items[0]!;
  if (items.length === 2) {
    const [x, y] = items as [CompiledCondition, CompiledCondition];
    return (f) => {
      const a = x(f);
      if (a === FALSE) return FALSE;
      const b = y(f);
      if (b === FALSE) return FALSE;
      return a === UNKNOWN || b === UNKNOWN ? UNKNOWN : TRUE;
    };
  }
  return (f) => {
    let result: Truth = TRUE;
    for (let i = 0; i < items.length; i++) {
      const r = items[i]!(f);
      if (r === FALSE) return FALSE;
      if (r === UNKNOWN) result = UNKNOWN;
    }
    return result;
  };
}

function compileAny(items: CompiledCondition[]): CompiledCondition {
  if (items.length === 1) return items[0]!;
  return (f) => {
    let result: Truth = FALSE;
    for (let i = 0; i < items.length; i++) {
      const r = items[i]!(f);
      if (r === TRUE) return TRUE;
      if (r === UNKNOWN) result = UNKNOWN;
    }
    return result;
  };
}

function compileComparison(node: Extract<ConditionNode, { kind: 'compare' }>): CompiledCondition {
  const left = factGetter(node.path);
  if (node.operator === 'between') {
    const [lo, hi] = (node.operand.kind === 'value' ? node.operand.value : [NaN, NaN]) as readonly [number, number];
    return (f) => {
      const a = left(f);
      if (a === undefined || a === null) return UNKNOWN;
      return numeric(a) && (a as number) >= lo && (a as number) <= hi ? TRUE : FALSE;
    };
  }
  const test = tests[node.operator];
  if (node.operand.kind === 'fact') {
    const right = factGetter(node.operand.path);
    return (f) => {
      const a = left(f);
      if (a === undefined || a === null) return UNKNOWN;
      const b = right(f);
      if (b === undefined || b === null) return UNKNOWN;
      return test(a, b) ? TRUE : FALSE;
    };
  }
  const b: Scalar | readonly Scalar[] = node.operand.value;
  // The common operators get their own closure: no indirect call on the hot path.
  switch (node.operator) {
    case 'eq':
      return (f) => {
        const a = left(f);
        return a === undefined || a === null ? UNKNOWN : a === b ? TRUE : FALSE;
      };
    case 'gt':
      return (f) => {
        const a = left(f);
        return a === undefined || a === null ? UNKNOWN : numeric(a) && (a as number) > (b as number) ? TRUE : FALSE;
      };
    case 'gte':
      return (f) => {
        const a = left(f);
        return a === undefined || a === null ? UNKNOWN : numeric(a) && (a as number) >= (b as number) ? TRUE : FALSE;
      };
    case 'in': {
      const list = b as readonly unknown[];
      return (f) => {
        const a = left(f);
        return a === undefined || a === null ? UNKNOWN : list.indexOf(a) > -1 ? TRUE : FALSE;
      };
    }
    default:
      return (f) => {
        const a = left(f);
        return a === undefined || a === null ? UNKNOWN : test(a, b) ? TRUE : FALSE;
      };
  }
}
