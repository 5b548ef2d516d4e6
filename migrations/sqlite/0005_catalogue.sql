-- The offering: the sector's taxonomy, modules placed by providers (and by
-- libraries for their own people), their versions, the review committee's
-- work and providers' API tokens. Keep in step with
-- migrations/postgres/0005_catalogue.sql.

-- Taxonomy from the Domeinbeschrijvingen: domain -> role -> competency.
-- Nothing is deleted: a retired entry keeps its modules but is offered no more.
CREATE TABLE tax_domains (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  retired_at INTEGER
) STRICT;
CREATE TABLE tax_roles (
  id INTEGER PRIMARY KEY,
  domain_id INTEGER NOT NULL REFERENCES tax_domains (id),
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  retired_at INTEGER
) STRICT;
CREATE TABLE tax_competencies (
  id INTEGER PRIMARY KEY,
  role_id INTEGER NOT NULL REFERENCES tax_roles (id),
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  retired_at INTEGER
) STRICT;

-- A module of a provider (or of a library, for its own people). What
-- learners see is published_version; the provider edits working_version.
-- Once a version is recognised, a substantive change makes a new working
-- version that goes back to the committee while the recognised one stays
-- published.
CREATE TABLE modules (
  id INTEGER PRIMARY KEY,
  provider_id INTEGER NOT NULL REFERENCES organisations (id),
  local_org_id INTEGER REFERENCES organisations (id),  -- NULL: national; else only this library's people
  working_version_id INTEGER,           -- set right after the first version is written
  published_version_id INTEGER,         -- NULL: not visible to learners
  recognised_version_id INTEGER,        -- NULL: never recognised (or expired, rejected)
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX modules_provider ON modules (provider_id);
CREATE INDEX modules_local ON modules (local_org_id);

-- Levels: uitvoerend, tactisch, strategisch. Amounts in tenths (of an hour,
-- of a point) so that 1.5 is exact. Prices in euro cents; vat is 'crkbo'
-- (exempt education) or a rate in percent.
CREATE TABLE module_versions (
  id INTEGER PRIMARY KEY,
  module_id INTEGER NOT NULL REFERENCES modules (id),
  number INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'in_review', 'returned',
                                       'recognised', 'rejected', 'superseded', 'expired')),
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  description TEXT NOT NULL,            -- Markdown, raw HTML is not rendered
  goals TEXT NOT NULL,                  -- learning goals, one per line
  level TEXT CHECK (level IN ('uitvoerend', 'tactisch', 'strategisch')),
  format TEXT NOT NULL CHECK (format IN ('classroom', 'online_live', 'elearning', 'blended')),
  load_tenths INTEGER NOT NULL CHECK (load_tenths > 0),  -- study load the provider states
  language TEXT NOT NULL,               -- ISO 639-1
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  vat TEXT NOT NULL CHECK (vat IN ('crkbo', '0', '9', '21')),
  prerequisites TEXT NOT NULL DEFAULT '',
  audience TEXT NOT NULL CHECK (audience IN ('employees', 'volunteers', 'both')),
  place TEXT NOT NULL DEFAULT '',       -- where it usually takes place; '' online
  province TEXT NOT NULL DEFAULT '',
  contact_name TEXT NOT NULL DEFAULT '',
  contact_email TEXT NOT NULL DEFAULT '',
  image BLOB,
  image_type TEXT,
  -- set by the committee on recognition
  points_tenths INTEGER,
  recognised_load_tenths INTEGER,
  recognised_at INTEGER,
  valid_until INTEGER,
  created_by INTEGER REFERENCES people (id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (module_id, number)
) STRICT;

-- The taxonomy a version names; the committee may set the domains it counts for.
CREATE TABLE module_version_tags (
  version_id INTEGER NOT NULL REFERENCES module_versions (id),
  kind TEXT NOT NULL CHECK (kind IN ('domain', 'role', 'competency')),
  tag_id INTEGER NOT NULL,
  PRIMARY KEY (version_id, kind, tag_id)
) STRICT;

-- The committee's published criteria; the first four are the sector's own.
CREATE TABLE review_criteria (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  position INTEGER NOT NULL,
  retired_at INTEGER
) STRICT;

