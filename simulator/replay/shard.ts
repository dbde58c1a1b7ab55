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
 * The account a compact history line (no whitespace, no escapes) names, when it names exactly one
 * and is not a merchant event; undefined when the line must be parsed to know. Such a line, if valid,
 * is an event of that account; if not, it is a bad line of that account's shard. A component shard
 * skips the lines of other shards' accounts unparsed (parsing is most of the cost of a line it does not
 * keep) and reports the bad lines among its own; lines without such an account are read by every
 * shard, and shard 0 reports those.
 */
export function compactAccountOf(text: string): string | undefined {
  const at = text.indexOf(ACCOUNT_KEY);
  if (at < 0 || at !== text.lastIndexOf(ACCOUNT_KEY)) return undefined;
  if (text.indexOf(' ') >= 0 || text.indexOf('\\') >= 0 || text.indexOf('\t') >= 0 || text.indexOf('\r') >= 0 || text.includes('"type":"merchant.updated"')) return undefined;
  const start = at + ACCOUNT_KEY.length;
  const end = text.indexOf('"', start);
  return end < 0 ? undefined : text.slice(start, end);
}

/** The account whose shard owns the line (see compactAccountOf), in a component shard; undefined elsewhere. */
export function ownerOf(text: string, shard: Shard | undefined): string | undefined {
  return shard?.accounts === undefined ? undefined : compactAccountOf(text);
}
