-- Account self-service: changing one's e-mail address and recovery codes for
-- two-step log-in. Keep in step with migrations/postgres/0006_account.sql.

-- A requested change of e-mail address, confirmed through a one-time link
-- e-mailed to the new address. Like one_time_links, only the BLAKE2b hash of
-- the link's token is stored. The address changes only when the link is used.
CREATE TABLE email_changes (
  token_hash BLOB NOT NULL PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people (id),
  new_email TEXT NOT NULL,               -- normalised (lower-cased)
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER                        -- NULL: open
) STRICT;
CREATE INDEX email_changes_person ON email_changes (person_id, used_at);

-- Single-use recovery codes for two-step log-in, stored only as a keyed
-- BLAKE2b hash (domain/totp.c says why a fast hash is enough here).
CREATE TABLE recovery_codes (
  person_id INTEGER NOT NULL REFERENCES people (id),
  code_hash BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  used_at INTEGER,                       -- NULL: still usable
  PRIMARY KEY (person_id, code_hash)
) STRICT;
