import type { SourceFile } from '../../engine/index.js';

/**
 * The policy bundle every instance serves, as the shared store holds it. `seq` counts
 * publications: a revision may come back (a policy removed, then added again), a seq never does,
 * so instances compare seqs to learn that something new was published.
 */
export interface Publication {
  seq: number;
  revision: string;
  /** Policy id → version, as published: what the version-must-rise rule compares against. */
  versions: Record<string, number>;
  files: SourceFile[];
  publishedAt: string;
  /** The instance id whose reload (or first start) published it. */
  publishedBy: string;
}

export type PublicationHead = Pick<Publication, 'seq' | 'revision'>;

export type PublicationDraft = Omit<Publication, 'seq' | 'publishedAt'>;

/**
 * What `decide` returns: a draft to publish (or none: refused, or nothing new) and a value for
 * the caller. `decide` runs while the store holds the current publication still (a row lock, or
 * a compare-and-set that is retried), so the rule it checks and the write are one step.
 */
export interface PublishDecision<T> {
  draft?: PublicationDraft;
  value: T;
}

export interface PublicationStore {
  readonly kind: 'postgres' | 'redis';
  /** The current publication's seq and revision (cheap: instances poll it). */
  head(): Promise<PublicationHead | undefined>;
  current(): Promise<Publication | undefined>;
  publish<T>(decide: (current: Publication | undefined) => PublishDecision<T>): Promise<{ value: T; published?: Publication }>;
}
