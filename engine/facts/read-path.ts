/**
 * Reads a dotted path below a root fact: the reference evaluator's path resolver and the compiled
 * evaluator's fact slots (for paths deeper than one field) both use it. Policy paths never name
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

const prototypeNames = new Set(Object.getOwnPropertyNames(Object.prototype));

export function isSafePathSegment(segment: string): boolean {
  return !prototypeNames.has(segment);
}
