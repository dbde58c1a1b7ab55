import type { Child } from 'hono/jsx';
import { when } from '../format.js';
import { ColumnHeads, Facts, Page } from '../layout.js';
import type { Session } from '../stores/index.js';

export function MerchantsPage(p: { person: Session; now: number; known: { id: string; cohorts: readonly string[] }[] }) {
  return (
    <Page title="Merchants" now={p.now} person={p.person} section="merchants">
      <form class="inline" method="get" action="/console/merchants/open">
        <label>
          Merchant
          <input name="id" required size={32} />
        </label>
        <button type="submit">Open merchant</button>
      </form>
      <h2>Merchants in cohorts.yaml</h2>
      {p.known.length === 0 ? (
        <p class="muted">No merchant is listed in the cohort file.</p>
      ) : (
        <table>
          <caption>Merchants named by the policy cohorts</caption>
          <ColumnHeads columns={['Merchant', 'Cohorts (from policies)']} />
          <tbody>
            {p.known.map((m) => (
              <tr>
                <td>
                  <a href={`/console/merchants/${encodeURIComponent(m.id)}`}>{m.id}</a>
                </td>
                <td>{m.cohorts.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export interface MerchantPageProps {
  person: Session;
  now: number;
  id: string;
  settings: Record<string, unknown>;
  cohorts: readonly string[];
  staticCohorts: readonly string[];
  updatedAt?: string;
  updatedBy?: string;
  mayEdit: boolean;
  notice?: Child;
}

export function MerchantPage(p: MerchantPageProps) {
  const on = (name: string) => p.settings[name] === true;
  return (
    <Page title={`Merchant ${p.id}`} now={p.now} person={p.person} section="merchants">
      {p.notice}
      <Facts
        rows={[
          ['Cohorts from policies/cohorts.yaml', p.staticCohorts.length === 0 ? 'none' : p.staticCohorts.join(', ')],
          ['Last saved', p.updatedBy !== undefined ? `${when(p.updatedAt)} by ${p.updatedBy}` : when(p.updatedAt)],
        ]}
      />
      <h2>Protections and cohorts</h2>
      <form class="stack panel" method="post" action={`/console/merchants/${encodeURIComponent(p.id)}`}>
        <fieldset disabled={!p.mayEdit}>
          <legend>Settings</legend>
          <div class="check-row">
            <label class="check">
              <input type="checkbox" name="interceptAbnormalRefunds" value="on" checked={on('interceptAbnormalRefunds')} aria-describedby="intercept-desc" /> interceptAbnormalRefunds
            </label>
            <span class="muted" id="intercept-desc">
              fast refunds of abnormal accounts become return-first
            </span>
          </div>
          <div class="check-row">
            <label class="check">
              <input type="checkbox" name="oneClickReject" value="on" checked={on('oneClickReject')} aria-describedby="reject-desc" /> oneClickReject
            </label>
            <span class="muted" id="reject-desc">
              the merchant may reject refunds of risky orders directly
            </span>
          </div>
          <label>
            Cohorts (comma-separated, assigned through the API)
            <input name="cohorts" value={p.cohorts.join(', ')} size={60} />
          </label>
        </fieldset>
        {p.mayEdit ? (
          <div class="actions">
            <button type="submit" class="primary">
              Save
            </button>
          </div>
        ) : (
          <p class="muted">Admins change merchant settings; you are signed in as {p.person.role}.</p>
        )}
      </form>
    </Page>
  );
}
