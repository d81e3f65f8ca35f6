-- Incidents and approvals (the control node's agents). Each incident is one
-- JSON document (messages/incidents_json.hpp) rewritten at every transition,
-- so a restarted coordinator reads back exactly where it was; the columns
-- beside it are for queries and the dashboard.
CREATE TABLE incidents (
  id          text PRIMARY KEY,
  state       text NOT NULL,
  title       text NOT NULL DEFAULT '',
  services    text[] NOT NULL DEFAULT '{}',
  opened_at   timestamptz NOT NULL,
  closed_at   timestamptz,
  root_cause  text NOT NULL DEFAULT '',
  doc         jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_open ON incidents (opened_at DESC) WHERE closed_at IS NULL;
CREATE INDEX incidents_opened ON incidents (opened_at DESC);

-- One row per approval request; the decision and who made it stay forever.
CREATE TABLE approvals (
  id          text PRIMARY KEY,
  incident    text NOT NULL,
  step_key    text NOT NULL UNIQUE,  -- the step's idempotency key: one request per step
  state       text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'expired')),
  decided_by  text NOT NULL DEFAULT '',
  doc         jsonb NOT NULL,
  requested_at timestamptz NOT NULL,
  decided_at  timestamptz
);
CREATE INDEX approvals_pending ON approvals (requested_at) WHERE state = 'pending';
CREATE INDEX approvals_requested ON approvals (requested_at DESC);
-- "apr-N": N from here, so ids stay unique across restarts of the safety agent.
CREATE SEQUENCE approval_numbers;

-- Switches of the agents that must survive a restart (paused: "true"/"false").
CREATE TABLE agents_settings (
  name        text PRIMARY KEY,
  value       text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
