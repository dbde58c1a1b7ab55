import { ColumnHeads, Page } from '../layout.js';
import type { Session } from '../stores/index.js';

export interface OverviewProps {
  person: Session;
  now: number;
  evidence: { pending: number; overdue: number; breachesToday: number };
  complaints: { pending: number };
  /** Since the decision log began. */
  decisions: Record<string, Record<string, number>>;
  /** Decided today (UTC). */
  today: Record<string, Record<string, number>>;
  intercepted: number;
  interceptedToday: number;
}

function Stat({ n, label }: { n: number; label: string }) {
  return (
    <li>
      <span class="n">{n.toLocaleString('en-US')}</span>
      <span class="l">{label}</span>
    </li>
  );
}

export function OverviewPage(p: OverviewProps) {
  // Every point/action seen since the log began or today, with both counts.
  const keys = new Set([...countRows(p.decisions), ...countRows(p.today)].map(([point, action]) => `${point}|${action}`));
  const rows = [...keys].sort().map((key) => {
    const [point = '', action = ''] = key.split('|');
    return { point, action, today: p.today[point]?.[action] ?? 0, total: p.decisions[point]?.[action] ?? 0 };
  });
  return (
    <Page title="Overview" now={p.now} person={p.person} section="overview">
      <h2>Queues</h2>
      <ul class="stats" aria-label="Queue counts">
        <Stat n={p.evidence.pending} label="evidence reports pending" />
        <Stat n={p.evidence.overdue} label="evidence reports overdue" />
        <Stat n={p.evidence.breachesToday} label="SLA breaches today (UTC)" />
        <Stat n={p.complaints.pending} label="complaints pending" />
        <Stat n={p.interceptedToday} label="fast refunds intercepted today" />
        <Stat n={p.intercepted} label="intercepted since the log began" />
      </ul>
      <p>
        <a href="/console/evidence?overdue=on">Overdue reports</a> · <a href="/console/evidence">Evidence queue</a> · <a href="/console/complaints">Complaints</a>
      </p>
      <h2>Decisions by point and action today</h2>
      {rows.length === 0 ? (
        <p class="muted">No decisions logged yet.</p>
      ) : (
        <table aria-label="Decisions by point and action">
          <caption>Decisions made today (UTC), and since the decision log began</caption>
          <ColumnHeads columns={['Point', 'Action', { label: 'Today', num: true }, { label: 'Since the log began', num: true }]} />
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{r.point}</td>
                <td>{r.action}</td>
                <td class="num">{r.today.toLocaleString('en-US')}</td>
                <td class="num">{r.total.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function countRows(counts: Record<string, Record<string, number>>): [string, string][] {
  return Object.entries(counts).flatMap(([point, actions]) => Object.keys(actions).map((action): [string, string] => [point, action]));
}
