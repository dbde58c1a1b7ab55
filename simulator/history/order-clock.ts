import type { Random } from './random.js';
import { HOUR } from './iso-time.js';

/**
 * Order times, produced in chronological order without sorting. The period is cut into
 * hours weighted by a daily rhythm (quiet nights, evening peak), a weekend lift, slow growth
 * and one mid-period sale; order i lands at quantile (i + u)/N of that cumulative weight.
 * Quantiles of consecutive orders never decrease, so neither do the times.
 */

// Relative order volume per UTC hour of day.
const HOURLY = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.55, 0.8, 0.95, 1.0, 1.05,
  1.1, 1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.3, 1.45, 1.5, 1.2, 0.6,
];

export type OrderClock = (index: number) => number;

export function createOrderClock(startSec: number, days: number, orders: number, rng: Random): OrderClock {
  const hours = days * 24;
  const cumulative = new Float64Array(hours + 1);
  const weights = new Float64Array(hours);
  const startWeekday = new Date(startSec * 1000).getUTCDay();
  const saleDay = Math.floor(days * 0.6);
  for (let h = 0; h < hours; h++) {
    const day = Math.floor(h / 24);
    const weekday = (startWeekday + day) % 7;
    const weekend = weekday === 0 || weekday === 6 ? 1.2 : 1;
    const growth = 1 + (0.25 * day) / days;
    const sale = day === saleDay ? 2.5 : 1;
    const w = HOURLY[h % 24]! * weekend * growth * sale;
    weights[h] = w;
    cumulative[h + 1] = cumulative[h]! + w;
  }
  const total = cumulative[hours]!;

  let hour = 0;
  return (index) => {
    const q = ((index + rng.next()) / orders) * total;
    while (hour < hours - 1 && cumulative[hour + 1]! <= q) hour++;
    const within = Math.min(HOUR - 1, Math.floor(((q - cumulative[hour]!) / weights[hour]!) * HOUR));
    return startSec + hour * HOUR + Math.max(0, within);
  };
}
