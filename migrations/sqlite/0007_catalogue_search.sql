-- Catalogue search: full text over the published version of each module,
-- analysed by the campus_dutch tokenizer (src/core/dutch.c, registered on
-- every connection in src/db/db_sqlite.c). Columns in order of weight:
-- title, summary, body (description, goals, prerequisites, place, taxonomy),
-- provider. src/domain/search.c keeps it in step and bumps the generation,
-- which tells every process that its in-memory snapshot is stale.
-- Keep in step with migrations/postgres/0007_catalogue_search.sql.
CREATE VIRTUAL TABLE module_search USING fts5 (title, summary, body, provider,
                                               tokenize = 'campus_dutch');

-- One row. Starts at a random number so that two databases (tests, a
-- restored copy) never share a generation in one process's cache.
CREATE TABLE catalog_search_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL
) STRICT;
INSERT INTO catalog_search_state (id, generation) VALUES (1, abs(random() % 1000000000000000));
