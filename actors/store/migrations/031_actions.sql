-- The action plane's audit log and idempotency records (the action node).
-- An audit row is written before a tool runs and after it; a refusal gets one
-- row. action_results holds the first result per idempotency key: a repeated
-- request is answered from it and runs nothing.
CREATE TABLE action_audit (
  seq          bigserial PRIMARY KEY,
  phase        text NOT NULL CHECK (phase IN ('before', 'after', 'refused')),
  idempotency_key text NOT NULL,
  tool         text NOT NULL,
  args         jsonb NOT NULL DEFAULT '{}',
  incident     text NOT NULL DEFAULT '',
  requested_by text NOT NULL DEFAULT '',
  approved_by  text NOT NULL DEFAULT '',
  status       text NOT NULL DEFAULT '',
  detail       text NOT NULL DEFAULT '',
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_audit_incident ON action_audit (incident, seq);
CREATE INDEX action_audit_key ON action_audit (idempotency_key);

CREATE TABLE action_results (
  idempotency_key text PRIMARY KEY,
  tool         text NOT NULL,
  result       jsonb NOT NULL,
  finished_at  timestamptz NOT NULL DEFAULT now()
);
