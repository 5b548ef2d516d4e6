/* Europe/Amsterdam by the EU rule (Directive 2000/84/EC): summer time from
 * 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
 * October. Day arithmetic after Howard Hinnant's civil-date algorithms. */
#include "core/when.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"

#define DAY 86400

/* Days since 1970-01-01 of a civil date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 01:00 UTC on the last Sunday of the month. */
static int64_t last_sunday_0100(int year, int month)
{
	int64_t last = days_from_civil(year, month + 1, 1) - 1; /* month < 12 here */
	int64_t wday = (last + 4) % 7;                          /* 1970-01-01 was a Thursday */
	if (wday < 0)
		wday += 7;
	return (last - wday) * DAY + 3600;
}

int when_utc_offset(int64_t t)
{
	int y, m, d;
	int64_t days = t >= 0 ? t / DAY : (t - DAY + 1) / DAY;
	civil_from_days(days, &y, &m, &d);
	return t >= last_sunday_0100(y, 3) && t < last_sunday_0100(y, 10) ? 7200 : 3600;
}

void when_to_local(int64_t t, struct when_local *out)
{
	int64_t l = t + when_utc_offset(t);
	int64_t days = l >= 0 ? l / DAY : (l - DAY + 1) / DAY;
	int64_t secs = l - days * DAY;
	civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(secs / 3600);
	out->minute = (int)(secs % 3600 / 60);
	int64_t w = (days + 4) % 7;
	out->weekday = (int)(w < 0 ? w + 7 : w);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : n[m - 1];
}

bool when_from_local(int year, int month, int day, int hour, int minute, int64_t *out)
{
	if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > month_days(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59)
		return false;
	int64_t wall = days_from_civil(year, month, day) * DAY + hour * 3600 + minute * 60;
	/* Try summer time first, then winter time; keep the one that reads back. */
	int64_t summer = wall - 7200;
	*out = when_utc_offset(summer) == 7200 ? summer : wall - 3600;
	return true;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool when_parse_date(const char *s, int *year, int *month, int *day)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) ||
	    !digits(s + 5, 2) || !digits(s + 8, 2))
		return false;
	*year = num(s, 4);
	*month = num(s + 5, 2);
	*day = num(s + 8, 2);
	return *year >= 1970 && *month >= 1 && *month <= 12 && *day >= 1 &&
	       *day <= month_days(*year, *month);
}

bool when_parse_time(const char *s, int *hour, int *minute)
{
	/* Browsers send "10:00" or, with seconds, "10:00:00". */
	size_t n = s ? strlen(s) : 0;
	if ((n != 5 && n != 8) || s[2] != ':' || !digits(s, 2) || !digits(s + 3, 2) ||
	    (n == 8 && (s[5] != ':' || !digits(s + 6, 2))))
		return false;
	*hour = num(s, 2);
	*minute = num(s + 3, 2);
	return *hour <= 23 && *minute <= 59;
}

bool when_parse(const char *date, const char *time, int64_t *out)
{
	int y, mo, d, h, mi;
	return when_parse_date(date, &y, &mo, &d) && when_parse_time(time, &h, &mi) &&
	       when_from_local(y, mo, d, h, mi, out);
}

static const char *const nl_days[7] = {"zondag",   "maandag", "dinsdag", "woensdag",
                                       "donderdag", "vrijdag", "zaterdag"};
static const char *const en_days[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
static const char *const nl_months[12] = {"januari", "februari", "maart",     "april",
                                          "mei",     "juni",     "juli",      "augustus",
                                          "september", "oktober", "november", "december"};
static const char *const en_months[12] = {"January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December"};

const char *when_text(struct arena *a, int64_t t, const char *lang, enum when_style style)
{
	if (!t)
		return "";
	struct when_local l;
	when_to_local(t, &l);
	bool nl = !lang || strcmp(lang, "en") != 0;
	const char *day = (nl ? nl_days : en_days)[l.weekday];
	const char *month = (nl ? nl_months : en_months)[l.month - 1];
	const char *s = NULL;
	switch (style) {
	case WHEN_DATE:
		s = arena_printf(a, "%s %d %s %d", day, l.day, month, l.year);
		break;
	case WHEN_DATE_TIME:
		s = arena_printf(a, "%s %d %s %d, %02d:%02d", day, l.day, month, l.year, l.hour,
		                 l.minute);
		break;
	case WHEN_SHORT:
		s = arena_printf(a, "%.2s %d %.3s %d", day, l.day, month, l.year);
		break;
	case WHEN_SHORT_TIME:
		s = arena_printf(a, "%.2s %d %.3s %d %02d:%02d", day, l.day, month, l.year, l.hour,
		                 l.minute);
		break;
	case WHEN_TIME:
		s = arena_printf(a, "%02d:%02d", l.hour, l.minute);
		break;
	case WHEN_ISO_DATE:
		s = arena_printf(a, "%04d-%02d-%02d", l.year, l.month, l.day);
		break;
	case WHEN_LONG_DATE:
		s = arena_printf(a, "%d %s %d", l.day, month, l.year);
		break;
	}
	return s ? s : "";
}
