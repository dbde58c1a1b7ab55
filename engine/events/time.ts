/** Epoch ms of an event's `at`. Validation guarantees a parseable RFC 3339 date-time with offset. */
export function atMs(event: { readonly at: string }): number {
  return Date.parse(event.at);
}

export const DAY_MS = 86_400_000;
