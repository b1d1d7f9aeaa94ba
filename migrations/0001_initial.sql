-- Parit's system of record. Ids are TEXT; times are ms since the Unix epoch.
-- Artifact bodies live in R2; rows hold only their keys and hashes.

CREATE TABLE schema_metadata (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO schema_metadata (key, value) VALUES ('schema_version', '1');

CREATE TABLE projects (
  id         TEXT PRIMARY KEY,
  owner_id   TEXT NOT NULL,
  name       TEXT NOT NULL,
  idea       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- GET /api/projects: newest first, keyset-paginated, per owner.
CREATE INDEX idx_projects_owner_created ON projects (owner_id, created_at DESC, id DESC);

CREATE TABLE project_settings (
  project_id        TEXT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  model             TEXT NOT NULL,
  temperature       REAL NOT NULL,
  max_output_tokens INTEGER NOT NULL,
  token_budget      INTEGER,            -- NULL: unlimited
  auto_advance      INTEGER NOT NULL DEFAULT 1,
  updated_at        INTEGER NOT NULL
);

CREATE TABLE artifacts (
  id           TEXT PRIMARY KEY,
  project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  stage        TEXT NOT NULL,
  version      INTEGER NOT NULL,
  r2_key       TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  input_hash   TEXT NOT NULL,
  source       TEXT NOT NULL CHECK (source IN ('agent', 'human')),
  model        TEXT,
  size_bytes   INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  UNIQUE (project_id, stage, version)
);

CREATE TABLE checkpoints (
  project_id        TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  stage             TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  last_good_version INTEGER,
  input_hash        TEXT,
  error_class       TEXT,
  error_message     TEXT,
  updated_at        INTEGER NOT NULL,
  PRIMARY KEY (project_id, stage)
);

CREATE TABLE execution_traces (
  id              TEXT PRIMARY KEY,
  project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  stage           TEXT NOT NULL,
  execution_id    TEXT NOT NULL,
  call_kind       TEXT NOT NULL,
  attempt         INTEGER NOT NULL,
  model           TEXT NOT NULL,
  prompt_tokens   INTEGER NOT NULL,
  output_tokens   INTEGER NOT NULL,
  thoughts_tokens INTEGER NOT NULL,
  latency_ms      INTEGER NOT NULL,
  outcome         TEXT NOT NULL,
  error_class     TEXT,
  message         TEXT,
  retry_delay_ms  INTEGER,
  cache_hit       INTEGER NOT NULL DEFAULT 0,
  cost_usd        REAL NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL
);
CREATE INDEX idx_traces_project ON execution_traces (project_id, created_at);

CREATE TABLE agent_activity (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  stage      TEXT,
  kind       TEXT NOT NULL,
  message    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX idx_activity_project ON agent_activity (project_id, created_at);
