-- An artifact version may now come from an import of what a project already
-- had (SQL DDL, an OpenAPI document): source 'import'. SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt with its rows; nothing
-- references `artifacts`, and the UNIQUE (project_id, stage, version) index
-- comes back with the table.
CREATE TABLE artifacts_new (
  id           TEXT PRIMARY KEY,
  project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  stage        TEXT NOT NULL,
  version      INTEGER NOT NULL,
  r2_key       TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  input_hash   TEXT NOT NULL,
  source       TEXT NOT NULL CHECK (source IN ('agent', 'human', 'import')),
  model        TEXT,
  size_bytes   INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  feedback     TEXT,
  UNIQUE (project_id, stage, version)
);
INSERT INTO artifacts_new (id, project_id, stage, version, r2_key, content_hash, input_hash, source, model, size_bytes, created_at, feedback)
  SELECT id, project_id, stage, version, r2_key, content_hash, input_hash, source, model, size_bytes, created_at, feedback FROM artifacts;
DROP TABLE artifacts;
ALTER TABLE artifacts_new RENAME TO artifacts;
UPDATE schema_metadata SET value = '7' WHERE key = 'schema_version';
