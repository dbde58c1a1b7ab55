-- The cache outbox holds one row per committed batch (its new events' seqs) instead of one per event:
-- a batch of 500 events then costs the outbox one insert and one delete, not 500 of each.
-- Rows of the old per-event outbox (events committed but never confirmed in the cache) carry over.
ALTER TABLE cache_outbox RENAME TO cache_outbox_rows;
CREATE TABLE cache_outbox (
  id         bigserial   PRIMARY KEY,
  seqs       bigint[]    NOT NULL,
  queued_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO cache_outbox (seqs, queued_at)
  SELECT array_agg(seq ORDER BY seq), min(queued_at) FROM cache_outbox_rows HAVING count(*) > 0;
DROP TABLE cache_outbox_rows;
