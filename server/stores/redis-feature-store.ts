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
 * Writes take up to four pipelined round trips per batch, however large (redis/feature-writes.ts);
 * repeat uses of a device or address cost no cross-account work, as in the memory store.
 * Every script touches one account key or the keys of one value (one hash tag), so the store also
 * works on Redis Cluster (no CROSSSLOT).
 *
 * Its parts, one concept a file, in redis/: feature-scripts.ts (the Lua scripts), feature-script-calls.ts
 * (one round trip of script calls), indexed-uses.ts (use records of link and shared values, and the
 * done uses this process remembers), feature-writes.ts (the write protocol, round trip by round
 * trip), merge-batch.ts (writes onto accounts, one call each per round trip), account-hash.ts (keys,
 * event fields, trimming, decoding a hash for reads). This file: the store's face, and reads.
 */
import type { RefundGuardEvent } from '../../engine/events/index.js';
import { compileFeatures, computeFeatures, type CompiledFeatures, type FeatureDefinitions, type FeatureStore } from '../../engine/features/index.js';
import { AccountHashDecoder, accountKeyOf } from './redis/account-hash.js';
import { FeatureImage } from './redis/feature-image.js';
import { FeatureScriptCalls, type Client } from './redis/feature-script-calls.js';
import { FeatureWrites } from './redis/feature-writes.js';
import { IndexedUses } from './redis/indexed-uses.js';

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

export class RedisFeatureStore implements FeatureStore {
  readonly compiled: CompiledFeatures;
  readonly prefix: string;
  private readonly scripts: FeatureScriptCalls;
  private readonly decoder: AccountHashDecoder;
  private readonly writes: FeatureWrites;

  /**
   * Does not own `client`: close() leaves it open (and closes the store's own script connection, when
   * it has one). Adds seven script commands (rgFeat*) to it.
   */
  constructor(client: Client, definitions: FeatureDefinitions | CompiledFeatures, options: RedisFeatureStoreOptions = {}) {
    this.compiled = 'evaluators' in definitions ? definitions : compileFeatures(definitions);
    this.prefix = options.prefix ?? 'rg';
    this.scripts = new FeatureScriptCalls(client, options.timeoutMs);
    this.decoder = new AccountHashDecoder(this.compiled);
    this.writes = new FeatureWrites(this.compiled, this.prefix, this.scripts, new IndexedUses(this.compiled, this.prefix));
  }

  accountKey(accountId: string): string {
    return accountKeyOf(this.prefix, accountId);
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

  apply(events: readonly RefundGuardEvent[]): Promise<{ applied: number; duplicates: number }> {
    return this.writes.apply(events);
  }

  /** An empty image of this store's state, to fold a whole event log into and write in bulk (a cache rebuild). */
  image(): FeatureImage {
    return new FeatureImage(this.compiled, this.prefix, new IndexedUses(this.compiled, this.prefix), this.scripts);
  }
}
