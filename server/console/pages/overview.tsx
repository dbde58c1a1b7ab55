import { Page } from '../layout.js';
import type { Session } from '../stores/index.js';

export interface OverviewProps {
  person: Session;
  now: number;
  evidence: { pending: number; overdue: number; breachesToday: number };
  complaints: { pending: number };
  decisions: Record<string, Record<string, number>>;
  intercepted: number;
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
  const rows = Object.entries(p.decisions).flatMap(([point, actions]) => Object.entries(actions).map(([action, n]) => ({ point, action, n })));
  return (
    <Page title="Overview" now={p.now} person={p.person} section="overview">
      <h2>Queues</h2>
      <ul class="stats" aria-label="Queue counts">
        <Stat n={p.evidence.pending} label="evidence reports pending" />
        <Stat n={p.evidence.overdue} label="evidence reports overdue" />
        <Stat n={p.evidence.breachesToday} label="SLA breaches today (UTC)" />
        <Stat n={p.complaints.pending} label="complaints pending" />
        <Stat n={p.intercepted} label="fast refunds intercepted (return-first)" />
      </ul>
      <p>
        <a href="/console/evidence?overdue=on">Overdue reports</a> · <a href="/console/evidence">Evidence queue</a> · <a href="/console/complaints">Complaints</a>
      </p>
      <h2>Decisions by point and action</h2>
      {rows.length === 0 ? (
        <p class="muted">No decisions logged yet.</p>
      ) : (
        <table>
          <caption>Decisions since the decision log began</caption>
          <thead>
            <tr>
              <th scope="col">Point</th>
              <th scope="col">Action</th>
              <th scope="col" class="num">
                Decisions
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{r.point}</td>
                <td>{r.action}</td>
                <td class="num">{r.n.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
