/**
 * The feature thread of a pipelined replay. Reading, parsing and validating every line and
 * keeping the account features (apply + read as of each decision) is about half a replay's
 * work and depends on events only, never on decisions; so a worker thread does it, one step
 * ahead, while the main thread decides. Per chunk of the file the worker posts what the main
 * thread needs to know about each line:
 * - its kind: nothing to do (blank, another shard's account), bad (with the message), an event
 *   that is only counted (no decision, no effect), an order whose fields the main thread can
 *   take from the text at the offsets sent (the worker checked them against the parsed event),
 *   or an event the main thread parses itself;
 * - in history order, the feature values each decision (and each integrity review) of the main
 *   thread will read.
 * Both threads apply the same line, shard and point rules, so the main thread consumes exactly
 * what the worker produced, in the same order; each record starts with its line number, which
 * the main thread checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { atMs, type OrderPlacedEvent, type RefundGuardEvent } from '../../engine/events/index.js';
import { MemoryFeatureStore, type FeatureDefinitions } from '../../engine/features/index.js';
import { decisionInputFor, effectsOf, type DecisionPoint } from '../../engine/index.js';
import { forEachLine } from './line-reader.js';
import { readEventLine } from './read-event.js';
import { shardOf, type Shard } from './shard.js';

export interface FeatureThreadInput {
  historyPath: string;
  baselineFeatures: FeatureDefinitions;
  /** Null when both bundles define the same features (one store serves both worlds). */
  candidateFeatures: FeatureDefinitions | null;
  /** Points at which each bundle reads features. */
  baselinePoints: DecisionPoint[];
  candidatePoints: DecisionPoint[];
  shard?: Shard;
}

/** What the main thread does with a line. */
export const LineKind = { parse: 0, skip: 1, bad: 2, count: 3, order: 4 } as const;

/** An order record: [line, amount, quantity (NaN: none), label (0 none, 1 abuse, 2 legit), then start and end offsets of each string field (-1: none)]. */
export const orderStrings = ['eventId', 'at', 'accountId', 'merchantId', 'orderId', 'category', 'currency', 'deviceId', 'addressId'] as const;
export const ORDER_RECORD = 4 + 2 * orderStrings.length;

export interface FeatureBatch {
  /** Lines first..first + kinds.length - 1 are covered. */
  first: number;
  kinds: Uint8Array;
  /** Bad lines of the batch, in order: [line, message]. */
  bad: [number, string][];
  /** Value vectors, each [line, ...values] in the order of the names of its side. */
  values: Float64Array;
  /** Order records (ORDER_RECORD numbers each), in line order. */
  orders: Float64Array;
  /** First batch only: feature names of each side, in the order values are sent. */
  names?: { baseline: string[]; candidate: string[] };
  done?: boolean;
}

export async function runFeatureThread(input: FeatureThreadInput, post: (batch: FeatureBatch, transfer: ArrayBuffer[]) => void): Promise<void> {
  const storeB = new MemoryFeatureStore(input.baselineFeatures);
  const storeC = input.candidateFeatures === null ? storeB : new MemoryFeatureStore(input.candidateFeatures);
  const shared = storeB === storeC;
  const pointsB = new Set(input.baselinePoints);
  const pointsC = new Set(input.candidatePoints);
  const shard = input.shard;
  let names: FeatureBatch['names'] | undefined = {
    baseline: Object.keys(storeB.readSync('', 0)),
    candidate: Object.keys(storeC.readSync('', 0)),
  };
  let first = 1;
  let kinds: number[] = [];
  let bad: [number, string][] = [];
  let values: number[] = [];
  let orders: number[] = [];

  const push = (line: number, features: Record<string, number>): void => {
    values.push(line);
    for (const name in features) values.push(features[name] as number);
  };
  const flush = (done: boolean): void => {
    const batch: FeatureBatch = { first, kinds: Uint8Array.from(kinds), bad, values: new Float64Array(values), orders: new Float64Array(orders) };
    if (names !== undefined) batch.names = names;
    if (done) batch.done = true;
    names = undefined;
    first += kinds.length;
    kinds = [];
    bad = [];
    values = [];
    orders = [];
    post(batch, [batch.kinds.buffer as ArrayBuffer, batch.values.buffer as ArrayBuffer, batch.orders.buffer as ArrayBuffer]);
  };

  const kindOf = (text: string, line: number): number => {
    const read = readEventLine(text, line);
    if (read === undefined) return LineKind.skip;
    if (typeof read === 'string') {
      bad.push([line, read]);
      return LineKind.bad;
    }
    const event: RefundGuardEvent = read;
    if (event.type === 'merchant.updated') return LineKind.parse;
    if (shard !== undefined && shardOf(event.accountId, shard.count) !== shard.index) return LineKind.skip;
    const decision = decisionInputFor(event);
    if (decision !== undefined) {
      const needB = pointsB.has(decision.point);
      const needC = pointsC.has(decision.point);
      const now = atMs(event);
      if (needB || (needC && shared)) push(line, storeB.readSync(event.accountId, now));
      if (!shared && needC) push(line, storeC.readSync(event.accountId, now));
    }
    storeB.applySync(event);
    if (!shared) storeC.applySync(event);
    // Integrity reviews read the account after the event: each world's review reads once.
    const effects = effectsOf(event);
    for (const effect of effects) {
      if (effect.kind !== 'review') continue;
      push(line, storeB.readSync(effect.accountId, effect.at));
      push(line, storeC.readSync(effect.accountId, effect.at));
    }
    if (decision === undefined && effects.length === 0) return LineKind.count;
    if (event.type === 'order.placed' && orderRecord(text, line, event, orders)) return LineKind.order;
    return LineKind.parse;
  };

  await forEachLine(
    input.historyPath,
    (text, line) => {
      kinds.push(kindOf(text, line));
    },
    () => flush(false),
  );
  flush(true);
}

