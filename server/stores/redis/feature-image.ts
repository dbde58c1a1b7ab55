/**
 * The Redis feature store's state for a whole event log, computed in this process and written in bulk:
 * the rebuild of a lost cache. Instead of four round trips of script calls per batch of events (the
 * live write protocol, redis/feature-writes.ts), the events are folded here into each account's
 * final hash, each link value's index and flag hash and each shared value's index, with the same
 * compiled feature code (extractEntry, encodeEntryValue, the links' flag predicates, the uses of
 * indexed values), and then written with one script call per account and a few commands per value.
 *
 * The result is the state the live writes leave after the same events in log order (the rebuild test
 * compares both key by key), with two differences the live path itself does not fix: every "u|"
 * field is written done ("<first use>:<now>"; the live path may still hold '' until the account's
 * next batch), and nothing is trimmed (the live path trims lazily, so entries older than retention
 * may linger there; the rebuild reads only the windowed events).
 *
 * Fold events in log order (the order the live path saw them): a value's index takes its first `cap`
 * accounts in that order, as the live scripts do.
 */
import { atMs, type RefundGuardEvent } from '../../../engine/events/index.js';
import { encodeEntryValue, extractEntry, type CompiledFeatures } from '../../../engine/features/index.js';
import { accountKeyOf, shortId } from './account-hash.js';
import type { Arg, FeatureScriptCalls, Op } from './feature-script-calls.js';
import { EXPIRY_REFRESH_MS } from './feature-writes.js';
import type { IndexedUses } from './indexed-uses.js';

/** One account's part of the image. */
interface AccountImage {
  /**
   * Event fields not yet sent, flat [short id, entry value, ...] (the log holds each event id once:
   * PostgreSQL enforces it). They are final as soon as they are read, so they go out while the fold
   * goes on (streamFields) and are not kept.
   */
  events: string[];
  /** "^": the first event's time. */
  first: number;
  /** Per linked feature (index in compiled.linked): the account's own flag times ("g|"). */
  flags: (number[] | undefined)[];
  /** "u|" done fields: this account's first use of each indexed value. */
  uses: Map<string, number>;
  /** Cross-account fields kept at the minimum ("l|", "s|"), filled by finish(). */
  min: Map<string, number>;
  /** Cross-account fields set to '' ("f|"), filled by finish(). */
  set: Set<string>;
  /** Whether the key got its expiry with its first event fields (so no key of the rebuild is ever left without one). */
  expiring: boolean;
}

/** One indexed value: its members and their first use, in the order they joined (at most `cap`). */
interface ValueIndex {
  linked: boolean;
  /** Linked: index in compiled.linked; shared: the shared feature's name. */
  feature: number;
  featureName: string;
  value: string;
  flagKey: string;
  cap: number;
  members: Map<string, number>;
}

export interface ImageWriteOptions {
  /** Accounts (or values) per round trip. */
  chunk?: number;
  /** Round trips in flight. */
  inFlight?: number;
  onWritten?(accounts: number): void;
}

export class FeatureImage {
  private readonly accounts = new Map<string, AccountImage>();
  private readonly indexes = new Map<string, ValueIndex>();
  private readonly linkedIndex: Map<string, number>;
  /** Events folded. */
  events = 0;
  /** Event fields waiting to be sent, and the sends under way (at most one batch behind the fold). */
  private unsent = 0;
  private sending: Promise<void> = Promise.resolve();
  private sendFailed: unknown;

  constructor(
    private readonly compiled: CompiledFeatures,
    private readonly prefix: string,
    private readonly uses: IndexedUses,
    private readonly scripts: FeatureScriptCalls,
  ) {
    this.linkedIndex = new Map(compiled.linked.map((l, i) => [l.name, i]));
  }

  get accountCount(): number {
    return this.accounts.size;
  }

  /**
   * Folds events of the log in (log order; each event id once, as the log holds them). Every
   * `streamEvery` events the event fields folded so far are sent (HSET per account) while the fold
   * goes on; the promise waits for the previous send, so at most one is behind.
   */
  async add(events: readonly RefundGuardEvent[], streamEvery = 100_000): Promise<void> {
    this.fold(events);
    if (this.unsent >= streamEvery) await this.streamFields();
  }

