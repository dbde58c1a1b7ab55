import { basename } from 'node:path';
import { loadBundle, type PreparedBundle, type Problem, type SourceFile } from '../../engine/index.js';
import type { BundleHolder, ReloadResult } from '../policies/bundle-holder.js';
import type { PolicyControl, PublicationView } from '../policies/policy-control.js';
import type { Publication, PublicationDraft, PublicationStore } from '../policies/publication.js';
import type { Heartbeats, InstanceRecord } from './heartbeats.js';

export interface PolicySyncHooks {
  /** The store or the bus failed; the instance keeps serving what it has and tries again at the next poll. */
  error(err: unknown, operation: string): void;
  /** A published bundle this instance cannot load (an older release that lacks a feature): it keeps its bundle. */
  refused(publication: Publication, problems: Problem[]): void;
  /** A publication of this instance's reload is in the store: tell the others now. */
  announce(seq: number): Promise<void>;
}

type ReloadOutcome = { ok: false; problems: Problem[] } | { ok: true; bundle: PreparedBundle };

/**
 * One policy revision on every instance. The store holds the published bundle; this instance
 * serves it. A reload validates this instance's directory against what is published (the
 * version-must-rise rule) and publishes it in the same step (a row lock or a compare-and-set, see
 * the stores). Others learn of a publication from the bus, or within `pollMs` by polling the
 * store's head, since pub/sub may drop a message.
 *
 * At start the published bundle wins over the directory: starting (or restarting) an instance
 * never changes what the fleet serves; publishing is a reload. With nothing published yet, the
 * first instance publishes its directory's bundle.
 */
export class PolicySync implements PolicyControl {
  /** The seq of the publication this instance serves (0: none yet). */
  private activeSeq = 0;
  private activePublication: Publication | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private heartbeats: Heartbeats | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly holder: BundleHolder,
    private readonly store: PublicationStore,
    readonly instanceId: string,
    private readonly hooks: PolicySyncHooks,
    // Half a second: a lost notice still leaves time within the 2 s promise to read and compile the bundle on a busy machine.
    private readonly pollMs = 500,
  ) {}

  /** Serve the published bundle (or publish this one when there is none), then poll. */
  async start(heartbeats: Heartbeats): Promise<void> {
    this.heartbeats = heartbeats;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    await this.serialised(() => this.catchUp());
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A notice from the bus (or a poll): read the publication if it is not the one served. */
  notified(seq?: number): void {
    if (seq !== undefined && seq === this.activeSeq) return;
    void this.poll();
  }

  /** One poll waits at a time: while the store hangs, timer ticks and notices join it instead of queueing up. */
  poll(): Promise<void> {
    this.pending ??= this.serialised(async () => {
      this.pending = undefined;
      const head = await this.store.head();
      if (head === undefined || head.seq !== this.activeSeq) await this.catchUp();
    }).catch((err: unknown) => this.hooks.error(err, 'policy-poll'));
    return this.pending;
  }

  reload(): Promise<ReloadResult> {
    return this.serialised(async () => {
      const before = this.holder.bundle.revision;
      const { value, published } = await this.store.publish<ReloadOutcome>((current) => {
        const loaded = this.holder.load(this.bundleOf(current));
        if (!loaded.ok) return { value: loaded };
        const value = { ok: true as const, bundle: loaded.bundle };
        if (current !== undefined && current.revision === loaded.bundle.revision) return { value };
        return { value, draft: this.draftOf(loaded.bundle, loaded.sources) };
      });
      if (!value.ok) {
        this.holder.refuse(value.problems);
        return value;
      }
      if (published !== undefined) {
        this.serve(published, value.bundle);
        await this.hooks.announce(published.seq).catch((err: unknown) => this.hooks.error(err, 'policy-announce'));
      } else {
        // The directory holds what is published already; serve it if this instance did not yet.
        await this.catchUp();
        this.holder.activate(this.holder.bundle);
      }
      return { ok: true, bundle: this.holder.bundle, changed: this.holder.bundle.revision !== before };
    });
  }

  /** The instances seen lately; while Redis does not answer, only this one (what it knows without asking). */
  async instances(): Promise<InstanceRecord[]> {
    const heartbeats = this.heartbeats;
    if (heartbeats === undefined) return [];
    return heartbeats.list().catch((err: unknown) => {
      this.hooks.error(err, 'instances-list');
      return [heartbeats.own()];
    });
  }

  publication(): PublicationView | undefined {
    const p = this.activePublication;
    return p && { store: this.store.kind, seq: p.seq, revision: p.revision, publishedAt: p.publishedAt, publishedBy: p.publishedBy };
  }

  /** Brings this instance to the current publication, or publishes its bundle when the store has none (first start, or a Redis store that lost it). */
  private async catchUp(): Promise<void> {
    const current = await this.store.current();
    if (current !== undefined) {
      if (current.seq !== this.activeSeq) this.adopt(current);
      return;
    }
    const served = this.activePublication;
    const active = this.holder.bundle;
    const { published } = await this.store.publish((now) => {
      if (now !== undefined) return { value: now };
      // The store lost what it held (a Redis store flushed): publish again what is served.
      if (served !== undefined) return { value: undefined, draft: { revision: served.revision, versions: served.versions, files: served.files, publishedBy: served.publishedBy } };
      const loaded = this.holder.load(active);
      if (!loaded.ok) return { value: undefined };
      return { value: undefined, draft: this.draftOf(loaded.bundle, loaded.sources) };
    });
    const after = published ?? (await this.store.current());
    if (after !== undefined && after.seq !== this.activeSeq) {
      if (published !== undefined) await this.hooks.announce(published.seq).catch((err: unknown) => this.hooks.error(err, 'policy-announce'));
      this.adopt(after);
    }
  }

  /** File names without this machine's directory: the revision depends on names only, and other instances have other directories. */
  private draftOf(bundle: PreparedBundle, sources: readonly SourceFile[]): PublicationDraft {
    const versions = Object.fromEntries(bundle.policies.map((p) => [p.id, p.version]));
    const files = sources.map((s) => ({ path: basename(s.path), text: s.text }));
    return { revision: bundle.revision, versions, files, publishedBy: this.instanceId };
  }

  private adopt(publication: Publication): void {
    const loaded = loadBundle(publication.files);
    if (!loaded.ok) {
      // Do not retry every poll: the same files would fail the same way. The heartbeat shows the old revision.
      this.activeSeq = publication.seq;
      this.holder.refuse(loaded.problems);
      this.hooks.refused(publication, loaded.problems);
      return;
    }
    this.serve(publication, loaded.bundle);
  }

  private serve(publication: Publication, bundle: PreparedBundle): void {
    this.activeSeq = publication.seq;
    this.activePublication = publication;
    const changed = this.holder.activate(bundle);
    if (changed) void this.heartbeats?.beat();
  }

  /** The published bundle, prepared (the one served when it is the same publication). */
  private bundleOf(current: Publication | undefined): PreparedBundle {
    if (current === undefined || current.seq === this.activeSeq) return this.holder.bundle;
    const loaded = loadBundle(current.files);
    return loaded.ok ? loaded.bundle : this.holder.bundle;
  }

  /** One of reload, poll, catch-up at a time: each reads the served seq and may change it. */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
