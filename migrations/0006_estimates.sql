-- What the plan estimated for each stage a run was about to call, recorded
-- when the run starts, so estimate and actual can be compared per stage
-- (Activity & cost; docs/BENCHMARKS.md reports the estimator's error).
CREATE TABLE run_estimates (
  project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  run_id      TEXT NOT NULL,
  stage       TEXT NOT NULL,
  model       TEXT NOT NULL,
  tokens_low  INTEGER NOT NULL,
  tokens_high INTEGER NOT NULL,
  cost_low    REAL NOT NULL,
  cost_high   REAL NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (project_id, run_id, stage)
);
CREATE INDEX idx_run_estimates_project ON run_estimates (project_id, created_at);

-- The ready verdict as it was last decided (after each run and each stage
-- executed or edited), for the project list: current while ready_at is not
-- older than the project's updated_at.
ALTER TABLE projects ADD COLUMN ready INTEGER;
ALTER TABLE projects ADD COLUMN ready_gaps INTEGER;
ALTER TABLE projects ADD COLUMN ready_at INTEGER;

UPDATE schema_metadata SET value = '6' WHERE key = 'schema_version';
