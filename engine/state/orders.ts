/** What the platform knows about one order's evidence, as of the decision clock. */
export interface OrderMarks {
  /** Epoch ms of the first forged-evidence report on the order. */
  reportedAt?: number;
  /** Epoch ms the evidence was appraised forged. */
  forgedAt?: number;
  /** Epoch ms the evidence was appraised genuine. */
  genuineAt?: number;
}

export type OrderMark = keyof OrderMarks;

export interface OrderFacts {
  evidenceForged: boolean;
  evidencePending: boolean;
}

export function orderFacts(marks: OrderMarks | undefined, now: number): OrderFacts {
  // Most orders have no marks: their facts are one shared (read-only) object.
  if (marks === undefined) return unmarked;
  const forged = marks.forgedAt !== undefined && marks.forgedAt <= now;
  const appraised = forged || (marks.genuineAt !== undefined && marks.genuineAt <= now);
  return {
    evidenceForged: forged,
    evidencePending: marks.reportedAt !== undefined && marks.reportedAt <= now && !appraised,
  };
}

const unmarked: OrderFacts = Object.freeze({ evidenceForged: false, evidencePending: false });

/** Keeps the earliest time of each mark: replays and re-sends converge on the same state. */
export function mergeMark(marks: OrderMarks, mark: OrderMark, at: number): OrderMarks {
  const current = marks[mark];
  return current !== undefined && current <= at ? marks : { ...marks, [mark]: at };
}

/** The fields orderFacts answers: only the platform's records set them, never a caller. */
export const orderFactNames: readonly (keyof OrderFacts)[] = ['evidenceForged', 'evidencePending'];

/**
 * A caller's order without the fields the platform answers: where the platform's facts cannot be
 * read (no order id, store unreadable), they are missing, not what the caller claims.
 */
export function withoutOrderFacts(order: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (!orderFactNames.some((name) => Object.hasOwn(order, name))) return order;
  const copy: Record<string, unknown> = Object.assign({}, order);
  for (const name of orderFactNames) delete copy[name];
  return copy;
}
