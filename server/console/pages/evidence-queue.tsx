import { evidenceReasons, type EvidenceReport } from '../../../engine/workflows/index.js';
import { when } from '../format.js';
import { ColumnHeads, KeyHints, Notice, Page } from '../layout.js';
import type { QueueFilter } from '../queue.js';
import type { Session } from '../stores/index.js';
import { SlaCell } from './sla.js';
import type { Child } from 'hono/jsx';

export interface EvidenceQueueProps {
  person: Session;
  now: number;
  reports: EvidenceReport[];
  nextCursor: string | null;
  filter: QueueFilter;
  counts: { pending: number; overdue: number };
  claims: Map<string, string>;
  notice?: Child;
}

function queryWith(filter: QueueFilter, cursor: string): string {
  const params = new URLSearchParams();
  if (filter.merchant !== undefined) params.set('merchant', filter.merchant);
  if (filter.reason !== undefined) params.set('reason', filter.reason);
  if (filter.overdueOnly) params.set('overdue', 'on');
  params.set('cursor', cursor);
  return `/console/evidence?${params.toString()}`;
}

export function EvidenceQueuePage(p: EvidenceQueueProps) {
  return (
    <Page title="Evidence queue" now={p.now} person={p.person} section="evidence">
      {p.notice}
      <ul class="stats" aria-label="Queue counts">
        <li>
          <span class="n">{p.counts.pending}</span>
          <span class="l">pending</span>
        </li>
        <li>
          <span class="n">{p.counts.overdue}</span>
          <span class="l">overdue (past the 24 h SLA)</span>
        </li>
      </ul>
      <form class="filters" method="get" action="/console/evidence">
        <label>
          Merchant
          <input name="merchant" value={p.filter.merchant ?? ''} size={16} />
        </label>
        <label>
          Reason
          <select name="reason">
            <option value="">any</option>
            {evidenceReasons.map((r) => (
              <option value={r} selected={p.filter.reason === r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="overdue" value="on" checked={p.filter.overdueOnly} /> Overdue only
        </label>
        <button type="submit">Filter</button>
      </form>
      {p.reports.length === 0 ? (
        <Notice>No pending reports match.</Notice>
      ) : (
        <table>
          <caption>Pending reports, due soonest first</caption>
          <ColumnHeads columns={['Report', 'Time left (24 h SLA)', 'Due', 'Reason', 'Merchant', 'Account', 'Order', 'Appraiser']} />
          <tbody>
            {p.reports.map((r) => (
              <tr>
                <td>
                  <a href={`/console/evidence/${encodeURIComponent(r.id)}`} data-row="">
                    {r.id}
                  </a>
                </td>
                <td>
                  <SlaCell dueAt={r.dueAt} now={p.now} />
                </td>
                <td>{when(r.dueAt)}</td>
                <td>{r.reason}</td>
                <td>{r.merchantId}</td>
                <td>{r.accountId}</td>
                <td>{r.orderId}</td>
                <td>{p.claims.get(r.id) ?? <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        {p.filter.cursor !== undefined && <a href="/console/evidence">First page</a>}
        {p.nextCursor !== null && (
          <a href={queryWith(p.filter, p.nextCursor)} rel="next">
            Next page
          </a>
        )}
      </div>
      <KeyHints keys={[['j', 'next row'], ['k', 'previous row'], ['Enter', 'open']]} />
    </Page>
  );
}
