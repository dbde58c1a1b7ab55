import type { Child } from 'hono/jsx';
import type { Complaint } from '../../../engine/workflows/index.js';
import type { AccountView } from '../account-view.js';
import { duration, when } from '../format.js';
import { ColumnHeads, Facts, KeyHints, Notice, Page } from '../layout.js';
import type { Session } from '../stores/index.js';
import { FeatureTable, IntegrityRecord } from './account-panels.js';
import { EvidenceItems } from './evidence-items.js';
import { VerdictForm } from './verdict-form.js';

export function ComplaintListPage(p: { person: Session; now: number; complaints: Complaint[]; nextCursor: string | null; cursor?: string; notice?: Child }) {
  return (
    <Page title="Complaints" now={p.now} person={p.person} section="complaints">
      {p.notice}
      {p.complaints.length === 0 ? (
        <Notice>No pending complaints.</Notice>
      ) : (
        <table>
          <caption>Pending complaints, oldest filed first</caption>
          <ColumnHeads columns={['Complaint', 'Kind', 'Waiting', 'Merchant', 'Account', 'Order']} />
          <tbody>
            {p.complaints.map((c) => (
              <tr>
                <td>
                  <a href={`/console/complaints/${encodeURIComponent(c.id)}`} data-row="">
                    {c.id}
                  </a>
                </td>
                <td>{c.kind}</td>
                <td>{duration(Math.max(0, p.now - Date.parse(c.filedAt)))}</td>
                <td>{c.merchantId}</td>
                <td>{c.accountId}</td>
                <td>{c.orderId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        {p.cursor !== undefined && <a href="/console/complaints">First page</a>}
        {p.nextCursor !== null && (
          <a href={`/console/complaints?cursor=${encodeURIComponent(p.nextCursor)}`} rel="next">
            Next page
          </a>
        )}
      </div>
      <KeyHints keys={[['j', 'next row'], ['k', 'previous row'], ['Enter', 'open']]} />
    </Page>
  );
}

export interface ComplaintPageProps {
  person: Session;
  now: number;
  complaint: Complaint;
  account: AccountView;
  mayResolve: boolean;
  next?: string;
  notice?: Child;
}

export function ComplaintPage(p: ComplaintPageProps) {
  const c = p.complaint;
  const created = p.account.record.filter((r) => r.trigger?.id === c.id);
  return (
    <Page title={`Complaint ${c.id}`} now={p.now} person={p.person} section="complaints">
      {p.notice}
      <div class="two">
        <div>
          <section class="panel" aria-labelledby="complaint-h">
            <h2 id="complaint-h">Complaint</h2>
            <Facts
              rows={[
                ['Status', <span class="tag">{c.status}</span>],
                ['Kind', c.kind],
                ['Merchant', <a href={`/console/merchants/${encodeURIComponent(c.merchantId)}`}>{c.merchantId}</a>],
                ['Account', <a href={`/console/accounts/${encodeURIComponent(c.accountId)}`}>{c.accountId}</a>],
                ['Order', c.orderId],
                ['Filed', when(c.filedAt)],
              ]}
            />
          </section>
          <h2>Evidence</h2>
          <EvidenceItems items={c.evidence} />
          {c.resolution ? (
            <section class="panel" aria-labelledby="resolution-h">
              <h2 id="resolution-h">Resolution</h2>
              <Facts
                rows={[
                  ['Outcome', <span class={`tag ${c.resolution.outcome === 'upheld' ? 'bad' : 'ok'}`}>{c.resolution.outcome}</span>],
                  ['By', c.resolution.by ?? '—'],
                  ['When', when(c.resolution.resolvedAt)],
                  ['Note', <div class="text">{c.resolution.note ?? ''}</div>],
                  ['Restriction created', created.length === 0 ? 'none' : created.map((r) => `${r.kind} (${r.status}, ${r.reason})`).join('; ')],
                ]}
              />
            </section>
          ) : p.mayResolve ? (
            <VerdictForm action={`/console/complaints/${encodeURIComponent(c.id)}/resolution`} field="outcome" choices={[{ label: 'Uphold', value: 'upheld', style: 'danger', key: 'u' }, { label: 'Dismiss', value: 'dismissed', style: 'primary', key: 'd' }]} />
          ) : (
            <p class="muted">Appraisers resolve complaints; you are signed in as {p.person.role}.</p>
          )}
          <div class="pager">
            {p.next !== undefined && (
              <a href={`/console/complaints/${encodeURIComponent(p.next)}`} data-key="j" rel="next">
                Next complaint
              </a>
            )}
            <a href="/console/complaints">Back to complaints</a>
          </div>
          <KeyHints keys={[['j', 'next complaint'], ['u', 'uphold'], ['d', 'dismiss']]} />
        </div>
        <div>
          <FeatureTable features={p.account.features} />
          <h2>Integrity record</h2>
          <IntegrityRecord account={p.account} />
        </div>
      </div>
    </Page>
  );
}
