import type { ConditionNode, Scalar } from '../policy/model.js';
import { leafHolds, leafOf, type Leaf, type Slots } from './leaf-tests.js';

export type { Slots };

/**
 * The fast evaluator: each condition node becomes a closure over pre-resolved fact slots and
 * pre-bound operands. Nothing from policy text is ever turned into code.
 *
 * Missing facts follow three-valued logic (see json-rules.ts); as in the interchange JSON,
 * a node compiles to two boolean closures, "definitely true" and "definitely false", which
 * short-circuit like plain && and || and never need to look for a third value.
 */
export type Facts = Readonly<Record<string, unknown>>;
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
      return every(node.items, true, slotOf);
    case 'any':
      return some(node.items, true, slotOf);
    case 'not':
      return definitelyFalse(node.item, slotOf);
    case 'compare':
      return comparison(node, true, slotOf);
  }
}

function definitelyFalse(node: ConditionNode, slotOf: SlotOf): Predicate {
  switch (node.kind) {
    case 'all':
      return some(node.items, false, slotOf);
    case 'any':
      return every(node.items, false, slotOf);
    case 'not':
      return definitelyTrue(node.item, slotOf);
    case 'compare':
      return comparison(node, false, slotOf);
  }
}

/**
 * The items' T (`wanted`) or F, split into comparisons with constants, tested inline as leaves
 * (leaf-tests.ts), and the rest as closures. Items have no side effects, so testing the leaves
 * first gives the same answer.
 */
function split(items: readonly ConditionNode[], wanted: boolean, slotOf: SlotOf): { leaves: Leaf[]; rest: Predicate[] } {
  const leaves: Leaf[] = [];
  const rest: Predicate[] = [];
  for (const item of items) {
    const leaf = leafOf(item, wanted, slotOf);
    if (leaf !== undefined) leaves.push(leaf);
    else rest.push(wanted ? definitelyTrue(item, slotOf) : definitelyFalse(item, slotOf));
  }
  return { leaves, rest };
}

/** Every item's T (or F, per `wanted`) holds. */
function every(items: readonly ConditionNode[], wanted: boolean, slotOf: SlotOf): Predicate {
  const { leaves, rest } = split(items, wanted, slotOf);
  if (leaves.length === 0 && rest.length === 1) return rest[0]!;
  if (leaves.length === 1 && rest.length === 0) {
    const [leaf] = leaves as [Leaf];
    return (s) => leafHolds(s, leaf);
  }
  if (leaves.length === 1 && rest.length === 1) {
    const [leaf] = leaves as [Leaf];
    const [other] = rest as [Predicate];
    return (s) => leafHolds(s, leaf) && other(s);
  }
  return (s) => {
    for (let i = 0; i < leaves.length; i++) if (!leafHolds(s, leaves[i]!)) return false;
    for (let i = 0; i < rest.length; i++) if (!rest[i]!(s)) return false;
    return true;
  };
}

/** Some item's T (or F, per `wanted`) holds. */
function some(items: readonly ConditionNode[], wanted: boolean, slotOf: SlotOf): Predicate {
  const { leaves, rest } = split(items, wanted, slotOf);
  if (leaves.length === 0 && rest.length === 1) return rest[0]!;
  if (leaves.length === 1 && rest.length === 0) {
    const [leaf] = leaves as [Leaf];
    return (s) => leafHolds(s, leaf);
  }
  if (leaves.length === 1 && rest.length === 1) {
    const [leaf] = leaves as [Leaf];
    const [other] = rest as [Predicate];
    return (s) => leafHolds(s, leaf) || other(s);
  }
  return (s) => {
    for (let i = 0; i < leaves.length; i++) if (leafHolds(s, leaves[i]!)) return true;
    for (let i = 0; i < rest.length; i++) if (rest[i]!(s)) return true;
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
