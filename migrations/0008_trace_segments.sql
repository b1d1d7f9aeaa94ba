-- Gemini of this week.
--
-- A model call may fetch one segment of an answer a Gemini 4 model decodes in
-- segments (finishReason CONTINUATION): each segment is a billed request and
-- a trace of its own, numbered from 1. Each call also records the thinking
-- level it sent, so a trace says how hard the model was asked to think.
ALTER TABLE execution_traces ADD COLUMN segment INTEGER;
ALTER TABLE execution_traces ADD COLUMN thinking_level TEXT;

-- The thinking setting takes Gemini 4's 'xhigh'. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt with its rows (as in 0004).
CREATE TABLE project_settings_new (
  project_id        TEXT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  model             TEXT NOT NULL,
  stage_models      TEXT,               -- JSON {stage: model id}; NULL: none
  temperature       REAL,               -- NULL: the model's default
  max_output_tokens INTEGER,            -- NULL: sized per stage
  thinking          TEXT CHECK (thinking IN ('minimal', 'low', 'medium', 'high', 'xhigh')), -- NULL: per stage
  token_budget      INTEGER,            -- NULL: unlimited
  auto_advance      INTEGER NOT NULL DEFAULT 1,
  updated_at        INTEGER NOT NULL
);
INSERT INTO project_settings_new (project_id, model, stage_models, temperature, max_output_tokens, thinking,
                                  token_budget, auto_advance, updated_at)
  SELECT project_id, model, stage_models, temperature, max_output_tokens, thinking,
         token_budget, auto_advance, updated_at FROM project_settings;
DROP TABLE project_settings;
ALTER TABLE project_settings_new RENAME TO project_settings;

UPDATE schema_metadata SET value = '8' WHERE key = 'schema_version';
