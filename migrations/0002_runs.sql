-- Pipeline runs (driven by the per-project Durable Object; D1 keeps the
-- record) and the feedback each agent version was generated with (part of
-- its input hash, so staleness can be recomputed).

CREATE TABLE runs (
  id          TEXT PRIMARY KEY,
  project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  status      TEXT NOT NULL CHECK (status IN ('running', 'awaiting_approval', 'completed', 'failed', 'cancelled', 'budget_exceeded')),
  message     TEXT,
  started_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX idx_runs_project ON runs (project_id, started_at DESC);

ALTER TABLE artifacts ADD COLUMN feedback TEXT;

UPDATE schema_metadata SET value = '2' WHERE key = 'schema_version';
