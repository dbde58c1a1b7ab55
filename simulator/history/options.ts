import { parseStart } from './iso-time.js';
import { defaultMerchantCount } from './merchants.js';
import type { HistoryOptions } from './types.js';

export interface ResolvedOptions {
  orders: number;
  seed: string;
  startSec: number;
  days: number;
  merchants: number;
}

export const DEFAULT_SEED = 'refund-guard';
export const DEFAULT_START = '2027-01-01';
export const DEFAULT_DAYS = 120;

/** Validates options up front: a bad value should fail before any byte is written. */
export function resolveOptions(options: HistoryOptions): ResolvedOptions {
  const { orders } = options;
  if (!Number.isSafeInteger(orders) || orders < 0) throw new RangeError(`history: orders must be a non-negative integer, got ${orders}`);
  const days = options.days ?? DEFAULT_DAYS;
  if (!Number.isSafeInteger(days) || days < 1) throw new RangeError(`history: days must be a positive integer, got ${days}`);
  const merchants = options.merchants ?? defaultMerchantCount(orders);
  if (!Number.isSafeInteger(merchants) || merchants < 1) throw new RangeError(`history: merchants must be a positive integer, got ${merchants}`);
  const seed = options.seed ?? DEFAULT_SEED;
  if (typeof seed === 'number' && !Number.isFinite(seed)) throw new RangeError(`history: seed must be finite, got ${seed}`);
  return { orders, seed: String(seed), startSec: parseStart(options.start ?? DEFAULT_START), days, merchants };
}