-- One review of one module version. The campus checks completeness, the
-- chair assigns reviewers, the committee decides. A trusted provider's
-- submission takes the light path: one reviewer, no completeness step.
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY,
  module_id INTEGER NOT NULL REFERENCES modules (id),
  version_id INTEGER NOT NULL REFERENCES module_versions (id),
  state TEXT NOT NULL CHECK (state IN ('submitted', 'checked', 'assigned', 'recognised',
                                       'returned', 'rejected', 'withdrawn')),
  light INTEGER NOT NULL DEFAULT 0,
  rereview INTEGER NOT NULL DEFAULT 0,  -- started because a recognition expires
  submitted_by INTEGER REFERENCES people (id),
  submitted_at INTEGER NOT NULL,
  checked_by INTEGER REFERENCES people (id),
  checked_at INTEGER,
  decided_by INTEGER REFERENCES people (id),
  decided_at INTEGER,
  reason TEXT NOT NULL DEFAULT ''       -- why returned or rejected; the provider sees it
) STRICT;
CREATE INDEX reviews_module ON reviews (module_id);
CREATE INDEX reviews_state ON reviews (state);

CREATE TABLE review_assignments (
  review_id INTEGER NOT NULL REFERENCES reviews (id),
  reviewer_id INTEGER NOT NULL REFERENCES people (id),
  assigned_by INTEGER REFERENCES people (id),
  assigned_at INTEGER NOT NULL,
  completed_at INTEGER,
  PRIMARY KEY (review_id, reviewer_id)
) STRICT;

CREATE TABLE review_scores (
  review_id INTEGER NOT NULL REFERENCES reviews (id),
  reviewer_id INTEGER NOT NULL REFERENCES people (id),
  criterion_id INTEGER NOT NULL REFERENCES review_criteria (id),
  score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (review_id, reviewer_id, criterion_id)
) STRICT;

-- A provider recognised as a whole (instellingsaccreditatie).
CREATE TABLE trusted_providers (
  org_id INTEGER NOT NULL PRIMARY KEY REFERENCES organisations (id),
  since INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  decided_by INTEGER REFERENCES people (id)
) STRICT;

-- Tokens for /api/v1, per organisation; only a hash is stored.
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organisations (id),
  name TEXT NOT NULL,
  token_hash BLOB NOT NULL UNIQUE,
  scopes TEXT NOT NULL,                 -- space-separated: modules:read modules:write
  created_by INTEGER REFERENCES people (id),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
) STRICT;
CREATE INDEX api_tokens_org ON api_tokens (org_id);

