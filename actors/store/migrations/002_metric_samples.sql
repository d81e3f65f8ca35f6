-- Samples carried by "sample.*" events (the metrics probe's scrapes), one
-- row per series and time. event_id ties them to their event, so a replayed
-- event adds no second copy.
CREATE TABLE metric_samples (
  event_id   text NOT NULL,
  service    text NOT NULL,
  series     text NOT NULL,
  at         timestamptz NOT NULL,
  value      double precision NOT NULL,
  PRIMARY KEY (event_id, series, at)
);
CREATE INDEX metric_samples_series_at ON metric_samples (service, series, at);
CREATE INDEX metric_samples_at ON metric_samples (at);
