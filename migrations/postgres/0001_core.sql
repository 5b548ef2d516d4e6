-- Core tables. Keep in step with migrations/sqlite/0001_core.sql: same
-- tables, columns and meaning; only the types are spelled per dialect.
-- schema_migrations is created by the runner (src/db/db.c), not here.

-- Sector-wide defaults (key -> value); organisations may later override them
-- in a table of their own.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL           -- UTC epoch seconds
);

-- Work for the background-job runner. A job is due when done_at IS NULL and
-- run_at <= now; a worker claims it by setting locked_by/locked_at.
CREATE TABLE jobs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}' CHECK (payload::json IS NOT NULL),
  run_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  locked_by TEXT,
  locked_at BIGINT,
  done_at BIGINT,
  last_error TEXT
);

CREATE INDEX jobs_due ON jobs (done_at, run_at);
