import type { ConditionNode } from '../policy/model.js';
import { compareHolds, leafOf, type Slots } from './leaf-tests.js';

/**
 * The mask evaluator, used for rules built only from comparisons of a fact with a constant
 * (every shipped rule, and the many-hit shape of issue #18).
 *
 * Each distinct comparison of a decision point (a "literal": slot, operator, constant) is tested
 * once per decision, however many rules share it, into two bits: T (the fact is present and the
 * comparison holds) at 2i and F (present, does not hold) at 2i+1; a missing fact sets neither.
 * A rule's T(when) (or F(when)) is a monotone formula over those bits (`not` swaps T and F down
 * to the literals), so it is compiled to disjunctive normal form: a few masks, and the rule
 * fires when one mask is all set (or, when missing facts count as matched, when none of F's masks
 * is). The three-valued meaning is exactly that of closures.ts, which the differential tests
 * check against json-rules-engine.
 *
 * On the many-hit policy, closures cost an indirect call per comparison and tested shared
 * comparisons again per rule; here a decision is a loop over ~10 literals and ~20 mask tests.
 * Rules that do not fit (fact-to-fact comparisons, contains/between, too many literals, a
 * normal form over `maxTerms` masks) keep their closures.
 */
const maxLiterals = 64;
const maxTerms = 16;
/** Masks are used for a policy whose comparisons appear at least this many times each on average (see MaskedRules.of). */
const minSharing = 2;
/** Combinations of literal values remembered per policy (see MaskedRules.firedByWord). */
const maxRememberedWords = 4096;

export class LiteralTable {
  /** 32-bit words of T/F bits per decision. */
  readonly words: number;
  readonly size: number;
  /** Comparisons with constants in the conditions, counting each time one appears. */
  readonly occurrences: number;
  private readonly byKey: ReadonlyMap<string, number>;
  private readonly slotOf: Int32Array;
  private readonly opOf: Int32Array;
  private readonly valueOf: readonly unknown[];

  /** Every literal of `conditions`, in order of first appearance, up to maxLiterals. */
  constructor(conditions: Iterable<ConditionNode>, slotOf: (path: string) => number) {
    const byKey = new Map<string, number>();
    const slots: number[] = [];
    const ops: number[] = [];
    const values: unknown[] = [];
    let occurrences = 0;
    const visit = (node: ConditionNode): void => {
      if (node.kind === 'all' || node.kind === 'any') node.items.forEach(visit);
      else if (node.kind === 'not') visit(node.item);
      else {
        const leaf = leafOf(node, true, slotOf);
        if (leaf === undefined) return;
        occurrences += 1;
        if (byKey.size >= maxLiterals) return;
        const key = literalKey(leaf.slot, leaf.op, leaf.value);
        if (byKey.has(key)) return;
        byKey.set(key, slots.length);
        slots.push(leaf.slot);
        ops.push(leaf.op);
        values.push(leaf.value);
      }
    };
    for (const condition of conditions) visit(condition);
    this.byKey = byKey;
    this.slotOf = Int32Array.from(slots);
    this.opOf = Int32Array.from(ops);
    this.valueOf = values;
    this.size = slots.length;
    this.occurrences = occurrences;
    this.words = Math.max(1, Math.ceil((2 * slots.length) / 32));
  }

  /** The literal index of a comparison node, or undefined when it is not in the table. */
  literalOf(node: Extract<ConditionNode, { kind: 'compare' }>, slotOf: (path: string) => number): number | undefined {
    const leaf = leafOf(node, true, slotOf);
    return leaf === undefined ? undefined : this.byKey.get(literalKey(leaf.slot, leaf.op, leaf.value));
  }

  /** evaluate() when the bits fit one word (at most 16 literals): the word itself, nothing stored. */
  evaluateWord(slots: Slots): number {
    const { slotOf, opOf, valueOf } = this;
    let bits = 0;
    for (let i = 0; i < slotOf.length; i++) {
      const a = slots[slotOf[i]!];
      if (a === undefined || a === null) continue;
      bits |= 1 << ((i << 1) | (compareHolds(a, opOf[i]!, valueOf[i]) ? 0 : 1));
    }
    return bits;
  }

