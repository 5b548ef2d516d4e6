-- Editions of modules and real-time enrolment: meetings, seats reserved for
-- libraries, the enrolment state machine, approvals, training budgets,
-- attendance, on-screen notifications and calendar feeds. Keep in step with
-- migrations/sqlite/0008_enrolment.sql. See docs/internals/enrol.md.

-- An edition (uitvoering) of a module, planned by the module's owner.
-- seats_taken counts enrolled and offered places plus the unused part of
-- every reservation, so "full" is one comparison on one row: the enrolment
-- transaction moves it with a guarded UPDATE and can never overbook.
-- waitlist_seq hands out waitlist positions in arrival order.
CREATE TABLE editions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  module_id BIGINT NOT NULL REFERENCES modules (id),
  provider_id BIGINT NOT NULL REFERENCES organisations (id),  -- the module's owner
  code TEXT NOT NULL DEFAULT '',        -- the provider's own reference, e.g. "VL-2027-03"
  always_open BOOLEAN NOT NULL DEFAULT FALSE,  -- e-learning
  capacity BIGINT CHECK (capacity > 0),  -- NULL: no limit
  min_participants BIGINT NOT NULL DEFAULT 0 CHECK (min_participants >= 0),
  enrol_opens_at BIGINT,               -- NULL: open now
  enrol_closes_at BIGINT,              -- NULL: until the first meeting starts
  cancel_until BIGINT,                 -- learners may cancel themselves until then; NULL: until the start
  price_cents BIGINT CHECK (price_cents >= 0),  -- NULL: the module's price
  audience TEXT CHECK (audience IN ('employees', 'volunteers', 'both')),  -- NULL: the module's
  offer_hours BIGINT NOT NULL DEFAULT 0 CHECK (offer_hours >= 0),  -- 0: a freed seat goes to the waitlist at once
  place TEXT NOT NULL DEFAULT '',
  online_url TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  seats_taken BIGINT NOT NULL DEFAULT 0 CHECK (seats_taken >= 0),
  waitlist_seq BIGINT NOT NULL DEFAULT 0,
  starts_at BIGINT,                    -- first meeting (kept by the domain), NULL: none
  ends_at BIGINT,                      -- end of the last meeting
  cancelled_at BIGINT,
  cancel_reason TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES people (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (capacity IS NULL OR seats_taken <= capacity)
);
CREATE INDEX editions_module ON editions (module_id, starts_at);
CREATE INDEX editions_provider ON editions (provider_id, starts_at);
CREATE INDEX editions_start ON editions (starts_at);

CREATE TABLE edition_meetings (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  edition_id BIGINT NOT NULL REFERENCES editions (id),
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  place TEXT NOT NULL DEFAULT '',
  online_url TEXT NOT NULL DEFAULT '',
  checkin_token_hash BYTEA UNIQUE,       -- BLAKE2b of the QR check-in token; NULL: none yet
  CHECK (ends_at > starts_at)
);
CREATE INDEX edition_meetings_edition ON edition_meetings (edition_id, starts_at);

CREATE TABLE edition_teachers (
  edition_id BIGINT NOT NULL REFERENCES editions (id),
  person_id BIGINT NOT NULL REFERENCES people (id),
  PRIMARY KEY (edition_id, person_id)
);
CREATE INDEX edition_teachers_person ON edition_teachers (person_id);

-- Only members of these organisations may enrol (an in-company edition);
-- no rows: everyone the module is for.
CREATE TABLE edition_audience_orgs (
  edition_id BIGINT NOT NULL REFERENCES editions (id),
  org_id BIGINT NOT NULL REFERENCES organisations (id),
  PRIMARY KEY (edition_id, org_id)
);

-- Seats held for a library: set by the provider when planning or by the
-- library's manager for a team. used <= seats; the unused part is counted
-- in editions.seats_taken.
CREATE TABLE edition_reservations (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  edition_id BIGINT NOT NULL REFERENCES editions (id),
  org_id BIGINT NOT NULL REFERENCES organisations (id),
  seats BIGINT NOT NULL CHECK (seats > 0),
  used BIGINT NOT NULL DEFAULT 0 CHECK (used >= 0),
  made_by BIGINT REFERENCES people (id),
  created_at BIGINT NOT NULL,
  UNIQUE (edition_id, org_id),
  CHECK (used <= seats)
);

-- A library's enrolment policy. approval: 'none', 'cost' (when the price is
-- above zero) or 'always'. A request above the remaining budget always
-- needs approval. second_approver_id: the optional second step (L&D or
-- budget holder). Open requests are reminded after remind_days and expire
-- after expire_days.
CREATE TABLE enrol_policies (
  org_id BIGINT NOT NULL PRIMARY KEY REFERENCES organisations (id),
  approval TEXT NOT NULL DEFAULT 'none' CHECK (approval IN ('none', 'cost', 'always')),
  second_approver_id BIGINT REFERENCES people (id),
  budgets BOOLEAN NOT NULL DEFAULT FALSE,
  remind_days BIGINT NOT NULL DEFAULT 3 CHECK (remind_days > 0),
  expire_days BIGINT NOT NULL DEFAULT 14 CHECK (expire_days > 0),
  updated_at BIGINT NOT NULL
);

