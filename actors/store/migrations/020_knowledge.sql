-- The knowledge store: runbooks and stack docs (loaded from the knowledge
-- folders) and postmortems (written by the narrator), searched with
-- Postgres full-text ranking. `search` is derived, so it can never drift from
-- the text: title and root cause weigh most (A), symptoms next (B), the body
-- (C), the remedy's steps least (D).
CREATE TABLE knowledge_docs (
  id           text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('runbook', 'doc', 'postmortem')),
  title        text NOT NULL,
  root_cause   text NOT NULL DEFAULT '',
  symptoms     text NOT NULL DEFAULT '',
  steps        text NOT NULL DEFAULT '',
  body         text NOT NULL,
  path         text NOT NULL DEFAULT '',
  meta         jsonb NOT NULL DEFAULT '{}',
  -- Of everything above: an unchanged file is not written again.
  content_hash text NOT NULL,
  indexed_at   timestamptz NOT NULL DEFAULT now(),
  -- Slashes become spaces: the parser reads "/readyz" or "var/pg/target" as
  -- one path token, but people search for "readyz" and "target".
  search       tsvector GENERATED ALWAYS AS (
                 setweight(to_tsvector('english', translate(title, '/', ' ')), 'A')
                 || setweight(to_tsvector('english', replace(root_cause, '_', ' ')), 'A')
                 || setweight(to_tsvector('english', translate(symptoms, '/', ' ')), 'B')
                 || setweight(to_tsvector('english', translate(body, '/', ' ')), 'C')
                 || setweight(to_tsvector('english', translate(steps, '/', ' ')), 'D')) STORED
);
CREATE INDEX knowledge_docs_search ON knowledge_docs USING gin (search);
CREATE INDEX knowledge_docs_kind ON knowledge_docs (kind);
