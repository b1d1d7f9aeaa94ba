-- A project's event stream asks D1, once a second, for the activity rows
-- after the last one it sent (`project_id = ?1 AND rowid > ?2`). With only
-- the index on (project_id, created_at), each poll scanned every activity row
-- of the project (measured by the free_plan suite: 592 rows read by one
-- stream of 28 polls on an example project), and D1's free allowance of rows
-- read a day bounded how long people could watch. An index on project_id
-- alone ends in the rowid, so a poll reads only the rows it returns.
CREATE INDEX idx_activity_project_seq ON agent_activity (project_id);
UPDATE schema_metadata SET value = '9' WHERE key = 'schema_version';
