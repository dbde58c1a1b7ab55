import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChunked } from './support/raw-http.js';
import { runtimeOnPortForSuite } from './support/real-port.js';
import { tokens } from './support/runtime.js';
import { validateBody } from '../server/http/validate.js';

/**
 * Issue 19: every write route against crafted input. Forbidden keys spelled with JSON escapes at
 * any depth, chunked bodies past the limit over a real socket, and large arrays anywhere: each is
 * refused with a small 4xx, nothing reaches Object.prototype, and nothing is applied.
 */
const suite = runtimeOnPortForSuite({ beforeAll, afterAll });

const AT = '2027-02-01T11:59:00Z';
/** A valid body per write route: the crafted part is what makes it fail. */
const validBodies: Record<string, unknown> = {
  '/v1/decisions': { point: 'order.checkout', account: { id: 'fz-a' }, merchant: { id: 'fz-m' }, context: { channel: 'app' } },
  '/v1/events': { events: [{ eventId: 'fz-e1', type: 'order.placed', at: AT, accountId: 'fz-a', merchantId: 'fz-m', orderId: 'fz-o1', amount: 5 }] },
  '/v1/merchants/:id': { settings: { oneClickReject: true }, cohorts: ['fz'] },
  '/v1/evidence-reports': { merchantId: 'fz-m', accountId: 'fz-a', orderId: 'fz-o1', reason: 'web_image', evidence: [{ kind: 'image', url: 'https://img.example/1.jpg' }] },
  '/v1/evidence-reports/:id/appraisal': { verdict: 'genuine' },
  '/v1/complaints': { kind: 'empty_package', orderId: 'fz-o1', accountId: 'fz-a', merchantId: 'fz-m', evidence: [{ kind: 'image', url: 'https://img.example/2.jpg' }] },
  '/v1/complaints/:id/resolution': { outcome: 'dismissed' },
  '/v1/restrictions/:id/lift': { reason: 'appeal' },
};

function writeRoutes(): { method: string; route: string; path: string }[] {
  return suite.runtime.routes
    .filter((r) => (r.method === 'post' || r.method === 'put') && r.requestSchema !== undefined)
    .map((r) => ({ method: r.method.toUpperCase(), route: r.path, path: r.path.replace(/:([A-Za-z]+)/g, 'fz-x1') }));
}

const SENTINEL = '__fuzz_sentinel__';

/** `body` with `value` under `key` at the end of `path` (arrays are entered at their first item). */
function placeAt(body: unknown, path: readonly string[], key: string, value: unknown): unknown {
  const root = structuredClone(body) as Record<string, unknown>;
  let node: Record<string, unknown> = root;
  for (const step of path) {
    let next = node[step];
    if (Array.isArray(next)) next = next[0];
    if (next === null || typeof next !== 'object') node[step] = next = {};
    node = next as Record<string, unknown>;
  }
  node[key] = value;
  return root;
}

/** A forbidden key with any of its characters written as a \uXXXX escape (hex in either case). */
const escapedForbiddenKey = fc
  .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.boolean())
  .map(([key, escapes, upper]) =>
    [...key].map((ch, i) => (escapes[i] ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')[upper ? 'toUpperCase' : 'toLowerCase']()}` : ch)).join(''),
  );
const pathInBody = fc.array(fc.constantFrom('account', 'merchant', 'context', 'events', 'settings', 'evidence', 'order', 'nested'), { maxLength: 4 });

async function post(method: string, path: string, raw: string): Promise<{ status: number; text: string }> {
  const response = await suite.runtime.app.request(path, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` }, body: raw });
  return { status: response.status, text: await response.text() };
}

describe('write routes against crafted input', () => {
  it('start from bodies each route accepts, so a refusal is the crafted part\'s doing', () => {
    for (const route of suite.runtime.routes.filter((r) => r.requestSchema !== undefined)) {
      expect(() => validateBody(route.requestSchema!, validBodies[route.path]), route.path).not.toThrow();
    }
  });

  it('refuse forbidden keys however they are escaped, at any depth', async () => {
    const routes = writeRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(8);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), pathInBody, escapedForbiddenKey, async (route, path, key) => {
        const body = placeAt(validBodies[route.route], path, SENTINEL, { polluted: 1, toString: 'x' });
        const raw = JSON.stringify(body).replace(`"${SENTINEL}"`, `"${key}"`);
        const { status, text } = await post(route.method, route.path, raw);
        expect(status, `${route.method} ${route.path} ${raw}`).toBe(400);
        expect(JSON.parse(text).error.details[0].message).toMatch(/the key "(__proto__|constructor|prototype)" is not allowed/);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 400, seed: 1919 },
    );
    // Nothing the fuzzing sent was applied.
    expect((await suite.runtime.request('/v1/accounts/fz-a', { role: 'analyst' })).body.features.orders90d).toBe(0);
  }, 120_000);

  it('answer large arrays anywhere with a small 4xx, quickly', async () => {
    const routes = writeRoutes();
    const items = fc.constantFrom('{}', '0', '""', '[]', 'null', '{"a":1}');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), pathInBody, fc.integer({ min: 257, max: 200_000 }), items, async (route, path, length, item) => {
        const body = placeAt(validBodies[route.route], path, SENTINEL, 0);
        const raw = JSON.stringify(body).replace(`"${SENTINEL}":0`, `"big":[${new Array(length).fill(item).join(',')}]`);
        const started = performance.now();
        const { status, text } = await post(route.method, route.path, raw);
        const ms = performance.now() - started;
        expect(status, `${route.method} ${route.path} ${path.join('/')} ${length}×${item}`).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
        expect(text.length).toBeLessThan(16 * 1024);
        expect(ms).toBeLessThan(3_000);
      }),
      { numRuns: 60, seed: 4242 },
    );
    expect((await suite.runtime.request('/v1/accounts/fz-a', { role: 'analyst' })).body.features.orders90d).toBe(0);
  }, 180_000);

  it('stop chunked bodies past the limit at about 1 MiB read, on every write route', async () => {
    const routes = writeRoutes();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.integer({ min: 1024, max: 256 * 1024 }), fc.constantFrom(' ', 'a', '[', '{"x":'), async (route, chunkSize, fill) => {
        const chunk = Buffer.alloc(chunkSize, fill);
        const result = await postChunked(suite.port, route.path, { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` }, chunk, 32 * 1024 * 1024);
        expect(result.status, `${route.path} chunks of ${chunkSize}`).toBe(413);
        expect(result.sent).toBeLessThan(8 * 1024 * 1024);
      }),
      { numRuns: 16, seed: 77 },
    );
  }, 120_000);
});
