import type { Context } from 'hono';

const requestIdKey = 'requestId';

/** Set once per request by the app's first middleware. */
export function setRequestId(c: Context, requestId: string): void {
  c.set(requestIdKey as never, requestId as never);
}

export function requestIdOf(c: Context): string | undefined {
  return c.get(requestIdKey as never) as string | undefined;
}

/**
 * A JSON response carrying the request id. Headers go in as one plain object: Hono's `c.header()`
 * and `c.json()` with more than one header build a WHATWG Headers object, which @hono/node-server
 * then has to convert back, a slow path costing several microseconds on every decision.
 */
export function json(c: Context, body: unknown, status = 200, headers?: Readonly<Record<string, string>>): Response {
  const requestId = requestIdOf(c);
  // API answers carry accounts, restrictions and decisions: never cached, never sniffed as another type.
  const all: Record<string, string> = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
  if (requestId !== undefined) all['x-request-id'] = requestId;
  if (headers !== undefined) Object.assign(all, headers);
  return new Response(JSON.stringify(body), { status, headers: all });
}
