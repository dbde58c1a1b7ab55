import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from './support/runtime.js';

/**
 * Thousands of malformed bodies at every POST/PUT route: broken JSON, wrong types, huge
 * strings, deep nesting, prototype keys, control characters. Only 4xx may come back, never a
 * 5xx, and nothing may reach Object.prototype.
 */
let runtime: TestRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(async () => {
  await runtime.cleanup();
});

function routes(): { method: string; path: string; takesBody: boolean }[] {
  return runtime.routes
    .filter((r) => r.method === 'post' || r.method === 'put')
    .map((r) => ({ method: r.method.toUpperCase(), path: r.path.replace(/:([A-Za-z]+)/g, 'x1'), takesBody: r.requestSchema !== undefined }));
}

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '\u0000', '\u202e', '../../etc/passwd', '<script>', 'NaN', '1e309', '-0'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom('point', 'account', 'merchant', 'id', 'events', 'settings', 'cohorts', '__proto__', 'constructor', 'kind', 'verdict', 'outcome', 'type'), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;

const bodies: fc.Arbitrary<string> = fc.oneof(
  jsonish.map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '[', '{"a":', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '\u0000\u0001', ''),
  fc.integer({ min: 1, max: 2000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1, max: 400 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.constant(JSON.stringify({ point: 'refund.requested', account: { id: 'a'.repeat(200_000) }, merchant: { id: 'm' } })),
  fc.record({ point: fc.constantFrom('refund.requested', 'order.checkout', 'nope'), account: jsonish, merchant: jsonish, refund: jsonish, context: jsonish }).map((v) => JSON.stringify(v)),
  fc.array(jsonish, { maxLength: 5 }).map((events) => JSON.stringify({ events })),
);

describe('malformed bodies at every write route', () => {
  it('only ever get a 4xx, and nothing is polluted', async () => {
    const targets = routes();
    expect(targets.length).toBeGreaterThanOrEqual(5);
    const heapBefore = process.memoryUsage().heapUsed;
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), bodies, async (route, body) => {
        const { status } = await runtime.request(route.path, { method: route.method, raw: body, role: 'admin' });
        sent += 1;
        // Routes that take no body (reload) may ignore it; every other route must refuse it.
        if (route.takesBody) expect(status, `${route.method} ${route.path} ${body.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
        expect(status, `${route.method} ${route.path} ${body.slice(0, 120)}`).toBeLessThan(500);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 3000, seed: 424242 },
    );
    expect(sent).toBe(3000);
    // Bounded memory: thousands of bad requests leave no large residue.
    const heapAfter = process.memoryUsage().heapUsed;
    expect(heapAfter - heapBefore).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);
});
