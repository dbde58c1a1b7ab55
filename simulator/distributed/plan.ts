/**
 * The planning pass of a distributed simulation: one read of the history that groups accounts into
 * connected components (accounts are linked when they share a value of a link field: a device, an
 * address, an evidence fingerprint; see link-fields.ts) and packs whole components into shards of
 * about equal event counts. A shard then holds every account any of its accounts' cross-account
 * features can read, so its replay computes the same features as a replay of the whole history.
 *
 * Linking more accounts than the features do is harmless (shards are only less balanced); linking
 * fewer would not be. So a line is scanned for the link keys at any depth and in any event type, and
 * lines the scan cannot read for sure (escapes, whitespace, a key twice) are parsed with JSON.parse.
 * Bad lines link what they name: they are left to the replay, which reports them.
 */
import { escapeValue } from '../../engine/features/layout.js';
import { forEachLine } from '../replay/line-reader.js';
import { compactAccountOf } from '../replay/shard.js';
import type { LinkFields } from './link-fields.js';
import { UnionFind } from './union-find.js';

export interface PlannedShard {
  /** The shard's accounts, in order of first appearance in the history. */
  accounts: string[];
  /** Events of those accounts (merchant events, which every shard replays, not counted). */
  events: number;
}

export interface PlanStats {
  lines: number;
  merchantEvents: number;
  accountEvents: number;
  accounts: number;
  components: number;
  /** The component with the most events: it is one shard's lower bound. */
  largestComponent: { accounts: number; events: number; share: number };
  ms: number;
}

export interface ShardPlan {
  shards: PlannedShard[];
  stats: PlanStats;
}

const ACCOUNT_KEY = '"accountId":"';
const MERCHANT_TYPE = '"type":"merchant.updated"';
const BACKSLASH = 0x5c;

export async function planShards(historyPath: string, links: LinkFields, shardCount: number, onChunk?: (bytesRead: number) => void): Promise<ShardPlan> {
  const started = performance.now();
  const scan = new LinkScan(links);
  await forEachLine(historyPath, (text) => scan.line(text), onChunk);
  const plan = scan.pack(shardCount);
  plan.stats.ms = performance.now() - started;
  return plan;
}

/** The accounts, their event counts and their links, as lines are read. */
export class LinkScan {
  private readonly accounts = new Map<string, number>();
  private readonly sets = new UnionFind();
  private events = new Int32Array(1024);
  /** Per link key: value → the first account seen using it. */
  private readonly values: Map<string, number>[];
  /**
   * Per link key: the value each account used last. Most uses repeat it (a buyer's own device and
   * address on every order), and then nothing new is learnt: no lookup.
   */
  private readonly lastValues: string[][];
  private readonly needles: readonly string[];
  /** Where the values a scan found start and end, and under which key (reused from line to line). */
  private found = new Int32Array(48);
  private lines = 0;
  private merchantEvents = 0;
  private accountEvents = 0;

  constructor(private readonly links: LinkFields) {
    this.needles = links.keys.map((key) => `"${key}"`);
    this.values = links.keys.map(() => new Map());
    this.lastValues = links.keys.map(() => []);
  }

  line(text: string): void {
    if (text.length === 0) return;
    this.lines++;
    if (text.indexOf(String.fromCharCode(BACKSLASH)) < 0 && this.compactLine(text)) return;
    this.parsedLine(text);
  }

  /** A line read by scanning (no escapes): false when the scan cannot be sure, and the line must be parsed. */
  private compactLine(text: string): boolean {
    const at = text.indexOf(ACCOUNT_KEY);
    if (at < 0) {
      if (!text.includes(MERCHANT_TYPE) || text.includes('"accountId"')) return false;
      this.merchantEvents++;
      return true;
    }
    if (at !== text.lastIndexOf(ACCOUNT_KEY)) return false;
    const start = at + ACCOUNT_KEY.length;
    const end = text.indexOf('"', start);
    if (end < 0) return false;
    // Every use of a link key must be `"key":"value"`; anything else (a number, whitespace) is parsed.
    let count = 0;
    for (let key = 0; key < this.needles.length; key++) {
      const needle = this.needles[key] as string;
      for (let k = text.indexOf(needle); k >= 0; k = text.indexOf(needle, k + needle.length)) {
        const colon = k + needle.length;
        if (text.charCodeAt(colon) !== 0x3a || text.charCodeAt(colon + 1) !== 0x22) return false;
        const close = text.indexOf('"', colon + 2);
        if (close < 0) return false;
        if (close === colon + 2) continue;
        if (count + 3 > this.found.length) {
          const larger = new Int32Array(this.found.length * 2);
          larger.set(this.found);
          this.found = larger;
        }
        this.found[count++] = key;
        this.found[count++] = colon + 2;
        this.found[count++] = close;
      }
    }
    const n = this.account(text.slice(start, end));
    for (let k = 0; k < count; k += 3) this.link(n, this.found[k] as number, escapeValue(text.slice(this.found[k + 1], this.found[k + 2])));
    return true;
  }

