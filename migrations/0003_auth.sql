-- Authentication and per-owner limits.
--
-- API tokens are random (256 bits); only the SHA-256 of a token is stored, so
-- a copy of this database cannot be used to call the API. Tokens are minted
-- and revoked by scripts/create-token.sh.
CREATE TABLE api_tokens (
  id           TEXT PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,   -- lowercase hex SHA-256 of the whole token
  owner_id     TEXT NOT NULL,
  label        TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked      INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  revoked_at   INTEGER
);
CREATE INDEX idx_api_tokens_owner ON api_tokens (owner_id);

-- Tokens each owner spent per UTC day (ms / 86400000), kept apart from the
-- traces so that deleting a project does not give the day's tokens back.
CREATE TABLE owner_usage (
  owner_id TEXT NOT NULL,
  day      INTEGER NOT NULL,
  tokens   INTEGER NOT NULL,
  PRIMARY KEY (owner_id, day)
);

UPDATE schema_metadata SET value = '3' WHERE key = 'schema_version';