  /** Sets the T/F bits of every literal from the decision's slots into `bits` (`words` long). */
  evaluate(slots: Slots, bits: Int32Array): void {
    for (let w = 0; w < bits.length; w++) bits[w] = 0;
    const { slotOf, opOf, valueOf } = this;
    for (let i = 0; i < slotOf.length; i++) {
      const a = slots[slotOf[i]!];
      if (a === undefined || a === null) continue;
      const bit = (i << 1) | (compareHolds(a, opOf[i]!, valueOf[i]) ? 0 : 1);
      bits[bit >> 5]! |= 1 << (bit & 31);
    }
  }
}

/** JSON keeps 5 and "5", true and "true" apart, as the comparisons (===, indexOf) do. */
function literalKey(slot: number, op: number, value: unknown): string {
  return `${slot} ${op} ${JSON.stringify(value)}`;
}

/** A rule's condition as masks: it fires when some mask is all set in the bits, or, `negated`, when none is. */
export interface RuleMask {
  /** `words` 32-bit words per mask, masks one after another. */
  readonly terms: Int32Array;
  readonly negated: boolean;
}

/** The rule as masks (T(when), or not F(when) when missing facts count as matched), or undefined when it does not fit. */
export function ruleMask(when: ConditionNode, onMissingFact: boolean, table: LiteralTable, slotOf: (path: string) => number): RuleMask | undefined {
  const terms = normalForm(when, !onMissingFact, table, slotOf);
  if (terms === undefined) return undefined;
  const words = table.words;
  const flat = new Int32Array(terms.length * words);
  terms.forEach((term, t) => {
    for (const bit of term) flat[t * words + (bit >> 5)]! |= 1 << (bit & 31);
  });
  return { terms: flat, negated: onMissingFact };
}

