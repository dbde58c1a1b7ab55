import type { DecisionRecord } from '../../../engine/index.js';
import { when } from '../format.js';
import { ColumnHeads, Facts, Page } from '../layout.js';
import type { Session } from '../stores/index.js';

type Outcome = DecisionRecord['reasons'][number];

function Outcomes({ caption, rows }: { caption: string; rows: readonly Outcome[] }) {
  if (rows.length === 0) return <p class="muted">{caption}: none.</p>;
  return (
    <table>
      <caption>{caption}</caption>
      <ColumnHeads columns={['Policy', 'Rule', 'Action', 'Reason']} />
      <tbody>
        {rows.map((r) => (
          <tr>
            <td>
              {r.policy} v{r.version}
            </td>
            <td>{r.rule}</td>
            <td>{r.action}</td>
            <td>{r.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DecisionPage({ person, now, decision: d }: { person: Session; now: number; decision: DecisionRecord }) {
  return (
    <Page title={`Decision ${d.decisionId}`} now={now} person={person} section="none">
      <Facts
        rows={[
          ['Point', d.point],
          ['Action', <strong>{d.action}</strong>],
          ['Parameters', d.params === undefined ? '—' : JSON.stringify(d.params)],
          ['Account', <a href={`/console/accounts/${encodeURIComponent(d.accountId)}`}>{d.accountId}</a>],
          ['Merchant', <a href={`/console/merchants/${encodeURIComponent(d.merchantId)}`}>{d.merchantId}</a>],
          ['Occurred', when(d.occurredAt)],
          ['Decided', when(d.decidedAt)],
          ['Policy revision', <code>{d.policyRevision}</code>],
          ['Degraded', d.degraded ? 'yes: the account could not be read' : 'no'],
          ['Missing facts', d.missingFacts.length === 0 ? 'none' : d.missingFacts.join(', ')],
        ]}
      />
      <h2>Reasons</h2>
      <Outcomes caption="Reasons (enforced matches, strongest first)" rows={d.reasons} />
      <h2>Shadow matches</h2>
      <Outcomes caption="Shadow matches (never change the action)" rows={d.shadow} />
      <h2>Facts</h2>
      <div class="text">{JSON.stringify(d.facts, null, 2)}</div>
    </Page>
  );
}
