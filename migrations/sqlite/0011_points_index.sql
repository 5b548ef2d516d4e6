-- The ledger rows of a completion: progress_record_completion asks for them
-- on every call (is this evidence recorded, does this module count already
-- this year), and without an index each ask scanned the whole ledger, which
-- made recording quadratic (the demo's 50,000 completions took minutes).
-- Keep in step with the other dialect's 0011_points_index.sql.
CREATE INDEX points_ledger_completion ON points_ledger (completion_id);
