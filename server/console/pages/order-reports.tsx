import type { EvidenceReport } from '../../../engine/workflows/index.js';
import { when } from '../format.js';
import { ColumnHeads } from '../layout.js';

/** The order's reports filed before `report`, newest first, with their outcome. */
export function earlierReports(report: EvidenceReport, ofOrder: readonly EvidenceReport[]): EvidenceReport[] {
  return ofOrder.filter((o) => o.id !== report.id && o.reportedAt <= report.reportedAt).reverse();
}

export function OrderReports({ orderId, reports }: { orderId: string; reports: readonly EvidenceReport[] }) {
  if (reports.length === 0) return <p class="muted">No earlier report on order {orderId}.</p>;
  return (
    <table aria-label="Earlier reports on this order">
      <ColumnHeads columns={['Report', 'Reason', 'Reported', 'Outcome']} />
      <tbody>
        {reports.map((o) => (
          <tr>
            <td>
              <a href={`/console/evidence/${encodeURIComponent(o.id)}`}>{o.id}</a>
            </td>
            <td>{o.reason}</td>
            <td class="nowrap">{when(o.reportedAt)}</td>
            <td>{o.appraisal ? `${o.appraisal.verdict}${o.appraisal.by !== undefined ? ` by ${o.appraisal.by}` : ''}` : o.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
