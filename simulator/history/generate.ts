import { AfterSales, cents } from './after-sales.js';
import { CATEGORIES, createMerchants, pickMerchant } from './merchants.js';
import { createIsoFormatter } from './iso-time.js';
import { resolveOptions } from './options.js';
import { createOrderClock } from './order-clock.js';
import { PendingQueue } from './pending-queue.js';
import { Population } from './population.js';
import { createRandom } from './random.js';
import { A } from './archetypes.js';
import { EVENT_TYPES, T } from './types.js';
import type { GenerationSummary, HistoryOptions } from './types.js';

/** Median unit price per category (index as CATEGORIES); prices are log-normal around it. */
const MEDIAN_PRICE = [45, 180, 18, 60, 30];
const PRICE_SIGMA = 0.7;

/**
 * Streams a synthetic order history to `sink`, one NDJSON line per call (no newline), in
 * non-decreasing time order. Orders are produced chronologically; each order's follow-ups
 * wait in a priority queue and are flushed as soon as the next order is later than them.
 */
export function generateHistory(options: HistoryOptions, sink: (line: string) => void): GenerationSummary {
  const began = performance.now();
  const opts = resolveOptions(options);
  const rng = createRandom(opts.seed);
  const merchants = createMerchants(opts.merchants, rng);
  const population = new Population(rng, opts.orders);
  const nextOrderTime = createOrderClock(opts.startSec, opts.days, opts.orders, rng);
  const queue = new PendingQueue();
  const afterSales = new AfterSales(rng, { schedule: (t, type, body) => queue.push(t, type, body) }, opts.orders);
  const iso = createIsoFormatter();

  const counts: number[] = EVENT_TYPES.map(() => 0);
  let eventSeq = 0;
  // Event ids are given at write time, so they also increase through the file.
  const emit = (time: number, type: number, body: string): void => {
    eventSeq++;
    counts[type]!++;
    sink(`{"eventId":"e${eventSeq}","type":"${EVENT_TYPES[type]}","at":"${iso(time)}",${body}}`);
  };

  for (const body of merchants.bodies) emit(opts.startSec, T.merchantUpdated, body);

  for (let i = 0; i < opts.orders; i++) {
    const time = nextOrderTime(i);
    while (queue.peekTime() <= time) queue.pop(emit);

    const k = population.pickBuyer();
    const archetype = population.archetype[k]!;
    const m = pickMerchant(merchants, rng);
    const category = merchants.category[m]!;
    const quantity = rng.next() < 0.75 ? 1 : rng.next() < 0.6 ? 2 : rng.int(3, 5);
    // Abusers lean to pricier goods: more money per successful claim.
    const lean = archetype === A.honest || archetype === A.occasionalReturner ? 1 : 1.4;
    const amount = cents(MEDIAN_PRICE[category]! * lean * Math.exp(PRICE_SIGMA * rng.normal()) * quantity);
    const ids = `"accountId":"a${k + 1}","merchantId":"${merchants.ids[m]}","orderId":"o${i + 1}"`;
    const deviceId = population.deviceFor(k);
    const addressId = population.addressFor(k);
    emit(
      time,
      T.orderPlaced,
      `${ids},"amount":${amount},"category":"${CATEGORIES[category]}","deviceId":"d${deviceId}","addressId":"h${addressId}","quantity":${quantity}`,
    );
    afterSales.plan({ time, archetype, ids, amount });
  }
  while (queue.size > 0) queue.pop(emit);

  const byType: Record<string, number> = {};
  EVENT_TYPES.forEach((name, i) => {
    byType[name] = counts[i]!;
  });
  return {
    events: eventSeq,
    orders: opts.orders,
    refunds: afterSales.refunds,
    abuseRefunds: afterSales.abuseRefunds,
    byType,
    accounts: population.buyers,
    merchants: merchants.count,
    durationMs: performance.now() - began,
  };
}
