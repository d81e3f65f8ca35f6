-- Every event published on the bus. id is the publisher's unique id, so a
-- batch replayed from the writer's spool is never stored twice; seq is the
-- order the writer stored them in (= publish order at the bus).
CREATE TABLE events (
  seq        bigserial NOT NULL,
  id         text PRIMARY KEY,
  topic      text NOT NULL,
  source     text NOT NULL,
  at         timestamptz NOT NULL,
  severity   text NOT NULL,
  summary    text NOT NULL,
  payload    jsonb NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX events_seq ON events (seq);
CREATE INDEX events_at ON events (at);
-- text_pattern_ops lets "topic LIKE 'probe.%'" use the index.
CREATE INDEX events_topic ON events (topic text_pattern_ops, at);
