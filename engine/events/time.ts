import { parseEventTime } from '../features/time.js';

/**
 * Epoch ms of an event's `at`: `Date.parse(event.at)`, without its cost on canonical UTC stamps.
 * Validation guarantees a parseable RFC 3339 date-time with offset.
 */
export function atMs(event: { readonly at: string }): number {
  return parseEventTime(event.at);
}

export const DAY_MS = 86_400_000;
