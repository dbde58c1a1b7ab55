import type { Hono } from 'hono';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { storeCall } from '../http/store-call.js';
import { requireId } from '../routes/accounts.js';
import { workflowCall } from '../routes/workflow-http.js';
import type { ConsoleEnv } from './env.js';
import { startOfUtcDay } from './format.js';
import { DecisionPage } from './pages/decision.js';
import { OverviewPage } from './pages/overview.js';
import { PoliciesPage } from './pages/policies.js';
import { render } from './render.js';
import { readers, requireConsoleRole } from './security.js';

/** Reports whose 24 h deadline passed today (UTC) without a timely appraisal. */
async function slaBreachesToday(ctx: ServerContext, now: number): Promise<number> {
  const today = { from: startOfUtcDay(now), before: now };
  const [stillPending, appraised] = await Promise.all([
    ctx.workflows.reports.count({ status: 'pending', ...today }),
    ctx.workflows.reports.list({ status: 'appraised', ...today, limit: 500 }),
  ]);
  return stillPending + appraised.records.filter((r) => r.appraisal?.withinSla === false).length;
}

export function readRoutes(app: Hono<ConsoleEnv>, ctx: ServerContext): void {
  app.get('/', async (c) => {
    const person = requireConsoleRole(c, readers);
    const now = ctx.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const [pending, overdue, breachesToday, complaints, decisions, today] = await Promise.all([
      workflowCall(() => ctx.workflows.reports.count({ status: 'pending' })),
      workflowCall(() => ctx.workflows.reports.count({ status: 'pending', before: now })),
      workflowCall(() => slaBreachesToday(ctx, now)),
      workflowCall(() => ctx.workflows.complaints.count({ status: 'pending' })),
      storeCall(() => ctx.decisionLog.stats()),
      storeCall(() => ctx.decisionLog.stats(day)),
    ]);
    const intercepted = decisions['refund.requested']?.['return_first'] ?? 0;
    const interceptedToday = today['refund.requested']?.['return_first'] ?? 0;
    return render(
      c,
      <OverviewPage person={person} now={now} evidence={{ pending, overdue, breachesToday }} complaints={{ pending: complaints }} decisions={decisions} today={today} intercepted={intercepted} interceptedToday={interceptedToday} />,
    );
  });

  app.get('/policies', async (c) => {
    const person = requireConsoleRole(c, readers);
    const failure = ctx.bundles.lastFailure;
    const instances = await ctx.policies.instances();
    return render(
      c,
      <PoliciesPage
        person={person}
        now={ctx.now()}
        revision={ctx.bundles.bundle.revision}
        activeSince={ctx.bundles.since}
        policies={ctx.bundles.bundle.policies}
        instances={instances}
        instance={ctx.policies.instanceId}
        {...(failure !== undefined ? { lastFailure: { at: failure.at, problems: failure.problems } } : {})}
      />,
    );
  });

  app.get('/decisions/:id', async (c) => {
    const person = requireConsoleRole(c, readers);
    const id = requireId(c.req.param('id'), 'id');
    const decision = await storeCall(() => ctx.decisionLog.get(id));
    if (!decision) throw new ApiError('not_found', `no logged decision ${id}`);
    return render(c, <DecisionPage person={person} now={ctx.now()} decision={decision} />);
  });
}
