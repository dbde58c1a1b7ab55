import type { Hono } from 'hono';
import { complaintOutcomes, type Complaint, type IntegrityWorkflows } from '../../engine/workflows/index.js';
import type { ServerContext } from '../context.js';
import { requireId } from '../routes/accounts.js';
import { resolveComplaint } from '../routes/integrity-actions.js';
import { workflowCall } from '../routes/workflow-http.js';
import { loadAccount } from './account-view.js';
import type { ConsoleEnv } from './env.js';
import { formFields, oneOf, requiredText } from './form.js';
import { Notice } from './layout.js';
import { ComplaintListPage, ComplaintPage } from './pages/complaints.js';
import { render } from './render.js';
import { mayAct, readers, requireConsoleRole } from './security.js';

export function complaintRoutes(app: Hono<ConsoleEnv>, ctx: ServerContext, workflows: IntegrityWorkflows): void {
  async function nextPending(except: string): Promise<Complaint | undefined> {
    const page = await workflowCall(() => workflows.listComplaints({ status: 'pending', limit: 2 }));
    return page.records.find((c) => c.id !== except);
  }

  /** What the resolution just made, read back from the store: the outcome and the restriction it created. */
  async function doneNotice(id: string | undefined) {
    if (id === undefined) return undefined;
    const complaint = await ctx.workflows.complaints.get(id).catch(() => undefined);
    if (!complaint?.resolution) return undefined;
    const created = (await ctx.state.listRestrictions(complaint.accountId).catch(() => [])).filter((r) => r.trigger?.id === complaint.id);
    return (
      <Notice>
        Complaint {complaint.id} {complaint.resolution.outcome}
        {complaint.resolution.by !== undefined ? ` by ${complaint.resolution.by}` : ''}.
        {created.length === 0
          ? complaint.resolution.outcome === 'upheld'
            ? ' No new restriction (policy decided none, or one was already in force).'
            : ''
          : created.map((r) => ` Restriction created: ${r.kind} on account ${r.accountId} (${r.reason}).`)}
      </Notice>
    );
  }

  app.get('/complaints', async (c) => {
    const person = requireConsoleRole(c, readers);
    const cursor = c.req.query('cursor') || undefined;
    const page = await workflowCall(() => workflows.listComplaints({ status: 'pending', limit: 50, ...(cursor !== undefined ? { cursor } : {}) }));
    const notice = await doneNotice(c.req.query('done'));
    return render(c, <ComplaintListPage person={person} now={ctx.now()} complaints={page.records} nextCursor={page.nextCursor} {...(cursor !== undefined ? { cursor } : {})} notice={notice} />);
  });

  app.get('/complaints/:id', async (c) => {
    const person = requireConsoleRole(c, readers);
    const id = requireId(c.req.param('id'), 'id');
    const complaint = await workflowCall(() => workflows.getComplaint(id));
    const [account, next, notice] = await Promise.all([loadAccount(ctx, complaint.accountId), nextPending(id), doneNotice(c.req.query('done'))]);
    return render(
      c,
      <ComplaintPage
        person={person}
        now={ctx.now()}
        complaint={complaint}
        account={account}
        mayResolve={mayAct(person, 'appraiser')}
        {...(next !== undefined ? { next: next.id } : {})}
        {...(notice !== undefined ? { notice } : {})}
      />,
    );
  });

  app.post('/complaints/:id/resolution', async (c) => {
    const person = requireConsoleRole(c, 'appraiser');
    const id = requireId(c.req.param('id'), 'id');
    const fields = await formFields(c);
    const outcome = oneOf(fields, 'outcome', complaintOutcomes);
    const note = requiredText(fields, 'note', 'Note', 2000);
    await resolveComplaint(ctx, workflows, id, { outcome, note }, person.name);
    const next = await nextPending(id);
    const done = `done=${encodeURIComponent(id)}`;
    return c.redirect(next ? `/console/complaints/${encodeURIComponent(next.id)}?${done}` : `/console/complaints?${done}`, 303);
  });
}
