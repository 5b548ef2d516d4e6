/* The annual PE norm (R10): the sector default (campus organisation's row in
 * pe_norms, advised or mandatory), which a library may raise; separate norms
 * for employees and volunteers; pro rata for people who join during the
 * year; a status per person (met, on track, behind) and a library view;
 * reminders to learner and manager before the year ends.
 * See docs/internals/norm.md. */
#ifndef CAMPUS_DOMAIN_NORM_H
#define CAMPUS_DOMAIN_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

enum norm_state { NORM_NONE, NORM_MET, NORM_ON_TRACK, NORM_BEHIND };

struct norm_status {
	int year;
	int64_t org_id;                /* the library whose norm applies */
	const char *member_kind;       /* "employee" or "volunteer" */
	int64_t required_tenths;       /* after pro rata */
	int64_t earned_tenths;         /* pe plus study up to the norm's cap */
	bool mandatory;
	enum norm_state state;
};
/* person_id's status for year at each library they are a member of that
 * year (for the dossier). The caller has checked the actor may see the
 * person. */
int norm_status_for(struct ctx *ctx, int64_t person_id, int year, struct norm_status **out,
                    size_t *n);
/* Dutch msgid for a state ("Gehaald", "Op schema", "Achter", "Geen norm"). */
const char *norm_state_label(enum norm_state s);


/* ---- the norms themselves ---- */

#define NORM_POINTS_MAX_TENTHS 10000 /* 1,000 points a year: more is a typo */

/* A row of pe_norms: the sector default (the campus organisation's) or a
 * library's own. set false: no such row (the numbers are 0). */
struct norm {
	int year;
	const char *member_kind;
	int64_t points_tenths;
	int64_t study_max_tenths; /* study points that count, at most */
	bool mandatory;
	bool set;
	int64_t updated_at;
};

/* The sector default for year and kind ("employee", "volunteer"). Anyone. */
int norm_sector_get(struct ctx *ctx, int year, const char *member_kind, struct norm *out);
/* A library's own norm (managers of the library, campus administrators). */
int norm_org_get(struct ctx *ctx, int64_t org_id, int year, const char *member_kind,
                 struct norm *out);
/* The norm that applies at org_id: its own when that is at least the
 * sector's (norm_not_below), else the sector's; mandatory when either is. */
int norm_effective(struct ctx *ctx, int64_t org_id, int year, const char *member_kind,
                   struct norm *out);

/* Sets the sector default (campus administrators). Only this year and the
 * next: a past year's norm is history. Audited. */
int norm_sector_set(struct ctx *ctx, int year, const char *member_kind, int64_t points_tenths,
                    int64_t study_max_tenths, bool mandatory, const char **why);
/* Sets a library's own norm (its managers, campus administrators). Refused
 * (CAMPUS_EINVAL, *why) below the sector's: fewer points, fewer recognised
 * points (points - study_max), or advised where the sector's is mandatory.
 * Audited. */
int norm_org_set(struct ctx *ctx, int64_t org_id, int year, const char *member_kind,
                 int64_t points_tenths, int64_t study_max_tenths, bool mandatory,
                 const char **why);
/* Drops a library's own norm: the sector's applies again. Audited. */
int norm_org_clear(struct ctx *ctx, int64_t org_id, int year, const char *member_kind,
                   const char **why);
/* Whether norm l asks at least what s asks: everyone who meets l meets s. */
bool norm_not_below(int64_t l_points, int64_t l_study_max, int64_t s_points,
                    int64_t s_study_max);

/* ---- the arithmetic (pure, for the reports and the tests) ---- */

/* Whole calendar months (Amsterdam) of year inside [started_at, ended_at)
 * (ended_at 0: still a member), 0..12, and the span they cover. */
int norm_months(int year, int64_t started_at, int64_t ended_at, int64_t *from, int64_t *until);
/* points_tenths x months / 12, rounded to the nearest tenth. */
int64_t norm_pro_rata(int64_t points_tenths, int months);
/* pe plus study up to study_max (a negative study balance counts as is). */
int64_t norm_earned(int64_t pe_tenths, int64_t study_tenths, int64_t study_max_tenths);
/* Met: earned >= required; on track: earned >= required x the part of
 * [from, until) that has passed at now; else behind. NORM_NONE when
 * nothing is required. */
enum norm_state norm_state_at(int64_t required_tenths, int64_t earned_tenths, int64_t from,
                              int64_t until, int64_t now);

/* ---- a library's view, the sector report ---- */

struct norm_counts {
	int64_t members, met, on_track, behind, none;
};

struct norm_person {
	int64_t person_id;
	const char *name, *member_kind;
	int months;                    /* of the year counted (pro rata) */
	int64_t norm_tenths;           /* the full year's norm */
	int64_t required_tenths;       /* after pro rata */
	int64_t pe_tenths, study_tenths; /* earned during the membership, net */
	int64_t earned_tenths;         /* what counts */
	bool mandatory;
	enum norm_state state;
};
/* Everyone who is an employee or volunteer of org_id during year, with
 * points earned while a member; by name. Managers of the library and campus
 * administrators. */
int norm_org_people(struct ctx *ctx, int64_t org_id, int year, struct norm_person **out,
                    size_t *n, struct norm_counts *totals);

struct norm_org_counts {
	int64_t org_id;
	const char *name, *slug;
	struct norm_counts c;
};
/* Every library's (and POI's) counts for year, by name, and the sector's
 * totals: one grouped query over the ledger. Campus administrators and the
 * system. */
int norm_sector_report(struct ctx *ctx, int year, struct norm_org_counts **out, size_t *n,
                       struct norm_counts *totals);

/* ---- reminders ---- */

struct norm_tick_counts {
	unsigned learners, managers; /* messages sent */
};
/* From 1 October, and again from 1 December: every person behind on a norm
 * gets one message (e-mail and on screen), each library's managers one
 * summary; norm_reminders keeps each to once per round. System actor. */
int norm_tick(struct ctx *ctx, struct norm_tick_counts *c);
/* For the server's ticker: norm_tick every 15 minutes (the first 15
 * minutes after the server starts), logged. */
void norm_tick_from_server(struct ctx *ctx);

#endif
