/* Dutch wall-clock time for forms and pages. The domain keeps epoch seconds
 * (UTC); people type and read the time in the Netherlands. The EU rule
 * (summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
 * last Sunday of October, in force since 1996) is computed here instead of
 * switching TZ with setenv/tzset, which is not safe in a threaded server. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/web.h"

/* 01:00 UTC on the last Sunday of month (0-based) of year. */
static int64_t last_sunday_utc(int year, int month)
{
	struct tm tm = {.tm_year = year - 1900, .tm_mon = month + 1, .tm_mday = 1, .tm_hour = 1};
	int64_t first_of_next = (int64_t)timegm(&tm);
	struct tm check;
	time_t t = (time_t)(first_of_next - 86400);
	gmtime_r(&t, &check); /* the month's last day */
	return first_of_next - 86400 - (int64_t)check.tm_wday * 86400;
}

static bool summer(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	int year = tm.tm_year + 1900;
	return t >= last_sunday_utc(year, 2) && t < last_sunday_utc(year, 9);
}

void local_time_tm(int64_t t, struct tm *out)
{
	bool dst = summer(t);
	time_t tt = (time_t)(t + (dst ? 7200 : 3600));
	gmtime_r(&tt, out);
	out->tm_isdst = dst;
}

void local_time_split(int64_t t, char date[11], char hm[6])
{
	struct tm tm;
	local_time_tm(t, &tm);
	/* Fields in range by construction; the casts tell the compiler so. */
	snprintf(date, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
	         (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
	snprintf(hm, 6, "%02u:%02u", (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u);
}

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool local_time_parse(const char *date, const char *hm, int64_t *out)
{
	int y, m, d, h = 0, mi = 0;
	if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-' || !digits(date, 4, &y) ||
	    !digits(date + 5, 2, &m) || !digits(date + 8, 2, &d))
		return false;
	if (hm) {
		/* "9:30", "09:30" or "09:30:00" (some browsers send seconds). */
		const char *colon = strchr(hm, ':');
		size_t hl = colon ? (size_t)(colon - hm) : 0;
		int sec;
		if (hl < 1 || hl > 2 || !digits(hm, hl, &h) || strlen(colon + 1) < 2 ||
		    !digits(colon + 1, 2, &mi) ||
		    (colon[3] && (colon[3] != ':' || strlen(colon + 4) != 2 || !digits(colon + 4, 2, &sec))))
			return false;
	}
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
	int64_t wall = (int64_t)timegm(&tm);
	struct tm back;
	time_t tt = (time_t)wall;
	gmtime_r(&tt, &back);
	if (back.tm_mday != d || back.tm_mon != m - 1)
		return false; /* 31 April */
	/* Summer time if that reading is consistent; else winter time. A time
	 * in the spring gap comes out an hour later, the autumn repeat as summer. */
	*out = summer(wall - 7200) ? wall - 7200 : wall - 3600;
	return true;
}

bool local_datetime_parse(const char *text, int64_t *out)
{
	if (!text || strlen(text) < 16 || (text[10] != 'T' && text[10] != ' '))
		return false;
	char date[11];
	memcpy(date, text, 10);
	date[10] = '\0';
	return local_time_parse(date, text + 11, out);
}
