import type { Child } from 'hono/jsx';
import type { DecisionRecord } from '../../../engine/index.js';
import type { AccountView } from '../account-view.js';
import { when } from '../format.js';
import { ColumnHeads, Notice, Page } from '../layout.js';
import type { Session } from '../stores/index.js';
import { FeatureTable, IntegrityRecord } from './account-panels.js';

export interface AccountPageProps {
  person: Session;
  now: number;
  account: AccountView;
  mayLift: boolean;
  decisions: DecisionRecord[];
  notice?: Child;
}

export function AccountPage(p: AccountPageProps) {
  const active = p.account.record.filter((r) => r.status === 'active');
  return (
    <Page title={`Account ${p.account.id}`} now={p.now} person={p.person} section="restrictions">
      {p.notice}
      <div class="two">
        <div>
          <h2>Active restrictions</h2>
          {active.length === 0 ? (
            <p class="muted">No restriction in force.</p>
          ) : (
            active.map((r) => (
              <section class="panel" aria-label={`Restriction ${r.id}`}>
                <p>
                  <strong>{r.kind}</strong> <span class="muted">({r.scope.type === 'store' ? `store ${r.scope.merchantId}` : r.scope.type})</span> · {r.reason} · since {when(r.createdAt)} ·{' '}
                  {r.expiresAt === null ? 'until lifted' : `until ${when(r.expiresAt)}`}
                </p>
                {p.mayLift && (
                  <form class="inline" method="post" action={`/console/restrictions/${encodeURIComponent(r.id)}/lift`}>
                    <label>
                      Reason
                      <input name="reason" required maxlength={1000} size={48} />
                    </label>
                    <button type="submit" class="danger">
                      Lift
                    </button>
                  </form>
                )}
              </section>
            ))
          )}
          <h2>Integrity record</h2>
          <IntegrityRecord account={p.account} />
          <h2>Recent decisions</h2>
          {p.decisions.length === 0 ? (
            <p class="muted">The decision log holds no recent decision about this account.</p>
          ) : (
            <table aria-label="Recent decisions">
              <ColumnHeads columns={['Decision', 'Point', 'Action', 'Reasons', 'When']} />
              <tbody>
                {p.decisions.map((d) => (
                  <tr>
                    <td>
                      <a href={`/console/decisions/${encodeURIComponent(d.decisionId)}`}>{d.decisionId}</a>
                    </td>
                    <td>{d.point}</td>
                    <td>{d.action}</td>
                    <td>{d.reasons.map((r) => `${r.policy}/${r.rule}: ${r.reason}`).join('; ')}</td>
                    <td class="nowrap">{when(d.decidedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <FeatureTable features={p.account.features} />
        </div>
      </div>
    </Page>
  );
}

export function RestrictionsPage(p: { person: Session; now: number }) {
  return (
    <Page title="Restrictions" now={p.now} person={p.person} section="restrictions">
      <p>Restrictions are kept per account. Open an account to see its restrictions and integrity record{p.person.role === 'admin' ? ', and to lift one after an appeal' : ''}.</p>
      <form class="inline" method="get" action="/console/accounts">
        <label>
          Account
          <input name="id" required size={32} />
        </label>
        <button type="submit">Open account</button>
      </form>
      <Notice>Evidence and complaint pages link to the account they are about.</Notice>
    </Page>
  );
}
