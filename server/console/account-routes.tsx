import type { Hono } from 'hono';
import type { DecisionRecord } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http/errors.js';
import { recentPerAccount } from '../decision-log/index.js';
import { storeCall } from '../http/store-call.js';
import { requireId } from '../routes/accounts.js';
import { liftRestriction } from '../routes/integrity-actions.js';
import { loadAccount } from './account-view.js';
import type { ConsoleEnv } from './env.js';
import { formFields, requiredText } from './form.js';
import { Notice } from './layout.js';
import { AccountPage, RestrictionsPage } from './pages/account.js';
import { render } from './render.js';
import { mayAct, readers, requireConsoleRole } from './security.js';

export function accountRoutes(app: Hono<ConsoleEnv>, ctx: ServerContext): void {
  app.get('/restrictions', (c) => render(c, <RestrictionsPage person={requireConsoleRole(c, readers)} now={ctx.now()} />));

  // The lookup form of the Restrictions page (GET, so it works without script).
  app.get('/accounts', (c) => {
    requireConsoleRole(c, readers);
    return c.redirect(`/console/accounts/${encodeURIComponent(requireId(c.req.query('id')?.trim(), 'id'))}`, 302);
  });

  app.get('/accounts/:id', async (c) => {
    const person = requireConsoleRole(c, readers);
    const account = await loadAccount(ctx, requireId(c.req.param('id'), 'id'));
    // The account's recent decisions (the log's per-account index, newest first), then those behind
    // its restrictions that are older; each as long as the log still holds it.
    const recent = await storeCall(() => ctx.decisionLog.recentForAccount(account.id));
    const behindRestrictions = account.record.map((r) => r.decisionId).filter((d): d is string => d !== undefined).reverse();
    const ids = [...new Set([...recent, ...behindRestrictions])].slice(0, recentPerAccount + 20);
    const decisions = (await Promise.all(ids.map((id) => ctx.decisionLog.get(id).catch(() => undefined)))).filter((d): d is DecisionRecord => d !== undefined)
      .sort((a, b) => b.decidedAt.localeCompare(a.decidedAt));
    const liftedId = c.req.query('lifted');
    const lifted = liftedId === undefined ? undefined : account.record.find((r) => r.id === liftedId && r.status === 'lifted');
    const notice = lifted ? <Notice>Restriction {lifted.id} lifted by {lifted.liftedBy}: {lifted.liftReason}</Notice> : undefined;
    return render(c, <AccountPage person={person} now={ctx.now()} account={account} mayLift={mayAct(person, 'admin')} decisions={decisions} notice={notice} />);
  });

  app.post('/restrictions/:id/lift', async (c) => {
    const person = requireConsoleRole(c, 'admin');
    const id = requireId(c.req.param('id'), 'id');
    const reason = requiredText(await formFields(c), 'reason', 'Reason', 1000);
    const lifted = await liftRestriction(ctx, id, { reason, by: person.name });
    if (!lifted) throw new ApiError('not_found', `no restriction ${id}`);
    return c.redirect(`/console/accounts/${encodeURIComponent(lifted.accountId)}?lifted=${encodeURIComponent(id)}`, 303);
  });
}
