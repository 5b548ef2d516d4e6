-- Test modules for bench/search.sh until the demo catalogue (src/domain/demo_catalog.c)
-- lands: N modules (bench sets the row count in gen) with Dutch titles, summaries and
-- descriptions made from the sector's topics, spread over providers, formats, levels,
-- prices, provinces and the taxonomy; one in ten is a library's own module. Run with
-- the sqlite3 shell on a demo database, then `campus search reindex`.
CREATE TEMP TABLE words (kind TEXT, k INTEGER, w TEXT, PRIMARY KEY (kind, k));
INSERT INTO words SELECT 'topic', key, value FROM json_each('["voorlezen","leesbevordering","mediawijsheid","digitale vaardigheden","laaggeletterdheid","vrijwilligers begeleiden","de Bibliotheek op school","taalontwikkeling van jonge kinderen","klantgericht werken","informatievaardigheden","digitale overheid","privacy en veilig online","collectiebeleid","programmeren van activiteiten","community building","gespreksvoering","samenwerken met het onderwijs","ouderbetrokkenheid","bronnenkritiek","het Taalhuis","projectmatig werken","stakeholders betrekken","presenteren","schrijven voor het web","jeugdliteratuur","voorleesexpress","boekstart","dBos-monitor","zoekvaardigheden","ontsluiten en presenteren van informatie"]');
INSERT INTO words SELECT 'kind', key, value FROM json_each('["Basiscursus","Verdieping","Training","Workshop","Masterclass","Webinar","Leergang","Intervisie"]');
INSERT INTO words SELECT 'suffix', key, value FROM json_each('["voor beginners","in de praktijk","voor leesconsulenten","met vrijwilligers","voor publieksmedewerkers","voor coördinatoren","in de wijk","op afstand","voor gevorderden","in het onderwijs"]');
INSERT INTO words SELECT 'province', key, value FROM json_each('["Groningen","Friesland","Drenthe","Overijssel","Flevoland","Gelderland","Utrecht","Noord-Holland","Zuid-Holland","Zeeland","Noord-Brabant","Limburg",""]');
INSERT INTO words SELECT 'place', key, value FROM json_each('["Groningen","Leeuwarden","Assen","Zwolle","Lelystad","Arnhem","Utrecht","Haarlem","Den Haag","Middelburg","Tilburg","Maastricht",""]');

CREATE TEMP TABLE gen (i INTEGER PRIMARY KEY);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT value FROM temp.settings))
INSERT INTO gen SELECT i FROM n;

CREATE TEMP TABLE prov (r INTEGER PRIMARY KEY, id INTEGER);
INSERT INTO prov SELECT row_number() OVER (ORDER BY id) - 1, id FROM organisations WHERE kind = 'provider';
CREATE TEMP TABLE lib (r INTEGER PRIMARY KEY, id INTEGER);
INSERT INTO lib SELECT row_number() OVER (ORDER BY id) - 1, id FROM organisations WHERE kind = 'library';
INSERT INTO modules (provider_id, local_org_id, created_at, updated_at)
SELECT CASE WHEN gen.i % 10 = 0 THEN lib.id ELSE prov.id END,
       CASE WHEN gen.i % 10 = 0 THEN lib.id END, 1790000000 + gen.i, 1790000000 + gen.i
FROM gen
JOIN prov ON prov.r = gen.i % (SELECT count(*) FROM prov)
JOIN lib ON lib.r = (gen.i * 7) % (SELECT count(*) FROM lib)
ORDER BY gen.i;

CREATE TEMP TABLE fresh (module_id INTEGER PRIMARY KEY, i INTEGER NOT NULL UNIQUE);
INSERT INTO fresh SELECT m.id, row_number() OVER (ORDER BY m.id) FROM modules m
WHERE m.working_version_id IS NULL;

