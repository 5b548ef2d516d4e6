-- How many are on an edition's waitlist, kept with every move onto or off it
-- (enrol.c: transition, create and a batch's run), so that an enrolment and
-- the lists of editions read one number instead of counting the waitlist:
-- at the end of the enrolment storm that count walked 4,500 rows per batch.
-- Keep in step with the other dialect's 0015_edition_waiting.sql.
ALTER TABLE editions ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0 CHECK (waiting >= 0);
UPDATE editions SET waiting = (SELECT COUNT(*) FROM enrolments x
  WHERE x.edition_id = editions.id AND x.state = 'waitlisted');
