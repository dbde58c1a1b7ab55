/**
 * The Redis feature store's writes: one apply() of a batch of events, in up to four pipelined round
 * trips (however large the batch); without flags or shared values, two, with one script call per
 * event plus one per new use of a value:
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
 */
import { atMs, type RefundGuardEvent } from '../../../engine/events/index.js';
import { encodeEntryValue, extractEntry, type CompiledFeatures } from '../../../engine/features/index.js';
import { accountKeyOf, shortId, trimsOn } from './account-hash.js';
import type { Arg, FeatureScriptCalls, Op } from './feature-script-calls.js';
import { MAX_KNOWN_ACCOUNTS, isKnownDone, type IndexedUses, type Pending, type Use } from './indexed-uses.js';
import { MergeBatch } from './merge-batch.js';

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

/** A flag to announce through one link value's index: the account, its feature and flag times. */
interface Announcement {
  a: string;
  feature: string;
  indexKey: string;
  flagKey: string;
  times: Set<string>;
}

/** One apply() as it goes through its round trips. */
interface WriteBatch {
  /** Keys live a day longer than retention: an account's expiry is refreshed at most once a day. */
  readonly ttl: number;
  /** Wall clock (ms) of the batch. */
  readonly now: number;
  readonly accepted: Accepted[];
  /** The uses of indexed values not known to be done at an earlier-or-equal time (once per account and value, at the earliest time). */
  readonly pending: Pending[];
  /** Writes onto the batch's own accounts, sent with their first apply call (round trip 2)... */
  readonly aSide: MergeBatch;
  /** ...and onto other accounts (round trip 4). */
  readonly merges: MergeBatch;
  /** Flags to announce through link values: per index and account, the flag times (round trip 3). */
  readonly announce: Map<string, Announcement>;
  /** Index expiries refreshed with their members' daily refresh (round trip 4). */
  readonly touch: Op[];
  applied: number;
  duplicates: number;
}

/** An account key's expiry is refreshed at most this often (wall clock); keys live this much longer than retention. */
export const EXPIRY_REFRESH_MS = 86_400_000;

export class FeatureWrites {
  /** Per account key: when this process last refreshed its expiry (wall ms). */
  private readonly expiryRefreshed = new Map<string, number>();

  constructor(
    private readonly compiled: CompiledFeatures,
    private readonly prefix: string,
    private readonly scripts: FeatureScriptCalls,
    private readonly uses: IndexedUses,
  ) {}

  async apply(events: readonly RefundGuardEvent[]): Promise<{ applied: number; duplicates: number }> {
    const batch = this.accept(events);
    if (batch.pending.length > 0) await this.indexUses(batch);
    await this.applyEvents(batch);
    if (batch.announce.size > 0) await this.announceFlags(batch);
    // Round trip 4 (only with flags or shared values): the other accounts' side.
    if (batch.merges.size > 0 || batch.touch.length > 0) await this.scripts.run([...batch.merges.ops(batch.ttl), ...batch.touch]);
    this.uses.recordDone(batch.pending, batch.now);
    return { applied: batch.applied, duplicates: batch.duplicates };
  }