-- One person's enrolment in one edition, moved only by src/domain/enrol.c.
--   requested -> (approved) -> enrolled | waitlisted    refused, expired
--   waitlisted -> offered -> enrolled                   expired (offer lapsed)
--   enrolled -> attended -> completed | not_completed   no_show, cancelled
-- org_id is the library the enrolment is for: its manager approves, its
-- budget pays. approval_step: 1 the manager, 2 the second approver.
CREATE TABLE enrolments (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  edition_id BIGINT NOT NULL REFERENCES editions (id),
  person_id BIGINT NOT NULL REFERENCES people (id),
  org_id BIGINT REFERENCES organisations (id),
  state TEXT NOT NULL CHECK (state IN ('requested', 'refused', 'expired', 'waitlisted', 'offered',
                                       'enrolled', 'cancelled', 'attended', 'no_show',
                                       'completed', 'not_completed')),
  approval_step BIGINT NOT NULL DEFAULT 0 CHECK (approval_step BETWEEN 0 AND 2),
  waitlist_pos BIGINT,                 -- from editions.waitlist_seq; lower goes first
  offer_expires_at BIGINT,
  reservation_id BIGINT REFERENCES edition_reservations (id),  -- the seat came from it
  price_cents BIGINT NOT NULL DEFAULT 0,
  budget_year BIGINT,                  -- the budget reserved or charged; NULL: none
  budget_state TEXT CHECK (budget_state IN ('reserved', 'settled', 'released')),
  grade TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',      -- last refusal or cancellation reason
  requested_at BIGINT NOT NULL,
  reminded_at BIGINT,
  decided_at BIGINT,
  enrolled_by BIGINT REFERENCES people (id),  -- a manager, or the person
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- At most one live enrolment per person and edition.
CREATE UNIQUE INDEX enrolments_live ON enrolments (edition_id, person_id)
  WHERE state IN ('requested', 'waitlisted', 'offered', 'enrolled', 'attended', 'completed',
                  'not_completed', 'no_show');
CREATE INDEX enrolments_person ON enrolments (person_id, state);
CREATE INDEX enrolments_edition_state ON enrolments (edition_id, state, waitlist_pos);
CREATE INDEX enrolments_org_state ON enrolments (org_id, state);

-- Every transition, with who made it and why (the audit log has it too).
CREATE TABLE enrolment_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  enrolment_id BIGINT NOT NULL REFERENCES enrolments (id),
  at BIGINT NOT NULL,
  actor_id BIGINT REFERENCES people (id),
  from_state TEXT NOT NULL,             -- '' for the first
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX enrolment_events_enrolment ON enrolment_events (enrolment_id, id);

-- Yearly training budget per person (R12), one row per library, person and
-- year, created from the group default on first use. reserved and spent
-- move with guarded UPDATEs, so the rest never goes below zero.
CREATE TABLE budget_accounts (
  org_id BIGINT NOT NULL REFERENCES organisations (id),
  person_id BIGINT NOT NULL REFERENCES people (id),
  year BIGINT NOT NULL,
  amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
  reserved_cents BIGINT NOT NULL DEFAULT 0 CHECK (reserved_cents >= 0),
  spent_cents BIGINT NOT NULL DEFAULT 0 CHECK (spent_cents >= 0),
  personal BOOLEAN NOT NULL DEFAULT FALSE,  -- TRUE: set for this person
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (org_id, person_id, year),
  CHECK (reserved_cents + spent_cents <= amount_cents)
);

-- A library's default budget for a group (membership kind) in a year.
CREATE TABLE budget_defaults (
  org_id BIGINT NOT NULL REFERENCES organisations (id),
  year BIGINT NOT NULL,
  member_kind TEXT NOT NULL CHECK (member_kind IN ('employee', 'volunteer')),
  amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
  PRIMARY KEY (org_id, year, member_kind)
);

-- Presence per meeting, from the provider (web, CSV, API) or QR check-in.
CREATE TABLE attendance (
  enrolment_id BIGINT NOT NULL REFERENCES enrolments (id),
  meeting_id BIGINT NOT NULL REFERENCES edition_meetings (id),
  present BOOLEAN NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('web', 'csv', 'api', 'qr')),
  registered_by BIGINT REFERENCES people (id),
  registered_at BIGINT NOT NULL,
  PRIMARY KEY (enrolment_id, meeting_id)
);

-- The on-screen notification list; e-mail goes through the outbox.
CREATE TABLE notifications (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES people (id),
  kind TEXT NOT NULL,                   -- e.g. "enrol.enrolled"
  title TEXT NOT NULL,                  -- in the person's language
  body TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',        -- a path on this site
  created_at BIGINT NOT NULL,
  read_at BIGINT
);
CREATE INDEX notifications_person ON notifications (person_id, created_at);

-- The secret address of a person's iCalendar feed; only a hash is kept.
CREATE TABLE calendar_feeds (
  person_id BIGINT NOT NULL PRIMARY KEY REFERENCES people (id),
  token_hash BYTEA NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

-- Reminders before the start are sent once per enrolment and meeting.
CREATE TABLE meeting_reminders (
  enrolment_id BIGINT NOT NULL REFERENCES enrolments (id),
  meeting_id BIGINT NOT NULL REFERENCES edition_meetings (id),
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (enrolment_id, meeting_id)
);

-- E-mail may carry one attachment (an iCalendar invitation).
ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE outbox ADD COLUMN attachment BYTEA;
