-- Organisations, people, memberships, log-in sessions, throttling, one-time
-- links, the e-mail outbox and the audit log. Keep in step with
-- migrations/postgres/0002_people.sql.

-- Libraries, POIs, training providers and the campus organisation itself.
CREATE TABLE organisations (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,            -- /b/<slug>/
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('campus', 'library', 'poi', 'provider')),
  place TEXT NOT NULL DEFAULT '',
  province TEXT NOT NULL DEFAULT '',
  brand_color TEXT,                     -- #rrggbb, NULL: the sector's colour
  logo BLOB,
  logo_type TEXT,
  payroll_cents INTEGER NOT NULL DEFAULT 0,
  settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- One person, one account, whatever number of organisations.
CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,           -- stored lower-cased
  name TEXT NOT NULL,
  lang TEXT NOT NULL DEFAULT 'nl',
  password_hash TEXT,                   -- argon2id (libsodium crypto_pwhash_str); NULL: no password yet
  totp_secret BLOB,
  totp_enabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- A person's work or volunteering for an organisation, with roles (bit set:
-- 1 learner, 2 manager, 4 provider administrator, 8 teacher, 16 committee
-- member, 32 campus administrator).
CREATE TABLE memberships (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people (id),
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  kind TEXT NOT NULL CHECK (kind IN ('employee', 'volunteer', 'external')),
  roles INTEGER NOT NULL DEFAULT 1,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,                     -- NULL: current
  UNIQUE (person_id, org_id)
) STRICT;
CREATE INDEX memberships_org ON memberships (org_id, ended_at);

-- Server-side log-in sessions. Only a hash of the cookie's token is stored.
CREATE TABLE sessions (
  token_hash BLOB NOT NULL PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people (id),
  org_id INTEGER REFERENCES organisations (id),  -- the organisation the person works in now
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL           -- absolute expiry
) STRICT;
CREATE INDEX sessions_person ON sessions (person_id);

-- Failed log-ins per key (an e-mail address or a client address), in the
-- database so that the limit holds across processes.
CREATE TABLE login_throttle (
  key TEXT NOT NULL PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  locked_until INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Links e-mailed for a password reset or an invitation; only the hash is kept.
CREATE TABLE one_time_links (
  token_hash BLOB NOT NULL PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people (id),
  purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'invite')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) STRICT;

-- E-mail leaves through this table; a sender delivers it over SMTP.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  sent_at INTEGER,
  last_error TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

-- Who did what to which object, with what result, from where (BIO 8.15).
-- Each row's hash covers its content and the previous row's hash.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor_id INTEGER,                     -- NULL: anonymous or the system
  org_id INTEGER,
  action TEXT NOT NULL,                 -- e.g. "login", "membership.roles"
  object_type TEXT NOT NULL DEFAULT '',
  object_id TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL,                 -- "ok", "denied", "failed"
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
