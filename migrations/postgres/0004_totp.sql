-- Two-step log-in (TOTP, RFC 6238). Keep in step with migrations/sqlite/0004_totp.sql.

-- The last time step a code was accepted for, so a code is used once.
ALTER TABLE people ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- A session waits for its second factor: 0 complete, 1 a code is needed,
-- 2 the person must first set up two-step log-in (their role requires it).
ALTER TABLE sessions ADD COLUMN second_factor INTEGER NOT NULL DEFAULT 0;
-- The secret of an enrolment in progress (sealed like people.totp_secret);
-- it reaches people only once a code made with it is confirmed.
ALTER TABLE sessions ADD COLUMN totp_pending BYTEA;
