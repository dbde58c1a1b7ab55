import type { Child } from 'hono/jsx';
import type { EvidenceReport } from '../../../engine/workflows/index.js';
import type { AccountView } from '../account-view.js';
import { duration, when } from '../format.js';
import { Facts, KeyHints, Notice, Page } from '../layout.js';
import { CLAIM_IDLE_MS, type Session } from '../stores/index.js';
import { FeatureTable, IntegrityRecord } from './account-panels.js';
import { EvidenceItems } from './evidence-items.js';
import { OrderReports } from './order-reports.js';
import { SlaCell } from './sla.js';
import { VerdictForm } from './verdict-form.js';

export interface EvidenceReportProps {
  person: Session;
  now: number;
  report: EvidenceReport;
  account: AccountView;
  /** Who holds the claim when it is someone else. */
  claimedBy?: string;
  mayAppraise: boolean;
  next?: string;
  previous?: string;
  notice?: Child;
  reusedFingerprints: number;
  /** The order's reports filed before this one, newest first. */
  earlierReports: readonly EvidenceReport[];
}

export function EvidenceReportPage(p: EvidenceReportProps) {
  const r = p.report;
  const order = p.account.orders.find((o) => o.orderId === r.orderId);
  return (
    <Page title={`Evidence report ${r.id}`} now={p.now} person={p.person} section="evidence">
      {p.notice}
      <div class="two">
        <div>
          <section class="panel" aria-labelledby="report-h">
            <h2 id="report-h">Report</h2>
            <Facts
              rows={[
                ['Status', r.status === 'pending' ? <SlaCell dueAt={r.dueAt} now={p.now} /> : <span class="tag">{r.status}</span>],
                ['Reason', r.reason],
                ['Merchant', <a href={`/console/merchants/${encodeURIComponent(r.merchantId)}`}>{r.merchantId}</a>],
                ['Account', <a href={`/console/accounts/${encodeURIComponent(r.accountId)}`}>{r.accountId}</a>],
                ['Order', r.orderId],
                ['Reported', when(r.reportedAt)],
                ['Due', when(r.dueAt)],
              ]}
            />
          </section>
          <h2>Evidence</h2>
          <EvidenceItems items={r.evidence} />
          <p>
            Pictures of this account also used by other accounts: <strong>{p.reusedFingerprints}</strong>{' '}
            <span class="muted">(reusedEvidenceFingerprints365d)</span>
          </p>
          {r.appraisal ? (
            <section class="panel" aria-labelledby="appraisal-h">
              <h2 id="appraisal-h">Appraisal</h2>
              <Facts
                rows={[
                  ['Verdict', <span class={`tag ${r.appraisal.verdict === 'forged' ? 'bad' : 'ok'}`}>{r.appraisal.verdict}</span>],
                  ['By', r.appraisal.by ?? '—'],
                  ['When', when(r.appraisal.appraisedAt)],
                  ['Within the 24 h SLA', r.appraisal.withinSla ? 'yes' : `no (${duration(r.appraisal.secondsToAppraisal * 1000)} after the report)`],
                  ['Note', <div class="text">{r.appraisal.note ?? ''}</div>],
                ]}
              />
            </section>
          ) : p.claimedBy !== undefined ? (
            <p class="notice claim" role="status">
              Being appraised by {p.claimedBy}. The claim lapses after {CLAIM_IDLE_MS / 60_000} minutes idle.
            </p>
          ) : p.mayAppraise ? (
            <VerdictForm action={`/console/evidence/${encodeURIComponent(r.id)}/verdict`} field="verdict" choices={[{ label: 'Forged', value: 'forged', style: 'danger', key: 'f' }, { label: 'Genuine', value: 'genuine', style: 'primary', key: 'g' }]} />
          ) : (
            <p class="muted">Appraisers give the verdict; you are signed in as {p.person.role}.</p>
          )}
          <div class="pager">
            {p.previous !== undefined && (
              <a href={`/console/evidence/${encodeURIComponent(p.previous)}`} data-key="k" rel="prev">
                Previous report
              </a>
            )}
            {p.next !== undefined && (
              <a href={`/console/evidence/${encodeURIComponent(p.next)}?from=${encodeURIComponent(r.id)}`} data-key="j" rel="next">
                Next report
              </a>
            )}
            <a href="/console/evidence">Back to the queue</a>
          </div>
          <KeyHints keys={[['j', 'next report'], ['k', 'previous report'], ['f', 'forged'], ['g', 'genuine']]} />
        </div>
        <div>
          <FeatureTable features={p.account.features} />
          <h2>Earlier reports on this order</h2>
          <OrderReports orderId={r.orderId} reports={p.earlierReports} />
          <h2>This order's marks</h2>
          {order === undefined || order.marks.length === 0 ? (
            <p class="muted">No marks on order {r.orderId}.</p>
          ) : (
            <Facts rows={order.marks.map(([mark, at]): [string, Child] => [mark, when(at)])} />
          )}
          <h2>Integrity record</h2>
          <IntegrityRecord account={p.account} />
        </div>
      </div>
    </Page>
  );
}

