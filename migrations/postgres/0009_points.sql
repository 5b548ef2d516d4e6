-- From evidence to points, certificates and diplomas: completions (every
-- kind of evidence, once), the append-only points ledger, certificates and
-- diplomas (credentials), diploma rules, the annual PE norm, self-reported
-- learning and EVC claims with their evidence files, and the issuer's
-- signing keys. Keep in step with migrations/sqlite/0009_points.sql. See
-- docs/internals/progress.md.

-- A module's points count once per calendar year per person, unless the
-- committee says every completion counts (e.g. a yearly refresher).
ALTER TABLE modules ADD COLUMN points_each_completion BOOLEAN NOT NULL DEFAULT FALSE;

-- Self-reported external learning ('external', decided by a manager of the
-- library) and recognition of prior learning ('evc', decided by the
-- committee). Approval records a completion through the one path.
CREATE TABLE learning_claims (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES people (id),
  org_id BIGINT NOT NULL REFERENCES organisations (id),  -- the library the person works for
  kind TEXT NOT NULL CHECK (kind IN ('external', 'evc')),
  title TEXT NOT NULL,
  provider_name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  hours_tenths BIGINT NOT NULL CHECK (hours_tenths > 0),  -- what the person states
  domain_id BIGINT REFERENCES tax_domains (id),
  learned_at BIGINT NOT NULL,          -- when the learning ended
  state TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'refused', 'withdrawn')),
  points_tenths BIGINT CHECK (points_tenths >= 0),  -- granted on approval
  decided_by BIGINT REFERENCES people (id),
  decided_at BIGINT,
  reason TEXT NOT NULL DEFAULT '',      -- required on refusal
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX learning_claims_person ON learning_claims (person_id, created_at);
CREATE INDEX learning_claims_open ON learning_claims (org_id, kind, state);

-- Evidence files of a claim: the content type is what the bytes are (checked
-- on upload), not what the browser said.
CREATE TABLE learning_claim_files (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  claim_id BIGINT NOT NULL REFERENCES learning_claims (id),
  name TEXT NOT NULL,
  content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
  size BIGINT NOT NULL CHECK (size > 0),
  data BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX learning_claim_files_claim ON learning_claim_files (claim_id);

-- Evidence that a person completed learning, whatever the source. The
-- evidence key makes recording idempotent: "enrolment:<id>" for a result on
-- an enrolment (web, CSV, API alike), "claim:<id>" for an approved claim.
-- module_version_id is the version recognised at completed_at (NULL: none,
-- then no points); points_tenths is what the ledger got (0: none, see
-- no_points_reason).
CREATE TABLE completions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES people (id),
  module_id BIGINT REFERENCES modules (id),        -- NULL: learning outside the catalogue
  module_version_id BIGINT REFERENCES module_versions (id),
  edition_id BIGINT REFERENCES editions (id),
  enrolment_id BIGINT REFERENCES enrolments (id),
  claim_id BIGINT REFERENCES learning_claims (id),
  org_id BIGINT REFERENCES organisations (id),     -- the library the person learned for
  title TEXT NOT NULL,                  -- as it was at completion
  provider_name TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL CHECK (source IN ('web', 'csv', 'api', 'qr', 'elearning', 'connector',
                                         'self_report', 'evc', 'demo')),
  evidence_key TEXT NOT NULL UNIQUE,
  grade TEXT,
  points_tenths BIGINT NOT NULL DEFAULT 0,
  no_points_reason TEXT NOT NULL DEFAULT '',  -- Dutch msgid when points_tenths = 0
  completed_at BIGINT NOT NULL,
  registered_at BIGINT NOT NULL,
  registered_by BIGINT REFERENCES people (id),
  registered_org_id BIGINT REFERENCES organisations (id)  -- who registered (provider, library)
);
CREATE INDEX completions_person ON completions (person_id, completed_at);
CREATE INDEX completions_module ON completions (module_id, person_id);

-- The points ledger: append-only (the triggers below refuse UPDATE and
-- DELETE). A correction is a reversal row: the negated points, reverses_id
-- the row it undoes (at most one reversal per row) and a reason. year is the
-- Amsterdam calendar year of earned_at; a reversal carries its original's
-- year, so balances per year stay explainable.
CREATE TABLE points_ledger (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES people (id),
  kind TEXT NOT NULL CHECK (kind IN ('pe', 'study')),  -- pe: recognised; study: other learning
  points_tenths BIGINT NOT NULL,
  completion_id BIGINT REFERENCES completions (id),
  module_id BIGINT REFERENCES modules (id),
  title TEXT NOT NULL,
  source TEXT NOT NULL,
  year BIGINT NOT NULL,
  earned_at BIGINT NOT NULL,
  registered_at BIGINT NOT NULL,
  registered_by BIGINT REFERENCES people (id),
  reverses_id BIGINT UNIQUE REFERENCES points_ledger (id),
  reason TEXT NOT NULL DEFAULT '',
  CHECK ((reverses_id IS NULL AND points_tenths >= 0) OR (reverses_id IS NOT NULL AND reason <> ''))
);
CREATE INDEX points_ledger_person ON points_ledger (person_id, year);
CREATE INDEX points_ledger_year ON points_ledger (year, person_id);
CREATE FUNCTION points_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'points_ledger is append-only'; END $$;
CREATE TRIGGER points_ledger_no_change BEFORE UPDATE OR DELETE ON points_ledger
FOR EACH ROW EXECUTE FUNCTION points_ledger_append_only();

