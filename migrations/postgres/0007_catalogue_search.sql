-- Catalogue search: full text over the published version of each module.
-- doc holds the 'dutch' configuration's lexemes and the terms of our own
-- analyser (src/core/dutch.c, stemmed and folded in C, added with the
-- 'simple' configuration), weighted A title, B summary, C body, D provider.
-- src/domain/search.c keeps it in step and bumps the generation, which tells
-- every process that its in-memory snapshot is stale.
-- Keep in step with migrations/sqlite/0007_catalogue_search.sql.
CREATE TABLE module_search (
  module_id BIGINT PRIMARY KEY REFERENCES modules (id),
  doc tsvector NOT NULL
);
CREATE INDEX module_search_doc ON module_search USING gin (doc);

-- One row. Starts at a random number so that two databases (tests, a
-- restored copy) never share a generation in one process's cache.
CREATE TABLE catalog_search_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation BIGINT NOT NULL
);
INSERT INTO catalog_search_state (id, generation) VALUES (1, floor(random() * 1e15)::bigint);