  private fold(events: readonly RefundGuardEvent[]): void {
    const c = this.compiled;
    const linked = c.linked;
    for (const event of events) {
      if (event.type === 'merchant.updated') continue;
      const t = atMs(event);
      const entry = extractEntry(c, event, t);
      const ti = c.typeIndex.get(event.type);
      if (entry === undefined || ti === undefined) continue;
      const a = event.accountId;
      let acc = this.accounts.get(a);
      if (acc === undefined) this.accounts.set(a, (acc = { events: [], first: t, flags: [], uses: new Map(), min: new Map(), set: new Set(), expiring: false }));
      acc.events.push(shortId(event.eventId), encodeEntryValue(entry));
      this.events++;
      this.unsent++;
      if (t < acc.first) acc.first = t;
      for (const u of this.uses.usesOf(ti, entry.f)) {
        const had = acc.uses.get(u.field);
        if (had === undefined || t < had) acc.uses.set(u.field, t);
        let index = this.indexes.get(u.indexKey);
        if (index === undefined) {
          const feature = u.linked ? (this.linkedIndex.get(u.feature) as number) : -1;
          this.indexes.set(u.indexKey, (index = { linked: u.linked, feature, featureName: u.feature, value: u.value, flagKey: u.flagKey, cap: u.cap, members: new Map() }));
        }
        const mine = index.members.get(a);
        if (mine === undefined) {
          if (index.members.size < index.cap) index.members.set(a, t); // beyond the cap: a public value, not indexed
        } else if (t < mine) {
          index.members.set(a, t);
        }
      }
      for (let li = 0; li < linked.length; li++) {
        if (!linked[li]!.isFlag(ti, entry)) continue;
        const own = (acc.flags[li] ??= []);
        if (!own.includes(t)) own.push(t);
      }
    }
  }

  /**
   * Sends the event fields folded since the last send, one HSET per account, after the previous send
   * is done. Plain HSET is safe next to live writes: an event field has one value, whoever writes it.
   * The keys get their expiry with the account's load call (write()).
   */
  private async streamFields(options: ImageWriteOptions = {}): Promise<void> {
    const ttlMs = this.compiled.retentionMs + EXPIRY_REFRESH_MS;
    await this.sending;
    if (this.sendFailed !== undefined) throw this.sendFailed;
    const chunk = options.chunk ?? 500;
    const batches: Arg[][][] = [];
    let commands: Arg[][] = [];
    for (const [a, acc] of this.accounts) {
      if (acc.events.length === 0) continue;
      const key = accountKeyOf(this.prefix, a);
      commands.push(['HSET', key, ...acc.events]);
      // NX: a key a live write reached has its expiry already (the restrictions, re-applied after the events, persist theirs again).
      if (!acc.expiring) commands.push(['PEXPIRE', key, ttlMs, 'NX']);
      acc.expiring = true;
      acc.events = [];
      if (commands.length >= chunk) { batches.push(commands); commands = []; }
    }
    if (commands.length > 0) batches.push(commands);
    this.unsent = 0;
    this.sending = inParallel(batches.values(), options.inFlight ?? 4, (b) => this.scripts.commands(b)).catch((err: unknown) => {
      this.sendFailed = err;
    });
  }

  /**
   * The cross-account fields, once every event is in: on each member of a link value, a link to and
   * the flags of each other flagged member (since the later of the two first uses, the earliest over
   * the values they share); on each member of a shared value, the earliest first use by another member.
   */
  private finish(): void {
    const linked = this.compiled.linked;
    for (const index of this.indexes.values()) {
      if (index.linked) {
        const li = index.feature;
        const name = (linked[li] as { name: string }).name;
        for (const [x, since] of index.members) {
          const times = this.accounts.get(x)?.flags[li];
          if (times === undefined || times.length === 0) continue;
          for (const [a, mine] of index.members) {
            if (a === x) continue;
            const acc = this.accounts.get(a) as AccountImage;
            const field = `l|${name}|${x}`;
            const at = mine > since ? mine : since;
            const had = acc.min.get(field);
            if (had === undefined || at < had) acc.min.set(field, at);
            for (const ft of times) acc.set.add(`f|${name}|${x}|${ft}`);
          }
        }
        continue;
      }
      if (index.members.size < 2) continue;
      // The earliest and second earliest first uses: each member's earliest other.
      let best = Infinity;
      let bestOf = '';
      let second = Infinity;
      for (const [a, t] of index.members) {
        if (t < best) { second = best; best = t; bestOf = a; }
        else if (t < second) second = t;
      }
      const field = `s|${index.featureName}|${index.value}`;
      for (const a of index.members.keys()) {
        const acc = this.accounts.get(a) as AccountImage;
        const at = a === bestOf ? second : best;
        const had = acc.min.get(field);
        if (had === undefined || at < had) acc.min.set(field, at);
      }
    }
  }

