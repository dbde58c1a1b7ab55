/**
 * Redis-backed FeatureStore. Each account is ONE hash "<prefix>:a:{<accountId>}" holding its compact
 * event log plus the cross-account facts (links, flags of linked accounts, shared values) recorded at
 * write time, so a read is a single HGETALL of one key, decoded and handed to the same pure
 * `computeFeatures` the in-memory store uses.
 *
 * Links are lazy: an account holds "linked to X since" and X's flags only for partners X that are
 * flagged. Each link value (device, address) has an index zset (account → first use) and a flag hash
 * (flagged members and their flag times) under one hash tag; a new use asks the index for its flagged
 * members, and a new flag is announced through the indexes of every value the account used.
 *
 * Writes take up to four pipelined round trips per batch (however large); without flags or shared
 * values, two, with one script call per event plus one per new use of a value:
 *   1. record uses of link values / shared values in their indexes — only uses not known to be done
 *      at an earlier-or-equal time (each account records its done uses in "u|" fields, written after
 *      the work succeeded, and this process remembers them), once per account and value; a link
 *      index answers its flagged members, a shared-value index every member;
 *   2. apply each event to its account (idempotent by event id, own flags recorded, its uses listed
 *      in "u|" fields); an account's first call also writes its side of links to flagged accounts /
 *      shared-value times; a flag event reads back the account's link values, an event with new link
 *      uses the account's own flags (the flag/use handshake: one of the two always sees the other);
 *   3. (only with flags) announce each flag through the value indexes (recorded there for later
 *      users), which answer the other members;
 *   4. (only with flags or new shared values) write the link and flags on those members / the other
 *      side of shared values, one call per account.
 * Repeat uses of a device or address cost no cross-account work, as in the memory store.
 * An account's expiry is refreshed at most once a day per process, and with it the expiry of the
 * indexes of every value it used: an index lives as long as the hash of any member still writing (as
 * links kept on the accounts themselves would), so a flag finds partners of long ago.
 * Every script touches one account key or the keys of one value (one hash tag), so the store also
 * works on Redis Cluster (no CROSSSLOT).
 *
 * Its parts, one concept a file, in redis/: feature-scripts.ts (the Lua scripts), feature-script-calls.ts
 * (one round trip of script calls), indexed-uses.ts (use records of link and shared values, and the
 * done uses this process remembers), merge-batch.ts (writes onto other accounts, one call each),
 * account-hash.ts (event fields, trimming, decoding a hash for reads). This file: reads, and the
 * write protocol above.
 */
import type { RefundGuardEvent } from '../../engine/events/index.js';
import { atMs } from '../../engine/events/index.js';
import {
  compileFeatures,
  computeFeatures,
  encodeEntryValue,
  extractEntry,
  type CompiledFeatures,
  type FeatureDefinitions,
  type FeatureStore,
} from '../../engine/features/index.js';
import { AccountHashDecoder, shortId, trimsOn } from './redis/account-hash.js';
import { FeatureScriptCalls, type Arg, type Client, type Op } from './redis/feature-script-calls.js';
import { IndexedUses, MAX_KNOWN_ACCOUNTS, isKnownDone, type Pending, type Use } from './redis/indexed-uses.js';
import { MergeBatch } from './redis/merge-batch.js';

export { shortId, trimsOn } from './redis/account-hash.js';

export interface RedisFeatureStoreOptions {
  /** Key prefix (server: --redis-prefix / REDIS_PREFIX). Default "rg". */
  prefix?: string;
  /**
   * Each write round trip fails after this long (ms). For a client without a commandTimeout of its
   * own: one timer per round trip instead of one per command.
   */
  timeoutMs?: number;
}

/** An event to store: its account, key, time, hash field and value, indexed values not known to be done (their done records are read back) and flag features. */
interface Accepted {
  a: string;
  key: string;
  t: number;
  id: string;
  value: string;
  uses: Use[];
  flags: string[];
  /** Whether this event's call trims the account (about one event in 64, by its id). */
  trim: boolean;
}

