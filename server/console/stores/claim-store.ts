/** A claim lapses after this long without its holder coming back to the item (15 minutes idle). */
export const CLAIM_IDLE_MS = 15 * 60_000;

/**
 * Who is appraising a queue item. Opening an item claims it (or renews the opener's own claim);
 * while someone else's claim is in force, others see their name. Memory and Redis implement it.
 */
export interface ClaimStore {
  /** Claims `item` for `holder` unless someone else holds it; answers the holder in force afterwards. */
  claim(item: string, holder: string): Promise<string>;
  /** The holder in force, if any. */
  holderOf(item: string): Promise<string | undefined>;
  /** The holders in force of several items (a queue page), in one round trip. */
  holders(items: readonly string[]): Promise<Map<string, string>>;
  /** Ends the claim when `holder` holds it (after a verdict). */
  release(item: string, holder: string): Promise<void>;
}

export class MemoryClaimStore implements ClaimStore {
  private readonly claims = new Map<string, { holder: string; until: number }>();
  constructor(
    private readonly idleMs = CLAIM_IDLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(item: string, holder: string): Promise<string> {
    const current = await this.holderOf(item);
    if (current !== undefined && current !== holder) return current;
    this.claims.set(item, { holder, until: this.now() + this.idleMs });
    return holder;
  }

  async holderOf(item: string): Promise<string | undefined> {
    const entry = this.claims.get(item);
    if (!entry) return undefined;
    if (this.now() >= entry.until) {
      this.claims.delete(item);
      return undefined;
    }
    return entry.holder;
  }

  async holders(items: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const item of items) {
      const holder = await this.holderOf(item);
      if (holder !== undefined) found.set(item, holder);
    }
    return found;
  }

  async release(item: string, holder: string): Promise<void> {
    if (this.claims.get(item)?.holder === holder) this.claims.delete(item);
  }
}
