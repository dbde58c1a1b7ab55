import { formatNumber, when } from '../format.js';
import { ColumnHeads } from '../layout.js';
import type { AccountView, FeatureRow } from '../account-view.js';

/** Each feature with what it counts (features.yaml), name and description stacked to keep rows short. */
export function FeatureTable({ features }: { features: FeatureRow[] }) {
  return (
    <>
      <h2 id="features-h">Account features</h2>
      <table aria-labelledby="features-h" class="features">
        <ColumnHeads columns={['Feature and what it counts', { label: 'Value', num: true }]} />
        <tbody>
          {features.map((f) => (
            <tr>
              <td>
                <code>{f.name}</code>
                {f.description !== '' && <div class="desc">{f.description}</div>}
              </td>
              <td class="num">{formatNumber(f.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Every restriction the account has had (lifted and expired kept): its integrity record. */
export function IntegrityRecord({ account }: { account: AccountView }) {
  if (account.record.length === 0) return <p class="muted">Nothing recorded against this account.</p>;
  return (
    <table aria-label="Integrity record">
      <ColumnHeads columns={['Restriction', 'Status', 'Reason', 'Policy', 'Created', 'Expires']} />
      <tbody>
        {account.record.map((r) => (
          <tr>
            <td>
              {r.kind} <span class="muted">({r.scope.type === 'store' ? `store ${r.scope.merchantId}` : r.scope.type})</span>
            </td>
            <td>
              <span class={`tag ${r.status === 'active' ? 'bad' : ''}`}>{r.status}</span>
              {r.liftedBy !== undefined && <div class="muted">by {r.liftedBy}: {r.liftReason}</div>}
            </td>
            <td>{r.reason}</td>
            <td>
              {r.policy} v{r.policyVersion}
              {r.decisionId !== undefined && (
                <div>
                  <a href={`/console/decisions/${encodeURIComponent(r.decisionId)}`}>decision</a>
                </div>
              )}
            </td>
            <td class="nowrap">{when(r.createdAt)}</td>
            <td class="nowrap">{r.expiresAt === null ? 'until lifted' : when(r.expiresAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
