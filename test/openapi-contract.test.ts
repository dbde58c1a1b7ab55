import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResponse } from './support/openapi-contract.js';
import { startTestRuntime, tokens, type TestRuntime } from './support/runtime.js';

/** Issue 17 §2: the document declares a schema for every answer, and the suite's checker holds the code to it. */
let runtime: TestRuntime;
let document: any;
beforeAll(async () => {
  runtime = await startTestRuntime();
  document = (await runtime.request('/openapi.json', { role: 'none' })).body;
});
afterAll(async () => {
  await runtime.cleanup();
});

const operations = () =>
  Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })));

describe('/openapi.json', () => {
  it('declares a schema for every status of every operation, a 2xx on each, the error envelope on each error', () => {
    const missing: string[] = [];
    for (const { where, op } of operations()) {
      const statuses = Object.keys(op.responses);
      if (!statuses.some((s) => s.startsWith('2'))) missing.push(`${where}: no 2xx`);
      for (const status of statuses) {
        const content = op.responses[status].content ?? {};
        const media = Object.values(content) as { schema?: object }[];
        if (media.length === 0 || media.some((m) => m.schema === undefined)) missing.push(`${where} ${status}: no schema`);
        if (Number(status) >= 400) expect(content['application/json'].schema, `${where} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
      }
      if (op['x-required-role'] !== undefined) expect(statuses, where).toEqual(expect.arrayContaining(['401', '403']));
      if (op.requestBody !== undefined) expect(statuses, where).toEqual(expect.arrayContaining(['400', '413', '415']));
    }
    expect(missing).toEqual([]);
    expect(operations().length).toBeGreaterThanOrEqual(23);
  });

  it('types query parameters: overdue a boolean, limit an integer, path ids by their pattern', () => {
    const params = (path: string, method: string) => Object.fromEntries((document.paths[path][method].parameters as { name: string; schema: any }[]).map((p) => [p.name, p.schema]));
    const queue = params('/v1/evidence-reports', 'get');
    expect(queue['overdue']).toEqual({ type: 'boolean' });
    expect(queue['limit']).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
    expect(params('/v1/complaints', 'get')['limit']).toMatchObject({ type: 'integer' });
    expect(params('/v1/accounts/{id}', 'get')['id']).toMatchObject({ type: 'string', pattern: expect.any(String) });
    expect(document.paths['/v1/accounts/{id}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Account' });
    expect(document.components.schemas.Account.required).toContain('features');
  });

  it('accepts overdue=true and overdue=false as the boolean the document says', async () => {
    for (const overdue of ['true', 'false']) expect((await runtime.request(`/v1/evidence-reports?overdue=${overdue}&limit=5`, { role: 'appraiser' })).status).toBe(200);
  });
});

describe('the response checker every HTTP test goes through', () => {
  const decide = () =>
    runtime.app.request('/v1/decisions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.service}` },
      body: JSON.stringify({ point: 'order.checkout', account: { id: 'a1' }, merchant: { id: 'm1' } }),
    });
  const withDecision = (change: (op: any, schemas: any) => void) => {
    const copy = structuredClone(document);
    change(copy.paths['/v1/decisions'].post, copy.components.schemas);
    return copy;
  };

  it('passes an answer the document describes', async () => {
    await expect(checkResponse(document, 'post', '/v1/decisions', await decide())).resolves.toBeUndefined();
  });

  it('fails a status the operation does not declare', async () => {
    const doc = withDecision((op) => delete op.responses['200']);
    await expect(checkResponse(doc, 'post', '/v1/decisions', await decide())).rejects.toThrow(/declares only/);
  });

  it('fails a body that drifted from its schema', async () => {
    const doc = withDecision((_op, schemas) => schemas.Decision.required.push('verdict'));
    await expect(checkResponse(doc, 'post', '/v1/decisions', await decide())).rejects.toThrow(/verdict/);
  });

  it('fails a content type the document does not declare', async () => {
    const doc = withDecision((op) => (op.responses['200'].content = { 'text/plain': { schema: { type: 'string' } } }));
    await expect(checkResponse(doc, 'post', '/v1/decisions', await decide())).rejects.toThrow(/content type/);
  });

  it('fails an answer on a path the document lacks unless it is the not-found envelope', async () => {
    const healthy = await runtime.app.request('/healthz');
    await expect(checkResponse({ paths: {} }, 'get', '/healthz', healthy)).rejects.toThrow(/no operation/);
  });
});