-- The sector's profile (Domeinbeschrijvingen, 2021; community librarian after Cubiss).
-- Campus administrators rename, reorder and retire entries; slugs stay.
INSERT INTO tax_domains (slug, name, position) VALUES ('maatschappelijk-educatieve-bibliothecaris', 'Maatschappelijk-educatieve bibliothecaris', 1);
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'leesconsulent-de-bibliotheek-op-school', 'Leesconsulent / de Bibliotheek op school', 1 FROM tax_domains WHERE slug = 'maatschappelijk-educatieve-bibliothecaris';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'leesbevordering', 'Leesbevordering', 1 FROM tax_roles WHERE slug = 'leesconsulent-de-bibliotheek-op-school';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'samenwerken-met-school-en-leescoordinator', 'Samenwerken met school en leescoördinator', 2 FROM tax_roles WHERE slug = 'leesconsulent-de-bibliotheek-op-school';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'dbos-monitor-en-activiteitenplan', 'dBos-monitor en activiteitenplan', 3 FROM tax_roles WHERE slug = 'leesconsulent-de-bibliotheek-op-school';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'mediawijsheid-en-informatievaardigheden', 'Mediawijsheid en informatievaardigheden', 4 FROM tax_roles WHERE slug = 'leesconsulent-de-bibliotheek-op-school';
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'educatief-specialist', 'Educatief specialist', 2 FROM tax_domains WHERE slug = 'maatschappelijk-educatieve-bibliothecaris';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'educatief-programma-ontwerp', 'Educatief programma-ontwerp', 1 FROM tax_roles WHERE slug = 'educatief-specialist';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'netwerken-met-onderwijs-en-sociaal-domein', 'Netwerken met onderwijs en sociaal domein', 2 FROM tax_roles WHERE slug = 'educatief-specialist';
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'coordinator-taalhuis-basisvaardigheden', 'Coördinator Taalhuis / basisvaardigheden', 3 FROM tax_domains WHERE slug = 'maatschappelijk-educatieve-bibliothecaris';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'laaggeletterdheid-herkennen-en-doorverwijzen', 'Laaggeletterdheid herkennen en doorverwijzen', 1 FROM tax_roles WHERE slug = 'coordinator-taalhuis-basisvaardigheden';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'vrijwilligers-coordineren', 'Vrijwilligers coördineren', 2 FROM tax_roles WHERE slug = 'coordinator-taalhuis-basisvaardigheden';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'digitale-basisvaardigheden', 'Digitale basisvaardigheden', 3 FROM tax_roles WHERE slug = 'coordinator-taalhuis-basisvaardigheden';
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'boekstart-voorleesexpress', 'BoekStart / VoorleesExpress', 4 FROM tax_domains WHERE slug = 'maatschappelijk-educatieve-bibliothecaris';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'taalontwikkeling-0-6-jaar', 'Taalontwikkeling 0-6 jaar', 1 FROM tax_roles WHERE slug = 'boekstart-voorleesexpress';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'ouderbetrokkenheid', 'Ouderbetrokkenheid', 2 FROM tax_roles WHERE slug = 'boekstart-voorleesexpress';
INSERT INTO tax_domains (slug, name, position) VALUES ('informatie-dienstverlenende-bibliothecaris', 'Informatie-dienstverlenende bibliothecaris', 2);
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'medewerker-publieksservice', 'Medewerker publieksservice', 1 FROM tax_domains WHERE slug = 'informatie-dienstverlenende-bibliothecaris';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'klantgericht-ontvangen-en-doorvragen', 'Klantgericht ontvangen en doorvragen', 1 FROM tax_roles WHERE slug = 'medewerker-publieksservice';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'doorverwijzen-naar-diensten-en-partners', 'Doorverwijzen naar diensten en partners', 2 FROM tax_roles WHERE slug = 'medewerker-publieksservice';
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'ido-medewerker', 'IDO-medewerker', 2 FROM tax_domains WHERE slug = 'informatie-dienstverlenende-bibliothecaris';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'digitale-overheid', 'Digitale overheid', 1 FROM tax_roles WHERE slug = 'ido-medewerker';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'privacy-en-veilig-online', 'Privacy en veilig online', 2 FROM tax_roles WHERE slug = 'ido-medewerker';
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'collectiespecialist', 'Collectiespecialist', 3 FROM tax_domains WHERE slug = 'informatie-dienstverlenende-bibliothecaris';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'bouwstenen-collectioneren', 'Bouwstenen collectioneren', 1 FROM tax_roles WHERE slug = 'collectiespecialist';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'processen-en-systemen', 'Processen en systemen', 2 FROM tax_roles WHERE slug = 'collectiespecialist';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'trends-in-collecties', 'Trends in collecties', 3 FROM tax_roles WHERE slug = 'collectiespecialist';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'verzamelen-opslaan-en-conserveren', 'Verzamelen, opslaan en conserveren', 4 FROM tax_roles WHERE slug = 'collectiespecialist';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'interpreteren-en-ordenen', 'Interpreteren en ordenen', 5 FROM tax_roles WHERE slug = 'collectiespecialist';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'ontsluiten-en-presenteren', 'Ontsluiten en presenteren', 6 FROM tax_roles WHERE slug = 'collectiespecialist';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'collectiebeleid', 'Collectiebeleid', 7 FROM tax_roles WHERE slug = 'collectiespecialist';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'zoekvaardigheden', 'Zoekvaardigheden', 8 FROM tax_roles WHERE slug = 'collectiespecialist';
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'informatiespecialist-digicoach', 'Informatiespecialist / digicoach', 4 FROM tax_domains WHERE slug = 'informatie-dienstverlenende-bibliothecaris';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'zoekvaardigheden-voor-klanten', 'Zoekvaardigheden voor klanten', 1 FROM tax_roles WHERE slug = 'informatiespecialist-digicoach';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'ontsluiten-en-presenteren-van-informatie', 'Ontsluiten en presenteren van informatie', 2 FROM tax_roles WHERE slug = 'informatiespecialist-digicoach';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'bronnenkritiek', 'Bronnenkritiek', 3 FROM tax_roles WHERE slug = 'informatiespecialist-digicoach';
INSERT INTO tax_domains (slug, name, position) VALUES ('community-librarian', 'Community librarian', 3);
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'communitybuilder', 'Communitybuilder', 1 FROM tax_domains WHERE slug = 'community-librarian';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'community-en-behoeften-in-kaart-brengen', 'Community en behoeften in kaart brengen', 1 FROM tax_roles WHERE slug = 'communitybuilder';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'gezamenlijke-activiteit', 'Gezamenlijke activiteit', 2 FROM tax_roles WHERE slug = 'communitybuilder';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'sociaal-contract', 'Sociaal contract', 3 FROM tax_roles WHERE slug = 'communitybuilder';
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'kennisdeler', 'Kennisdeler', 2 FROM tax_domains WHERE slug = 'community-librarian';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'kenniscreatie', 'Kenniscreatie', 1 FROM tax_roles WHERE slug = 'kennisdeler';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'gedeeld-eigenaarschap', 'Gedeeld eigenaarschap', 2 FROM tax_roles WHERE slug = 'kennisdeler';
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'verbinder', 'Verbinder', 3 FROM tax_domains WHERE slug = 'community-librarian';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'gesprek-faciliteren', 'Gesprek faciliteren', 1 FROM tax_roles WHERE slug = 'verbinder';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'stakeholders-betrekken', 'Stakeholders betrekken', 2 FROM tax_roles WHERE slug = 'verbinder';
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'programmamaker', 'Programmamaker', 4 FROM tax_domains WHERE slug = 'community-librarian';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'ondernemerschap', 'Ondernemerschap', 1 FROM tax_roles WHERE slug = 'programmamaker';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'politiek-strategisch-handelen', 'Politiek-strategisch handelen', 2 FROM tax_roles WHERE slug = 'programmamaker';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'programma-s-ontwikkelen', 'Programma''s ontwikkelen', 3 FROM tax_roles WHERE slug = 'programmamaker';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'doelgroepen-bepalen', 'Doelgroepen bepalen', 4 FROM tax_roles WHERE slug = 'programmamaker';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'projectmatig-werken', 'Projectmatig werken', 5 FROM tax_roles WHERE slug = 'programmamaker';
INSERT INTO tax_domains (slug, name, position) VALUES ('domeinoverstijgend', 'Domeinoverstijgend', 4);
INSERT INTO tax_roles (domain_id, slug, name, position) SELECT id, 'bibliotheekprofessional', 'Bibliotheekprofessional', 1 FROM tax_domains WHERE slug = 'domeinoverstijgend';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'bouwt-deskundigheid-op', 'Bouwt deskundigheid op', 1 FROM tax_roles WHERE slug = 'bibliotheekprofessional';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'werkt-mee-aan-activiteiten', 'Werkt mee aan activiteiten', 2 FROM tax_roles WHERE slug = 'bibliotheekprofessional';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'werken-met-vrijwilligers', 'Werken met vrijwilligers', 3 FROM tax_roles WHERE slug = 'bibliotheekprofessional';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'digitale-vaardigheden', 'Digitale vaardigheden', 4 FROM tax_roles WHERE slug = 'bibliotheekprofessional';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'informatiebeveiliging-en-avg', 'Informatiebeveiliging en AVG', 5 FROM tax_roles WHERE slug = 'bibliotheekprofessional';
INSERT INTO tax_competencies (role_id, slug, name, position) SELECT id, 'samenwerken-in-het-netwerk', 'Samenwerken in het netwerk', 6 FROM tax_roles WHERE slug = 'bibliotheekprofessional';

-- The committee's published criteria; more can be added and old ones retired.
INSERT INTO review_criteria (slug, name, description, position) VALUES ('leerdoelen', 'Leerdoelen', 'De leerdoelen zijn concreet, toetsbaar en passen bij de gekozen domeinen en het niveau.', 1);
INSERT INTO review_criteria (slug, name, description, position) VALUES ('didactiek', 'Didactiek', 'Werkvormen, opbouw en toetsing sluiten aan bij de leerdoelen en de doelgroep.', 2);
INSERT INTO review_criteria (slug, name, description, position) VALUES ('docenten', 'Kwaliteit van de docenten', 'Docenten zijn aantoonbaar deskundig in het onderwerp en didactisch bekwaam.', 3);
INSERT INTO review_criteria (slug, name, description, position) VALUES ('continuiteit', 'Continuïteit van de aanbieder', 'De aanbieder kan de module de komende jaren betrouwbaar blijven aanbieden en bijhouden.', 4);
