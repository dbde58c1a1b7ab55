import { stat } from 'node:fs/promises';
import {
  MemoryMerchantStore,
  amountAtStake,
  decisionInputFor,
  decisionPointNames,
  effectsOf,
  restrictionFacts,
  type DecisionInput,
  type DecisionPoint,
  type DecisionRecord,
  type EventEffect,
  type PreparedBundle,
  type Restriction,
  type ReviewOutcome,
} from '../../engine/index.js';
import { atMs, type AccountEvent, type RefundGuardEvent } from '../../engine/events/index.js';
import { compileFeatures, type FeatureStore } from '../../engine/features/index.js';
import { ReusedDecisionInputs, decisionPointOf } from '../../engine/service/decision-points-of-events.js';
import type { DecisionPair, DecisionTally, TallyPair } from './decision-pair.js';
import { FeatureFeed, FeatureThreadUnavailable } from './feature-feed.js';
import { forEachLine } from './line-reader.js';
import { readEventLine } from './read-event.js';
import { READ_BASELINE, READ_CANDIDATE, REVIEW_SHIFT, StoreOpsWriter } from './store-ops.js';
import { shardOf, type Shard } from './shard.js';
import { World, featureStoresFor, type FeatureSource } from './worlds.js';

export interface BadLineInfo {
  line: number;
  message: string;
}

export interface ReplayOptions {
  historyPath: string;
  baseline: PreparedBundle;
  candidate: PreparedBundle;
  shard?: Shard;
  /** Throw BadLineError at the first bad line instead of counting it. */
  strict?: boolean;
  /**
   * Called with every decision pair, in history order, as the report tallies it. The pair is valid
   * during the call only: without onDecision, one object is filled again for every decision.
   */
  onTally(pair: TallyPair): void;
  /**
   * Called with every decision pair as records (ids, timestamps, the candidate's own revision), after
   * onTally. Without it, decisions that are not integrity reviews are not made into records at all.
   */
  onDecision?(pair: DecisionPair): void;
  onBadLine(bad: BadLineInfo): void;
  /** Called once per valid event this shard keeps. */
  onEvent?(): void;
  /** Called after each chunk with bytes read so far and the file size. */
  onProgress?(bytesRead: number, totalBytes: number): void;
  /**
   * Keep features in a worker thread while this one parses ahead and decides (same results;
   * faster on large files with a second core). Default: for files of 16 MiB or more.
   * `true` fails when the worker cannot start; by default the replay then stays in this thread.
   */
  featureThread?: boolean;
  /** Lines per batch sent to the feature thread (tests use small ones to cross many batches). */
  featureBatchLines?: number;
}

