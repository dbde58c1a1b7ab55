import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { PgPool } from './pool.js';

// Ordering note: the queries select seq (and at) as text under the same names, so ORDER BY names the
// table's columns (events.seq): a bare `seq` would sort by the text alias, "10" before "9".

/** An event as the log holds it: its position (seq, a bigint as a decimal string) and the event. */
export interface LoggedEvent {
  seq: string;
  event: RefundGuardEvent;
}

// One statement, so one transaction: the batch's new events and its outbox row commit together or
// not at all. ON CONFLICT makes PostgreSQL the judge of eventId idempotency, across cache losses.
// The bodies travel as one JSON array split by json_array_elements (each element's text as sent),
// zipped with the columns by ROWS FROM: no per-body array escaping on either side. The outbox gets one
// row per batch. The reply is one row: the outbox id, and the new events' ids only when some were not new.
const appendSql = `
WITH fresh AS (
  INSERT INTO events (event_id, type, account_id, merchant_id, at, body)
  SELECT * FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::text[]), unnest($5::timestamptz[]), json_array_elements($6::json))
  ON CONFLICT (event_id) DO NOTHING
  RETURNING seq, event_id
), queued AS (
  INSERT INTO cache_outbox (seqs) SELECT array_agg(seq) FROM fresh HAVING count(*) > 0 RETURNING id
), counted AS (SELECT count(*)::int AS n FROM fresh)
SELECT (SELECT id::text FROM queued) AS outbox, n, CASE WHEN n < $7::int THEN (SELECT array_agg(event_id) FROM fresh) END AS ids FROM counted`;

/** A committed batch's new events (batch order; an id repeated in the batch is new once, its first), and its outbox row. */
export interface Appended {
  fresh: RefundGuardEvent[];
  /** The outbox row to delete once the cache holds the events (undefined when none was new). */
  outbox: string | undefined;
}

/** Committed events the cache may lack, from the outbox rows `outbox`. */
export interface Unapplied {
  outbox: string[];
  events: RefundGuardEvent[];
}

/** Events of the log in order, a chunk at a time (PgEventLog.cursor): the events, and the last one's seq. */
export interface LogCursor {
  fetch(chunk: number): Promise<{ events: RefundGuardEvent[]; lastSeq: string }>;
  close(): Promise<void>;
}

/** The append-only event log in PostgreSQL: the record features are computed (and rebuilt) from. */
export class PgEventLog {
  constructor(private readonly pool: PgPool) {}

  /** Commits the batch (one statement). Returns the events PostgreSQL had not seen; the others are duplicates. */
  async append(events: readonly RefundGuardEvent[]): Promise<Appended> {
    if (events.length === 0) return { fresh: [], outbox: undefined };
    const n = events.length;
    const ids = new Array<string>(n);
    const types = new Array<string>(n);
    const accounts = new Array<string | null>(n);
    const merchants = new Array<string | null>(n);
    const ats = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const event = events[i]!;
      ids[i] = event.eventId;
      types[i] = event.type;
      accounts[i] = 'accountId' in event ? event.accountId : null;
      merchants[i] = event.merchantId;
      ats[i] = event.at;
    }
    const { rows } = await this.pool.query<{ outbox: string | null; n: number; ids: string[] | null }>(appendSql, [ids, types, accounts, merchants, ats, JSON.stringify(events), n]);
    const row = rows[0]!;
    const outbox = row.outbox ?? undefined;
    if (row.n === 0) return { fresh: [], outbox };
    // Every row inserted: no duplicate, not even inside the batch (a repeat would have conflicted).
    if (row.ids === null) return { fresh: [...events], outbox };
    // Some were duplicates (or an id repeats inside the batch): keep the first of each new id.
    const isNew = new Set(row.ids);
    const fresh: RefundGuardEvent[] = [];
    for (const event of events) {
      if (!isNew.delete(event.eventId)) continue;
      fresh.push(event);
    }
    return { fresh, outbox };
  }

  /** The cache holds these batches' events now: their outbox rows go. */
  async confirmApplied(outbox: readonly string[]): Promise<void> {
    if (outbox.length === 0) return;
    await this.pool.query('DELETE FROM cache_outbox WHERE id = ANY($1::bigint[])', [outbox]);
  }

  /** Committed events the cache may lack (oldest batches first, up to about `limit` events): queued at least `minAgeMs` ago, so in-flight applies are left to their writer. */
  async unapplied(limit: number, minAgeMs: number): Promise<Unapplied> {
    const { rows } = await this.pool.query<{ id: string; body: RefundGuardEvent }>(
      `WITH due AS (
         SELECT id, seqs, sum(cardinality(seqs)) OVER (ORDER BY id) - cardinality(seqs) AS before FROM cache_outbox
         WHERE queued_at <= now() - make_interval(secs => $2::double precision / 1000) ORDER BY id
       )
       SELECT d.id::text AS id, e.body FROM due d CROSS JOIN LATERAL unnest(d.seqs) AS s(seq) JOIN events e ON e.seq = s.seq
       WHERE d.before < $1 ORDER BY d.id, e.seq`,
      [limit, minAgeMs],
    );
    return { outbox: [...new Set(rows.map((r) => r.id))], events: rows.map((r) => r.body) };
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

  /**
   * Every event with at >= since, in log order, through one server-side cursor (one index scan,
   * however long the log; keyset pages would each re-filter the window). `fetch` answers `chunk` events
   * at a time, [] at the end; the next fetch may be asked for before the last is used. close() ends the
   * cursor's transaction and hands its connection back.
   */
  async cursor(since: string): Promise<LogCursor> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query('DECLARE rebuild_events NO SCROLL CURSOR FOR SELECT seq::text AS seq, body FROM events WHERE at >= $1::timestamptz ORDER BY events.seq', [since]);
    } catch (err) {
      client.release(true);
      throw err;
    }
    let closed = false;
    return {
      fetch: async (chunk) => {
        // Rows as arrays (no object per row): [seq, body].
        const { rows } = await client.query<[string, RefundGuardEvent]>({ text: `FETCH ${Math.max(1, Math.floor(chunk))} FROM rebuild_events`, rowMode: 'array' });
        const events = new Array<RefundGuardEvent>(rows.length);
        for (let i = 0; i < rows.length; i++) events[i] = rows[i]![1];
        return { events, lastSeq: rows.length > 0 ? rows[rows.length - 1]![0] : '' };
      },
      close: async () => {
        if (closed) return;
        closed = true;
        let failed = false;
        await client.query('COMMIT').catch(() => (failed = true));
        client.release(failed);
      },
    };
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