  private parsedLine(text: string): void {
    // The replay gives a compact line naming one account to that account's shard, valid or not (a bad
    // line is reported there): that account must be in the plan whatever the line holds.
    const owner = compactAccountOf(text);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const event = (value !== null && typeof value === 'object' ? value : {}) as { type?: unknown; accountId?: unknown };
    if (owner !== undefined && owner !== event.accountId) this.account(owner);
    if (event.type === 'merchant.updated') {
      this.merchantEvents++;
      return;
    }
    if (typeof event.accountId !== 'string') return;
    const n = this.account(event.accountId);
    for (const field of this.links.byType.get(String(event.type)) ?? []) {
      const values = field.get(event);
      if (values === '') continue;
      const key = this.links.keys.indexOf(field.path.slice(field.path.lastIndexOf('.') + 1));
      for (const v of values.split(',')) if (v !== '') this.link(n, key, v);
    }
  }

  /** The account's number (a new one at its first event); counts the event. */
  private account(id: string): number {
    this.accountEvents++;
    let n = this.accounts.get(id);
    if (n === undefined) {
      n = this.sets.add();
      this.accounts.set(id, n);
      // Filled in order, so the lists stay dense arrays (a hole would turn one into a slow dictionary).
      for (const last of this.lastValues) last.push('');
      if (n === this.events.length) {
        const larger = new Int32Array(this.events.length * 2);
        larger.set(this.events);
        this.events = larger;
      }
    }
    this.events[n] = (this.events[n] as number) + 1;
    return n;
  }

  private link(n: number, key: number, value: string): void {
    const last = this.lastValues[key] as string[];
    if (last[n] === value) return;
    last[n] = value;
    const values = this.values[key] as Map<string, number>;
    const first = values.get(value);
    if (first === undefined) values.set(value, n);
    else this.sets.union(first, n);
  }

  /**
   * Packs components into at most `shardCount` shards: largest first, each into the shard with the
   * fewest events so far (ties: the lower shard, then the component seen first), so the plan is the
   * same on every run. A component never splits: one larger than a fair share makes a shard of its own.
   */
  pack(shardCount: number): ShardPlan {
    const n = this.sets.length;
    const compEvents = new Float64Array(n);
    const compAccounts = new Int32Array(n);
    const firstOf = new Int32Array(n).fill(-1);
    const roots = new Int32Array(n);
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = this.sets.find(i);
      roots[i] = r;
      if (firstOf[r] === -1) {
        firstOf[r] = i;
        order.push(r);
      }
      compEvents[r] = (compEvents[r] as number) + (this.events[i] as number);
      compAccounts[r] = (compAccounts[r] as number) + 1;
    }
    // order holds each component once, by its first account; sort it largest first (stable on ties).
    order.sort((a, b) => (compEvents[b] as number) - (compEvents[a] as number) || (firstOf[a] as number) - (firstOf[b] as number));
    const bins = Math.max(1, Math.min(shardCount, order.length));
    const load = new Float64Array(bins);
    const binOf = new Int32Array(n);
    for (const r of order) {
      let best = 0;
      for (let b = 1; b < bins; b++) if ((load[b] as number) < (load[best] as number)) best = b;
      binOf[r] = best;
      load[best] = (load[best] as number) + (compEvents[r] as number);
    }
    const shards: PlannedShard[] = Array.from({ length: bins }, (_, b) => ({ accounts: [], events: load[b] as number }));
    let i = 0;
    for (const account of this.accounts.keys()) (shards[binOf[roots[i++] as number] as number] as PlannedShard).accounts.push(account);
    const largest = order[0];
    const largestEvents = largest === undefined ? 0 : (compEvents[largest] as number);
    return {
      shards,
      stats: {
        lines: this.lines,
        merchantEvents: this.merchantEvents,
        accountEvents: this.accountEvents,
        accounts: n,
        components: order.length,
        largestComponent: {
          accounts: largest === undefined ? 0 : (compAccounts[largest] as number),
          events: largestEvents,
          share: this.accountEvents === 0 ? 0 : largestEvents / this.accountEvents,
        },
        ms: 0,
      },
    };
  }
}
