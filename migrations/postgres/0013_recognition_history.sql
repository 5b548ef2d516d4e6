-- Earlier recognition periods of a module version. module_versions holds a
-- version's current recognition; a re-review that recognises the version
-- again or ends its recognition would overwrite or end it, so the period it
-- replaces is kept here first. Points are earned by the recognition valid
-- on the completion date (progress.c), and providers register results late:
-- a completion from before the re-review still earns what was recognised
-- then. Keep in step with the other dialect's 0013_recognition_history.sql.
CREATE TABLE module_recognition_history (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version_id BIGINT NOT NULL REFERENCES module_versions (id),
  points_tenths BIGINT NOT NULL,
  recognised_at BIGINT NOT NULL,
  valid_until BIGINT NOT NULL,         -- cut at the decision that replaced it
  review_id BIGINT NOT NULL REFERENCES reviews (id),  -- that decision
  CHECK (recognised_at <= valid_until)
);
CREATE INDEX module_recognition_history_version ON module_recognition_history (version_id);
