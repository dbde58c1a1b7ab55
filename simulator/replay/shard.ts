import murmurhash from 'murmurhash';
import type { RefundGuardEvent } from '../../engine/events/index.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
  /**
   * This shard's accounts, when a planning pass assigned whole connected components to shards
   * (simulator/distributed/plan.ts): cross-account features then stay exact. Without it, accounts
   * are hashed (shardOf), which splits rings.
   */
  accounts?: ReadonlySet<string>;
  /** Events of this shard's accounts, when the plan counted them: sizes the feature stores. */
  events?: number;
}

/** "i/N" with 0 ≤ i < N. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 0 && index < count)) throw new RangeError(`--shard must be i/N with 0 <= i < N, got "${text}"`);
  return { index, count };
}

/**
 * The shard an account belongs to. murmurhash3 of the id is stable across runs, machines and
 * Node versions, so N independent jobs partition the accounts without talking to each other.
 */
export function shardOf(accountId: string, count: number): number {
  return murmurhash.v3(accountId) % count;
}

/** Whether a replay of `shard` skips the event: its account belongs to another shard (merchant.updated goes to every shard). */
export function inOtherShard(event: RefundGuardEvent, shard: Shard | undefined): boolean {
  if (shard === undefined || event.type === 'merchant.updated') return false;
  return shard.accounts !== undefined ? !shard.accounts.has(event.accountId) : shardOf(event.accountId, shard.count) !== shard.index;
}

const ACCOUNT_KEY = '"accountId":"';

/**
 * Whether a component shard other than shard 0 may skip a history line without parsing it: a
 * compact line (no whitespace, no escapes) naming exactly one account, not this shard's, and not a
 * merchant event. Such a line, if valid, is an event of another shard's account; if not, it is a
 * bad line, which only shard 0 reports. Shard 0 reads every line. Parsing is most of a line's cost
 * for the lines a shard skips, so this saves most of it.
 */
export function skipsUnread(text: string, shard: Shard | undefined): boolean {
  if (shard === undefined || shard.accounts === undefined || shard.index === 0) return false;
  const at = text.indexOf(ACCOUNT_KEY);
  if (at < 0 || at !== text.lastIndexOf(ACCOUNT_KEY)) return false;
  if (text.indexOf(' ') >= 0 || text.indexOf('\\') >= 0 || text.indexOf('\t') >= 0 || text.indexOf('\r') >= 0 || text.includes('"type":"merchant.updated"')) return false;
  const start = at + ACCOUNT_KEY.length;
  const end = text.indexOf('"', start);
  return end >= 0 && !shard.accounts.has(text.slice(start, end));
}