/** Whether some mask of `terms` is all set in `bits`. */
export function someTermHolds(bits: Int32Array, terms: Int32Array, words: number): boolean {
  if (words === 1) {
    const b = bits[0]!;
    for (let t = 0; t < terms.length; t++) {
      const m = terms[t]!;
      if ((b & m) === m) return true;
    }
    return false;
  }
  outer: for (let t = 0; t < terms.length; t += words) {
    for (let w = 0; w < words; w++) {
      const m = terms[t + w]!;
      if ((bits[w]! & m) !== m) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * A policy's rules as masks, when every rule fits: its literal table, and all the rules' masks in
 * one array (rule r's are those before termEnd[r]), so a decision is one loop without a call or an
 * object per rule.
 */
export class MaskedRules {
  private readonly words: number;
  private readonly terms: Int32Array;
  /** Per rule, where its masks end in `terms`, counted in masks. */
  private readonly termEnd: Int32Array;
  private readonly negated: Uint8Array;
  private readonly bits: Int32Array;
  /** firedRules()'s answer, reused by every decision (evaluation never yields). */
  readonly fired: Int32Array;
  /**
   * When the bits fit one word, the rules that fire are a function of that word: per word seen,
   * their indexes (bounded, as words are not), so a repeated combination of literals skips the masks.
   */
  private readonly firedByWord = new Map<number, Int32Array>();
  /** Where the last firedRules() put its answer. */
  firedList: Int32Array = new Int32Array(0);

  private constructor(private readonly literals: LiteralTable, masks: readonly RuleMask[]) {
    this.words = literals.words;
    this.terms = new Int32Array(masks.reduce((n, m) => n + m.terms.length, 0));
    this.termEnd = new Int32Array(masks.length);
    this.negated = Uint8Array.from(masks, (m) => (m.negated ? 1 : 0));
    let at = 0;
    masks.forEach((m, r) => {
      this.terms.set(m.terms, at);
      at += m.terms.length;
      this.termEnd[r] = at / this.words;
    });
    this.bits = new Int32Array(this.words);
    this.fired = new Int32Array(masks.length);
  }

  /**
   * The rules as masks, or undefined when one of them does not fit or masks would not pay (the
   * policy keeps its closures). Masks test every literal of the policy on every decision; closures
   * stop at the first comparison that settles a rule, and skip a group of rules on a shared leading
   * condition. So masks pay when rules share comparisons: on the many-hit policy each is shared by
   * about seven rules, on the shipped policies by one or two, where closures measured faster.
   */
  static of(rules: readonly { when: ConditionNode; onMissingFact: boolean }[], slotOf: (path: string) => number, sharing = minSharing): MaskedRules | undefined {
    const literals = new LiteralTable(
      rules.map((r) => r.when),
      slotOf,
    );
    if (literals.occurrences < sharing * literals.size) return undefined;
    const masks: RuleMask[] = [];
    for (const rule of rules) {
      const mask = ruleMask(rule.when, rule.onMissingFact, literals, slotOf);
      if (mask === undefined) return undefined;
      masks.push(mask);
    }
    return new MaskedRules(literals, masks);
  }

  /**
   * The indexes of the rules that fire on `slots`, in rule order: `fired` up to the count returned,
   * or, when the literals fit one word, an array shared by the decisions with the same word (read
   * `firedList`). Both are read before the next call.
   */
  firedRules(slots: Slots): number {
    const { terms, termEnd, negated, fired } = this;
    let count = 0;
    let t = 0;
    if (this.words === 1) {
      const b = this.literals.evaluateWord(slots);
      const known = this.firedByWord.get(b);
      if (known !== undefined) {
        this.firedList = known;
        return known.length;
      }
      for (let r = 0; r < termEnd.length; r++) {
        const end = termEnd[r]!;
        let hit = 0;
        for (; t < end; t++) {
          const m = terms[t]!;
          if ((b & m) === m) {
            hit = 1;
            break;
          }
        }
        t = end;
        if (hit !== negated[r]) fired[count++] = r;
      }
      const list = fired.slice(0, count);
      if (this.firedByWord.size < maxRememberedWords) this.firedByWord.set(b, list);
      this.firedList = list;
      return count;
    }
    this.firedList = fired;
    const { bits, words } = this;
    this.literals.evaluate(slots, bits);
    for (let r = 0; r < termEnd.length; r++) {
      const end = termEnd[r]! * words;
      let hit = 0;
      for (; t < end && hit === 0; t += words) {
        hit = 1;
        for (let w = 0; w < words; w++) {
          const m = terms[t + w]!;
          if ((bits[w]! & m) !== m) {
            hit = 0;
            break;
          }
        }
      }
      t = end;
      if (hit !== negated[r]) fired[count++] = r;
    }
    return count;
  }
}

type Terms = number[][];

/**
 * T(node) (`wanted`) or F(node) as a disjunction of conjunctions of literal bits:
 * T(all) and F(any) are the product of the items', T(any) and F(all) their union, not swaps.
 */
function normalForm(node: ConditionNode, wanted: boolean, table: LiteralTable, slotOf: (path: string) => number): Terms | undefined {
  switch (node.kind) {
    case 'not':
      return normalForm(node.item, !wanted, table, slotOf);
    case 'compare': {
      const literal = table.literalOf(node, slotOf);
      return literal === undefined ? undefined : [[(literal << 1) | (wanted ? 0 : 1)]];
    }
    default: {
      const product = (node.kind === 'all') === wanted;
      let result: Terms = product ? [[]] : [];
      for (const item of node.items) {
        const terms = normalForm(item, wanted, table, slotOf);
        if (terms === undefined) return undefined;
        result = product ? result.flatMap((a) => terms.map((b) => [...a, ...b])) : [...result, ...terms];
        if (result.length > maxTerms) return undefined;
      }
      return result;
    }
  }
}
