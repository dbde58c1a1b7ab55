/**
 * Per-key accumulation of merge-script work (links, flags, shared-value times to write onto an
 * account), so each account gets one script call per round trip of the Redis feature store.
 */
import type { Arg, Op } from './feature-script-calls.js';

export class MergeBatch {
  private readonly byKey = new Map<string, { min: Arg[]; set: string[] }>();
  get size(): number {
    return this.byKey.size;
  }
  /** `min`: (field, ms) pairs, flat; `set`: fields set to ''. */
  peek(key: string): { min: Arg[]; set: string[] } | undefined {
    return this.byKey.get(key);
  }
  get(key: string): { min: Arg[]; set: string[] } {
    let m = this.byKey.get(key);
    if (m === undefined) this.byKey.set(key, (m = { min: [], set: [] }));
    return m;
  }
  keys(): string[] {
    return [...this.byKey.keys()];
  }
  ops(ttl: number): Op[] {
    const out: Op[] = [];
    for (const [key, m] of this.byKey) {
      const args: Arg[] = [ttl, m.min.length / 2];
      for (const x of m.min) args.push(x);
      for (const x of m.set) args.push(x);
      out.push({ command: 'rgFeatMerge', key, args });
    }
    return out;
  }
}
