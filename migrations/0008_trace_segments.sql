-- A model call may fetch one segment of an answer a Gemini 4 model decodes in
-- segments (finishReason CONTINUATION): each segment is a billed request and
-- a trace of its own, numbered from 1. Each call also records the thinking
-- level it sent, so a trace says how hard the model was asked to think.
ALTER TABLE execution_traces ADD COLUMN segment INTEGER;
ALTER TABLE execution_traces ADD COLUMN thinking_level TEXT;

UPDATE schema_metadata SET value = '8' WHERE key = 'schema_version';
