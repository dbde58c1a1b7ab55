/**
 * What the workflow routes refuse: bad bodies list every problem (400), unknown ids are 404,
 * wrong roles 403, missing tokens 401, and nothing is recorded for a refused request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0, iso, startHarness, type Caller, type Harness } from './support/workflow-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const problems = (body: any): string[] => body.error.details.map((d: any) => `${d.path} ${d.message}`);

describe('workflow routes refuse bad requests', () => {
  it('an unknown complaint kind is a 400 that lists the allowed kinds, with every other problem of the body', async () => {
    const r = await h.call('POST', '/v1/complaints', 'service', { kind: 'lost_parcel', accountId: 'a1', merchantId: 'm1', evidence: [], color: 'red' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(problems(r.body)).toEqual(expect.arrayContaining([
      '/kind must be one of "fake_logistics", "empty_package", "missing_items", "swapped_item"',
      '/ missing required field "orderId"',
      '/ unknown field "color"',
      '/evidence must NOT have fewer than 1 items',
    ]));
    expect((await h.call('GET', '/v1/complaints?status=all', 'appraiser')).body.complaints).toEqual([]);
  });

  it('a report with missing fields, a bad reason, a malformed sha256 or a future reportedAt is refused, problem by problem', async () => {
    const r = await h.call('POST', '/v1/evidence-reports', 'service', { merchantId: 'm1', reason: 'blurry', evidence: [{ kind: 'photo', sha256: 'xyz' }, { url: 'https://x' }] });
    expect(r.status).toBe(400);
    expect(problems(r.body)).toEqual(expect.arrayContaining([
      '/ missing required field "accountId"',
      '/ missing required field "orderId"',
      '/reason must be one of "web_image", "edited_image", "not_store_product", "other"',
      '/evidence/0/sha256 must match pattern "^[A-Fa-f0-9]{64}$"',
      '/evidence/1 missing required field "kind"',
    ]));
    const future = await h.call('POST', '/v1/evidence-reports', 'service', { merchantId: 'm1', accountId: 'a1', orderId: 'o1', reason: 'other', evidence: [{ kind: 'photo' }], reportedAt: iso(T0 + 3_600_000) });
    expect(future.status).toBe(400);
    expect(problems(future.body)).toEqual(['/reportedAt reportedAt is in the future']);
    expect((await h.call('POST', '/v1/evidence-reports', 'service', '{"merchantId": ')).body.error.code).toBe('invalid_json');
    const badKey = await h.call('POST', '/v1/evidence-reports', 'service', { merchantId: 'm1', accountId: 'a1', orderId: 'o1', reason: 'other', evidence: [{ kind: 'photo' }] }, { 'idempotency-key': 'has spaces' });
    expect(badKey.status).toBe(400);
    expect((await h.call('GET', '/v1/evidence-reports?status=all', 'appraiser')).body.reports).toEqual([]);
  });

  it('a bad verdict or outcome is a 400 naming the allowed values; unknown ids are 404', async () => {
    const report = await h.call('POST', '/v1/evidence-reports', 'service', { merchantId: 'm1', accountId: 'a1', orderId: 'o1', reason: 'other', evidence: [{ kind: 'photo' }] });
    const verdict = await h.call('POST', `/v1/evidence-reports/${report.body.id}/appraisal`, 'appraiser', { verdict: 'fake', by: 'me' });
    expect(verdict.status).toBe(400);
    expect(problems(verdict.body).sort()).toEqual(['/ unknown field "by"', '/verdict must be one of "forged", "genuine"']);
    expect((await h.call('GET', `/v1/evidence-reports/${report.body.id}`, 'appraiser')).body.status).toBe('pending');

    const complaint = await h.call('POST', '/v1/complaints', 'service', { kind: 'empty_package', accountId: 'a1', merchantId: 'm1', orderId: 'o1', evidence: [{ kind: 'photo' }] });
    const outcome = await h.call('POST', `/v1/complaints/${complaint.body.id}/resolution`, 'appraiser', {});
    expect(outcome.status).toBe(400);
    expect(problems(outcome.body)).toEqual(['/ missing required field "outcome"']);
    expect(problems((await h.call('POST', `/v1/complaints/${complaint.body.id}/resolution`, 'appraiser', { outcome: 'maybe' })).body)).toEqual(['/outcome must be one of "upheld", "dismissed"']);

    for (const [method, path, as, body] of [
      ['GET', '/v1/evidence-reports/rep-missing', 'appraiser', undefined],
      ['POST', '/v1/evidence-reports/rep-missing/appraisal', 'appraiser', { verdict: 'forged' }],
      ['GET', '/v1/complaints/cmp-missing', 'analyst', undefined],
      ['POST', '/v1/complaints/cmp-missing/resolution', 'appraiser', { outcome: 'upheld' }],
    ] as const) {
      const r = await h.call(method, path, as, body);
      expect([path, r.status, r.body.error.code]).toEqual([path, 404, 'not_found']);
    }
    expect((await h.call('GET', '/v1/evidence-reports/bad%20id', 'appraiser')).status).toBe(400);
  });

  it('the queue refuses a bad status, overdue flag, limit or cursor, listing each', async () => {
    const r = await h.call('GET', '/v1/evidence-reports?status=open&overdue=maybe&limit=0', 'appraiser');
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: any) => d.path)).toEqual(['/status', '/overdue', '/limit']);
    const cursor = await h.call('GET', '/v1/evidence-reports?cursor=not-a-cursor', 'appraiser');
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.details).toEqual([{ path: '/cursor', message: 'cursor is not one this server returned' }]);
  });

  it('each route takes only its roles: 403 for the wrong one, 401 without a token', async () => {
    const report = { merchantId: 'm1', accountId: 'a1', orderId: 'o1', reason: 'other', evidence: [{ kind: 'photo' }] };
    const cases: [string, string, Caller, unknown, number][] = [
      ['POST', '/v1/evidence-reports', 'appraiser', report, 403],
      ['POST', '/v1/evidence-reports', 'none', report, 401],
      ['GET', '/v1/evidence-reports', 'service', undefined, 403],
      ['GET', '/v1/evidence-reports', 'analyst', undefined, 403],
      ['GET', '/v1/evidence-reports/rep-x', 'service', undefined, 403],
      ['POST', '/v1/evidence-reports/rep-x/appraisal', 'service', { verdict: 'forged' }, 403],
      ['POST', '/v1/evidence-reports/rep-x/appraisal', 'analyst', { verdict: 'forged' }, 403],
      ['POST', '/v1/complaints', 'appraiser', {}, 403],
      ['POST', '/v1/complaints/cmp-x/resolution', 'service', { outcome: 'upheld' }, 403],
      ['POST', '/v1/complaints/cmp-x/resolution', 'analyst', { outcome: 'upheld' }, 403],
      ['GET', '/v1/complaints/cmp-x', 'service', undefined, 403],
      ['GET', '/v1/complaints/cmp-x', 'none', undefined, 401],
      ['POST', '/v1/restrictions/rst-x/lift', 'appraiser', { reason: 'x', by: 'y' }, 403],
      // allowed: the role passes and the id is unknown
      ['GET', '/v1/evidence-reports/rep-x', 'analyst', undefined, 404],
      ['GET', '/v1/evidence-reports/rep-x', 'admin', undefined, 404],
      ['GET', '/v1/complaints/cmp-x', 'appraiser', undefined, 404],
    ];
    const seen = [];
    for (const [method, path, as, body] of cases) seen.push([method, path, as, (await h.call(method, path, as, body)).status]);
    expect(seen).toEqual(cases.map(([m, p, as, , status]) => [m, p, as, status]));
  });

  it('the OpenAPI document lists the workflow routes with their roles', async () => {
    const doc = (await h.call('GET', '/openapi.json', 'none')).body;
    expect(doc.paths['/v1/evidence-reports'].post['x-required-role']).toBe('service');
    expect(doc.paths['/v1/evidence-reports/{id}'].get['x-required-role']).toEqual(['appraiser', 'analyst']);
    expect(doc.paths['/v1/complaints/{id}/resolution'].post.requestBody.content['application/json'].schema.properties.outcome.enum).toEqual(['upheld', 'dismissed']);
  });
});
