import type { ConditionNode, Scalar } from '../policy/model.js';

/**
 * The fast evaluator: each condition node becomes a closure over pre-resolved fact slots and
 * pre-bound operands. Nothing from policy text is ever turned into code.
 *
 * Missing facts follow three-valued logic (see json-rules.ts); as in the interchange JSON,
 * a node compiles to two boolean closures, "definitely true" and "definitely false", which
 * short-circuit like plain && and || and never need to look for a third value.
 */
export type Facts = Readonly<Record<string, unknown>>;
/** Fact values in slot order (see FactSlots). */
export type Slots = readonly unknown[];
export type Predicate = (slots: Slots) => boolean;
export type SlotOf = (path: string) => number;

/** json-rules-engine's numeric validator, kept bit-for-bit so both evaluators agree on odd inputs. */
function numeric(a: unknown): boolean {
  return typeof a === 'number' ? a === a : Number.parseFloat(a as string).toString() !== 'NaN';
}

type Test = (a: unknown, b: unknown) => boolean;
type CompareNode = Extract<ConditionNode, { kind: 'compare' }>;

const tests: Record<CompareNode['operator'], Test> = {
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
  between: (a, b) => numeric(a) && (a as number) >= (b as readonly number[])[0]! && (a as number) <= (b as readonly number[])[1]!,
};

/** The rule fires: T(when), or not F(when) when missing facts count as matched. */
export function compileRuleCondition(node: ConditionNode, onMissingFact: boolean, slotOf: SlotOf): Predicate {
  if (!onMissingFact) return definitelyTrue(node, slotOf);
  const definitelyNot = definitelyFalse(node, slotOf);
  return (s) => !definitelyNot(s);
}

function definitelyTrue(node: ConditionNode, slotOf: SlotOf): Predicate {
  switch (node.kind) {
    case 'all':
      return every(node.items.map((n) => definitelyTrue(n, slotOf)));
    case 'any':
      return some(node.items.map((n) => definitelyTrue(n, slotOf)));
    case 'not':
      return definitelyFalse(node.item, slotOf);
    case 'compare':
      return comparison(node, true, slotOf);
  }
}

function definitelyFalse(node: ConditionNode, slotOf: SlotOf): Predicate {
  switch (node.kind) {
    case 'all':
      return some(node.items.map((n) => definitelyFalse(n, slotOf)));
    case 'any':
      return every(node.items.map((n) => definitelyFalse(n, slotOf)));
    case 'not':
      return definitelyTrue(node.item, slotOf);
    case 'compare':
      return comparison(node, false, slotOf);
  }
}

function every(items: Predicate[]): Predicate {
  if (items.length === 1) return items[0]!;
  if (items.length === 2) {
    const [a, b] = items as [Predicate, Predicate];
    return (s) => a(s) && b(s);
  }
  if (items.length === 3) {
    const [a, b, c] = items as [Predicate, Predicate, Predicate];
    return (s) => a(s) && b(s) && c(s);
  }
  return (s) => {
    for (let i = 0; i < items.length; i++) if (!items[i]!(s)) return false;
    return true;
  };
}

function some(items: Predicate[]): Predicate {
  if (items.length === 1) return items[0]!;
  if (items.length === 2) {
    const [a, b] = items as [Predicate, Predicate];
    return (s) => a(s) || b(s);
  }
  return (s) => {
    for (let i = 0; i < items.length; i++) if (items[i]!(s)) return true;
    return false;
  };
}

/** A comparison is definitely true (or false) only when every fact it reads is present. */
function comparison(node: CompareNode, wanted: boolean, slotOf: SlotOf): Predicate {
  const left = slotOf(node.path);
  const test = tests[node.operator];
  if (node.operand.kind === 'fact') {
    const right = slotOf(node.operand.path);
    return (s) => {
      const a = s[left];
      if (a === undefined || a === null) return false;
      const b = s[right];
      if (b === undefined || b === null) return false;
      return test(a, b) === wanted;
    };
  }
  const b: Scalar | readonly Scalar[] = node.operand.value;
  // The common operators get closures of their own: no indirect call on the hot path.
  if (wanted) {
    switch (node.operator) {
      case 'eq':
        return (s) => {
          const a = s[left];
          return a !== undefined && a !== null && a === b;
        };
      case 'gt':
        return (s) => {
          const a = s[left];
          return a !== undefined && a !== null && (typeof a === 'number' ? a > (b as number) : numeric(a) && (a as number) > (b as number));
        };
      case 'gte':
        return (s) => {
          const a = s[left];
          return a !== undefined && a !== null && (typeof a === 'number' ? a >= (b as number) : numeric(a) && (a as number) >= (b as number));
        };
      case 'in': {
        const list = b as readonly unknown[];
        return (s) => {
          const a = s[left];
          return a !== undefined && a !== null && list.indexOf(a) > -1;
        };
      }
    }
  }
  return (s) => {
    const a = s[left];
    return a !== undefined && a !== null && test(a, b) === wanted;
  };
}