const labelCodes: Record<string, number> = { abuse: 1, legit: 2 };
const orderStringSet: ReadonlySet<string> = new Set(orderStrings);
const orderPatterns = orderStrings.map((key) => `"${key}":"`);

/**
 * Appends the order's record when every property of the parsed event can be rebuilt from the text:
 * each string value sits verbatim after its key (compact form, no escapes: ids and stamps have none).
 * False (the main thread parses the line) for anything else.
 */
function orderRecord(text: string, line: number, event: OrderPlacedEvent, out: number[]): boolean {
  for (const key in event) {
    if (!orderStringSet.has(key) && key !== 'type' && key !== 'amount' && key !== 'quantity' && key !== 'label') return false;
  }
  const start = out.length;
  out.push(line, event.amount, event.quantity ?? Number.NaN, event.label === undefined ? 0 : (labelCodes[event.label] as number));
  for (let k = 0; k < orderStrings.length; k++) {
    const key = orderStrings[k] as string;
    const value = (event as unknown as Record<string, string | undefined>)[key];
    if (value === undefined) {
      out.push(-1, -1);
      continue;
    }
    const at = text.indexOf(orderPatterns[k] as string);
    const from = at + key.length + 4;
    if (at < 0 || !text.startsWith(value, from) || text.charCodeAt(from + value.length) !== 34 /* " */) {
      out.length = start;
      return false;
    }
    out.push(from, from + value.length);
  }
  return true;
}

/** The order event the record describes, from the line's text (main thread). */
export function orderFromRecord(text: string, r: Float64Array, i: number): OrderPlacedEvent {
  const s = (k: number): string | undefined => {
    const from = r[i + 4 + 2 * k] as number;
    return from < 0 ? undefined : text.slice(from, r[i + 5 + 2 * k]);
  };
  const event: Record<string, unknown> = { eventId: s(0), type: 'order.placed', at: s(1), accountId: s(2), merchantId: s(3), orderId: s(4), amount: r[i + 1] };
  const quantity = r[i + 2] as number;
  if (quantity === quantity) event['quantity'] = quantity;
  for (let k = 5; k < orderStrings.length; k++) {
    const v = s(k);
    if (v !== undefined) event[orderStrings[k] as string] = v;
  }
  const label = r[i + 3];
  if (label === 1) event['label'] = 'abuse';
  else if (label === 2) event['label'] = 'legit';
  return event as unknown as OrderPlacedEvent;
}

if (parentPort !== null && (workerData as { featureThread?: FeatureThreadInput } | undefined)?.featureThread !== undefined) {
  const port = parentPort;
  runFeatureThread((workerData as { featureThread: FeatureThreadInput }).featureThread, (batch, transfer) => port.postMessage(batch, transfer)).catch((err: unknown) => {
    port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  });
}