CREATE TEMP TABLE parts AS SELECT f.module_id, f.i,
  (SELECT w FROM words WHERE kind = 'kind' AND k = f.i % 8) AS kw,
  (SELECT w FROM words WHERE kind = 'topic' AND k = f.i % 30) AS t1,
  (SELECT w FROM words WHERE kind = 'topic' AND k = (f.i * 7 + 3) % 30) AS t2,
  (SELECT w FROM words WHERE kind = 'topic' AND k = (f.i * 13 + 5) % 30) AS t3,
  (SELECT w FROM words WHERE kind = 'suffix' AND k = (f.i / 8) % 10) AS sx,
  (SELECT w FROM words WHERE kind = 'place' AND k = f.i % 13) AS pl,
  (SELECT w FROM words WHERE kind = 'province' AND k = f.i % 13) AS pr
FROM fresh f;
INSERT INTO module_versions (module_id, number, state, title, summary, description, goals, level,
  format, load_tenths, language, price_cents, vat, audience, place, province, points_tenths,
  recognised_at, created_at, updated_at)
SELECT module_id, 1, CASE WHEN i % 3 = 0 THEN 'draft' ELSE 'recognised' END,
  kw || ' ' || t1 || ' ' || sx,
  'In deze ' || lower(kw) || ' werk je aan ' || t1 || ' en ' || t2 || '.',
  'Je leert hoe je ' || t1 || ' aanpakt in de bibliotheek. We besteden aandacht aan ' || t2 ||
  ', aan ' || t3 || ' en aan wat collega''s in andere bibliotheken doen. Met opdrachten voor je eigen werkplek.',
  'Je kunt ' || t1 || ' toepassen.' || char(10) || 'Je kent de rol van ' || t2 || '.',
  CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN 'uitvoerend' WHEN 2 THEN 'tactisch' ELSE 'strategisch' END,
  CASE i % 5 WHEN 0 THEN 'elearning' WHEN 1 THEN 'online_live' WHEN 2 THEN 'blended' ELSE 'classroom' END,
  10 + (i % 40) * 5, CASE WHEN i % 25 = 0 THEN 'en' ELSE 'nl' END,
  CASE WHEN i % 4 = 0 THEN 0 ELSE 2500 * (1 + i % 12) END, 'crkbo', 'both', pl, pr,
  CASE WHEN i % 3 = 0 THEN NULL ELSE 5 * (1 + i % 30) END,
  CASE WHEN i % 3 = 0 THEN NULL ELSE 1790000000 END,
  1790000000 + i, 1790000000 + i
FROM parts ORDER BY i;

UPDATE modules SET working_version_id = v.id, published_version_id = v.id,
  recognised_version_id = CASE WHEN v.state = 'recognised' THEN v.id END
FROM module_versions v WHERE v.module_id = modules.id AND modules.working_version_id IS NULL;

-- One competency (and its role and domain) per module, a second competency for half.
CREATE TEMP TABLE comp (id INTEGER PRIMARY KEY, role_id INTEGER, domain_id INTEGER, r INTEGER UNIQUE);
INSERT INTO comp SELECT c.id, c.role_id, r.domain_id, row_number() OVER (ORDER BY c.id) - 1
FROM tax_competencies c JOIN tax_roles r ON r.id = c.role_id;
INSERT OR IGNORE INTO module_version_tags (version_id, kind, tag_id)
SELECT v.id, 'competency', c.id FROM module_versions v JOIN fresh f ON f.module_id = v.module_id
JOIN comp c ON c.r = f.i % (SELECT count(*) FROM comp);
INSERT OR IGNORE INTO module_version_tags (version_id, kind, tag_id)
SELECT v.id, 'competency', c.id FROM module_versions v JOIN fresh f ON f.module_id = v.module_id
JOIN comp c ON c.r = (f.i * 11) % (SELECT count(*) FROM comp) WHERE f.i % 2 = 0;
INSERT OR IGNORE INTO module_version_tags (version_id, kind, tag_id)
SELECT DISTINCT t.version_id, 'role', c.role_id FROM module_version_tags t JOIN comp c ON c.id = t.tag_id
WHERE t.kind = 'competency';
INSERT OR IGNORE INTO module_version_tags (version_id, kind, tag_id)
SELECT DISTINCT t.version_id, 'domain', c.domain_id FROM module_version_tags t JOIN comp c ON c.id = t.tag_id
WHERE t.kind = 'competency';
