import type { PgPool } from './pool.js';

/**
 * Labels for precision and recall from the outcomes PostgreSQL recorded, per order (account, order):
 *   abuse  the order's evidence was appraised forged, or a complaint about it was upheld;
 *   legit  it was appraised genuine or a complaint about it was dismissed, and nothing says abuse.
 * Orders with no recorded outcome stay unlabelled (they count in no confusion matrix).
 */
export async function outcomeLabels(pool: PgPool): Promise<Map<string, 'abuse' | 'legit'>> {
  const { rows } = await pool.query<{ account_id: string; order_id: string; abuse: boolean }>(`
    SELECT account_id, body->>'orderId' AS order_id, body->>'verdict' = 'forged' AS abuse
      FROM events WHERE type = 'evidence.appraised' AND body->>'orderId' IS NOT NULL
    UNION ALL
    SELECT r.account_id, coalesce(r.body->>'orderId', f.body->>'orderId') AS order_id, r.body->>'outcome' = 'upheld' AS abuse
      FROM events r LEFT JOIN events f ON f.type = 'complaint.filed' AND f.body->>'complaintId' = r.body->>'complaintId'
      WHERE r.type = 'complaint.resolved' AND coalesce(r.body->>'orderId', f.body->>'orderId') IS NOT NULL`);
  const labels = new Map<string, 'abuse' | 'legit'>();
  for (const row of rows) {
    const key = orderKey(row.account_id, row.order_id);
    if (row.abuse) labels.set(key, 'abuse');
    else if (!labels.has(key)) labels.set(key, 'legit');
  }
  return labels;
}

export function orderKey(accountId: string, orderId: string): string {
  return `${accountId}\u0000${orderId}`;
}

/** The decision-point events a label is put on: where a refund or an intervention was asked for. */
const labelledTypes = new Set(['refund.requested', 'intervention.requested']);

/** The history line with the outcome's label added, when it had none and its order has an outcome. */
export function labelLine(line: string, labels: ReadonlyMap<string, 'abuse' | 'legit'>): string {
  const event = JSON.parse(line) as { type: string; accountId?: string; orderId?: string; label?: string };
  if (event.label !== undefined || !labelledTypes.has(event.type) || event.accountId === undefined || event.orderId === undefined) return line;
  const label = labels.get(orderKey(event.accountId, event.orderId));
  return label === undefined ? line : JSON.stringify({ ...event, label });
}