  /** The events to store, and the uses of indexed values they make that are not known to be done. */
  private accept(events: readonly RefundGuardEvent[]): WriteBatch {
    const c = this.compiled;
    const now = Date.now();
    const batch: WriteBatch = {
      ttl: c.retentionMs + EXPIRY_REFRESH_MS,
      now,
      accepted: [],
      pending: [],
      aSide: new MergeBatch(),
      merges: new MergeBatch(),
      announce: new Map(),
      touch: [],
      applied: 0,
      duplicates: 0,
    };
    const byUse = new Map<string, Pending>();
    for (const event of events) {
      if (event.type === 'merchant.updated') { batch.applied++; continue; }
      const t = atMs(event);
      const entry = extractEntry(c, event, t);
      const ti = c.typeIndex.get(event.type);
      if (entry === undefined || ti === undefined) { batch.applied++; continue; }
      const a = event.accountId;
      const key = accountKeyOf(this.prefix, a);
      const uses = this.uses.usesOf(ti, entry.f);
      const flags: string[] = [];
      for (const l of c.linked) if (l.isFlag(ti, entry)) flags.push(l.name);
      const ask: Use[] = uses.length === 0 ? uses : [];
      batch.accepted.push({ a, key, t, id: shortId(event.eventId), value: encodeEntryValue(entry), uses: ask, flags, trim: trimsOn(event.eventId) });
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
        batch.pending.push(p);
      }
    }
    return batch;
  }

  /**
   * Round trip 1 (only with new uses): record them in their indexes. A link index answers only its
   * flagged members (links to the others are written if and when they are flagged); a shared-value
   * index answers every member (both sides get the value's times).
   */
  private async indexUses(batch: WriteBatch): Promise<void> {
    const results = await this.scripts.run(
      batch.pending.map((p): Op => (p.use.linked
        ? { command: 'rgFeatLink', key: p.use.indexKey, key2: p.use.flagKey, args: [p.a, p.t, p.use.cap, batch.ttl] }
        : { command: 'rgFeatIndex', key: p.use.indexKey, args: [p.a, p.t, p.use.cap, batch.ttl] })),
    );
    batch.pending.forEach((p, k) => {
      const reply = results[k] as string[];
      const { linked, feature, value } = p.use;
      if (linked) {
        // [my first use, (flagged member, its first use, flag time)...]
        if (reply.length < 4) return;
        const mine = Number(reply[0]);
        const onA = batch.aSide.get(p.key);
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
        onA ??= batch.aSide.get(p.key);
        onA.min.push(`s|${feature}|${value}`, Number(reply[i + 1]));
        batch.merges.get(accountKeyOf(this.prefix, b)).min.push(`s|${feature}|${value}`, mine);
      }
    });
  }

  /**
   * Round trip 2: the events; each account's first call also records its done uses and its side of
   * new links to flagged accounts / shared values. A call with new link uses reads the account's own
   * flags, a flag event the account's link values (the flag/use handshake).
   */
  private async applyEvents(batch: WriteBatch): Promise<void> {
    const c = this.compiled;
    const ops: Op[] = [];
    const firstOf = new Map<string, number>();
    for (const e of batch.accepted) {
      const args: Arg[] = [e.id, e.t, e.value, c.retentionMs, batch.ttl, batch.now, '', e.uses.length];
      let want = 0;
      for (const u of e.uses) {
        args.push(u.field);
        if (u.linked) want = 1;
      }
      if (!firstOf.has(e.key)) {
        firstOf.set(e.key, ops.length);
        const refreshed = this.expiryRefreshed.get(e.key);
        if (refreshed === undefined || batch.now - refreshed >= EXPIRY_REFRESH_MS) args[6] = 'e';
        const done = this.uses.takeDone(e.key);
        if (done !== undefined) {
          args.push(done.length / 2);
          for (const x of done) args.push(x);
        } else {
          args.push(0);
        }
        const mine = batch.aSide.peek(e.key);
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
    const answers = await this.scripts.run(ops);
    if (this.expiryRefreshed.size >= MAX_KNOWN_ACCOUNTS) this.expiryRefreshed.clear();
    for (const op of ops) if ((op.args[6] as string).includes('e')) this.expiryRefreshed.set(op.key, batch.now);
    answers.forEach((r, k) => {
      const e = batch.accepted[k] as Accepted;
      const [added, used, own, sweep, ...groups] = r as [number, string[], string[], string[], ...string[][]];
      for (const field of sweep) {
        const sep = field.indexOf('|');
        const link = sep > 0 ? this.uses.linkOf(field.slice(0, sep)) : undefined;
        if (link === undefined) continue;
        const v = field.slice(sep + 1);
        batch.touch.push({ command: 'rgFeatTouch', key: `${this.prefix}:x:${link.feature}:{${link.path}=${v}}`, key2: `${this.prefix}:xf:${link.feature}:{${link.path}=${v}}`, args: [batch.ttl] });
      }
      if (added === 1) batch.applied++;
      else batch.duplicates++;
      // A new flag: through every link value the account used.
      for (const [feature, ...fields] of groups) {
        for (const field of fields) {
          // "<code>|<value>": a link value of this feature (other codes: other features, shared values)
          const sep = field.indexOf('|');
          const link = sep > 0 ? this.uses.linkOf(field.slice(0, sep)) : undefined;
          if (link === undefined || link.feature !== feature) continue;
          const v = field.slice(sep + 1);
          this.announceOn(batch, `${this.prefix}:x:${feature}:{${link.path}=${v}}`, `${this.prefix}:xf:${feature}:{${link.path}=${v}}`, e.a, feature as string, [String(e.t)]);
        }
      }
      // A flagged account's new use: its flags through that value.
      if (own.length > 0) {
        for (const u of e.uses) {
          if (!u.linked) continue;
          const prefix = `g|${u.feature}|`;
          const times: string[] = [];
          for (const g of own) if (g.startsWith(prefix)) times.push(g.slice(prefix.length));
          if (times.length > 0) this.announceOn(batch, u.indexKey, u.flagKey, e.a, u.feature, times);
        }
      }
      used.forEach((raw, j) => {
        const sep = raw.indexOf(':');
        if (sep > 0) this.uses.learn(e.key, (e.uses[j] as Use).field, Number(raw.slice(0, sep)), Number(raw.slice(sep + 1)));
      });
    });
  }

  /** Round trip 3 (only with flags): announce them; each index records them and answers its other members. */
  private async announceFlags(batch: WriteBatch): Promise<void> {
    const work = [...batch.announce.values()];
    const results3 = await this.scripts.run(work.map((w): Op => ({ command: 'rgFeatFlag', key: w.indexKey, key2: w.flagKey, args: [w.a, batch.ttl, ...w.times] })));
    work.forEach((w, k) => {
      const reply = results3[k] as string[]; // [its first use, member, first use, ...] or [] when not a member
      if (reply.length < 3) return;
      const mine = Number(reply[0]);
      for (let i = 1; i + 1 < reply.length; i += 2) {
        const theirs = Number(reply[i + 1]);
        const onB = batch.merges.get(accountKeyOf(this.prefix, reply[i] as string));
        onB.min.push(`l|${w.feature}|${w.a}`, mine > theirs ? mine : theirs);
        for (const ft of w.times) onB.set.push(`f|${w.feature}|${w.a}|${ft}`);
      }
    });
  }

  private announceOn(batch: WriteBatch, indexKey: string, flagKey: string, a: string, feature: string, times: readonly string[]): void {
    const k = `${indexKey}\n${a}`;
    let w = batch.announce.get(k);
    if (w === undefined) batch.announce.set(k, (w = { a, feature, indexKey, flagKey, times: new Set() }));
    for (const x of times) w.times.add(x);
  }
}
