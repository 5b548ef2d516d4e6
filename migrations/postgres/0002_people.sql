-- Organisations, people, memberships, log-in sessions, throttling, one-time
-- links, the e-mail outbox and the audit log. Keep in step with
-- migrations/sqlite/0002_people.sql.

-- Libraries, POIs, training providers and the campus organisation itself.
CREATE TABLE organisations (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,            -- /b/<slug>/
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('campus', 'library', 'poi', 'provider')),
  place TEXT NOT NULL DEFAULT '',
  province TEXT NOT NULL DEFAULT '',
  brand_color TEXT,                     -- #rrggbb, NULL: the sector's colour
  logo BYTEA,
  logo_type TEXT,
  payroll_cents BIGINT NOT NULL DEFAULT 0,
  settings TEXT NOT NULL DEFAULT '{}' CHECK (settings::json IS NOT NULL),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- One person, one account, whatever number of organisations.
CREATE TABLE people (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,           -- stored lower-cased
  name TEXT NOT NULL,
  lang TEXT NOT NULL DEFAULT 'nl',
  password_hash TEXT,                   -- argon2id (libsodium crypto_pwhash_str); NULL: no password yet
  totp_secret BYTEA,
  totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- A person's work or volunteering for an organisation, with roles (bit set:
-- 1 learner, 2 manager, 4 provider administrator, 8 teacher, 16 committee
-- member, 32 campus administrator).
CREATE TABLE memberships (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES people (id),
  org_id BIGINT NOT NULL REFERENCES organisations (id),
  kind TEXT NOT NULL CHECK (kind IN ('employee', 'volunteer', 'external')),
  roles INTEGER NOT NULL DEFAULT 1,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,                     -- NULL: current
  UNIQUE (person_id, org_id)
);
CREATE INDEX memberships_org ON memberships (org_id, ended_at);

-- Server-side log-in sessions. Only a hash of the cookie's token is stored.
CREATE TABLE sessions (
  token_hash BYTEA NOT NULL PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES people (id),
  org_id BIGINT REFERENCES organisations (id),  -- the organisation the person works in now
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL           -- absolute expiry
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Failed log-ins per key (an e-mail address or a client address), in the
-- database so that the limit holds across processes.
CREATE TABLE login_throttle (
  key TEXT NOT NULL PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  locked_until BIGINT NOT NULL DEFAULT 0
);

-- Links e-mailed for a password reset or an invitation; only the hash is kept.
CREATE TABLE one_time_links (
  token_hash BYTEA NOT NULL PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES people (id),
  purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'invite')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

-- E-mail leaves through this table; a sender delivers it over SMTP.
CREATE TABLE outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  sent_at BIGINT,
  last_error TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

-- Who did what to which object, with what result, from where (BIO 8.15).
-- Each row's hash covers its content and the previous row's hash.
CREATE TABLE audit_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_id BIGINT,                     -- NULL: anonymous or the system
  org_id BIGINT,
  action TEXT NOT NULL,                 -- e.g. "login", "membership.roles"
  object_type TEXT NOT NULL DEFAULT '',
  object_id TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL,                 -- "ok", "denied", "failed"
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
