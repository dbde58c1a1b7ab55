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
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { atMs, type RefundGuardEvent } from '../../engine/events/index.js';
import {
  compileFeatures,
  computeFeatures,
  decodeEntryValue,
  emptyAccountLog,
  encodeEntryValue,
  extractEntry,
  fnv1a,
  finishAccountLog,
  type AccountLog,
  type CompiledFeatures,
  type FeatureDefinitions,
  type FeatureStore,
} from '../../engine/features/index.js';
import { applyScript, flagScript, indexScript, linkIndexScript, mergeScript, touchScript } from './redis/feature-scripts.js';
import { bulkString, encodeCommand, RespConnection, type Reply } from './redis/resp-connection.js';

export interface RedisFeatureStoreOptions {
  /** Key prefix (server: --redis-prefix / REDIS_PREFIX). Default "rg". */
  prefix?: string;
  /**
   * Each write round trip fails after this long (ms). For a client without a commandTimeout of its
   * own: one timer per round trip instead of one per command.
   */
  timeoutMs?: number;
}

type Client = Redis | Cluster;
type Arg = string | number;
interface Op {
  command: 'rgFeatApply' | 'rgFeatIndex' | 'rgFeatLink' | 'rgFeatFlag' | 'rgFeatMerge' | 'rgFeatTouch';
  key: string;
  /** Second key (link scripts: the index's flag hash, same hash tag). */
  key2?: string;
  args: Arg[];
}
type ScriptTarget = Record<Op['command'], (...args: Arg[]) => unknown>;
/** An indexed value used by an event: a link value (per via path) or a shared value. */
interface Use {
  /** Done field in the account hash ("u|" + the index key without the prefix). */
  field: string;
  indexKey: string;
  /** Link values: the index's flag hash (same hash tag). */
  flagKey: string;
  cap: number;
  linked: boolean;
  feature: string;
  value: string;
}
/** A slot of an event type holding indexed values, with its use records by value. */
interface UseSlot {
  slot: number;
  cache: Map<string, Use>;
  linked: boolean;
  feature: string;
  cap: number;
  /** Short code naming the "u|" fields of this (feature, path). */
  code: string;
  id: (value: string) => string;
}
/** Index work of one account and value in a batch, at the earliest time the batch uses it. */
interface Pending {
  a: string;
  t: number;
  use: Use;
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

/** A done use is re-indexed after this long (wall clock) even when nothing is new, refreshing the index key's TTL. */
const REFRESH_MS = 86_400_000;
/** An account key's expiry is refreshed at most this often (wall clock); keys live this much longer than retention. */
const EXPIRY_REFRESH_MS = 86_400_000;
/** Accounts whose done uses wait for their next apply call; beyond this the waiting list is dropped (it only saves work). */
const MAX_DONE_ACCOUNTS = 100_000;
/** Accounts whose done uses this process remembers (to skip index work); beyond this it forgets them all. */
const MAX_KNOWN_ACCOUNTS = 200_000;
/** Done uses remembered per account (the oldest forgotten first). */
const MAX_KNOWN_PER_ACCOUNT = 64;
/** Values per slot whose use records (keys, fields) are cached; beyond this the cache starts again. */
const MAX_CACHED_USES = 200_000;

const script = (lua: string, keys: number) => ({ lua, keys, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS: Record<Op['command'], { lua: string; keys: number; sha: string }> = {
  rgFeatApply: script(applyScript, 1),
  rgFeatIndex: script(indexScript, 1),
  rgFeatLink: script(linkIndexScript, 2),
  rgFeatFlag: script(flagScript, 2),
  rgFeatMerge: script(mergeScript, 1),
  rgFeatTouch: script(touchScript, 2),
};

/** Ids longer than this are stored as a 72-bit digest, keeping hash entries small (listpack-encoded). */
const MAX_PLAIN_ID = 16;

export class RedisFeatureStore implements FeatureStore {
  readonly compiled: CompiledFeatures;
  readonly prefix: string;
  private readonly timeoutMs: number | undefined;
  /** Standalone Redis without TLS: script calls go over a lean connection of the store's own (see resp-connection.ts). */
  private readonly raw: RespConnection | undefined;
  /** Budget of one round trip on `raw`: the store's timeout, else the client's command timeout. */
  private readonly rawTimeoutMs: number;
  private readonly linkedByName: Map<string, number>;
  private readonly sharedByName: Map<string, number>;
  /** Per account key: done uses to record with the account's next apply call, flat [field, first use ms, ...] (accounts use few values: no Map each). */
  private readonly done = new Map<string, (string | number)[]>();
  /** Per account key: done uses known to this process, flat [field, first use ms, wall ms, ...], from its own work and apply replies. */
  private readonly known = new Map<string, (string | number)[]>();
  /** Per event type index: the slots holding indexed values (built on first use). */
  private readonly usePlans = new Map<number, UseSlot[]>();
  /** Per account key: when this process last refreshed its expiry (wall ms). */
  private readonly expiryRefreshed = new Map<string, number>();
  /** Short code of each link (feature, path) and shared feature, naming its "u|" fields; and back. */
  private readonly codeOf = new Map<string, string>();
  private readonly linkOfCode = new Map<string, { feature: string; path: string }>();

  /**
   * Does not own `client`: close() leaves it open (and closes the store's own script connection, when
   * it has one). Adds six script commands (rgFeat*) to it.
   */
  constructor(private readonly client: Client, definitions: FeatureDefinitions | CompiledFeatures, options: RedisFeatureStoreOptions = {}) {
    this.compiled = 'evaluators' in definitions ? definitions : compileFeatures(definitions);
    this.prefix = options.prefix ?? 'rg';
    this.timeoutMs = options.timeoutMs;
    const o = client.isCluster ? undefined : (client as Redis).options;
    this.rawTimeoutMs = this.timeoutMs ?? o?.commandTimeout ?? 2000;
    if (o !== undefined && !o.tls && !(o.sentinels && o.sentinels.length > 0)) {
      this.raw = new RespConnection({
        ...(o.path ? { path: o.path } : { host: o.host, port: o.port }),
        ...(o.username ? { username: o.username } : {}),
        ...(o.password ? { password: o.password } : {}),
        ...(o.db ? { db: o.db } : {}),
        name: `${o.connectionName ?? 'refund-guard'}-scripts`,
      });
    }
    this.linkedByName = new Map(this.compiled.linked.map((l, i) => [l.name, i]));
    this.sharedByName = new Map(this.compiled.shared.map((s, i) => [s.name, i]));
    for (const [name, { lua, keys }] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: keys, lua });
    const names: string[] = [];
    for (const lf of this.compiled.linked) {
      for (const slots of lf.viaSlots.values()) for (const { path } of slots) names.push(`x\0${lf.name}\0${path}`);
    }
    for (const sf of this.compiled.shared) names.push(`s\0${sf.name}`);
    for (const [name, code] of shortCodes(names)) {
      this.codeOf.set(name, code);
      const [kind, feature, path] = name.split('\0') as [string, string, string?];
      if (kind === 'x') this.linkOfCode.set(code, { feature, path: path ?? '' });
    }
  }

  accountKey(accountId: string): string {
    return `${this.prefix}:a:{${accountId}}`;
  }

  /**
   * The account's whole hash (flat field/value list): one HGETALL, over the store's own lean
   * connection when it has one (the decision path's one Redis command), ioredis otherwise.
   */
  async readAccountHash(accountId: string): Promise<readonly string[]> {
    const key = this.accountKey(accountId);
    const raw = this.raw;
    if (raw === undefined) return (await this.client.call('HGETALL', key)) as string[];
    const [reply] = await raw.exec(encodeCommand(['HGETALL', key]), 1, this.rawTimeoutMs);
    if (reply instanceof Error) throw reply;
    return reply as string[];
  }

  /**
   * Opens the lean connection now (a PING with a patient timeout), so the first decision does not
   * pay the connection's set-up inside its 50 ms budget. Best effort: an unreachable Redis is the
   * readiness check's business, not start-up's.
   */
  async warmUp(timeoutMs = 2000): Promise<void> {
    await this.raw?.exec(encodeCommand(['PING']), 1, timeoutMs).catch(() => undefined);
  }

  async read(accountId: string, asOf: number): Promise<Record<string, number>> {
    const flat = await this.readAccountHash(accountId);
    return this.featuresFromHash(flat, asOf);
  }

  /** Features from an account hash already fetched (HGETALL, flat): the decision path reads the hash once for features and integrity state. */
  featuresFromHash(flat: readonly string[], asOf: number): Record<string, number> {
    return computeFeatures(this.compiled, this.decode(flat), asOf);
  }

  async close(): Promise<void> {
    // The client belongs to the caller.
    this.raw?.close();
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
      const uses = this.usesOf(ti, entry.f);
      const flags: string[] = [];
      for (const l of c.linked) if (l.isFlag(ti, entry)) flags.push(l.name);
      const ask: Use[] = uses.length === 0 ? uses : [];
      accepted.push({ a, key, t, id: shortId(event.eventId), value: encodeEntryValue(entry), uses: ask, flags, trim: trimsOn(event.eventId) });
      if (uses.length === 0) continue;
      const known = this.known.get(key);
      for (const u of uses) {
        if (known !== undefined && isKnownDone(known, u.field, t, now)) continue;
        ask.push(u);
        const id = `${key}\n${u.field}`;
        const seen = byUse.get(id);
        if (seen !== undefined) {
          if (t < seen.t) seen.t = t;
          continue;
        }
        const p: Pending = { a, t, use: u };
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
      const results = await this.run(
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
          const onA = aSide.get(this.accountKey(p.a));
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
          onA ??= aSide.get(this.accountKey(p.a));
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
        const done = this.done.get(e.key);
        if (done !== undefined) {
          this.done.delete(e.key);
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
    const results2 = await this.run(ops);
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
        const link = sep > 0 ? this.linkOfCode.get(field.slice(0, sep)) : undefined;
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
          const link = sep > 0 ? this.linkOfCode.get(field.slice(0, sep)) : undefined;
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
        if (sep > 0) this.learn(e.key, (e.uses[j] as Use).field, Number(raw.slice(0, sep)), Number(raw.slice(sep + 1)));
      });
    });
    // Round trip 3 (only with flags): announce them; each index records them and answers its other members.
    if (announce.size > 0) {
      const work = [...announce.values()];
      const results3 = await this.run(work.map((w): Op => ({ command: 'rgFeatFlag', key: w.indexKey, key2: w.flagKey, args: [w.a, ttl, ...w.times] })));
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
    if (merges.size > 0 || touch.length > 0) await this.run([...merges.ops(ttl), ...touch]);
    this.recordDone(pending, now);
    return { applied, duplicates };
  }

  /** The indexed values of an event (its link values per via slot, its shared values), each with its index key and done field. */
  private usesOf(ti: number, f: readonly string[]): Use[] {
    let plan = this.usePlans.get(ti);
    if (plan === undefined) this.usePlans.set(ti, (plan = this.usePlan(ti)));
    if (plan.length === 0) return [];
    const uses: Use[] = [];
    for (const slot of plan) {
      const raw = f[slot.slot];
      if (!raw) continue;
      if (raw.includes(',')) for (const v of raw.split(',')) uses.push(this.use(slot, v));
      else uses.push(this.use(slot, raw));
    }
    return uses;
  }

  /** Per event type: the slots holding indexed values, each with its cache of use records by value. */
  private usePlan(ti: number): UseSlot[] {
    const c = this.compiled;
    const plan: UseSlot[] = [];
    for (const lf of c.linked) {
      for (const { slot, path } of lf.viaSlots.get(ti) ?? []) {
        plan.push({ slot, cache: new Map(), linked: true, feature: lf.name, cap: lf.cap, code: this.codeOf.get(`x\0${lf.name}\0${path}`) as string, id: (v) => `x:${lf.name}:{${path}=${v}}` });
      }
    }
    for (const sf of c.shared) {
      const slot = sf.slots.get(ti);
      if (slot !== undefined) plan.push({ slot, cache: new Map(), linked: false, feature: sf.name, cap: sf.cap, code: this.codeOf.get(`s\0${sf.name}`) as string, id: (v) => `s:${sf.name}:{${v}}` });
    }
    return plan;
  }

  /** The use record of a value, shared by every account and event using it (fewer strings built and kept). */
  private use(slot: UseSlot, value: string): Use {
    let u = slot.cache.get(value);
    if (u === undefined) {
      if (slot.cache.size >= MAX_CACHED_USES) slot.cache.clear();
      const id = slot.id(value);
      const flagKey = slot.linked ? `${this.prefix}:xf${id.slice(1)}` : '';
      u = { field: `u|${slot.code}|${value}`, indexKey: `${this.prefix}:${id}`, flagKey, cap: slot.cap, linked: slot.linked, feature: slot.feature, value };
      slot.cache.set(value, u);
    }
    return u;
  }

  /**
   * After every write of a batch succeeded: its accounts' uses of indexed values are done, which each
   * account's next apply call records (so a repeat use skips the index). Losing these only costs work.
   */
  private recordDone(pending: readonly Pending[], now: number): void {
    if (this.done.size > MAX_DONE_ACCOUNTS) this.done.clear();
    for (const p of pending) {
      const key = this.accountKey(p.a);
      const field = p.use.field;
      let m = this.done.get(key);
      if (m === undefined) this.done.set(key, (m = []));
      let k = 0;
      while (k < m.length && m[k] !== field) k += 2;
      if (k === m.length) m.push(field, p.t);
      else if (p.t < (m[k + 1] as number)) m[k + 1] = p.t;
      this.learn(key, field, p.t, now);
    }
  }

  /** Remembers a done use (first use ms, wall ms when its index was refreshed), keeping the earliest first use. */
  private learn(key: string, field: string, first: number, wall: number): void {
    let m = this.known.get(key);
    if (m === undefined) {
      if (this.known.size >= MAX_KNOWN_ACCOUNTS) this.known.clear();
      this.known.set(key, (m = []));
    }
    let k = 0;
    while (k < m.length && m[k] !== field) k += 3;
    if (k === m.length) {
      if (k >= 3 * MAX_KNOWN_PER_ACCOUNT) m.splice(0, 3); // forget the oldest: scans stay short
      m.push(field, first, wall);
    }
    else {
      if (first < (m[k + 1] as number)) m[k + 1] = first;
      if (wall > (m[k + 2] as number)) m[k + 2] = wall;
    }
  }

  /** One round trip of script calls, failing after `timeoutMs` when set. */
  private run(ops: readonly Op[]): Promise<unknown[]> {
    if (ops.length === 0) return Promise.resolve([]);
    if (this.raw !== undefined) return this.sendRaw(this.raw, ops);
    const ms = this.timeoutMs;
    if (ms === undefined) return this.send(ops);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Command timed out')), ms);
      this.send(ops).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** Standalone: one pipeline. Cluster: pipelines must stay within a slot, so send commands individually (ioredis batches per node). */
  private async send(ops: readonly Op[]): Promise<unknown[]> {
    if (this.client.isCluster) {
      const target = this.client as unknown as ScriptTarget;
      return Promise.all(ops.map((op) => (op.key2 === undefined ? target[op.command](op.key, ...op.args) : target[op.command](op.key, op.key2, ...op.args))));
    }
    let results = await this.pipelined(ops);
    // Scripts not loaded (a new or flushed Redis): load them, re-send only those commands (they did not run).
    const missing = results.flatMap(([err], k) => (err && err.message.includes('NOSCRIPT') ? [k] : []));
    if (missing.length > 0) {
      for (const command of new Set(missing.map((k) => (ops[k] as Op).command))) await this.client.script('LOAD', SCRIPTS[command].lua);
      const again = await this.pipelined(missing.map((k) => ops[k] as Op));
      results = results.slice();
      missing.forEach((k, j) => (results[k] = again[j] as [Error | null, unknown]));
    }
    return results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }

  /** One write of EVALSHA commands over the store's own connection; scripts loaded on NOSCRIPT, only those commands re-sent. */
  private async sendRaw(raw: RespConnection, ops: readonly Op[]): Promise<unknown[]> {
    const ms = this.rawTimeoutMs;
    let payload = '';
    for (const op of ops) payload += evalsha(op);
    let results: Reply[] = await raw.exec(payload, ops.length, ms);
    const missing: number[] = [];
    results.forEach((r, k) => {
      if (r instanceof Error && r.message.includes('NOSCRIPT')) missing.push(k);
    });
    if (missing.length > 0) {
      const commands = [...new Set(missing.map((k) => (ops[k] as Op).command))];
      let load = '';
      for (const command of commands) load += encodeCommand(['SCRIPT', 'LOAD', SCRIPTS[command].lua]);
      const loaded = await raw.exec(load, commands.length, ms);
      const failed = loaded.find((r): r is Error => r instanceof Error);
      if (failed) throw failed;
      payload = '';
      for (const k of missing) payload += evalsha(ops[k] as Op);
      const again = await raw.exec(payload, missing.length, ms);
      results = results.slice();
      missing.forEach((k, j) => (results[k] = again[j] as Reply));
    }
    for (const r of results) if (r instanceof Error) throw r;
    return results;
  }

  /** One pipeline of plain EVALSHA commands (no per-command script wrapper: less work per command). */
  private async pipelined(ops: readonly Op[]): Promise<[Error | null, unknown][]> {
    const pipeline = this.client.pipeline();
    // The args array is passed whole: ioredis flattens one level of command arguments.
    const target = pipeline as unknown as { call(command: string, ...args: (Arg | readonly Arg[])[]): unknown };
    for (const op of ops) {
      if (op.key2 === undefined) target.call('EVALSHA', SCRIPTS[op.command].sha, 1, op.key, op.args);
      else target.call('EVALSHA', SCRIPTS[op.command].sha, 2, op.key, op.key2, op.args);
    }
    return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
  }

  /** HGETALL (flat field/value list) → AccountLog. */
  private decode(flat: readonly string[]): AccountLog {
    const c = this.compiled;
    const log = emptyAccountLog(c.layouts.length, c.linked.length, c.shared.length);
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const field = flat[i] as string;
      const value = flat[i + 1] as string;
      if (field === '^') { log.firstSeen = Number(value); continue; }
      if (field.charCodeAt(1) === 124 /* '|' */) {
        const parts = field.split('|');
        const kind = parts[0];
        const feature = parts[1] ?? '';
        if (kind === 'l') {
          const li = this.linkedByName.get(feature);
          if (li !== undefined) log.links[li]?.set(parts[2] ?? '', Number(value));
        } else if (kind === 'f') {
          const li = this.linkedByName.get(feature);
          if (li !== undefined) log.flags[li]?.push({ x: parts[2] ?? '', t: Number(parts[3]) });
        } else if (kind === 's') {
          const si = this.sharedByName.get(feature);
          if (si !== undefined) log.shared[si]?.set(field.slice(3 + feature.length), Number(value));
        }
        continue;
      }
      const decoded = decodeEntryValue(c, field, value);
      if (decoded !== undefined) log.buckets[decoded.ti]?.push(decoded.entry);
    }
    return finishAccountLog(log);
  }
}

/** Per-key accumulation of merge-script work, so each account gets one script call per round trip. */
class MergeBatch {
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

/** Whether `known` (flat [field, first use, wall, ...]) holds `field` done at or before t and refreshed recently. */
function isKnownDone(known: readonly (string | number)[], field: string, t: number, now: number): boolean {
  for (let k = 0; k < known.length; k += 3) {
    if (known[k] === field) return (known[k + 1] as number) <= t && now - (known[k + 2] as number) <= REFRESH_MS;
  }
  return false;
}

/** RESP of the EVALSHA of an op, built without an intermediate argument array. */
function evalsha(op: Op): string {
  const script = SCRIPTS[op.command];
  let out = `*${4 + (op.key2 === undefined ? 0 : 1) + op.args.length}\r\n$7\r\nEVALSHA\r\n$40\r\n${script.sha}\r\n$1\r\n${script.keys}\r\n${bulkString(op.key)}`;
  if (op.key2 !== undefined) out += bulkString(op.key2);
  for (const a of op.args) out += bulkString(a);
  return out;
}

/**
 * About one event id in 64 (top bits of FNV-1a of the id, the well-mixed ones): the apply call of that
 * event trims its account's old entries, so a busy account is trimmed every ~64 events, as with the
 * hash-length trigger it replaces (one command less per event).
 */
export function trimsOn(eventId: string): boolean {
  return fnv1a(eventId) >>> 26 === 0;
}

/**
 * Short stable codes for names (base64url of their SHA-1, the shortest length of at least 3 that keeps
 * them distinct), so every process derives the same codes from the same definitions.
 */
function shortCodes(names: readonly string[]): Map<string, string> {
  const unique = [...new Set(names)];
  const digests = unique.map((n) => createHash('sha1').update(n).digest('base64url'));
  for (let len = 3; ; len++) {
    const codes = digests.map((d) => d.slice(0, len));
    if (new Set(codes).size === codes.length || len >= 27) return new Map(unique.map((n, i) => [n, codes[i] as string]));
  }
}

function splitValues(v: string | undefined): readonly string[] {
  if (!v) return [];
  return v.includes(',') ? v.split(',') : [v];
}

/** The hash field of an event: the id itself when short, else a 72-bit digest ('#' never occurs in ids). */
export function shortId(eventId: string): string {
  if (eventId.length <= MAX_PLAIN_ID) return eventId;
  return '#' + createHash('sha1').update(eventId).digest('base64url').slice(0, 12);
}