-- The domains a ledger row counts for (each gets the row's full points).
CREATE TABLE points_ledger_domains (
  ledger_id BIGINT NOT NULL REFERENCES points_ledger (id),
  domain_id BIGINT NOT NULL REFERENCES tax_domains (id),
  PRIMARY KEY (ledger_id, domain_id)
);
CREATE INDEX points_ledger_domains_domain ON points_ledger_domains (domain_id);

-- Diploma rules, held by the campus organisation. A person meets a rule when
-- pe points earned within the last period_months (0: ever) reach
-- min_points_tenths, each domain minimum is met and every mandatory module
-- is completed. for_kind limits it to employees or volunteers ('all': both).
-- revision goes up on every change: people are then evaluated again.
CREATE TABLE diploma_rules (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  min_points_tenths BIGINT NOT NULL CHECK (min_points_tenths > 0),
  period_months BIGINT NOT NULL DEFAULT 0 CHECK (period_months >= 0),
  for_kind TEXT NOT NULL DEFAULT 'all' CHECK (for_kind IN ('all', 'employee', 'volunteer')),
  active BOOLEAN NOT NULL DEFAULT TRUE,
  revision BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE diploma_rule_domains (
  rule_id BIGINT NOT NULL REFERENCES diploma_rules (id),
  domain_id BIGINT NOT NULL REFERENCES tax_domains (id),
  min_points_tenths BIGINT NOT NULL CHECK (min_points_tenths > 0),
  PRIMARY KEY (rule_id, domain_id)
);

CREATE TABLE diploma_rule_modules (
  rule_id BIGINT NOT NULL REFERENCES diploma_rules (id),
  module_id BIGINT NOT NULL REFERENCES modules (id),
  PRIMARY KEY (rule_id, module_id)
);

-- Certificates (one per completion with points) and diplomas (one per person
-- and rule: never twice). code is the public verification code
-- (/verify/<code>); holder_name, title and points are as issued. PDFs and
-- the Open Badges credential are rendered from this row when asked for.
CREATE TABLE credentials (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('certificate', 'diploma')),
  code TEXT NOT NULL UNIQUE,
  person_id BIGINT NOT NULL REFERENCES people (id),
  completion_id BIGINT UNIQUE REFERENCES completions (id),  -- certificate
  rule_id BIGINT REFERENCES diploma_rules (id),             -- diploma
  org_id BIGINT REFERENCES organisations (id),              -- whose branding
  holder_name TEXT NOT NULL,
  title TEXT NOT NULL,
  provider_name TEXT NOT NULL DEFAULT '',
  points_tenths BIGINT NOT NULL,
  achieved_at BIGINT NOT NULL,         -- completion, or the day the rule was met
  issued_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_by BIGINT REFERENCES people (id),
  revoke_reason TEXT NOT NULL DEFAULT '',
  UNIQUE (person_id, rule_id),
  CHECK ((kind = 'certificate') = (completion_id IS NOT NULL)),
  CHECK ((kind = 'diploma') = (rule_id IS NOT NULL))
);
CREATE INDEX credentials_person ON credentials (person_id, issued_at);

-- The completions a diploma lists.
CREATE TABLE credential_completions (
  credential_id BIGINT NOT NULL REFERENCES credentials (id),
  completion_id BIGINT NOT NULL REFERENCES completions (id),
  PRIMARY KEY (credential_id, completion_id)
);

-- Ed25519 keys the campus signs Open Badges credentials with. The newest
-- key without retired_at signs; retired keys stay published so credentials
-- signed with them still verify.
CREATE TABLE signing_keys (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kid TEXT NOT NULL UNIQUE,
  public_key BYTEA NOT NULL,             -- 32 bytes
  secret_key BYTEA NOT NULL,             -- 64 bytes (libsodium); never logged or shown
  created_at BIGINT NOT NULL,
  retired_at BIGINT
);

-- The annual PE norm in tenths of points, per year and kind of member. The
-- campus organisation's row is the sector default (advised or mandatory); a
-- library may set a higher one. study_max_tenths caps the non-recognised
-- ('study') points that count toward it.
CREATE TABLE pe_norms (
  org_id BIGINT NOT NULL REFERENCES organisations (id),
  year BIGINT NOT NULL,
  member_kind TEXT NOT NULL CHECK (member_kind IN ('employee', 'volunteer')),
  points_tenths BIGINT NOT NULL CHECK (points_tenths >= 0),
  study_max_tenths BIGINT NOT NULL DEFAULT 0 CHECK (study_max_tenths >= 0),
  mandatory BOOLEAN NOT NULL DEFAULT FALSE,
  updated_by BIGINT REFERENCES people (id),
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (org_id, year, member_kind)
);

-- Norm reminders already sent, so each goes once.
CREATE TABLE norm_reminders (
  person_id BIGINT NOT NULL REFERENCES people (id),
  org_id BIGINT NOT NULL REFERENCES organisations (id),
  year BIGINT NOT NULL,
  audience TEXT NOT NULL CHECK (audience IN ('learner', 'manager')),
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (person_id, org_id, year, audience)
);
