import type { ConditionNode, Scalar } from '../policy/model.js';

/** Fact values in slot order (see FactSlots). Declared here, where the leaf tests read them; closures.ts re-exports it. */
export type Slots = readonly unknown[];

/**
 * Comparisons of a fact with a constant, kept as data and tested in the body of the all/any
 * closure that holds them (see closures.ts). A closure per comparison costs an indirect call
 * each; all the rules' calls go through the same few call sites, so V8 cannot inline any of them,
 * and on a policy of many rules those calls were most of a decision. One plain function testing
 * a leaf is inlined into every all/any closure instead.
 */
export interface Leaf {
  readonly slot: number;
  readonly op: number;
  /** The constant (for in/notIn, the list). */
  readonly value: unknown;
  /** "Definitely true" (true) or "definitely false" (false) of the comparison. */
  readonly wanted: boolean;
}

const EQ = 0;
const NE = 1;
const GT = 2;
const GTE = 3;
const LT = 4;
const LTE = 5;
const IN = 6;
const NOT_IN = 7;
const codes: Partial<Record<string, number>> = { eq: EQ, ne: NE, gt: GT, gte: GTE, lt: LT, lte: LTE, in: IN, notIn: NOT_IN };

/** json-rules-engine's numeric validator (as in closures.ts), so both evaluators agree on odd inputs. */
function numeric(a: unknown): boolean {
  return typeof a === 'number' ? a === a : Number.parseFloat(a as string).toString() !== 'NaN';
}

/** The node as a leaf, when it compares a fact with a constant by one of the operators above. */
export function leafOf(node: ConditionNode, wanted: boolean, slotOf: (path: string) => number): Leaf | undefined {
  if (node.kind !== 'compare' || node.operand.kind !== 'value') return undefined;
  const op = codes[node.operator];
  if (op === undefined) return undefined;
  const value: Scalar | readonly Scalar[] = node.operand.value;
  return { slot: slotOf(node.path), op, value, wanted };
}

/** T or F (per leaf.wanted) of the comparison: a missing fact makes both false. */
export function leafHolds(s: Slots, leaf: Leaf): boolean {
  const a = s[leaf.slot];
  if (a === undefined || a === null) return false;
  return compareHolds(a, leaf.op, leaf.value) === leaf.wanted;
}

/** The comparison `a op b` of a present fact value `a` (op is one of the codes above). */
export function compareHolds(a: unknown, op: number, b: unknown): boolean {
  switch (op) {
    case EQ:
      return a === b;
    case NE:
      return a !== b;
    case GT:
      return typeof a === 'number' ? a > (b as number) : numeric(a) && (a as number) > (b as number);
    case GTE:
      return typeof a === 'number' ? a >= (b as number) : numeric(a) && (a as number) >= (b as number);
    case LT:
      return typeof a === 'number' ? a < (b as number) : numeric(a) && (a as number) < (b as number);
    case LTE:
      return typeof a === 'number' ? a <= (b as number) : numeric(a) && (a as number) <= (b as number);
    case IN:
      return (b as readonly unknown[]).indexOf(a) > -1;
    default:
      return (b as readonly unknown[]).indexOf(a) === -1;
  }
}
