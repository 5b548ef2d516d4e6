-- Core tables. Keep in step with migrations/postgres/0001_core.sql: same
-- tables, columns and meaning; only the types are spelled per dialect.
-- STRICT makes SQLite enforce column types as PostgreSQL does.
-- schema_migrations is created by the runner (src/db/db.c), not here.

-- Sector-wide defaults (key -> value); organisations may later override them
-- in a table of their own.
CREATE TABLE settings (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL          -- UTC epoch seconds
) STRICT;

-- Work for the background-job runner. A job is due when done_at IS NULL and
-- run_at <= now; a worker claims it by setting locked_by/locked_at.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  run_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  locked_by TEXT,
  locked_at INTEGER,
  done_at INTEGER,
  last_error TEXT
) STRICT;

CREATE INDEX jobs_due ON jobs (done_at, run_at);
