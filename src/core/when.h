/* Dates and times as people in the Netherlands read them: Europe/Amsterdam
 * (CET, CEST from the last Sunday of March to the last Sunday of October,
 * switching at 01:00 UTC), computed here rather than through TZ and
 * localtime(), which read the environment and are not for threads.
 * Storage stays UTC epoch seconds; this is only for forms and text. Right
 * for instants from 1996 on, when the EU rule began. */
#ifndef CAMPUS_CORE_WHEN_H
#define CAMPUS_CORE_WHEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

struct when_local {
	int year, month, day; /* month 1..12 */
	int hour, minute;
	int weekday;          /* 0 Sunday .. 6 Saturday */
};

/* Seconds to add to UTC for Amsterdam at instant t (3600 or 7200). */
int when_utc_offset(int64_t t);
void when_to_local(int64_t t, struct when_local *out);
/* The instant of a wall-clock time in Amsterdam; false for a date or time
 * that does not exist (31 April, 25:00). In the hour that repeats in
 * October the first (summer) one is taken; in the hour skipped in March the
 * clock is read as winter time. */
bool when_from_local(int year, int month, int day, int hour, int minute, int64_t *out);

/* "2027-01-12" and "10:00" as form fields give and want them. */
bool when_parse_date(const char *s, int *year, int *month, int *day);
bool when_parse_time(const char *s, int *hour, int *minute);
/* Both together: the instant, false when either is malformed. */
bool when_parse(const char *date, const char *time, int64_t *out);

enum when_style {
	WHEN_DATE,      /* "dinsdag 12 januari 2027" */
	WHEN_DATE_TIME, /* "dinsdag 12 januari 2027, 10:00" */
	WHEN_SHORT,     /* "di 12 jan 2027" */
	WHEN_SHORT_TIME, /* "di 12 jan 2027 10:00" */
	WHEN_TIME,      /* "10:00" */
	WHEN_ISO_DATE,  /* "2027-01-12" (local) */
	WHEN_LONG_DATE, /* "12 januari 2027": certificates and diplomas */
};
/* t as text in lang ("nl", else English), in the arena; "" for t == 0. */
const char *when_text(struct arena *a, int64_t t, const char *lang, enum when_style style);

#endif
