/**
 * The one way both evaluators read a dotted path below a root fact. Policy paths never name
 * Object.prototype members (validation refuses them), so plain property access is safe.
 */
export type Getter = (root: unknown) => unknown;

export function pathGetter(segments: readonly string[]): Getter {
  if (segments.length === 1) {
    const [a] = segments as [string];
    return (o) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[a] : undefined);
  }
  if (segments.length === 2) {
    const [a, b] = segments as [string, string];
    return (o) => {
      if (o === null || typeof o !== 'object') return undefined;
      const v = (o as Record<string, unknown>)[a];
      return v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[b] : undefined;
    };
  }
  return (o) => {
    let v = o;
    for (const s of segments) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[s];
    }
    return v;
  };
}

/**
 * "account.refundRate90d" → reads facts.account.refundRate90d. One closure per path, specialised
 * for the usual depths: this sits on the evaluator's hot path.
 */
export function factGetter(path: string): (facts: Readonly<Record<string, unknown>>) => unknown {
  const [root, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 1) {
    const [field] = rest as [string];
    return (facts) => {
      const r = facts[root];
      return r !== null && typeof r === 'object' ? (r as Record<string, unknown>)[field] : undefined;
    };
  }
  if (rest.length === 2) {
    const [a, b] = rest as [string, string];
    return (facts) => {
      const r = facts[root];
      if (r === null || typeof r !== 'object') return undefined;
      const v = (r as Record<string, unknown>)[a];
      return v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[b] : undefined;
    };
  }
  const below = pathGetter(rest);
  return (facts) => below(facts[root]);
}

const prototypeNames = new Set(Object.getOwnPropertyNames(Object.prototype));

export function isSafePathSegment(segment: string): boolean {
  return !prototypeNames.has(segment);
}
