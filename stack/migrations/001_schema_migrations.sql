-- Which migrations ran, so `shopd migrate` applies each file exactly once.
-- shopd migrate records every file here, this one included.
CREATE TABLE schema_migrations (
  version    text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);
