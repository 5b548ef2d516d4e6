-- People search for campus administrators: substring search over name and
-- e-mail through a trigram index (pg_trgm, a trusted extension since
-- PostgreSQL 13, so the database owner may create it).
-- SQLite does the same with FTS5 (migrations/sqlite/0003_people_search.sql).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX people_name ON people (name, id);

-- The extension may already live in another schema than ours (installed
-- before, for another application): name its operator class by that schema.
DO $$
DECLARE
  ext_schema text;
BEGIN
  SELECT n.nspname INTO ext_schema FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  EXECUTE format('CREATE INDEX people_search ON people USING gin '
                 '(lower(name || '' '' || email) %I.gin_trgm_ops)', ext_schema);
END
$$;
