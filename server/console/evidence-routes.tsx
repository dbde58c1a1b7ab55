import type { Hono } from 'hono';
import { appraisalVerdicts, maxOrderRecords, type IntegrityWorkflows } from '../../engine/workflows/index.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { requireId } from '../routes/accounts.js';
import { appraiseReport } from '../routes/integrity-actions.js';
import { workflowCall } from '../routes/workflow-http.js';
import { loadAccount } from './account-view.js';
import type { ConsoleEnv } from './env.js';
import { formFields, oneOf, requiredText } from './form.js';
import { Notice } from './layout.js';
import { EvidenceQueuePage } from './pages/evidence-queue.js';
import { EvidenceReportPage } from './pages/evidence-report.js';
import { earlierReports } from './pages/order-reports.js';
import { parseReason, queuePage, reportAfter } from './queue.js';
import { render } from './render.js';
import { mayAct, readers, requireConsoleRole } from './security.js';
import type { ConsoleStores } from './stores/index.js';

export function evidenceRoutes(app: Hono<ConsoleEnv>, ctx: ServerContext, workflows: IntegrityWorkflows, stores: ConsoleStores): void {
  /** The outcome of the verdict just given, read back from the store (never from the query text). */
  async function doneNotice(id: string | undefined) {
    if (id === undefined) return undefined;
    const report = await ctx.workflows.reports.get(id).catch(() => undefined);
    if (!report?.appraisal) return undefined;
    const restrictions = (await ctx.state.listRestrictions(report.accountId).catch(() => [])).filter((r) => r.trigger?.id === report.id);
    return (
      <Notice>
        Report {report.id} appraised {report.appraisal.verdict}
        {report.appraisal.by !== undefined ? ` by ${report.appraisal.by}` : ''}.
        {restrictions.map((r) => ` Restriction created: ${r.kind} (${r.reason}).`)}
      </Notice>
    );
  }

  /** The first pending report (due soonest) that is not `except` and that nobody but `name` holds. */
  async function nextFreeReport(except: string, name: string) {
    let cursor: string | undefined;
    for (let pages = 0; pages < 5; pages++) {
      const page = await workflowCall(() => workflows.listReports({ status: 'pending', limit: 50, ...(cursor !== undefined ? { cursor } : {}) }));
      const holders = await stores.claims.holders(page.records.map((r) => r.id));
      const found = page.records.find((r) => r.id !== except && (holders.get(r.id) ?? name) === name);
      if (found || page.nextCursor === null) return found;
      cursor = page.nextCursor;
    }
    return undefined;
  }

  app.get('/evidence', async (c) => {
    const person = requireConsoleRole(c, readers);
    const now = ctx.now();
    const merchant = c.req.query('merchant')?.trim();
    const reason = parseReason(c.req.query('reason'));
    const cursor = c.req.query('cursor');
    const filter = {
      ...(merchant ? { merchant } : {}),
      ...(reason !== undefined ? { reason } : {}),
      overdueOnly: c.req.query('overdue') === 'on',
      ...(cursor ? { cursor } : {}),
    };
    const [page, pending, overdue] = await Promise.all([
      queuePage(workflows, filter, now),
      workflowCall(() => ctx.workflows.reports.count({ status: 'pending' })),
      workflowCall(() => ctx.workflows.reports.count({ status: 'pending', before: now })),
    ]);
    const claims = await stores.claims.holders(page.reports.map((r) => r.id));
    const notice = await doneNotice(c.req.query('done'));
    return render(c, <EvidenceQueuePage person={person} now={now} reports={page.reports} nextCursor={page.nextCursor} filter={filter} counts={{ pending, overdue }} claims={claims} notice={notice} />);
  });

  app.get('/evidence/:id', async (c) => {
    const person = requireConsoleRole(c, readers);
    const id = requireId(c.req.param('id'), 'id');
    const report = await workflowCall(() => workflows.getReport(id));
    const mayAppraise = mayAct(person, 'appraiser');
    // Opening a pending report claims it for an appraiser; someone else's claim in force is shown instead.
    let claimedBy: string | undefined;
    if (report.status === 'pending') {
      const holder = mayAppraise ? await stores.claims.claim(id, person.name) : await stores.claims.holderOf(id);
      if (holder !== undefined && holder !== person.name) claimedBy = holder;
    }
    const [account, ofOrder, next, notice] = await Promise.all([
      loadAccount(ctx, report.accountId),
      workflowCall(() => ctx.workflows.reports.forOrder(report.accountId, report.orderId, maxOrderRecords)),
      reportAfter(workflows, report.status === 'pending' ? report : undefined, (r) => r.id === id),
      doneNotice(c.req.query('done')),
    ]);
    const from = c.req.query('from');
    const reused = account.features.find((f) => f.name === 'reusedEvidenceFingerprints365d')?.value ?? 0;
    return render(
      c,
      <EvidenceReportPage
        person={person}
        now={ctx.now()}
        report={report}
        account={account}
        {...(claimedBy !== undefined ? { claimedBy } : {})}
        mayAppraise={mayAppraise}
        {...(next !== undefined ? { next: next.id } : {})}
        {...(from !== undefined && from !== '' ? { previous: requireId(from, 'from') } : {})}
        {...(notice !== undefined ? { notice } : {})}
        reusedFingerprints={reused}
        earlierReports={earlierReports(report, ofOrder)}
      />,
    );
  });

  app.post('/evidence/:id/verdict', async (c) => {
    const person = requireConsoleRole(c, 'appraiser');
    const id = requireId(c.req.param('id'), 'id');
    const fields = await formFields(c);
    const verdict = oneOf(fields, 'verdict', appraisalVerdicts);
    const note = requiredText(fields, 'note', 'Note', 2000);
    const holder = await stores.claims.claim(id, person.name);
    if (holder !== person.name) throw new ApiError('conflict', `report ${id} is being appraised by ${holder}`);
    await appraiseReport(ctx, workflows, id, { verdict, note }, person.name);
    await stores.claims.release(id, person.name);
    // Move on to the next report nobody else is appraising (the Sift-style auto-advance).
    const free = await nextFreeReport(id, person.name);
    const done = `done=${encodeURIComponent(id)}`;
    return c.redirect(free ? `/console/evidence/${encodeURIComponent(free.id)}?${done}` : `/console/evidence?${done}`, 303);
  });
}
