import type { Context } from 'hono';
import { formatProblem } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { errorSchema } from '../http/request-schemas.js';
import { policiesSchema, reloadSchema } from '../http/response-schemas.js';
import { defineRoutes } from '../http/route.js';
import { json } from '../http/respond.js';
import { storeCall } from '../http/store-call.js';

export function policyRoutes(ctx: ServerContext) {
  const describe = () => {
    const bundle = ctx.bundles.bundle;
    const failure = ctx.bundles.lastFailure;
    return {
      revision: bundle.revision,
      activeSince: ctx.bundles.since,
      directory: ctx.bundles.directory,
      policies: bundle.policies.map((p) => ({
        id: p.id,
        version: p.version,
        point: p.point,
        mode: p.rollout.mode,
        rollout: {
          mode: p.rollout.mode,
          ...(p.rollout.optIn !== undefined ? { optIn: p.rollout.optIn } : {}),
          cohorts: p.rollout.cohorts,
          percent: p.rollout.percent,
          outside: p.rollout.outside,
          stages: p.rollout.stages.map((s) => ({ from: s.from, cohorts: s.cohorts, percent: s.percent })),
        },
        rules: p.rules.map((r) => ({ id: r.id, action: r.then.action })),
        file: p.file,
        contentHash: p.contentHash,
      })),
      cohorts: Object.fromEntries([...bundle.cohorts.cohorts].map(([name, c]) => [name, { merchants: c.merchants.length }])),
      lastLoadError: failure ? { at: failure.at, problems: failure.problems } : null,
      instance: ctx.policies.instanceId,
      publication: ctx.policies.publication() ?? null,
    };
  };
  return defineRoutes([
    {
      method: 'get',
      path: '/v1/policies',
      summary: 'The active bundle: revision, policies with versions and rollout, the last failed load, the published bundle and the instances seen in the last 30 s with the revision each serves',
      role: 'analyst',
      tag: 'policies',
      responses: { 200: { description: 'The active bundle', schema: policiesSchema } },
      async handler(c: Context) {
        const described = describe();
        return json(c, { ...described, instances: await ctx.policies.instances() });
      },
    },
    {
      method: 'post',
      path: '/v1/policies/reload',
      summary: 'Reload the policy directory and, with a shared store (Redis, PostgreSQL), publish it to every instance; a bundle with any problem, or a changed policy whose version does not rise above the published one, is refused whole and the active one stays',
      role: 'admin',
      tag: 'policies',
      responses: {
        200: { description: 'Reloaded (or unchanged): {changed, revision, policies}', schema: reloadSchema },
        422: { description: 'Refused: every problem as FILE:LINE:COL with a code', schema: errorSchema },
        503: { description: 'The shared store (Redis, PostgreSQL) did not answer: nothing was published; retrying is safe', schema: errorSchema },
      },
      async handler(c: Context) {
        const result = await storeCall(() => ctx.policies.reload());
        if (!result.ok) {
          throw new ApiError('policy_bundle_invalid', `the policy bundle was refused (${result.problems.length} problems); revision ${ctx.bundles.bundle.revision} stays active`, result.problems.map((p) => ({ message: formatProblem(p), code: p.code, file: p.file, line: p.line, col: p.col })));
        }
        return json(c, { changed: result.changed, revision: result.bundle.revision, policies: result.bundle.policies.length });
      },
    },
  ]);
}
