import type { InstanceRecord } from '../instances/heartbeats.js';
import type { BundleHolder, ReloadResult } from './bundle-holder.js';
import type { Publication } from './publication.js';

export type PublicationView = Pick<Publication, 'seq' | 'revision' | 'publishedAt' | 'publishedBy'> & { store: 'postgres' | 'redis' };

/**
 * What the policy routes ask of the instance: reload (validate and, with a shared store, publish),
 * the instances running and what was published. One instance alone (the in-memory default) is
 * LocalPolicyControl; instances sharing Redis (and PostgreSQL) use PolicySync.
 */
export interface PolicyControl {
  readonly instanceId: string;
  reload(): Promise<ReloadResult>;
  instances(): Promise<InstanceRecord[]>;
  publication(): PublicationView | undefined;
}

/** A single instance: its directory is the only source, and it is the only instance. */
export class LocalPolicyControl implements PolicyControl {
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly holder: BundleHolder,
    readonly instanceId: string,
    private readonly host: string,
  ) {}

  async reload(): Promise<ReloadResult> {
    return this.holder.reload();
  }

  async instances(): Promise<InstanceRecord[]> {
    return [{ id: this.instanceId, host: this.host, pid: process.pid, revision: this.holder.bundle.revision, startedAt: this.startedAt, lastSeen: new Date().toISOString() }];
  }

  publication(): PublicationView | undefined {
    return undefined;
  }
}