export class BadLineError extends Error {
  override name = 'BadLineError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

/**
 * Replays a history file through two worlds (baseline, candidate), in file order.
 *
 * Per event: (1) if it is a decision point, both bundles decide FIRST, on the account as of the
 * event's instant but without the event itself — asOf = the event time, read before the event is
 * applied. That is what production sees: the refund service asks for a decision, then records the
 * event. Events earlier in the file with the same timestamp are included. (2) Then the event is
 * applied: features once (they depend on events only), then its other effects in each world
 * through that world's RefundGuardService, so forged verdicts and upheld complaints run
 * integrity.review and restrict accounts per each bundle, exactly as the server does.
 *
 * Sharding: events of accounts hashing to other shards are skipped; merchant.updated goes to every
 * shard. Bad lines are checked by every shard (so --strict fails everywhere) but counted by shard 0
 * only, and merchant.updated is counted as an event by shard 0 only, so shard reports add up.
 */
export async function replayHistory(options: ReplayOptions): Promise<void> {
  const bytes = (await stat(options.historyPath)).size;
  // Feature stores are sized for the events the history may hold, not grown to them (see TimeLists).
  const expectedEvents = Math.ceil(bytes / (options.shard?.count ?? 1) / MIN_BYTES_PER_LINE);
  const useThread = options.featureThread ?? bytes >= FEATURE_THREAD_MIN_BYTES;
  if (useThread) {
    // By default, a worker that cannot start (an environment without worker threads) leaves the replay
    // to this thread, from the start (it fails before any decision is taken); asked for explicitly, it must start.
    const required = options.featureThread === true;
    const feed = FeatureFeed.start(options, expectedEvents, required);
    if (feed !== undefined) {
      try {
        return await replay(options, bytes, expectedEvents, feed);
      } catch (err) {
        if (required || !(err instanceof FeatureThreadUnavailable)) throw err;
      } finally {
        await feed.close();
      }
    }
  }
  return replay(options, bytes, expectedEvents, undefined);
}

/**
 * Fewer bytes than a line of history takes (they run at 150 to 300): the size hint overestimates the
 * events, which costs address space only.
 */
const MIN_BYTES_PER_LINE = 100;

/** Below this size a worker's start-up (a second module graph: about half a second) costs more than it saves. */
const FEATURE_THREAD_MIN_BYTES = 16 << 20;

async function replay(options: ReplayOptions, totalBytes: number, expectedEvents: number, feed: FeatureFeed | undefined): Promise<void> {
  const { baseline, candidate, shard, strict = false, onTally, onDecision, onBadLine, onEvent, onProgress } = options;
  const [featuresB, featuresC]: [FeatureSource & FeatureStore, FeatureSource & FeatureStore] =
    feed === undefined ? featureStoresFor(baseline, candidate, expectedEvents) : [feed.source('baseline'), feed.source('candidate')];
  const sharedFeatures = feed === undefined ? featuresB === featuresC : feed.shared;
  const merchants = new MemoryMerchantStore();
  const clock = Date.now();
  const b = new World('baseline', baseline, featuresB, merchants, clock);
  const c = new World('candidate', candidate, featuresC, merchants, clock);
  const samePolicies = pointsWithSamePolicies(baseline, candidate);
  const countsHere = shard === undefined || shard.index === 0;

  const bad = (line: number, message: string): void => {
    if (strict) throw new BadLineError(options.historyPath, line, message);
    if (countsHere) onBadLine({ line, message });
  };

  /** The feature stores a decision at `point` reads (READ_* bits): the baseline's serves both worlds when they share it. */
  const storesReadAt = (point: DecisionPoint): number => {
    const needB = b.needsFeatures(point);
    const needC = c.needsFeatures(point);
    return (needB || (needC && sharedFeatures) ? READ_BASELINE : 0) | (!sharedFeatures && needC ? READ_CANDIDATE : 0);
  };

  /** The pair onTally gets when nobody reads records (see onTally). */
  let tallied: TallyPair | undefined;
  const reusedInputs = new ReusedDecisionInputs();
  const decide = (event: RefundGuardEvent, line: number, now: number): void => {
    // Tallied decisions keep nothing of their input: checkouts fill one input again.
    const input = onDecision === undefined ? reusedInputs.of(event) : decisionInputFor(event);
    if (input === undefined) return;
    const accountId = input.account.id;
    const merchant = merchants.getSync(input.merchant.id);
    const reads = storesReadAt(input.point);
    const fb = (reads & READ_BASELINE) !== 0 ? featuresB.readSync(accountId, now, line) : noFeatures;
    const fc = sharedFeatures ? fb : (reads & READ_CANDIDATE) !== 0 ? featuresC.readSync(accountId, now, line) : noFeatures;
    const sb = b.snapshot(accountId, fb);
    const sc = c.snapshot(accountId, fc);
    // Same policies and same facts give the same decision: reuse it (most checkouts).
    const same = samePolicies.has(input.point) && fb === fc && sameRestrictionFacts(sb.restrictions, sc.restrictions, input.merchant.id, now);
    if (onDecision === undefined) {
      const tb = b.service.evaluateWith(input, sb, merchant, now, baseline);
      const tc = same ? tb : c.service.evaluateWith(input, sc, merchant, now, candidate);
      onTally(tallied === undefined ? (tallied = pairOf(event, input, line, now, tb, tc)) : refill(tallied, event, input, line, now, tb, tc));
      return;
    }
    const rb = b.service.decideWith(input, sb, merchant, now, false, baseline);
    // A reused decision is relabelled with the candidate's revision.
    const rc = same ? { ...rb, policyRevision: candidate.revision } : c.service.decideWith(input, sc, merchant, now, false, candidate);
    const pair = pairOf(event, input, line, now, rb, rc);
    onTally(pair);
    onDecision(pair);
  };

  const applyEffects = async (event: RefundGuardEvent, effects: readonly EventEffect[], line: number): Promise<void> => {
    for (const effect of effects) {
      // Merchant state is shared: apply once. Marks and reviews belong to each world.
      if (effect.kind === 'merchant') {
        await b.service.applyEffect(effect);
        continue;
      }
      if (effect.kind === 'review') {
        featuresB.reviewLine?.(line);
        featuresC.reviewLine?.(line);
      }
      const ob = await b.service.applyEffect(effect);
      const oc = await c.service.applyEffect(effect);
      if (effect.kind === 'review' && ob !== undefined && oc !== undefined) {
        const pair = reviewPair(event, line, effect, ob, oc);
        onTally(pair);
        onDecision?.(pair);
      }
    }
  };

  /**
   * An event read and checked, of this shard, in history order: decide, then apply (features here,
   * or already sent to the feature thread). `now` is its time (atMs), read where the line was.
   */
  const handle = (event: RefundGuardEvent, line: number, now: number): void | Promise<void> => {
    if (event.type === 'merchant.updated') {
      if (countsHere) onEvent?.();
    } else {
      onEvent?.();
      decide(event, line, now);
      featuresB.applySync(event);
      if (featuresC !== featuresB) featuresC.applySync(event);
    }
    const effects = effectsOf(event);
    return effects.length === 0 ? undefined : applyEffects(event, effects, line);
  };

  /** Events of accounts hashed to other shards are skipped as they are read (merchant.updated goes to every shard). */
  const otherShard = (event: RefundGuardEvent): boolean =>
    shard !== undefined && event.type !== 'merchant.updated' && shardOf(event.accountId, shard.count) !== shard.index;

  const progress = onProgress ? (bytes: number) => onProgress(bytes, totalBytes) : undefined;
  if (feed === undefined) {
    await forEachLine(
      options.historyPath,
      (text, line) => {
        const read = readEventLine(text, line);
        if (read === undefined) return;
        if (typeof read === 'string') return bad(line, read);
        return otherShard(read) ? undefined : handle(read, line, atMs(read));
      },
      progress,
    );
    return;
  }

  // Pipelined: lines are read and checked here a batch ahead; each batch's store ops go to the
  // feature thread, which applies them while this thread decides on the batch before.
  const batchLines = options.featureBatchLines ?? FEATURE_BATCH_LINES;
  const writer = new StoreOpsWriter(compileFeatures(baseline.features), sharedFeatures ? null : compileFeatures(candidate.features), batchLines);
  /** The reads the feature thread takes around an event: the ones decide() and the reviews of applyEffects() will ask for, in that order. */
  const readsOf = (event: AccountEvent): number => {
    const point = decisionPointOf(event);
    let reads = point === undefined ? 0 : storesReadAt(point);
    const effects = effectsOf(event);
    for (let k = 0; k < effects.length; k++) if ((effects[k] as EventEffect).kind === 'review') reads += 1 << REVIEW_SHIFT;
    return reads;
  };
  /** Batches decided on, to be filled again (one batch's arrays serve the whole replay, not one batch). */
  const spare: Batch[] = [];
  const newBatch = (): Batch => spare.pop() ?? { size: 0, lines: new Float64Array(batchLines), items: new Array<RefundGuardEvent | string | undefined>(batchLines).fill(undefined), times: new Float64Array(batchLines) };
  let reading = newBatch();
  /** Batches sent, oldest first, whose decisions are still to be taken. */
  const sent: Batch[] = [];
  const decideOn = async (batch: Batch): Promise<void> => {
    await feed.take();
    const { lines, items, times } = batch;
    for (let k = 0; k < batch.size; k++) {
      const item = items[k] as RefundGuardEvent | string;
      // Let go of the event as soon as it is done: the batch is kept for reuse.
      items[k] = undefined;
      const line = lines[k] as number;
      const pending = typeof item === 'string' ? bad(line, item) : handle(item, line, times[k] as number);
      if (pending !== undefined) await pending;
    }
    batch.size = 0;
    spare.push(batch);
  };
  const flush = (): Promise<void> | undefined => {
    feed.send(writer.take());
    sent.push(reading);
    reading = newBatch();
    // While the worker starts, read on (up to a bound); once it answers, decide down to the usual lead.
    const ahead = feed.settled ? FEATURE_BATCHES_AHEAD : FEATURE_BATCHES_WHILE_STARTING;
    return sent.length > ahead ? decideDownTo(ahead) : undefined;
  };
  const decideDownTo = async (ahead: number): Promise<void> => {
    while (sent.length > ahead) await decideOn(sent.shift() as Batch);
  };
  await forEachLine(
    options.historyPath,
    (text, line) => {
      const read = readEventLine(text, line);
      if (read === undefined) return;
      let t = Number.NaN;
      if (typeof read !== 'string') {
        if (otherShard(read)) return;
        t = atMs(read);
        if (read.type !== 'merchant.updated') writer.add(read, line, t, readsOf(read));
      }
      const k = reading.size++;
      reading.lines[k] = line;
      reading.items[k] = read;
      reading.times[k] = t;
      return reading.size >= batchLines ? flush() : undefined;
    },
    progress,
  );
  await flush();
  for (let batch = sent.shift(); batch !== undefined; batch = sent.shift()) await decideOn(batch);
}

/**
 * Lines per batch of a pipelined replay, and batches read ahead of the decisions. Parsed events
 * wait here until their features come back: small batches let them die young (kept for long, they
 * outlive two scavenges and cost a full collection each), and 2048 lines ahead (~20 ms of work) ride
 * out most pauses of the feature thread (with 1024 the main thread waited ~17% of the time, ~12% now).
 */
const FEATURE_BATCH_LINES = 256;
const FEATURE_BATCHES_AHEAD = 8;
/** Batches read ahead while the feature thread starts (about half a second of reading). */
const FEATURE_BATCHES_WHILE_STARTING = 256;

/** The lines read since the last flush: `size` of them, in arrays of room for a whole batch. */
interface Batch {
  size: number;
  lines: Float64Array;
  /** The event read from each line, or its bad-line message (undefined once decided on). */
  items: (RefundGuardEvent | string | undefined)[];
  /** atMs of each event (NaN for a bad line). */
  times: Float64Array;
}

/**
 * Points where both bundles hold exactly the same policies (by content hash, in bundle order)
 * under the same static cohorts. There a decision depends only on the facts, so when both worlds
 * present the same facts the candidate's decision is the baseline's.
 */
function pointsWithSamePolicies(baseline: PreparedBundle, candidate: PreparedBundle): Set<DecisionPoint> {
  const points = new Set<DecisionPoint>();
  const cohorts = (bundle: PreparedBundle): string => JSON.stringify([...bundle.cohorts.cohorts]);
  if (cohorts(baseline) !== cohorts(candidate)) return points;
  for (const point of decisionPointNames) {
    const hashes = (bundle: PreparedBundle): string => bundle.policiesAt(point).map((p) => p.contentHash).join(',');
    if (hashes(baseline) === hashes(candidate)) points.add(point);
  }
  return points;
}

/**
 * Restrictions are facts too, through restrictionFacts only (activeRestrictions, restrictedHere, ...):
 * the worlds agree when those agree. Their records never do (each world's carry its own decision ids).
 */
function sameRestrictionFacts(a: readonly Restriction[], b: readonly Restriction[], merchantId: string, now: number): boolean {
  if (a === b) return true;
  const fa = restrictionFacts(a, merchantId, now);
  const fb = restrictionFacts(b, merchantId, now);
  for (const key in fa) if (fa[key as keyof typeof fa] !== fb[key as keyof typeof fb]) return false;
  return true;
}

const noFeatures: Record<string, number> = Object.freeze({}) as Record<string, number>;

/** The pair of the decision `event` asked for, by its input, with the two sides given. */
function pairOf<S extends DecisionTally>(event: RefundGuardEvent, input: DecisionInput, line: number, at: number, baseline: S, candidate: S): Omit<DecisionPair, 'baseline' | 'candidate'> & { baseline: S; candidate: S } {
  return {
    eventId: event.eventId,
    point: input.point,
    line,
    at,
    accountId: input.account.id,
    merchantId: input.merchant.id,
    amount: amountAtStake(input),
    label: event.label,
    baseline,
    candidate,
  };
}

/** pairOf written into an existing pair (see ReplayOptions.onTally). */
function refill(pair: TallyPair, event: RefundGuardEvent, input: DecisionInput, line: number, at: number, baseline: DecisionTally, candidate: DecisionTally): TallyPair {
  pair.eventId = event.eventId;
  pair.point = input.point;
  pair.line = line;
  pair.at = at;
  pair.accountId = input.account.id;
  pair.merchantId = input.merchant.id;
  pair.amount = amountAtStake(input);
  pair.label = event.label;
  pair.baseline = baseline;
  pair.candidate = candidate;
  return pair;
}

function reviewPair(event: RefundGuardEvent, line: number, effect: EventEffect & { kind: 'review' }, ob: ReviewOutcome, oc: ReviewOutcome): DecisionPair {
  const pick = (o: ReviewOutcome): DecisionRecord => o.decision;
  return {
    eventId: event.eventId,
    point: 'integrity.review',
    line,
    at: effect.at,
    accountId: effect.accountId,
    merchantId: effect.merchantId,
    amount: 0,
    label: event.label,
    baseline: pick(ob),
    candidate: pick(oc),
  };
}
