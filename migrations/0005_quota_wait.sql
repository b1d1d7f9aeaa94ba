-- A run may wait for Gemini quota: a stage told to retry after longer than an
-- agent holds a request parks the run until `resume_at`, when its Durable
-- Object's alarm resumes it (or a person does, with Retry now).
--
-- SQLite cannot change a CHECK in place, so the table is rebuilt with every
-- row kept.
CREATE TABLE runs_new (
  id          TEXT PRIMARY KEY,
  project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  status      TEXT NOT NULL CHECK (status IN ('running', 'awaiting_approval', 'waiting_for_quota', 'completed', 'failed', 'cancelled', 'budget_exceeded')),
  message     TEXT,
  started_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  finished_at INTEGER,
  resume_at   INTEGER              -- while waiting_for_quota: ms since the epoch
);
INSERT INTO runs_new (id, project_id, status, message, started_at, updated_at, finished_at)
  SELECT id, project_id, status, message, started_at, updated_at, finished_at FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE INDEX idx_runs_project ON runs (project_id, started_at DESC);

UPDATE schema_metadata SET value = '5' WHERE key = 'schema_version';
