-- The system of record. Redis is a cache of what these tables hold; it may be rebuilt from them.

-- Every accepted event, append-only. seq orders the log for rebuilds and exports; event_id makes a
-- re-send (after a timeout, after a cache loss) count once.
CREATE TABLE events (
  seq         bigserial PRIMARY KEY,
  event_id    text        NOT NULL,
  type        text        NOT NULL,
  account_id  text,
  merchant_id text,
  at          timestamptz NOT NULL,
  body        json        NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_event_id_key UNIQUE (event_id)
);
CREATE INDEX events_at_idx ON events (at, seq);

-- Events committed here but not yet confirmed applied to the Redis cache (the outbox).
CREATE TABLE cache_outbox (
  seq        bigint      PRIMARY KEY REFERENCES events (seq),
  queued_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE evidence_reports (
  id        text  PRIMARY KEY,
  status    text  NOT NULL,
  sort_key  text COLLATE "C" NOT NULL,
  record    jsonb NOT NULL
);
CREATE INDEX evidence_reports_sort_idx ON evidence_reports (sort_key);
CREATE INDEX evidence_reports_status_sort_idx ON evidence_reports (status, sort_key);

CREATE TABLE complaints (
  id        text  PRIMARY KEY,
  status    text  NOT NULL,
  sort_key  text COLLATE "C" NOT NULL,
  record    jsonb NOT NULL
);
CREATE INDEX complaints_sort_idx ON complaints (sort_key);
CREATE INDEX complaints_status_sort_idx ON complaints (status, sort_key);

CREATE TABLE restrictions (
  id          text        PRIMARY KEY,
  account_id  text        NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz,
  lifted_at   timestamptz,
  record      jsonb       NOT NULL
);
CREATE INDEX restrictions_account_idx ON restrictions (account_id);

-- Earliest time (epoch ms) of each evidence mark on an order.
CREATE TABLE order_marks (
  account_id text   NOT NULL,
  order_id   text   NOT NULL,
  mark       text   NOT NULL,
  at_ms      bigint NOT NULL,
  PRIMARY KEY (account_id, order_id, mark)
);

-- Every change to the integrity record, append-only.
CREATE TABLE audit_log (
  seq         bigserial   PRIMARY KEY,
  logged_at   timestamptz NOT NULL DEFAULT now(),
  kind        text        NOT NULL,
  subject_id  text        NOT NULL,
  account_id  text,
  record      jsonb       NOT NULL
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_id);

CREATE TABLE merchants (
  id         text        PRIMARY KEY,
  updated_at timestamptz,
  state      jsonb       NOT NULL
);

CREATE TABLE policy_bundles (
  revision     text        PRIMARY KEY,
  published_at timestamptz NOT NULL DEFAULT now(),
  bundle       jsonb       NOT NULL
);

-- Decisions that acted (non-default action) and every integrity.review decision.
CREATE TABLE decisions (
  decision_id     text        PRIMARY KEY,
  point           text        NOT NULL,
  action          text        NOT NULL,
  account_id      text        NOT NULL,
  merchant_id     text        NOT NULL,
  occurred_at     timestamptz NOT NULL,
  policy_revision text        NOT NULL,
  record          json        NOT NULL
);
CREATE INDEX decisions_account_idx ON decisions (account_id, occurred_at);