  /** The account hash's field/value pairs. */
  private fieldsOf(acc: AccountImage, now: number): Arg[] {
    const out: Arg[] = ['^', acc.first];
    let flagged = false;
    acc.flags.forEach((times, li) => {
      if (times === undefined || times.length === 0) return;
      flagged = true;
      const name = (this.compiled.linked[li] as { name: string }).name;
      for (const t of times) out.push(`g|${name}|${t}`, '');
    });
    if (!flagged) out.push('n|', '');
    for (const [field, first] of acc.uses) out.push(field, `${first}:${now}`);
    for (const [field, at] of acc.min) out.push(field, at);
    for (const field of acc.set) out.push(field, '');
    return out;
  }

  /** Writes the rest of the image: one load call per account (after its event fields), then each value's index (and a link value's flags). */
  async write(options: ImageWriteOptions = {}): Promise<{ accounts: number; values: number }> {
    await this.streamFields(options);
    await this.sending;
    if (this.sendFailed !== undefined) throw this.sendFailed;
    this.finish();
    // As the live writes: keys live a day longer than retention.
    const ttlMs = this.compiled.retentionMs + EXPIRY_REFRESH_MS;
    const now = Date.now();
    const chunk = options.chunk ?? 500;
    let written = 0;
    const accountOps = function* (this: FeatureImage): Generator<Op[]> {
      let ops: Op[] = [];
      for (const [a, acc] of this.accounts) {
        ops.push({ command: 'rgFeatLoad', key: accountKeyOf(this.prefix, a), args: [ttlMs, ...this.fieldsOf(acc, now)] });
        if (ops.length === chunk) { yield ops; ops = []; }
      }
      if (ops.length > 0) yield ops;
    }.call(this);
    await inParallel(accountOps, options.inFlight ?? 4, async (ops) => {
      await this.scripts.run(ops);
      written += ops.length;
      options.onWritten?.(written);
    });
    const valueCommands = function* (this: FeatureImage): Generator<Arg[][]> {
      let commands: Arg[][] = [];
      for (const [key, index] of this.indexes) {
        if (index.members.size === 0) continue;
        // ZADD LT keeps a live write's earlier first use; expiries as the index scripts set them.
        const zadd: Arg[] = ['ZADD', key, 'LT'];
        for (const [a, t] of index.members) zadd.push(t, a);
        commands.push(zadd, ['PEXPIRE', key, ttlMs]);
        if (index.linked) {
          const hset: Arg[] = ['HSET', index.flagKey];
          for (const x of index.members.keys()) for (const t of this.accounts.get(x)?.flags[index.feature] ?? []) hset.push(`${x}|${t}`, '');
          if (hset.length > 2) commands.push(hset, ['PEXPIRE', index.flagKey, ttlMs]);
        }
        if (commands.length >= 4 * chunk) { yield commands; commands = []; }
      }
      if (commands.length > 0) yield commands;
    }.call(this);
    await inParallel(valueCommands, options.inFlight ?? 4, (commands) => this.scripts.commands(commands));
    return { accounts: this.accounts.size, values: this.indexes.size };
  }
}

/** Runs `work` on each item of `items`, at most `limit` at once; the first failure fails the whole. */
async function inParallel<T>(items: Iterator<T>, limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let failed: unknown;
  const worker = async (): Promise<void> => {
    for (let next = items.next(); !next.done && failed === undefined; next = items.next()) {
      try {
        await work(next.value);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  if (failed !== undefined) throw failed;
}
