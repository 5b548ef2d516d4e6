-- People search for campus administrators: substring search over name and
-- e-mail through a trigram index (FTS5), kept in step by triggers.
-- PostgreSQL does the same with pg_trgm (migrations/postgres/0003_people_search.sql).
CREATE INDEX people_name ON people (name, id);

CREATE VIRTUAL TABLE people_search USING fts5 (text, tokenize = 'trigram');
INSERT INTO people_search (rowid, text) SELECT id, name || ' ' || email FROM people;

CREATE TRIGGER people_search_insert AFTER INSERT ON people BEGIN
  INSERT INTO people_search (rowid, text) VALUES (new.id, new.name || ' ' || new.email);
END;
CREATE TRIGGER people_search_update AFTER UPDATE OF name, email ON people BEGIN
  UPDATE people_search SET text = new.name || ' ' || new.email WHERE rowid = new.id;
END;
CREATE TRIGGER people_search_delete AFTER DELETE ON people BEGIN
  DELETE FROM people_search WHERE rowid = old.id;
END;
