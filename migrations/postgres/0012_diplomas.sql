-- The sector's diploma rules (issue 6), held by the campus organisation and
-- edited at /beheer/diplomas: two broad diplomas and one per domain of the
-- Domeinbeschrijvingen (migration 0005 seeded the domains). Points in
-- tenths. Keep in step with migrations/sqlite/0012_diplomas.sql. See
-- docs/internals/diploma.md.

INSERT INTO diploma_rules (slug, name, description, min_points_tenths, period_months, for_kind, created_at, updated_at)
VALUES ('nascholing-bibliothecaris', 'Nascholing Bibliothecaris', 'Voor wie al in een bibliotheek werkt: 40 punten erkende nascholing in de laatste twee jaar.', 400, 24, 'employee', CAST(extract(epoch FROM now()) AS BIGINT), CAST(extract(epoch FROM now()) AS BIGINT));
INSERT INTO diploma_rules (slug, name, description, min_points_tenths, period_months, for_kind, created_at, updated_at)
VALUES ('branche-opleiding-bibliothecaris', 'Branche-opleiding Bibliothecaris', 'De brede opleiding van de branche: 100 punten erkende scholing, waarvan in elk van de drie domeinen ten minste 15.', 1000, 0, 'all', CAST(extract(epoch FROM now()) AS BIGINT), CAST(extract(epoch FROM now()) AS BIGINT));
INSERT INTO diploma_rule_domains (rule_id, domain_id, min_points_tenths)
SELECT r.id, d.id, 150 FROM diploma_rules r, tax_domains d WHERE r.slug = 'branche-opleiding-bibliothecaris' AND d.slug = 'maatschappelijk-educatieve-bibliothecaris';
INSERT INTO diploma_rule_domains (rule_id, domain_id, min_points_tenths)
SELECT r.id, d.id, 150 FROM diploma_rules r, tax_domains d WHERE r.slug = 'branche-opleiding-bibliothecaris' AND d.slug = 'informatie-dienstverlenende-bibliothecaris';
INSERT INTO diploma_rule_domains (rule_id, domain_id, min_points_tenths)
SELECT r.id, d.id, 150 FROM diploma_rules r, tax_domains d WHERE r.slug = 'branche-opleiding-bibliothecaris' AND d.slug = 'community-librarian';
INSERT INTO diploma_rules (slug, name, description, min_points_tenths, period_months, for_kind, created_at, updated_at)
VALUES ('maatschappelijk-educatieve-bibliothecaris', 'Maatschappelijk-educatieve bibliothecaris', 'Domeindiploma: 60 punten erkende scholing in de laatste drie jaar, waarvan ten minste 40 in het domein Maatschappelijk-educatieve bibliothecaris.', 600, 36, 'all', CAST(extract(epoch FROM now()) AS BIGINT), CAST(extract(epoch FROM now()) AS BIGINT));
INSERT INTO diploma_rule_domains (rule_id, domain_id, min_points_tenths)
SELECT r.id, d.id, 400 FROM diploma_rules r, tax_domains d WHERE r.slug = 'maatschappelijk-educatieve-bibliothecaris' AND d.slug = 'maatschappelijk-educatieve-bibliothecaris';
INSERT INTO diploma_rules (slug, name, description, min_points_tenths, period_months, for_kind, created_at, updated_at)
VALUES ('community-librarian', 'Community librarian', 'Domeindiploma: 60 punten erkende scholing in de laatste drie jaar, waarvan ten minste 40 in het domein Community librarian.', 600, 36, 'all', CAST(extract(epoch FROM now()) AS BIGINT), CAST(extract(epoch FROM now()) AS BIGINT));
INSERT INTO diploma_rule_domains (rule_id, domain_id, min_points_tenths)
SELECT r.id, d.id, 400 FROM diploma_rules r, tax_domains d WHERE r.slug = 'community-librarian' AND d.slug = 'community-librarian';
INSERT INTO diploma_rules (slug, name, description, min_points_tenths, period_months, for_kind, created_at, updated_at)
VALUES ('informatie-dienstverlenende-bibliothecaris', 'Informatie-dienstverlenende bibliothecaris', 'Domeindiploma: 60 punten erkende scholing in de laatste drie jaar, waarvan ten minste 40 in het domein Informatie-dienstverlenende bibliothecaris.', 600, 36, 'all', CAST(extract(epoch FROM now()) AS BIGINT), CAST(extract(epoch FROM now()) AS BIGINT));
INSERT INTO diploma_rule_domains (rule_id, domain_id, min_points_tenths)
SELECT r.id, d.id, 400 FROM diploma_rules r, tax_domains d WHERE r.slug = 'informatie-dienstverlenende-bibliothecaris' AND d.slug = 'informatie-dienstverlenende-bibliothecaris';
-- The diplomas of one rule, newest first (/beheer/diplomas/:id); the
-- UNIQUE (person_id, rule_id) index serves lookups by person.
CREATE INDEX credentials_rule ON credentials (rule_id, issued_at);
