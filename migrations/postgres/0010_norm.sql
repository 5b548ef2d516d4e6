-- The PE norm's reports (docs/internals/norm.md): everyone's points of a
-- year in one pass over an index, without reading the ledger's rows. Keep in
-- step with migrations/sqlite/0010_norm.sql.
CREATE INDEX points_ledger_year_totals ON points_ledger (year, person_id, kind, points_tenths);
