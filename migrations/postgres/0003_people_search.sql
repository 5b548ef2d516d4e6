-- People search for campus administrators: substring search over name and
-- e-mail through a trigram index (pg_trgm, a trusted extension since
-- PostgreSQL 13, so the database owner may create it).
-- SQLite does the same with FTS5 (migrations/sqlite/0003_people_search.sql).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX people_name ON people (name, id);
CREATE INDEX people_search ON people USING gin (lower(name || ' ' || email) gin_trgm_ops);
