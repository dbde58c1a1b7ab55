import { stringify } from 'yaml';
import type { ConditionNode, Operand, RuleParams, Scalar } from './model.js';

/**
 * A parsed condition written back in the policy DSL's shorthand, as an analyst writes it:
 * `account.refundRate90d: { gt: 0.6 }`, groups as block lists, a group-free `not` inline.
 * Named conditions come back inlined (the parsed form keeps no names), so a change to a named
 * condition shows in every rule that uses it. Deterministic: equal conditions print equal text.
 */
export function conditionToDsl(node: ConditionNode): string {
  return blockLines(node).join('\n');
}

/** A scalar, a list of scalars or a params map in YAML flow style (`[a, b]`, `{ maxQuantity: 1 }`). */
export function valueToDsl(value: Scalar | readonly Scalar[] | RuleParams): string {
  if (Array.isArray(value)) return `[${value.map(scalar).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as RuleParams);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${key(k)}: ${scalar(v)}`).join(', ')} }`;
  }
  return scalar(value as Scalar);
}

function blockLines(node: ConditionNode): string[] {
  const flat = inline(node);
  if (flat !== undefined) return [flat];
  if (node.kind === 'not') return ['not:', ...blockLines(node.item).map((l) => `  ${l}`)];
  if (node.kind === 'compare') return []; // not reached: a comparison always fits one line
  return [
    `${node.kind}:`,
    ...node.items.flatMap((item) => {
      const [first = '', ...rest] = blockLines(item);
      return [`  - ${first}`, ...rest.map((l) => `    ${l}`)];
    }),
  ];
}

/** One line for a comparison or a `not` of one; undefined for anything holding an all/any group. */
function inline(node: ConditionNode): string | undefined {
  if (node.kind === 'compare') return `${key(node.path)}: { ${node.operator}: ${operand(node.operand)} }`;
  if (node.kind === 'not') {
    const item = inline(node.item);
    return item === undefined ? undefined : `not: { ${item} }`;
  }
  return undefined;
}

function operand(value: Operand): string {
  return value.kind === 'fact' ? `{ fact: ${key(value.path)} }` : valueToDsl(value.value);
}

/** YAML's own quoting decides when a string needs quotes ("yes", "1.0", ": x" do). */
function scalar(value: Scalar): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function key(name: string): string {
  return scalar(name);
}