/** An account key's expiry is refreshed at most this often (wall clock); keys live this much longer than retention. */
const EXPIRY_REFRESH_MS = 86_400_000;

export class RedisFeatureStore implements FeatureStore {
  readonly compiled: CompiledFeatures;
  readonly prefix: string;
  private readonly scripts: FeatureScriptCalls;
  private readonly decoder: AccountHashDecoder;
  private readonly uses: IndexedUses;
  /** Per account key: when this process last refreshed its expiry (wall ms). */
  private readonly expiryRefreshed = new Map<string, number>();

  /**
   * Does not own `client`: close() leaves it open (and closes the store's own script connection, when
   * it has one). Adds six script commands (rgFeat*) to it.
   */
  constructor(client: Client, definitions: FeatureDefinitions | CompiledFeatures, options: RedisFeatureStoreOptions = {}) {
    this.compiled = 'evaluators' in definitions ? definitions : compileFeatures(definitions);
    this.prefix = options.prefix ?? 'rg';
    this.scripts = new FeatureScriptCalls(client, options.timeoutMs);
    this.decoder = new AccountHashDecoder(this.compiled);
    this.uses = new IndexedUses(this.compiled, this.prefix);
  }

  accountKey(accountId: string): string {
    return `${this.prefix}:a:{${accountId}}`;
  }

  /**
   * The account's whole hash (flat field/value list): one HGETALL, over the store's own lean
   * connection when it has one (the decision path's one Redis command), ioredis otherwise.
   */
  async readAccountHash(accountId: string): Promise<readonly string[]> {
    return this.scripts.hgetall(this.accountKey(accountId));
  }

  /**
   * Opens the lean connection now (a PING with a patient timeout), so the first decision does not
   * pay the connection's set-up inside its 50 ms budget. Best effort: an unreachable Redis is the
   * readiness check's business, not start-up's.
   */
  async warmUp(timeoutMs = 2000): Promise<void> {
    await this.scripts.warmUp(timeoutMs);
  }

  async read(accountId: string, asOf: number): Promise<Record<string, number>> {
    const flat = await this.readAccountHash(accountId);
    return this.featuresFromHash(flat, asOf);
  }

  /** Features from an account hash already fetched (HGETALL, flat): the decision path reads the hash once for features and integrity state. */
  featuresFromHash(flat: readonly string[], asOf: number): Record<string, number> {
    return computeFeatures(this.compiled, this.decoder.decode(flat), asOf);
  }

  async close(): Promise<void> {
    // The client belongs to the caller.
    this.scripts.close();
  }

