-- Postmortems written by the narrator (control node): one row per closed
-- incident, the Markdown as written to var/reports/ and the same report as
-- JSON. Rewritten when an incident is closed again (a re-run replaces it).
CREATE TABLE postmortems (
  incident    text PRIMARY KEY,
  title       text NOT NULL DEFAULT '',
  state       text NOT NULL,
  root_cause  text NOT NULL DEFAULT '',
  path        text NOT NULL,
  markdown    text NOT NULL,
  doc         jsonb NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX postmortems_written ON postmortems (written_at DESC);
