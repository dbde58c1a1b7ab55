import type { Hono } from 'hono';
import type { MerchantUpdate } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { merchantUpdateSchema } from '../http/request-schemas.js';
import { storeCall } from '../http/store-call.js';
import { validateBody } from '../http/validate.js';
import { requireId } from '../routes/accounts.js';
import { updateMerchant } from '../routes/integrity-actions.js';
import type { ConsoleEnv } from './env.js';
import { formFields } from './form.js';
import { Notice } from './layout.js';
import { MerchantPage, MerchantsPage } from './pages/merchants.js';
import { render } from './render.js';
import { mayAct, readers, requireConsoleRole } from './security.js';

export function merchantRoutes(app: Hono<ConsoleEnv>, ctx: ServerContext): void {
  app.get('/merchants', (c) => {
    const person = requireConsoleRole(c, readers);
    const known = [...ctx.bundles.bundle.cohorts.byMerchant].map(([id, cohorts]) => ({ id, cohorts })).sort((a, b) => a.id.localeCompare(b.id));
    return render(c, <MerchantsPage person={person} now={ctx.now()} known={known} />);
  });

  app.get('/merchants/open', (c) => {
    requireConsoleRole(c, readers);
    return c.redirect(`/console/merchants/${encodeURIComponent(requireId(c.req.query('id')?.trim(), 'id'))}`, 302);
  });

  app.get('/merchants/:id', async (c) => {
    const person = requireConsoleRole(c, readers);
    const id = requireId(c.req.param('id'), 'id');
    const stored = await storeCall(() => ctx.merchants.get(id));
    const notice = c.req.query('saved') !== undefined && stored ? <Notice>Saved.</Notice> : undefined;
    return render(
      c,
      <MerchantPage
        person={person}
        now={ctx.now()}
        id={id}
        settings={stored?.settings ?? {}}
        cohorts={stored?.cohorts ?? []}
        staticCohorts={[...(ctx.bundles.bundle.cohorts.byMerchant.get(id) ?? [])]}
        {...(stored?.updatedAt !== undefined ? { updatedAt: stored.updatedAt } : {})}
        {...(stored?.updatedBy !== undefined ? { updatedBy: stored.updatedBy } : {})}
        mayEdit={mayAct(person, 'admin')}
        notice={notice}
      />,
    );
  });

  app.post('/merchants/:id', async (c) => {
    const person = requireConsoleRole(c, 'admin');
    const id = requireId(c.req.param('id'), 'id');
    const fields = await formFields(c);
    const current = await storeCall(() => ctx.merchants.get(id));
    const cohorts = (fields.get('cohorts') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    // The two switches change; every other setting stays as stored (PUT replaces settings whole).
    const update = validateBody<MerchantUpdate>(merchantUpdateSchema, {
      settings: { ...(current?.settings ?? {}), interceptAbnormalRefunds: fields.get('interceptAbnormalRefunds') === 'on', oneClickReject: fields.get('oneClickReject') === 'on' },
      cohorts: [...new Set(cohorts)],
    });
    await updateMerchant(ctx, id, update, person.name);
    return c.redirect(`/console/merchants/${encodeURIComponent(id)}?saved=1`, 303);
  });
}