  async apply(events: readonly RefundGuardEvent[]): Promise<{ applied: number; duplicates: number }> {
    const c = this.compiled;
    // Keys live a day longer than retention: an account's expiry is refreshed at most once a day.
    const ttl = c.retentionMs + EXPIRY_REFRESH_MS;
    const now = Date.now();
    let applied = 0;
    let duplicates = 0;
    // The events, and the uses of indexed values not known to be done at an earlier-or-equal time
    // (once per account and value in a batch, at the earliest time).
    const accepted: Accepted[] = [];
    const pending: Pending[] = [];
    const byUse = new Map<string, Pending>();
    for (const event of events) {
      if (event.type === 'merchant.updated') { applied++; continue; }
      const t = atMs(event);
      const entry = extractEntry(c, event, t);
      const ti = c.typeIndex.get(event.type);
      if (entry === undefined || ti === undefined) { applied++; continue; }
      const a = event.accountId;
      const key = this.accountKey(a);
      const uses = this.uses.usesOf(ti, entry.f);
      const flags: string[] = [];
      for (const l of c.linked) if (l.isFlag(ti, entry)) flags.push(l.name);
      const ask: Use[] = uses.length === 0 ? uses : [];
      accepted.push({ a, key, t, id: shortId(event.eventId), value: encodeEntryValue(entry), uses: ask, flags, trim: trimsOn(event.eventId) });
      if (uses.length === 0) continue;
      const known = this.uses.knownOf(key);
      for (const u of uses) {
        if (known !== undefined && isKnownDone(known, u.field, t, now)) continue;
        ask.push(u);
        const id = `${key}\n${u.field}`;
        const seen = byUse.get(id);
        if (seen !== undefined) {
          if (t < seen.t) seen.t = t;
          continue;
        }
        const p: Pending = { a, key, t, use: u };
        byUse.set(id, p);
        pending.push(p);
      }
    }
    // Round trip 1 (only with new uses): record them in their indexes. A link index answers only its
    // flagged members (links to the others are written if and when they are flagged); a shared-value
    // index answers every member (both sides get the value's times).
    const aSide = new MergeBatch();
    const merges = new MergeBatch();
    if (pending.length > 0) {
      const results = await this.scripts.run(
        pending.map((p): Op => (p.use.linked
          ? { command: 'rgFeatLink', key: p.use.indexKey, key2: p.use.flagKey, args: [p.a, p.t, p.use.cap, ttl] }
          : { command: 'rgFeatIndex', key: p.use.indexKey, args: [p.a, p.t, p.use.cap, ttl] })),
      );
      pending.forEach((p, k) => {
        const reply = results[k] as string[];
        const { linked, feature, value } = p.use;
        if (linked) {
          // [my first use, (flagged member, its first use, flag time)...]
          if (reply.length < 4) return;
          const mine = Number(reply[0]);
          const onA = aSide.get(p.key);
          for (let i = 1; i + 2 < reply.length; i += 3) {
            const x = reply[i] as string;
            const theirs = Number(reply[i + 1]);
            onA.min.push(`l|${feature}|${x}`, mine > theirs ? mine : theirs);
            onA.set.push(`f|${feature}|${x}|${reply[i + 2] as string}`);
          }
          return;
        }
        // member, first use, member, first use, ...
        let mine = Number.NaN;
        for (let i = 0; i + 1 < reply.length; i += 2) if (reply[i] === p.a) mine = Number(reply[i + 1]);
        if (Number.isNaN(mine)) return; // value shared by too many accounts
        let onA: { min: Arg[] } | undefined; // only when another account shares the value
        for (let i = 0; i + 1 < reply.length; i += 2) {
          const b = reply[i] as string;
          if (b === p.a) continue;
          onA ??= aSide.get(p.key);
          onA.min.push(`s|${feature}|${value}`, Number(reply[i + 1]));
          merges.get(this.accountKey(b)).min.push(`s|${feature}|${value}`, mine);
        }
      });
    }
    // Round trip 2: the events; each account's first call also records its done uses and its side of
    // new links to flagged accounts / shared values. A call with new link uses reads the account's own
    // flags, a flag event the account's link values (the flag/use handshake).
    const ops: Op[] = [];
    const firstOf = new Map<string, number>();
    for (const e of accepted) {
      const args: Arg[] = [e.id, e.t, e.value, c.retentionMs, ttl, now, '', e.uses.length];
      let want = 0;
      for (const u of e.uses) {
        args.push(u.field);
        if (u.linked) want = 1;
      }
      if (!firstOf.has(e.key)) {
        firstOf.set(e.key, ops.length);
        const refreshed = this.expiryRefreshed.get(e.key);
        if (refreshed === undefined || now - refreshed >= EXPIRY_REFRESH_MS) args[6] = 'e';
        const done = this.uses.takeDone(e.key);
        if (done !== undefined) {
          args.push(done.length / 2);
          for (const x of done) args.push(x);
        } else {
          args.push(0);
        }
        const mine = aSide.peek(e.key);
        if (mine === undefined) {
          args.push(0, 0);
        } else {
          args.push(mine.min.length / 2);
          for (const x of mine.min) args.push(x);
          args.push(mine.set.length);
          for (const x of mine.set) args.push(x);
        }
      } else {
        args.push(0, 0, 0);
      }
      args.push(want);
      for (const f of e.flags) args.push(f);
      if (e.trim) args[6] += 't';
      ops.push({ command: 'rgFeatApply', key: e.key, args });
    }
    const results2 = await this.scripts.run(ops);
    if (this.expiryRefreshed.size >= MAX_KNOWN_ACCOUNTS) this.expiryRefreshed.clear();
    for (const op of ops) if ((op.args[6] as string).includes('e')) this.expiryRefreshed.set(op.key, now);
    // Flags to announce through link values: per index and account, the flag times.
    const announce = new Map<string, { a: string; feature: string; indexKey: string; flagKey: string; times: Set<string> }>();
    // Index expiries refreshed with their members' daily refresh.
    const touch: Op[] = [];
    const announceOn = (indexKey: string, flagKey: string, a: string, feature: string, times: readonly string[]): void => {
      const k = `${indexKey}\n${a}`;
      let w = announce.get(k);
      if (w === undefined) announce.set(k, (w = { a, feature, indexKey, flagKey, times: new Set() }));
      for (const x of times) w.times.add(x);
    };
    results2.forEach((r, k) => {
      const e = accepted[k] as Accepted;
      const [added, used, own, sweep, ...groups] = r as [number, string[], string[], string[], ...string[][]];
      for (const field of sweep) {
        const sep = field.indexOf('|');
        const link = sep > 0 ? this.uses.linkOf(field.slice(0, sep)) : undefined;
        if (link === undefined) continue;
        const v = field.slice(sep + 1);
        touch.push({ command: 'rgFeatTouch', key: `${this.prefix}:x:${link.feature}:{${link.path}=${v}}`, key2: `${this.prefix}:xf:${link.feature}:{${link.path}=${v}}`, args: [ttl] });
      }
      if (added === 1) applied++;
      else duplicates++;
      // A new flag: through every link value the account used.
      for (const [feature, ...fields] of groups) {
        for (const field of fields) {
          // "<code>|<value>": a link value of this feature (other codes: other features, shared values)
          const sep = field.indexOf('|');
          const link = sep > 0 ? this.uses.linkOf(field.slice(0, sep)) : undefined;
          if (link === undefined || link.feature !== feature) continue;
          const v = field.slice(sep + 1);
          announceOn(`${this.prefix}:x:${feature}:{${link.path}=${v}}`, `${this.prefix}:xf:${feature}:{${link.path}=${v}}`, e.a, feature as string, [String(e.t)]);
        }
      }
      // A flagged account's new use: its flags through that value.
      if (own.length > 0) {
        for (const u of e.uses) {
          if (!u.linked) continue;
          const prefix = `g|${u.feature}|`;
          const times: string[] = [];
          for (const g of own) if (g.startsWith(prefix)) times.push(g.slice(prefix.length));
          if (times.length > 0) announceOn(u.indexKey, u.flagKey, e.a, u.feature, times);
        }
      }
      used.forEach((raw, j) => {
        const sep = raw.indexOf(':');
        if (sep > 0) this.uses.learn(e.key, (e.uses[j] as Use).field, Number(raw.slice(0, sep)), Number(raw.slice(sep + 1)));
      });
    });
    // Round trip 3 (only with flags): announce them; each index records them and answers its other members.
    if (announce.size > 0) {
      const work = [...announce.values()];
      const results3 = await this.scripts.run(work.map((w): Op => ({ command: 'rgFeatFlag', key: w.indexKey, key2: w.flagKey, args: [w.a, ttl, ...w.times] })));
      work.forEach((w, k) => {
        const reply = results3[k] as string[]; // [its first use, member, first use, ...] or [] when not a member
        if (reply.length < 3) return;
        const mine = Number(reply[0]);
        for (let i = 1; i + 1 < reply.length; i += 2) {
          const theirs = Number(reply[i + 1]);
          const onB = merges.get(this.accountKey(reply[i] as string));
          onB.min.push(`l|${w.feature}|${w.a}`, mine > theirs ? mine : theirs);
          for (const ft of w.times) onB.set.push(`f|${w.feature}|${w.a}|${ft}`);
        }
      });
    }
    // Round trip 4 (only with flags or shared values): the other accounts' side.
    if (merges.size > 0 || touch.length > 0) await this.scripts.run([...merges.ops(ttl), ...touch]);
    this.uses.recordDone(pending, now);
    return { applied, duplicates };
  }
}
