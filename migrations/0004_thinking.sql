-- Today's Gemini models. Settings: how much each stage thinks, a model per
-- stage, and temperature and maxOutputTokens that may be left to the model
-- and the stage (NULL) instead of fixed numbers. Traces: the model that
-- answered.
--
-- SQLite cannot drop NOT NULL in place, so the table is rebuilt. Every
-- project keeps the values it had: a version built with them stays current.
CREATE TABLE project_settings_new (
  project_id        TEXT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  model             TEXT NOT NULL,
  stage_models      TEXT,               -- JSON {stage: model id}; NULL: none
  temperature       REAL,               -- NULL: the model's default
  max_output_tokens INTEGER,            -- NULL: sized per stage
  thinking          TEXT CHECK (thinking IN ('minimal', 'low', 'medium', 'high')), -- NULL: per stage
  token_budget      INTEGER,            -- NULL: unlimited
  auto_advance      INTEGER NOT NULL DEFAULT 1,
  updated_at        INTEGER NOT NULL
);
INSERT INTO project_settings_new (project_id, model, temperature, max_output_tokens, token_budget, auto_advance, updated_at)
  SELECT project_id, model, temperature, max_output_tokens, token_budget, auto_advance, updated_at FROM project_settings;
DROP TABLE project_settings;
ALTER TABLE project_settings_new RENAME TO project_settings;

-- Which model answered each call (Google may route a request to another
-- model, billed at its rates) and the answer's id; whether the catalogue had
-- a price for it (if not, the cost is at its dearest rates).
ALTER TABLE execution_traces ADD COLUMN model_version TEXT;
ALTER TABLE execution_traces ADD COLUMN response_id TEXT;
ALTER TABLE execution_traces ADD COLUMN unpriced INTEGER NOT NULL DEFAULT 0;

UPDATE schema_metadata SET value = '4' WHERE key = 'schema_version';
