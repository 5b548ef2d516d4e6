-- The domains of an earlier recognition period (0013): a re-review may
-- recognise a version under other domains, and a completion registered late
-- for a date in the earlier period earns its points in the domains
-- recognised then (progress.c). Periods kept before this table existed get
-- their version's domains as they are now, the best that is known of them.
-- Keep in step with the other dialect's 0014_recognition_history_domains.sql.
CREATE TABLE module_recognition_history_domains (
  history_id INTEGER NOT NULL REFERENCES module_recognition_history (id),
  domain_id INTEGER NOT NULL REFERENCES tax_domains (id),
  PRIMARY KEY (history_id, domain_id)
) STRICT;
INSERT INTO module_recognition_history_domains (history_id, domain_id)
SELECT h.id, t.tag_id FROM module_recognition_history h
JOIN module_version_tags t ON t.version_id = h.version_id AND t.kind = 'domain';
