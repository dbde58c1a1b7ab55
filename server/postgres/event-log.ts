import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { PgPool } from './pool.js';

// Ordering note: the queries select seq (and at) as text under the same names, so ORDER BY names the
// table's columns (events.seq): a bare `seq` would sort by the text alias, "10" before "9".

/** An event as the log holds it: its position (seq, a bigint as a decimal string) and the event. */
export interface LoggedEvent {
  seq: string;
  event: RefundGuardEvent;
}

// One statement, so one transaction: the batch's new events and their outbox rows commit together or
// not at all. ON CONFLICT makes PostgreSQL the judge of eventId idempotency, across cache losses.
const appendSql = `
WITH fresh AS (
  INSERT INTO events (event_id, type, account_id, merchant_id, at, body)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::json[])
  ON CONFLICT (event_id) DO NOTHING
  RETURNING seq, event_id
), queued AS (
  INSERT INTO cache_outbox (seq) SELECT seq FROM fresh
)
SELECT seq::text AS seq, event_id FROM fresh`;

/** The append-only event log in PostgreSQL: the record features are computed (and rebuilt) from. */
export class PgEventLog {
  constructor(private readonly pool: PgPool) {}

  /**
   * Commits the batch. Returns the events PostgreSQL had not seen (in batch order, first of
   * any in-batch repeats), each with its seq; the others are duplicates.
   */
  async append(events: readonly RefundGuardEvent[]): Promise<LoggedEvent[]> {
    if (events.length === 0) return [];
    const ids: string[] = [];
    const types: string[] = [];
    const accounts: (string | null)[] = [];
    const merchants: (string | null)[] = [];
    const ats: string[] = [];
    const bodies: string[] = [];
    for (const event of events) {
      ids.push(event.eventId);
      types.push(event.type);
      accounts.push('accountId' in event ? event.accountId : null);
      merchants.push(event.merchantId);
      ats.push(event.at);
      bodies.push(JSON.stringify(event));
    }
    const { rows } = await this.pool.query<{ seq: string; event_id: string }>(appendSql, [ids, types, accounts, merchants, ats, bodies]);
    if (rows.length === 0) return [];
    const seqOf = new Map(rows.map((r) => [r.event_id, r.seq]));
    const fresh: LoggedEvent[] = [];
    for (const event of events) {
      const seq = seqOf.get(event.eventId);
      if (seq === undefined) continue;
      seqOf.delete(event.eventId); // an id repeated inside the batch is new once
      fresh.push({ seq, event });
    }
    return fresh;
  }

  /** The cache holds these now: their outbox rows go. */
  async confirmApplied(seqs: readonly string[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.pool.query('DELETE FROM cache_outbox WHERE seq = ANY($1::bigint[])', [seqs]);
  }

  /** Committed events the cache may lack (oldest first): queued at least `minAgeMs` ago, so in-flight applies are left to their writer. */
  async unapplied(limit: number, minAgeMs: number): Promise<LoggedEvent[]> {
    const { rows } = await this.pool.query<{ seq: string; body: RefundGuardEvent }>(
      `SELECT e.seq::text AS seq, e.body FROM cache_outbox o JOIN events e ON e.seq = o.seq
       WHERE o.queued_at <= now() - make_interval(secs => $2::double precision / 1000)
       ORDER BY o.seq LIMIT $1`,
      [limit, minAgeMs],
    );
    return rows.map((r) => ({ seq: r.seq, event: r.body }));
  }

  /** Events with seq > afterSeq and at >= since, in log order, `limit` at a time (rebuilds and exports page through this). */
  async page(afterSeq: string, limit: number, since?: string): Promise<LoggedEvent[]> {
    const { rows } = await this.pool.query<{ seq: string; body: RefundGuardEvent }>(
      `SELECT seq::text AS seq, body FROM events WHERE seq > $1::bigint AND ($3::timestamptz IS NULL OR at >= $3::timestamptz) ORDER BY events.seq LIMIT $2`,
      [afterSeq, limit, since ?? null],
    );
    return rows.map((r) => ({ seq: r.seq, event: r.body }));
  }

  /**
   * Events received (committed) at or after `since`, with seq > afterSeq, in log order, `limit` at a
   * time: what a failover replay applies again. afterSeq bounds the scan by the primary key.
   */
  async pageReceived(afterSeq: string, limit: number, since: string): Promise<LoggedEvent[]> {
    const { rows } = await this.pool.query<{ seq: string; body: RefundGuardEvent }>(
      `SELECT seq::text AS seq, body FROM events WHERE seq > $1::bigint AND received_at >= $3::timestamptz ORDER BY events.seq LIMIT $2`,
      [afterSeq, limit, since],
    );
    return rows.map((r) => ({ seq: r.seq, event: r.body }));
  }

  /** The newest seq (0 when empty): a failover replay's checkpoint. */
  async lastSeq(): Promise<string> {
    const { rows } = await this.pool.query<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM events');
    return rows[0]!.seq;
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]!.n);
  }
}

/**
 * The log as a history file's lines (DESIGN §5): each event's JSON as it was received, in time
 * order (then log order), from `since` on. Keyset pages, so the export holds one page in memory.
 */
export async function* historyLines(pool: PgPool, since?: string, pageSize = 10_000): AsyncGenerator<string[]> {
  let after: { at: string; seq: string } | undefined;
  for (;;) {
    const { rows } = await pool.query<{ at: string; seq: string; line: string }>(
      `SELECT at::text AS at, seq::text AS seq, body::text AS line FROM events
       WHERE ($1::timestamptz IS NULL OR at >= $1::timestamptz)
         AND ($2::timestamptz IS NULL OR (at, seq) > ($2::timestamptz, $3::bigint))
       ORDER BY events.at, events.seq LIMIT $4`,
      [since ?? null, after?.at ?? null, after?.seq ?? null, pageSize],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => r.line);
    const last = rows[rows.length - 1]!;
    after = { at: last.at, seq: last.seq };
    if (rows.length < pageSize) return;
  }
}
