-- The policy bundle every instance serves (many instances, one revision). One row, created here so
-- a publisher can always lock it: SELECT ... FOR UPDATE serialises publishers, so the
-- version-must-rise check against what is published and the new publication are one step.
-- seq counts publications (a revision may come back; a seq never does).
CREATE TABLE policy_publication (
  id           smallint    PRIMARY KEY CHECK (id = 1),
  seq          bigint      NOT NULL,
  revision     text        REFERENCES policy_bundles (revision),
  versions     jsonb       NOT NULL DEFAULT '{}',
  published_at timestamptz,
  published_by text
);
INSERT INTO policy_publication (id, seq) VALUES (1, 0);
