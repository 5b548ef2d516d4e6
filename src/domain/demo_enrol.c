/* The demo's editions and enrolments: what the providers and libraries of
 * the demo sector planned over the past three years and the coming year,
 * and what their people did with it.
 *
 * It runs inside demo.c's write transaction after the catalogue, reads the
 * organisations, memberships and published modules back in id order, and
 * draws everything from its own splitmix64 stream ("Enrolmnt" ^ seed), so
 * the people and the catalogue of a seed stay as they were.
 *
 * Per edition it first draws a plan: the meetings, the arrivals and, for
 * each arrival, every intention up front (how long the manager takes, whether
 * they refuse, whether and when the person cancels, how they answer an offer,
 * which meetings they attend). A deterministic simulation then plays the
 * state machine of enrol.h in time order up to `now`: approvals, seats,
 * waitlist, offers, the minimum-participants check, the start, attendance
 * and results. Because the simulation draws nothing, an edition can be
 * played again with a demo log-in added (to give the printed log-ins a
 * booking, a waitlist place, an offer and a request) and the result checked;
 * when the log-in does not end up where wanted the edition is played again
 * without them. Only then is anything written.
 *
 * Rows go out with explicit ids (the tables are empty; PostgreSQL's identity
 * sequences are moved on at the end), 2,000 at a time as one JSON parameter
 * of a fixed statement (json_array_elements on PostgreSQL, json_each on
 * SQLite): a round trip per row would take a minute on PostgreSQL for the
 * ~450,000 rows, and on SQLite it is no faster than the batches. */
#include "domain/demo_enrol.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"

#define DAY 86400
#define HOUR 3600
#define YEAR (365 * (int64_t)DAY)
#define NEVER INT64_MAX
#define MAX_ARR 200 /* arrivals per edition */
#define MAX_MEET 4  /* meetings per classroom edition */
#define MAX_EV 1600 /* events per edition */
#define MAX_YEARS 8 /* budget years */
#define BATCH_ROWS 2000
#define UTRECHT "bibliotheek-utrecht"

/* ---- reading ---------------------------------------------------------------------- */

DB_STMT(stmt_de_orgs,
        "SELECT id, kind, name, slug, place, province FROM organisations ORDER BY id");
DB_STMT(stmt_de_members,
        "SELECT person_id, org_id, kind, roles FROM memberships ORDER BY org_id, person_id");
DB_STMT(stmt_de_modules,
        "SELECT m.id, m.provider_id, COALESCE(m.local_org_id, 0), v.format, v.load_tenths,"
        " v.price_cents, v.audience, v.province FROM modules m"
        " JOIN module_versions v ON v.id = m.published_version_id ORDER BY m.id");
/* SQLite: the build's one transaction touches ~50 MB; with the default
 * 2 MB page cache it spills to the WAL over and over (seconds of system
 * time). A bigger cache for this connection during the build, then the
 * default again. */
DB_STMT2(stmt_de_cache_big, "SELECT 1", "PRAGMA cache_size = -131072");
DB_STMT2(stmt_de_cache_default, "SELECT 1", "PRAGMA cache_size = -2000");
DB_STMT(stmt_de_person, "SELECT id FROM people WHERE email = $1");
DB_STMT(stmt_de_max_ids, "SELECT (SELECT COALESCE(MAX(id), 0) FROM editions),"
                         " (SELECT COALESCE(MAX(id), 0) FROM edition_meetings),"
                         " (SELECT COALESCE(MAX(id), 0) FROM edition_reservations),"
                         " (SELECT COALESCE(MAX(id), 0) FROM enrolments),"
                         " (SELECT COALESCE(MAX(id), 0) FROM enrolment_events)");
/* The identity sequences past the ids written here (setval ignores NULL). */
DB_STMT2(stmt_de_sequences,
         "SELECT setval(pg_get_serial_sequence('editions', 'id'), (SELECT MAX(id) FROM editions)),"
         " setval(pg_get_serial_sequence('edition_meetings', 'id'),"
         " (SELECT MAX(id) FROM edition_meetings)),"
         " setval(pg_get_serial_sequence('edition_reservations', 'id'),"
         " (SELECT MAX(id) FROM edition_reservations)),"
         " setval(pg_get_serial_sequence('enrolments', 'id'), (SELECT MAX(id) FROM enrolments)),"
         " setval(pg_get_serial_sequence('enrolment_events', 'id'),"
         " (SELECT MAX(id) FROM enrolment_events))",
         "SELECT 1");

/* ---- writing: a few thousand rows per statement, as one JSON parameter ------------- */

DB_STMT2(stmt_de_edition_batch,
         "INSERT INTO editions (id, module_id, provider_id, code, always_open, capacity,"
         " min_participants, enrol_opens_at, enrol_closes_at, cancel_until, price_cents,"
         " offer_hours, place, online_url, notes, seats_taken, waitlist_seq, starts_at, ends_at,"
         " cancelled_at, cancel_reason, created_by, created_at, updated_at)"
         " OVERRIDING SYSTEM VALUE SELECT (r->>0)::bigint, (r->>1)::bigint, (r->>2)::bigint,"
         " r->>3, (r->>4)::boolean, (r->>5)::bigint, (r->>6)::bigint, (r->>7)::bigint,"
         " (r->>8)::bigint, (r->>9)::bigint, (r->>10)::bigint, (r->>11)::bigint, r->>12, r->>13,"
         " r->>14, (r->>15)::bigint, (r->>16)::bigint, (r->>17)::bigint, (r->>18)::bigint,"
         " (r->>19)::bigint, r->>20, (r->>21)::bigint, (r->>22)::bigint, (r->>23)::bigint"
         " FROM json_array_elements($1::json) AS r",
         "INSERT INTO editions (id, module_id, provider_id, code, always_open, capacity,"
         " min_participants, enrol_opens_at, enrol_closes_at, cancel_until, price_cents,"
         " offer_hours, place, online_url, notes, seats_taken, waitlist_seq, starts_at, ends_at,"
         " cancelled_at, cancel_reason, created_by, created_at, updated_at)"
         " SELECT r.value->>0, r.value->>1, r.value->>2,"
         " r.value->>3, r.value->>4, r.value->>5, r.value->>6, r.value->>7,"
         " r.value->>8, r.value->>9, r.value->>10, r.value->>11, r.value->>12, r.value->>13,"
         " r.value->>14, r.value->>15, r.value->>16, r.value->>17, r.value->>18,"
         " r.value->>19, r.value->>20, r.value->>21, r.value->>22, r.value->>23"
         " FROM json_each($1) AS r");
DB_STMT2(stmt_de_meeting_batch,
         "INSERT INTO edition_meetings (id, edition_id, starts_at, ends_at, place, online_url)"
         " OVERRIDING SYSTEM VALUE SELECT (r->>0)::bigint, (r->>1)::bigint, (r->>2)::bigint,"
         " (r->>3)::bigint, r->>4, r->>5 FROM json_array_elements($1::json) AS r",
         "INSERT INTO edition_meetings (id, edition_id, starts_at, ends_at, place, online_url)"
         " SELECT r.value->>0, r.value->>1, r.value->>2,"
         " r.value->>3, r.value->>4, r.value->>5 FROM json_each($1) AS r");
DB_STMT2(stmt_de_teacher_batch,
         "INSERT INTO edition_teachers (edition_id, person_id) SELECT (r->>0)::bigint,"
         " (r->>1)::bigint FROM json_array_elements($1::json) AS r",
         "INSERT INTO edition_teachers (edition_id, person_id) SELECT r.value->>0,"
         " r.value->>1 FROM json_each($1) AS r");
DB_STMT2(stmt_de_audience_batch,
         "INSERT INTO edition_audience_orgs (edition_id, org_id) SELECT (r->>0)::bigint,"
         " (r->>1)::bigint FROM json_array_elements($1::json) AS r",
         "INSERT INTO edition_audience_orgs (edition_id, org_id) SELECT r.value->>0,"
         " r.value->>1 FROM json_each($1) AS r");
DB_STMT2(stmt_de_reservation_batch,
         "INSERT INTO edition_reservations (id, edition_id, org_id, seats, used, made_by,"
         " created_at) OVERRIDING SYSTEM VALUE SELECT (r->>0)::bigint, (r->>1)::bigint,"
         " (r->>2)::bigint, (r->>3)::bigint, (r->>4)::bigint, (r->>5)::bigint, (r->>6)::bigint"
         " FROM json_array_elements($1::json) AS r",
         "INSERT INTO edition_reservations (id, edition_id, org_id, seats, used, made_by,"
         " created_at) SELECT r.value->>0, r.value->>1,"
         " r.value->>2, r.value->>3, r.value->>4, r.value->>5, r.value->>6"
         " FROM json_each($1) AS r");
DB_STMT2(stmt_de_policy_batch,
         "INSERT INTO enrol_policies (org_id, approval, second_approver_id, budgets, remind_days,"
         " expire_days, updated_at) SELECT (r->>0)::bigint, r->>1, (r->>2)::bigint,"
         " (r->>3)::boolean, (r->>4)::bigint, (r->>5)::bigint, (r->>6)::bigint"
         " FROM json_array_elements($1::json) AS r",
         "INSERT INTO enrol_policies (org_id, approval, second_approver_id, budgets, remind_days,"
         " expire_days, updated_at) SELECT r.value->>0, r.value->>1, r.value->>2,"
         " r.value->>3, r.value->>4, r.value->>5, r.value->>6"
         " FROM json_each($1) AS r");
DB_STMT2(stmt_de_default_batch,
         "INSERT INTO budget_defaults (org_id, year, member_kind, amount_cents)"
         " SELECT (r->>0)::bigint, (r->>1)::bigint, r->>2, (r->>3)::bigint"
         " FROM json_array_elements($1::json) AS r",
         "INSERT INTO budget_defaults (org_id, year, member_kind, amount_cents)"
         " SELECT r.value->>0, r.value->>1, r.value->>2, r.value->>3"
         " FROM json_each($1) AS r");
DB_STMT2(stmt_de_enrolment_batch,
         "INSERT INTO enrolments (id, edition_id, person_id, org_id, state, approval_step,"
         " waitlist_pos, offer_expires_at, reservation_id, price_cents, budget_year, budget_state,"
         " grade, reason, requested_at, reminded_at, decided_at, enrolled_by, created_at,"
         " updated_at) OVERRIDING SYSTEM VALUE SELECT (r->>0)::bigint, (r->>1)::bigint,"
         " (r->>2)::bigint, (r->>3)::bigint, r->>4, (r->>5)::bigint, (r->>6)::bigint,"
         " (r->>7)::bigint, (r->>8)::bigint, (r->>9)::bigint, (r->>10)::bigint, r->>11, r->>12,"
         " r->>13, (r->>14)::bigint, (r->>15)::bigint, (r->>16)::bigint, (r->>17)::bigint,"
         " (r->>18)::bigint, (r->>19)::bigint FROM json_array_elements($1::json) AS r",
         "INSERT INTO enrolments (id, edition_id, person_id, org_id, state, approval_step,"
         " waitlist_pos, offer_expires_at, reservation_id, price_cents, budget_year, budget_state,"
         " grade, reason, requested_at, reminded_at, decided_at, enrolled_by, created_at,"
         " updated_at) SELECT r.value->>0, r.value->>1,"
         " r.value->>2, r.value->>3, r.value->>4, r.value->>5, r.value->>6,"
         " r.value->>7, r.value->>8, r.value->>9, r.value->>10, r.value->>11, r.value->>12,"
         " r.value->>13, r.value->>14, r.value->>15, r.value->>16, r.value->>17,"
         " r.value->>18, r.value->>19 FROM json_each($1) AS r");
DB_STMT2(stmt_de_event_batch,
         "INSERT INTO enrolment_events (id, enrolment_id, at, actor_id, from_state, to_state,"
         " reason) OVERRIDING SYSTEM VALUE SELECT (r->>0)::bigint, (r->>1)::bigint,"
         " (r->>2)::bigint, (r->>3)::bigint, r->>4, r->>5, r->>6"
         " FROM json_array_elements($1::json) AS r",
         "INSERT INTO enrolment_events (id, enrolment_id, at, actor_id, from_state, to_state,"
         " reason) SELECT r.value->>0, r.value->>1,"
         " r.value->>2, r.value->>3, r.value->>4, r.value->>5, r.value->>6"
         " FROM json_each($1) AS r");
DB_STMT2(stmt_de_attendance_batch,
         "INSERT INTO attendance (enrolment_id, meeting_id, present, method, registered_by,"
         " registered_at) SELECT (r->>0)::bigint, (r->>1)::bigint, (r->>2)::boolean, r->>3,"
         " (r->>4)::bigint, (r->>5)::bigint FROM json_array_elements($1::json) AS r",
         "INSERT INTO attendance (enrolment_id, meeting_id, present, method, registered_by,"
         " registered_at) SELECT r.value->>0, r.value->>1, r.value->>2, r.value->>3,"
         " r.value->>4, r.value->>5 FROM json_each($1) AS r");
DB_STMT2(stmt_de_account_batch,
         "INSERT INTO budget_accounts (org_id, person_id, year, amount_cents, reserved_cents,"
         " spent_cents, personal, updated_at) SELECT (r->>0)::bigint, (r->>1)::bigint,"
         " (r->>2)::bigint, (r->>3)::bigint, (r->>4)::bigint, (r->>5)::bigint,"
         " (r->>6)::boolean, (r->>7)::bigint FROM json_array_elements($1::json) AS r",
         "INSERT INTO budget_accounts (org_id, person_id, year, amount_cents, reserved_cents,"
         " spent_cents, personal, updated_at) SELECT r.value->>0, r.value->>1,"
         " r.value->>2, r.value->>3, r.value->>4, r.value->>5,"
         " r.value->>6, r.value->>7 FROM json_each($1) AS r");

/* Tables in foreign-key order: a batch is flushed only after those before it. */
enum {
	T_POLICY,
	T_DEFAULT,
	T_EDITION,
	T_MEETING,
	T_TEACHER,
	T_AUDIENCE,
	T_RESERVATION,
	T_ENROLMENT,
	T_EVENT,
	T_ATTENDANCE,
	T_ACCOUNT,
	T_COUNT
};

static struct db_stmt *const batch_stmts[T_COUNT] = {
    &stmt_de_policy_batch,      &stmt_de_default_batch,   &stmt_de_edition_batch,
    &stmt_de_meeting_batch,     &stmt_de_teacher_batch,   &stmt_de_audience_batch,
    &stmt_de_reservation_batch, &stmt_de_enrolment_batch, &stmt_de_event_batch,
    &stmt_de_attendance_batch,  &stmt_de_account_batch};

/* ---- random numbers (the generator of demo.c, another seed) ------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int64_t rng_span(struct rng *r, int64_t lo, int64_t hi) /* lo..hi, hi - lo < 2^32 */
{
	return hi <= lo ? lo : lo + (int64_t)rng_below(r, (uint32_t)(hi - lo + 1));
}

static bool rng_permille(struct rng *r, unsigned p)
{
	return rng_below(r, 1000) < p;
}

/* ---- dates: the Netherlands' local time (CET/CEST) ------------------------------------ */

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static unsigned weekday(int64_t z) /* 0 Sunday .. 6 Saturday */
{
	return (unsigned)(((z % 7) + 11) % 7);
}

/* Summer time from the last Sunday of March to the last Sunday of October. */
static bool summer_time(int y, unsigned m, unsigned d)
{
	if (m < 3 || m > 10)
		return false;
	if (m > 3 && m < 10)
		return true;
	int64_t last = days_from_civil(y, m, 31);
	unsigned last_sunday = 31 - weekday(last);
	return m == 3 ? d >= last_sunday : d < last_sunday;
}

/* Day z (days since 1970) at hh:mm in the Netherlands, as epoch seconds. */
static int64_t local_time(int64_t z, unsigned minutes)
{
	int y;
	unsigned m, d;
	civil_from_days(z, &y, &m, &d);
	int64_t offset = summer_time(y, m, d) ? 2 * HOUR : HOUR;
	return z * DAY + (int64_t)minutes * 60 - offset;
}

static int year_of(int64_t t)
{
	int y;
	unsigned m, d;
	civil_from_days((t + HOUR) / DAY, &y, &m, &d);
	return y;
}

/* ---- the sector as read back ------------------------------------------------------------ */

enum kind { K_EMPLOYEE, K_VOLUNTEER };
enum fmt { F_CLASSROOM, F_ONLINE, F_ELEARNING, F_BLENDED };
enum approval { A_NONE, A_COST, A_ALWAYS };
static const char *const approval_names[] = {"none", "cost", "always"};

struct org {
	int64_t id;
	const char *kind, *name, *slug, *place, *province;
	bool library, provider;
	int prov;          /* province index, -1 none */
	uint32_t *pool[2]; /* members (indices) by kind, demo log-ins left out */
	uint32_t npool[2];
	int64_t managers[3];
	unsigned nmanagers;
	int64_t teachers[24], admin;
	unsigned nteachers;
	char prefix[8];
	unsigned code_seq[MAX_YEARS], open_seq;
	/* policy */
	enum approval approval;
	bool policy, budgets;
	int64_t second; /* second approver, 0 none */
	int remind_days, expire_days;
	int64_t budget_default[2][MAX_YEARS];
};

struct member {
	int64_t person;
	uint32_t org;
	enum kind kind;
};

struct module {
	int64_t id, provider_id;
	uint32_t owner; /* org index: the provider or the library */
	bool local;
	enum fmt fmt;
	int64_t load, price;
	int audience; /* 0 employees, 1 volunteers, 2 both */
	int prov;
};

/* ---- one edition while it is planned and played ------------------------------------------ */

enum st {
	S_NONE,
	S_REQUESTED,
	S_REFUSED,
	S_EXPIRED,
	S_WAITLISTED,
	S_OFFERED,
	S_ENROLLED,
	S_CANCELLED,
	S_ATTENDED,
	S_NO_SHOW,
	S_COMPLETED,
	S_NOT_COMPLETED
};
static const char *const st_names[] = {"",           "requested", "refused",   "expired",
                                       "waitlisted", "offered",   "enrolled",  "cancelled",
                                       "attended",   "no_show",   "completed", "not_completed"};

enum next {
	N_NONE,
	N_ARRIVE,
	N_DECIDE1,
	N_DECIDE2,
	N_EXPIRE,
	N_CANCEL,
	N_ANSWER,
	N_LAPSE,
	N_COMPLETE
};
enum budget { B_NONE, B_RESERVED, B_SETTLED, B_RELEASED };
static const char *const budget_names[] = {NULL, "reserved", "settled", "released"};

struct arrival {
	uint32_t member;
	int64_t person, org_id;
	uint32_t org;
	enum kind kind;
	int script; /* index of the demo log-in's wish, -1 none */
	/* intentions, drawn up front */
	int64_t t_arrive;
	bool by_manager;
	int64_t d1, d2; /* decision delays; -1: nobody decides (the request expires) */
	bool refuse1, refuse2;
	bool over_budget_ok; /* the manager approves more than the budget left */
	int64_t t_cancel;    /* 0: stays */
	bool cancel_by_manager;
	unsigned cancel_reason, refuse_reason;
	int64_t answer; /* offer answered after this long; NEVER: lets it lapse */
	bool accept;
	bool no_show;
	unsigned presence; /* bit per meeting */
	bool completes;
	const char *grade;
	int64_t t_done; /* e-learning: finished after this long; 0 never */
	/* the play */
	enum st state;
	int step;
	int64_t pos, offer_expires, decided_at, reminded_at, updated_at, first_decision;
	int64_t t_remind; /* an open request is reminded then; 0 none */
	bool via_reservation;
	enum budget budget;
	const char *reason;
	int64_t enrolled_by;
	enum next next;
	int64_t t_next;
	int64_t id; /* when written */
};

struct meeting {
	int64_t id, starts_at, ends_at;
	const char *place, *url;
	int64_t registered_at; /* attendance entered (qr: at the start) */
	const char *method;
};

struct event {
	uint16_t arr;
	uint8_t from, to;
	int64_t at, actor;
	const char *reason;
};

struct mark {
	uint16_t arr;
	uint8_t meeting;
	bool present;
	const char *method;
	int64_t by, at;
};

struct edition {
	const struct module *mod;
	const struct org *owner;
	int64_t id;
	char code[40], place[200], url[160];
	const char *notes;
	bool always_open;
	int64_t capacity, min, opens, closes, cancel_until, price, offer_hours;
	int64_t starts_at, ends_at, created_at, created_by;
	struct meeting meetings[MAX_MEET];
	unsigned nmeetings;
	int64_t teachers[2];
	unsigned nteachers;
	uint32_t audience_org; /* in company: only this library; UINT32_MAX none */
	int prov;
	/* seats held for a library */
	bool reserved;
	uint32_t resv_org;
	int64_t resv_id, resv_seats, resv_used, resv_at, resv_by;
	int64_t results_delay;
	/* the play */
	int64_t taken, seq, cancelled_at, full_at, check_at;
	bool checked;
	const char *cancel_reason;
	struct arrival arr[MAX_ARR];
	unsigned narr;
	struct event ev[MAX_EV];
	unsigned nev;
	struct mark marks[MAX_ARR * MAX_MEET];
	unsigned nmarks;
	bool overflow;
};

/* ---- the demo log-ins' wishes ---------------------------------------------------------------- */

enum want { W_COMPLETED, W_BOOKED, W_WAITLISTED, W_OFFERED, W_REQUESTED };

struct script {
	int64_t person;
	uint32_t member;
	enum want want;
	unsigned need, done;
};

struct booked { /* a log-in's coming meetings, to avoid double bookings */
	int64_t person, module_id, starts_at, ends_at;
};

/* ---- budgets -----------------------------------------------------------------------------------
 */

struct account {
	int64_t org_id, person, amount, reserved, spent, updated_at;
	int year;
	bool personal;
};

struct gen {
	struct ctx *ctx;
	struct db_conn *db;
	struct arena *a;
	bool pg;
	struct rng rng;
	int64_t now;
	int year0; /* first budget year */
	int nyears;

	struct org *orgs;
	size_t norgs, orgs_cap;
	struct member *members;
	size_t nmembers, members_cap;
	struct module *mods;
	size_t nmods, mods_cap;
	const char *provinces[16];
	int nprov;
	uint32_t *ppool[16][2]; /* members by province and kind */
	uint32_t nppool[16][2];
	uint32_t *apool[2]; /* everybody by kind */
	uint32_t napool[2];

	struct script scripts[16];
	unsigned nscripts;
	struct booked booked[32];
	unsigned nbooked;
	int64_t logins[8];
	uint32_t utrecht;

	struct account *accounts; /* in order of first use */
	size_t naccounts, accounts_cap;
	uint32_t *acc_index; /* open addressing into accounts, +1; 0 empty */
	size_t acc_cap;

	int64_t next_edition, next_meeting, next_reservation, next_enrolment, next_event;
	struct buf batch[T_COUNT];
	unsigned batch_rows[T_COUNT];
	unsigned total_rows;
	struct demo_enrol_result res;

	/* row buffers for the readers */
	struct org row_org;
	struct {
		int64_t person, org, roles;
		const char *kind;
	} row_member;
	struct {
		int64_t id, provider, local, load, price;
		const char *format, *audience, *province;
	} row_mod;
	struct edition ed; /* the one being planned */
};

/* ---- writing rows -------------------------------------------------------------------------------
 */

static int flush_all(struct gen *g)
{
	for (int t = 0; t < T_COUNT; t++) {
		if (!g->batch_rows[t])
			continue;
		if (buf_putc(&g->batch[t], ']') != 0)
			return CAMPUS_ENOMEM;
		struct db_param p[] = {DBP_TEXTN(g->batch[t].data, g->batch[t].len), DBP_END};
		int rc = db_exec(g->db, batch_stmts[t], p, NULL);
		if (rc)
			return rc;
		buf_clear(&g->batch[t]);
		g->batch_rows[t] = 0;
	}
	g->total_rows = 0;
	return 0;
}

/* One row of table t into the table's batch; every batch goes out when
 * BATCH_ROWS rows are waiting. */
static int put_row(struct gen *g, int t, const struct db_param *p)
{
	struct buf *b = &g->batch[t];
	buf_putc(b, g->batch_rows[t] ? ',' : '[');
	buf_putc(b, '[');
	for (size_t i = 0; p[i].type != DB_END; i++) {
		if (i)
			buf_putc(b, ',');
		switch (p[i].type) {
		case DB_INT:
			buf_printf(b, "%lld", (long long)p[i].i);
			break;
		case DB_BOOL:
			buf_puts(b, p[i].i ? "true" : "false");
			break;
		case DB_TEXT:
			if (p[i].p)
				buf_json_string(b, p[i].p, strlen(p[i].p));
			else
				buf_puts(b, "null");
			break;
		default:
			buf_puts(b, "null");
			break;
		}
	}
	buf_putc(b, ']');
	if (b->overflow)
		return CAMPUS_ENOMEM;
	g->batch_rows[t]++;
	if (++g->total_rows >= BATCH_ROWS)
		return flush_all(g);
	return 0;
}

/* NULL for 0 (optional ids and times). */
static struct db_param opt_int(int64_t v)
{
	if (!v)
		return (struct db_param)DBP_NULL;
	return (struct db_param)DBP_INT(v);
}

/* ---- reading
 * ------------------------------------------------------------------------------------- */

static int province_index(struct gen *g, const char *p)
{
	if (!p || !*p)
		return -1;
	for (int i = 0; i < g->nprov; i++)
		if (strcmp(g->provinces[i], p) == 0)
			return i;
	if (g->nprov == 16)
		return -1;
	g->provinces[g->nprov] = p;
	return g->nprov++;
}

static int org_row(void *cls)
{
	struct gen *g = cls;
	if (g->norgs == g->orgs_cap)
		return CAMPUS_EINTERNAL;
	struct org *o = &g->orgs[g->norgs++];
	*o = g->row_org;
	o->library = strcmp(o->kind, "library") == 0;
	o->provider = strcmp(o->kind, "provider") == 0;
	o->prov = o->library ? province_index(g, o->province) : -1;
	return 0;
}

static struct org *org_by_id(struct gen *g, int64_t id, uint32_t *index)
{
	size_t lo = 0, hi = g->norgs;
	while (lo < hi) { /* read in id order */
		size_t mid = (lo + hi) / 2;
		if (g->orgs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == g->norgs || g->orgs[lo].id != id)
		return NULL;
	if (index)
		*index = (uint32_t)lo;
	return &g->orgs[lo];
}

static int member_row(void *cls)
{
	struct gen *g = cls;
	uint32_t oi;
	struct org *o = org_by_id(g, g->row_member.org, &oi);
	if (!o)
		return CAMPUS_EINTERNAL;
	int64_t person = g->row_member.person, roles = g->row_member.roles;
	if (o->library && (roles & 2) && o->nmanagers < 3)
		o->managers[o->nmanagers++] = person;
	if ((o->provider || strcmp(o->kind, "poi") == 0) && (roles & 4) && !o->admin)
		o->admin = person;
	if (o->provider && (roles & 8) && o->nteachers < 24)
		o->teachers[o->nteachers++] = person;
	bool emp = strcmp(g->row_member.kind, "employee") == 0,
	     vol = strcmp(g->row_member.kind, "volunteer") == 0;
	if (!o->library || !(roles & 1) || !(emp || vol))
		return 0;
	if (g->nmembers == g->members_cap)
		return CAMPUS_EINTERNAL;
	g->members[g->nmembers++] =
	    (struct member){.person = person, .org = oi, .kind = emp ? K_EMPLOYEE : K_VOLUNTEER};
	return 0;
}

static int module_row(void *cls)
{
	struct gen *g = cls;
	if (g->nmods == g->mods_cap)
		return CAMPUS_EINTERNAL;
	struct module *m = &g->mods[g->nmods];
	memset(m, 0, sizeof *m);
	m->id = g->row_mod.id;
	m->provider_id = g->row_mod.provider;
	m->local = g->row_mod.local != 0;
	if (!org_by_id(g, g->row_mod.provider, &m->owner))
		return CAMPUS_EINTERNAL;
	const char *f = g->row_mod.format;
	m->fmt = strcmp(f, "online_live") == 0 ? F_ONLINE
	         : strcmp(f, "elearning") == 0 ? F_ELEARNING
	         : strcmp(f, "blended") == 0   ? F_BLENDED
	                                       : F_CLASSROOM;
	m->load = g->row_mod.load;
	m->price = g->row_mod.price;
	const char *aud = g->row_mod.audience;
	m->audience = strcmp(aud, "employees") == 0 ? 0 : strcmp(aud, "volunteers") == 0 ? 1 : 2;
	m->prov = -1;
	for (int i = 0; i < g->nprov; i++)
		if (strcmp(g->provinces[i], g->row_mod.province) == 0)
			m->prov = i;
	g->nmods++;
	return 0;
}

static int64_t person_by_email(struct gen *g, const char *email)
{
	int64_t id = 0;
	int rc = db_query_row(g->db, &stmt_de_person,
	                      (const struct db_param[]){DBP_TEXT(email), DBP_END},
	                      (const struct db_col[]){DBC_INT(&id), DBC_END}, g->a);
	return rc ? 0 : id;
}

static bool is_login(const struct gen *g, int64_t person)
{
	for (size_t i = 0; i < sizeof g->logins / sizeof g->logins[0]; i++)
		if (g->logins[i] == person)
			return true;
	return false;
}

/* Pools of learners: per library, per province and in all, by kind. */
static int make_pools(struct gen *g)
{
	for (size_t i = 0; i < g->nmembers; i++) {
		const struct member *m = &g->members[i];
		if (is_login(g, m->person))
			continue;
		struct org *o = &g->orgs[m->org];
		o->npool[m->kind]++;
		g->napool[m->kind]++;
		if (o->prov >= 0)
			g->nppool[o->prov][m->kind]++;
	}
	for (int k = 0; k < 2; k++) {
		g->apool[k] = arena_alloc(g->a, (g->napool[k] + 1) * sizeof(uint32_t));
		if (!g->apool[k])
			return CAMPUS_ENOMEM;
		g->napool[k] = 0;
		for (int p = 0; p < g->nprov; p++) {
			g->ppool[p][k] =
			    arena_alloc(g->a, (g->nppool[p][k] + 1) * sizeof(uint32_t));
			if (!g->ppool[p][k])
				return CAMPUS_ENOMEM;
			g->nppool[p][k] = 0;
		}
		for (size_t i = 0; i < g->norgs; i++) {
			struct org *o = &g->orgs[i];
			o->pool[k] = arena_alloc(g->a, (o->npool[k] + 1) * sizeof(uint32_t));
			if (!o->pool[k])
				return CAMPUS_ENOMEM;
			o->npool[k] = 0;
		}
	}
	for (size_t i = 0; i < g->nmembers; i++) {
		const struct member *m = &g->members[i];
		if (is_login(g, m->person))
			continue;
		struct org *o = &g->orgs[m->org];
		o->pool[m->kind][o->npool[m->kind]++] = (uint32_t)i;
		g->apool[m->kind][g->napool[m->kind]++] = (uint32_t)i;
		if (o->prov >= 0)
			g->ppool[o->prov][m->kind][g->nppool[o->prov][m->kind]++] = (uint32_t)i;
	}
	return 0;
}

static const struct {
	const char *slug, *prefix;
} prefixes[] = {
    {"go-opleidingen", "GO"},       {"nbd-biblion", "NBD"},
    {"kunst-van-lezen", "KVL"},     {"ido", "IDO"},
    {"avans-plus", "AVP"},          {"goodhabitz", "GH"},
    {"leeslamp-academie", "LLA"},   {"kaft-en-kennis", "KEK"},
    {"bureau-buurtverhaal", "BBV"}, {"zoeklicht-trainingen", "ZLT"},
};

/* A provider's code prefix; a library's initials ("bibliotheek-utrecht" -> "BU"). */
static void make_prefix(struct org *o)
{
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strcmp(prefixes[i].slug, o->slug) == 0) {
			snprintf(o->prefix, sizeof o->prefix, "%s", prefixes[i].prefix);
			return;
		}
	size_t n = 0;
	for (const char *s = o->slug; *s && n < 4; s++)
		if ((s == o->slug || s[-1] == '-') && *s >= 'a' && *s <= 'z')
			o->prefix[n++] = (char)(*s - 'a' + 'A');
	o->prefix[n] = '\0';
	if (!n)
		snprintf(o->prefix, sizeof o->prefix, "ED");
}

static int load(struct gen *g)
{
	const struct db_param none[] = {DBP_END};
	g->orgs_cap = 1024;
	g->members_cap = 400000;
	g->mods_cap = 20000;
	g->orgs = arena_zalloc(g->a, g->orgs_cap * sizeof *g->orgs);
	g->members = arena_alloc(g->a, g->members_cap * sizeof *g->members);
	g->mods = arena_alloc(g->a, g->mods_cap * sizeof *g->mods);
	if (!g->orgs || !g->members || !g->mods)
		return CAMPUS_ENOMEM;
	struct org *o = &g->row_org;
	int rc =
	    db_query(g->db, &stmt_de_orgs, none,
	             (const struct db_col[]){DBC_INT(&o->id), DBC_TEXT(&o->kind),
	                                     DBC_TEXT(&o->name), DBC_TEXT(&o->slug),
	                                     DBC_TEXT(&o->place), DBC_TEXT(&o->province), DBC_END},
	             g->a, org_row, g);
	if (!rc)
		rc = db_query(g->db, &stmt_de_members, none,
		              (const struct db_col[]){DBC_INT(&g->row_member.person),
		                                      DBC_INT(&g->row_member.org),
		                                      DBC_TEXT(&g->row_member.kind),
		                                      DBC_INT(&g->row_member.roles), DBC_END},
		              g->a, member_row, g);
	if (!rc)
		rc = db_query(g->db, &stmt_de_modules, none,
		              (const struct db_col[]){
		                  DBC_INT(&g->row_mod.id), DBC_INT(&g->row_mod.provider),
		                  DBC_INT(&g->row_mod.local), DBC_TEXT(&g->row_mod.format),
		                  DBC_INT(&g->row_mod.load), DBC_INT(&g->row_mod.price),
		                  DBC_TEXT(&g->row_mod.audience), DBC_TEXT(&g->row_mod.province),
		                  DBC_END},
		              g->a, module_row, g);
	if (rc)
		return rc;
	g->utrecht = UINT32_MAX;
	for (size_t i = 0; i < g->norgs; i++) {
		make_prefix(&g->orgs[i]);
		if (g->orgs[i].library && strcmp(g->orgs[i].slug, UTRECHT) == 0)
			g->utrecht = (uint32_t)i;
	}
	if (g->nprov == 0 || g->nmods == 0)
		return CAMPUS_EINTERNAL; /* not the demo sector */
	return 0;
}

/* ---- policies and budgets ----------------------------------------------------------------- */

static uint64_t acc_hash(int64_t org, int64_t person, int year)
{
	uint64_t h = (uint64_t)org * 0x9e3779b97f4a7c15ULL;
	h ^= (uint64_t)person * 0xbf58476d1ce4e5b9ULL;
	h ^= (uint64_t)year * 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

static struct account *account_find(struct gen *g, int64_t org, int64_t person, int year)
{
	size_t mask = g->acc_cap - 1;
	for (size_t i = acc_hash(org, person, year) & mask; g->acc_index[i]; i = (i + 1) & mask) {
		struct account *x = &g->accounts[g->acc_index[i] - 1];
		if (x->org_id == org && x->person == person && x->year == year)
			return x;
	}
	return NULL;
}

static int64_t budget_default(const struct gen *g, const struct org *o, enum kind k, int year)
{
	int yi = year - g->year0;
	if (yi < 0)
		yi = 0;
	if (yi >= g->nyears)
		yi = g->nyears - 1;
	return o->budget_default[k][yi];
}

/* What is left of a person's budget for the year (the default before first use). */
static int64_t budget_left(struct gen *g, const struct arrival *a, int year)
{
	struct account *x = account_find(g, a->org_id, a->person, year);
	if (x)
		return x->amount - x->reserved - x->spent;
	return budget_default(g, &g->orgs[a->org], a->kind, year);
}

/* The account, made from the group default on first use; 3% of people have a
 * personal amount. */
static struct account *account_get(struct gen *g, const struct arrival *a, int year, int64_t at)
{
	struct account *x = account_find(g, a->org_id, a->person, year);
	if (x)
		return x;
	if (g->naccounts == g->accounts_cap || 2 * (g->naccounts + 1) > g->acc_cap)
		return NULL;
	x = &g->accounts[g->naccounts++];
	*x = (struct account){.org_id = a->org_id,
	                      .person = a->person,
	                      .year = year,
	                      .amount = budget_default(g, &g->orgs[a->org], a->kind, year),
	                      .updated_at = at};
	if (rng_permille(&g->rng, 30)) { /* agreed in the yearly talk */
		x->amount = a->kind == K_EMPLOYEE ? rng_span(&g->rng, 12, 30) * 10000
		                                  : rng_span(&g->rng, 3, 6) * 5000;
		x->personal = true;
	}
	size_t mask = g->acc_cap - 1;
	size_t i = acc_hash(a->org_id, a->person, year) & mask;
	while (g->acc_index[i])
		i = (i + 1) & mask;
	g->acc_index[i] = (uint32_t)g->naccounts;
	return x;
}

/* About a third of the libraries have a policy; Utrecht (the demo log-ins')
 * always: approval for a cost, budgets, and a second approver. */
static int make_policies(struct gen *g)
{
	for (size_t i = 0; i < g->norgs; i++) {
		struct org *o = &g->orgs[i];
		if (!o->library)
			continue;
		bool utrecht = i == g->utrecht;
		int64_t emp = rng_span(&g->rng, 12, 20) * 5000,
		        vol = rng_span(&g->rng, 4, 10) * 2500;
		for (int y = 0; y < g->nyears; y++) { /* a little more most years */
			o->budget_default[K_EMPLOYEE][y] = emp;
			o->budget_default[K_VOLUNTEER][y] = vol;
			if (rng_permille(&g->rng, 600))
				emp += 5000;
			if (rng_permille(&g->rng, 300))
				vol += 2500;
		}
		o->remind_days = 3;
		o->expire_days = 14;
		if (!utrecht && !rng_permille(&g->rng, 340))
			continue;
		o->policy = true;
		uint32_t r = rng_below(&g->rng, 100);
		o->approval = utrecht ? A_COST : r < 55 ? A_COST : r < 80 ? A_ALWAYS : A_NONE;
		o->budgets = utrecht || o->approval == A_NONE || rng_permille(&g->rng, 700);
		if ((utrecht || rng_permille(&g->rng, 450)) && o->nmanagers > 1)
			o->second = o->managers[1]; /* L&D or the budget holder: another manager */
		int64_t at = g->now - rng_span(&g->rng, 400, 800) * DAY;
		struct db_param p[] = {DBP_INT(o->id),
		                       DBP_TEXT(approval_names[o->approval]),
		                       opt_int(o->second),
		                       DBP_BOOL(o->budgets),
		                       DBP_INT(o->remind_days),
		                       DBP_INT(o->expire_days),
		                       DBP_INT(at),
		                       DBP_END};
		int rc = put_row(g, T_POLICY, p);
		if (rc)
			return rc;
		g->res.policies++;
		for (int y = 0; o->budgets && y < g->nyears; y++)
			for (int k = 0; k < 2; k++) {
				struct db_param d[] = {
				    DBP_INT(o->id), DBP_INT(g->year0 + y),
				    DBP_TEXT(k == K_EMPLOYEE ? "employee" : "volunteer"),
				    DBP_INT(o->budget_default[k][y]), DBP_END};
				rc = put_row(g, T_DEFAULT, d);
				if (rc)
					return rc;
			}
	}
	return 0;
}

/* ---- the play ----------------------------------------------------------------------------------
 */

static const char *const cancel_reasons[] = {"Ziek",
                                             "Samenvallend met een andere afspraak",
                                             "Te druk op de vestiging die dag",
                                             "Ik volg deze training liever later dit jaar",
                                             "Persoonlijke omstandigheden",
                                             "Vervoer naar de locatie lukt niet"};
static const char *const manager_cancel_reasons[] = {"Andere prioriteit in het team",
                                                     "Bezetting van de vestiging komt in gevaar",
                                                     "Past beter bij een collega"};
static const char *const refuse_reasons[] = {
    "Past niet in het opleidingsplan van dit jaar",
    "Het budget voor scholing is dit jaar op",
    "Kies liever de online variant, die is goedkoper",
    "Volg eerst de basistraining",
    "Niet nodig voor je huidige taken",
    "Een collega van je team gaat al; deel daarna de kennis"};
#define REASON_TOO_FEW "Te weinig aanmeldingen; de uitvoering gaat niet door"
#define REASON_STARTED "De uitvoering is begonnen zonder dat er een plaats vrijkwam"
/* the texts enrol.c writes for the same steps (msgids) */
#define REASON_DECLINED "Aangeboden plaats afgeslagen."
#define REASON_LAPSED "Niet op tijd gereageerd op de aangeboden plaats."
#define REASON_UNDECIDED "Er is niet op tijd over de aanvraag besloten."
#define REASON_STEP_ONE "Goedgekeurd door de leidinggevende."
#define REASON_REMINDED "Herinnering verstuurd."
#define REASON_NO_BUDGET "Je opleidingsbudget voor dit jaar is niet toereikend"

static void event(struct edition *e, struct arrival *a, int64_t at, int64_t actor, enum st to,
                  const char *reason)
{
	if (e->nev == MAX_EV) {
		e->overflow = true;
		return;
	}
	e->ev[e->nev++] = (struct event){.arr = (uint16_t)(a - e->arr),
	                                 .from = (uint8_t)a->state,
	                                 .to = (uint8_t)to,
	                                 .at = at,
	                                 .actor = actor,
	                                 .reason = reason ? reason : ""};
	a->state = to;
	a->updated_at = at;
	if (reason && *reason && (to == S_REFUSED || to == S_CANCELLED || to == S_EXPIRED))
		a->reason = reason; /* the column keeps the last refusal or cancellation */
}

static const struct org *lib(const struct gen *g, const struct arrival *a)
{
	return &g->orgs[a->org];
}

static int64_t manager_of(const struct gen *g, const struct arrival *a)
{
	const struct org *o = lib(g, a);
	return o->nmanagers ? o->managers[0] : 0;
}

static int64_t owner_actor(const struct edition *e)
{
	return e->created_by;
}

static void release(struct arrival *a)
{
	if (a->budget == B_RESERVED)
		a->budget = B_RELEASED;
}

/* The first on the waitlist gets a freed seat: at once, or as an offer. */
static void fill_seats(struct gen *g, struct edition *e, int64_t t)
{
	while (e->capacity && e->taken < e->capacity) {
		struct arrival *first = NULL;
		for (unsigned i = 0; i < e->narr; i++) {
			struct arrival *a = &e->arr[i];
			if (a->state == S_WAITLISTED && (!first || a->pos < first->pos))
				first = a;
		}
		if (!first)
			return;
		e->taken++;
		if (!e->offer_hours) {
			event(e, first, t, 0, S_ENROLLED, NULL);
			if (first->t_cancel > t) {
				first->next = N_CANCEL;
				first->t_next = first->t_cancel;
			}
			continue;
		}
		first->offer_expires = t + e->offer_hours * HOUR;
		event(e, first, t, 0, S_OFFERED, NULL);
		if (first->answer != NEVER && first->answer <= e->offer_hours * HOUR) {
			first->next = N_ANSWER;
			first->t_next = t + first->answer;
		} else {
			first->next = N_LAPSE;
			first->t_next = first->offer_expires;
		}
	}
	(void)g;
}

/* Approved (or needing no approval): the price is reserved, then a seat, a
 * held seat of the library, or the waitlist. */
static void place(struct gen *g, struct edition *e, struct arrival *a, int64_t t, int64_t actor)
{
	const struct org *o = lib(g, a);
	if (o->budgets && e->price > 0)
		a->budget = B_RESERVED;
	a->step = 0;
	a->next = N_NONE;
	if (e->reserved && a->org == e->resv_org && e->resv_used < e->resv_seats) {
		e->resv_used++;
		a->via_reservation = true;
		event(e, a, t, actor, S_ENROLLED, NULL);
	} else if (!e->capacity || e->taken < e->capacity) {
		if (e->capacity && ++e->taken == e->capacity && !e->full_at)
			e->full_at = t;
		event(e, a, t, actor, S_ENROLLED, NULL);
	} else {
		a->pos = ++e->seq;
		event(e, a, t, actor, S_WAITLISTED, NULL);
		return;
	}
	if (e->always_open && a->t_done) {
		a->next = N_COMPLETE;
		a->t_next = t + a->t_done;
	} else if (a->t_cancel > t && !a->via_reservation) {
		a->next = N_CANCEL;
		a->t_next = a->t_cancel;
	}
}

static bool needs_approval(struct gen *g, const struct edition *e, const struct arrival *a)
{
	const struct org *o = lib(g, a);
	if (o->approval == A_ALWAYS || (o->approval == A_COST && e->price > 0))
		return true;
	int year = year_of(e->always_open ? a->t_arrive : e->starts_at);
	return o->budgets && e->price > 0 && budget_left(g, a, year) < e->price;
}

static void ask(struct arrival *a, int64_t t, int64_t delay, const struct org *o, enum next step)
{
	a->t_remind = t + (int64_t)o->remind_days * DAY;
	a->reminded_at = 0;
	/* As enrol_tick: the whole request, both steps, expires expire_days
	 * after it was made, not after the first approval. */
	int64_t expires = a->t_arrive + (int64_t)o->expire_days * DAY;
	if (delay < 0 || t + delay >= expires) { /* nobody decides in time: it expires */
		a->next = N_EXPIRE;
		a->t_next = expires;
	} else {
		a->next = step;
		a->t_next = t + delay;
	}
}

static void arrive(struct gen *g, struct edition *e, struct arrival *a, int64_t t)
{
	const struct org *o = lib(g, a);
	a->enrolled_by = a->by_manager ? manager_of(g, a) : a->person;
	if (a->by_manager && !a->enrolled_by)
		a->enrolled_by = a->person;
	bool need = needs_approval(g, e, a);
	bool second = o->second != 0;
	if (!need || (a->enrolled_by != a->person && !second)) {
		if (a->enrolled_by != a->person)
			a->decided_at = t;
		place(g, e, a, t, a->enrolled_by);
		return;
	}
	if (a->enrolled_by != a->person) { /* the manager's act is the first approval */
		a->step = 2;
		a->first_decision = t;
		event(e, a, t, a->enrolled_by, S_REQUESTED, NULL);
		ask(a, t, a->d2, o, N_DECIDE2);
		return;
	}
	a->step = 1;
	event(e, a, t, a->person, S_REQUESTED, NULL);
	ask(a, t, a->d1, o, N_DECIDE1);
}

static void decide(struct gen *g, struct edition *e, struct arrival *a, int64_t t, int step)
{
	const struct org *o = lib(g, a);
	int64_t actor = step == 1 ? manager_of(g, a) : o->second;
	a->decided_at = t;
	if (!a->first_decision)
		a->first_decision = t;
	int year = year_of(e->always_open ? a->t_arrive : e->starts_at);
	bool broke =
	    o->budgets && e->price > 0 && budget_left(g, a, year) < e->price && !a->over_budget_ok;
	if (step == 1 ? a->refuse1 || broke : a->refuse2) {
		a->next = N_NONE;
		event(e, a, t, actor, S_REFUSED,
		      broke ? REASON_NO_BUDGET
		            : refuse_reasons[a->refuse_reason %
		                             (sizeof refuse_reasons / sizeof refuse_reasons[0])]);
		return;
	}
	if (step == 1 && o->second && o->second != actor) {
		a->step = 2; /* on to the second approver: a step, not a new state */
		event(e, a, t, actor, S_REQUESTED, REASON_STEP_ONE);
		ask(a, t, a->d2, o, N_DECIDE2);
		return;
	}
	place(g, e, a, t, actor);
}

static void leave(struct gen *g, struct edition *e, struct arrival *a, int64_t t, int64_t actor,
                  enum st to, const char *reason)
{
	bool held = a->state == S_ENROLLED || a->state == S_OFFERED;
	a->next = N_NONE;
	release(a);
	event(e, a, t, actor, to, reason);
	if (held && a->via_reservation)
		e->resv_used--;
	else if (held && e->capacity) {
		e->taken--;
		fill_seats(g, e, t);
	}
}

static void step_arrival(struct gen *g, struct edition *e, struct arrival *a)
{
	int64_t t = a->t_next;
	switch (a->next) {
	case N_ARRIVE:
		a->next = N_NONE;
		arrive(g, e, a, t);
		break;
	case N_DECIDE1:
		decide(g, e, a, t, 1);
		break;
	case N_DECIDE2:
		decide(g, e, a, t, 2);
		break;
	case N_EXPIRE:
		a->next = N_NONE;
		event(e, a, t, 0, S_EXPIRED, REASON_UNDECIDED);
		break;
	case N_CANCEL:
		if (a->cancel_by_manager)
			leave(g, e, a, t, manager_of(g, a), S_CANCELLED,
			      manager_cancel_reasons[a->cancel_reason % 3]);
		else
			leave(g, e, a, t, a->person, S_CANCELLED,
			      cancel_reasons[a->cancel_reason % 6]);
		break;
	case N_ANSWER:
		if (a->accept) {
			a->next = N_NONE;
			event(e, a, t, a->person, S_ENROLLED, NULL);
		} else {
			leave(g, e, a, t, a->person, S_CANCELLED, REASON_DECLINED);
		}
		break;
	case N_LAPSE:
		leave(g, e, a, t, 0, S_EXPIRED, REASON_LAPSED);
		break;
	case N_COMPLETE:
		a->next = N_NONE;
		if (a->budget == B_RESERVED)
			a->budget = B_SETTLED;
		event(e, a, t, 0, S_COMPLETED, NULL);
		break;
	case N_NONE:
		break;
	}
}

/* Ten days before the start the owner calls off an edition with too few. */
static void check_minimum(struct gen *g, struct edition *e, int64_t t)
{
	e->checked = true;
	int64_t placed = 0;
	for (unsigned i = 0; i < e->narr; i++)
		placed += e->arr[i].state == S_ENROLLED || e->arr[i].state == S_OFFERED;
	if (placed >= e->min)
		return;
	e->cancelled_at = t;
	e->cancel_reason = REASON_TOO_FEW;
	for (unsigned i = 0; i < e->narr; i++) {
		struct arrival *a = &e->arr[i];
		a->next = a->next == N_ARRIVE ? N_ARRIVE : N_NONE;
		if (a->state == S_REQUESTED || a->state == S_WAITLISTED || a->state == S_OFFERED ||
		    a->state == S_ENROLLED) {
			if (a->via_reservation && a->state == S_ENROLLED)
				e->resv_used--;
			release(a);
			event(e, a, t, owner_actor(e), S_CANCELLED, REASON_TOO_FEW);
		}
	}
	e->taken = 0;
	(void)g;
}

/* The start: open requests and offers lapse, the waitlist is let go; then
 * attendance per meeting and the results, as far as they are in by now. */
static void start_and_results(struct gen *g, struct edition *e)
{
	int64_t s = e->starts_at;
	for (unsigned i = 0; i < e->narr; i++) {
		struct arrival *a = &e->arr[i];
		a->next = N_NONE;
		if (a->state == S_REQUESTED) {
			event(e, a, s, 0, S_EXPIRED, REASON_UNDECIDED);
		} else if (a->state == S_OFFERED) {
			release(a);
			e->taken--;
			event(e, a, s, 0, S_EXPIRED, REASON_LAPSED);
		} else if (a->state == S_WAITLISTED) {
			release(a);
			event(e, a, s, 0, S_CANCELLED, REASON_STARTED);
		}
	}
	int64_t teacher = e->nteachers ? e->teachers[0] : e->created_by;
	int64_t last_reg = 0;
	bool all_in = true;
	for (unsigned m = 0; m < e->nmeetings; m++) {
		if (e->meetings[m].registered_at > g->now)
			all_in = false;
		if (e->meetings[m].registered_at > last_reg)
			last_reg = e->meetings[m].registered_at;
	}
	int64_t result_at = last_reg + e->results_delay;
	bool results = all_in && result_at <= g->now;
	for (unsigned i = 0; i < e->narr; i++) {
		struct arrival *a = &e->arr[i];
		if (a->state != S_ENROLLED)
			continue;
		unsigned missed = 0;
		for (unsigned m = 0; m < e->nmeetings; m++) {
			const struct meeting *mt = &e->meetings[m];
			bool present = !a->no_show && (a->presence >> m & 1);
			missed += !present;
			bool qr = present && strcmp(mt->method, "qr") == 0;
			int64_t at = qr ? mt->starts_at + (int64_t)(a->presence >> 8 & 0x3ff)
			                : mt->registered_at;
			if (at > g->now)
				continue; /* not entered yet */
			if (e->nmarks < sizeof e->marks / sizeof e->marks[0])
				e->marks[e->nmarks++] = (struct mark){
				    .arr = (uint16_t)i,
				    .meeting = (uint8_t)m,
				    .present = present,
				    .method = qr                              ? "qr"
				              : strcmp(mt->method, "qr") == 0 ? "web"
				                                              : mt->method,
				    .by = qr ? a->person : teacher,
				    .at = at};
			if (present && a->state == S_ENROLLED)
				event(e, a, at, qr ? a->person : teacher, S_ATTENDED,
				      qr ? "qr" : e->marks[e->nmarks - 1].method);
		}
		if (!results)
			continue;
		if (a->state == S_ENROLLED) {
			if (a->budget == B_RESERVED)
				a->budget = B_SETTLED; /* a no-show is charged in full */
			event(e, a, result_at, teacher, S_NO_SHOW, "web");
			continue;
		}
		bool ok = a->completes && missed <= (e->nmeetings >= 3 ? 1u : 0u);
		if (a->budget == B_RESERVED)
			a->budget = B_SETTLED;
		event(e, a, result_at, teacher, ok ? S_COMPLETED : S_NOT_COMPLETED, "web");
		if (!ok)
			a->grade = NULL;
	}
}

/* When the arrival's next step or reminder is due. */
static int64_t due(const struct arrival *a)
{
	int64_t t = a->next != N_NONE ? a->t_next : NEVER;
	if (a->state == S_REQUESTED && a->t_remind && a->t_remind < t)
		t = a->t_remind;
	return t;
}

/* Plays the edition from its planning up to now. Draws nothing. */
static void play(struct gen *g, struct edition *e)
{
	e->nev = 0;
	e->nmarks = 0;
	e->overflow = false;
	e->seq = 0;
	e->full_at = 0;
	e->cancelled_at = 0;
	e->cancel_reason = NULL;
	e->checked = false;
	e->resv_used = 0;
	e->taken = e->reserved ? e->resv_seats : 0;
	for (unsigned i = 0; i < e->narr; i++) {
		struct arrival *a = &e->arr[i];
		a->state = S_NONE;
		a->step = 0;
		a->pos = a->offer_expires = a->decided_at = a->reminded_at = a->updated_at = 0;
		a->first_decision = a->t_remind = 0;
		a->via_reservation = false;
		a->budget = B_NONE;
		a->reason = NULL;
		a->enrolled_by = 0;
		a->next = N_ARRIVE;
		a->t_next = a->t_arrive;
	}
	int64_t limit = e->always_open || e->starts_at > g->now ? g->now : e->starts_at;
	e->check_at = e->always_open || !e->min ? NEVER : e->starts_at - 10 * DAY;
	for (;;) {
		struct arrival *next = NULL;
		int64_t t = NEVER;
		for (unsigned i = 0; i < e->narr; i++) {
			int64_t d = due(&e->arr[i]);
			if (d < t) {
				t = d;
				next = &e->arr[i];
			}
		}
		if (!e->checked && e->check_at < limit && e->check_at <= t) {
			check_minimum(g, e, e->check_at);
			if (e->cancelled_at)
				break;
			continue;
		}
		if (!next || t >= limit)
			break;
		if (next->state == S_REQUESTED && next->t_remind == t) {
			/* the approvers are reminded once per step (enrol_tick) */
			next->t_remind = 0;
			next->reminded_at = t;
			event(e, next, t, 0, S_REQUESTED, REASON_REMINDED);
			continue;
		}
		step_arrival(g, e, next);
	}
	if (!e->cancelled_at && !e->always_open && e->starts_at <= g->now)
		start_and_results(g, e);
}

/* ---- planning
 * ------------------------------------------------------------------------------------ */

static const char *const notes_pool[] = {
    "Lunch is inbegrepen.",
    "Neem je eigen laptop mee.",
    "Koffie en thee staan vanaf een kwartier voor aanvang klaar.",
    "Parkeren kan in de garage naast de bibliotheek.",
    "Bereid de opdracht uit de welkomstmail voor.",
    "De locatie is rolstoeltoegankelijk; laat het weten als je iets nodig hebt."};
static const char *const grades[] = {"6,5", "7", "7,5", "8", "8", "8,5", "9"};

/* A library in the province (or anywhere when p < 0) with learners. */
static uint32_t random_library(struct gen *g, int p)
{
	for (int tries = 0; tries < 64; tries++) {
		uint32_t i = rng_below(&g->rng, (uint32_t)g->norgs);
		const struct org *o = &g->orgs[i];
		if (o->library && (p < 0 || o->prov == p) &&
		    o->npool[K_EMPLOYEE] + o->npool[K_VOLUNTEER] >= 6)
			return i;
	}
	for (uint32_t i = 0; i < g->norgs; i++)
		if (g->orgs[i].library && (p < 0 || g->orgs[i].prov == p))
			return i;
	return 0;
}

/* A day near z that is a working day outside the summer and Christmas holidays. */
static int64_t working_day(struct gen *g, int64_t z)
{
	int y;
	unsigned m, d;
	civil_from_days(z, &y, &m, &d);
	if ((m == 7 && d >= 10) || (m == 8 && d < 25))
		z += 42;
	else if ((m == 12 && d >= 20) || (m == 1 && d < 6))
		z += 18;
	static const unsigned wd_weight[] = {0, 14, 24, 26, 24, 12, 0}; /* Tue-Thu busiest */
	uint32_t r = rng_below(&g->rng, 100);
	unsigned want = 1;
	for (unsigned w = 1; w < 6; w++) {
		if (r < wd_weight[w]) {
			want = w;
			break;
		}
		r -= wd_weight[w];
	}
	while (weekday(z) != want)
		z++;
	return z;
}

struct slot {
	unsigned from, to; /* minutes after midnight */
};

static struct slot pick_slot(struct gen *g, enum fmt f, int64_t tenths)
{
	static const struct slot online[] = {
	    {600, 690}, {840, 930}, {810, 930}, {570, 720}, {900, 990}};
	static const struct slot short_[] = {{570, 720}, {810, 960}, {600, 750}};
	static const struct slot half[] = {{570, 750}, {780, 960}};
	static const struct slot long_[] = {{600, 900}, {570, 840}};
	static const struct slot day[] = {{570, 990}, {600, 1020}, {540, 960}};
	if (f == F_ONLINE)
		return online[rng_below(&g->rng, 5)];
	if (tenths <= 27)
		return short_[rng_below(&g->rng, 3)];
	if (tenths <= 37)
		return half[rng_below(&g->rng, 2)];
	if (tenths <= 50)
		return long_[rng_below(&g->rng, 2)];
	return day[rng_below(&g->rng, 3)];
}

static unsigned meeting_count(struct gen *g, const struct module *m)
{
	int64_t h = m->load / 10;
	if (m->fmt == F_ONLINE)
		return h <= 2   ? 1
		       : h <= 6 ? (unsigned)rng_span(&g->rng, 1, 2)
		                : (unsigned)rng_span(&g->rng, 2, 3);
	if (m->fmt == F_BLENDED)
		return (unsigned)rng_span(&g->rng, 1, 3);
	return h <= 4    ? 1
	       : h <= 8  ? (unsigned)rng_span(&g->rng, 1, 2)
	       : h <= 16 ? (unsigned)rng_span(&g->rng, 2, 3)
	                 : (unsigned)rng_span(&g->rng, 3, 4);
}

/* Somebody who may come: the in-company library's people, else mostly from
 * the province of the venue; by the module's audience. */
static bool draw_member(struct gen *g, struct edition *e, uint32_t *out)
{
	const struct module *m = e->mod;
	for (int tries = 0; tries < 8; tries++) {
		enum kind k = m->audience == 0             ? K_EMPLOYEE
		              : m->audience == 1           ? K_VOLUNTEER
		              : rng_permille(&g->rng, 600) ? K_EMPLOYEE
		                                           : K_VOLUNTEER;
		const uint32_t *pool;
		uint32_t n;
		if (e->audience_org != UINT32_MAX) {
			pool = g->orgs[e->audience_org].pool[k];
			n = g->orgs[e->audience_org].npool[k];
		} else if (e->prov >= 0 && rng_permille(&g->rng, 750)) {
			pool = g->ppool[e->prov][k];
			n = g->nppool[e->prov][k];
		} else {
			pool = g->apool[k];
			n = g->napool[k];
		}
		if (!n)
			continue;
		uint32_t x = pool[rng_below(&g->rng, n)];
		bool dup = false; /* by person: some belong to two libraries */
		for (unsigned i = 0; i < e->narr && !dup; i++)
			dup = e->arr[i].person == g->members[x].person;
		if (!dup) {
			*out = x;
			return true;
		}
	}
	return false;
}

/* Everything a person will do, drawn now so that playing draws nothing. */
static void draw_intents(struct gen *g, struct edition *e, struct arrival *a, int64_t t)
{
	const struct member *mb = &g->members[a->member];
	a->person = mb->person;
	a->org = mb->org;
	a->org_id = g->orgs[mb->org].id;
	a->kind = mb->kind;
	a->script = -1;
	a->t_arrive = t;
	a->by_manager = rng_permille(&g->rng, 60);
	a->d1 = rng_permille(&g->rng, 30) ? -1 : rng_span(&g->rng, 2 * HOUR, 5 * DAY);
	a->d2 = rng_permille(&g->rng, 20) ? -1 : rng_span(&g->rng, 2 * HOUR, 4 * DAY);
	a->refuse1 = rng_permille(&g->rng, 70);
	a->refuse2 = rng_permille(&g->rng, 50);
	a->refuse_reason = rng_below(&g->rng, 6);
	a->over_budget_ok = rng_permille(&g->rng, 450);
	a->t_cancel = 0;
	int64_t until = e->always_open ? t + 20 * DAY : e->cancel_until;
	if (rng_permille(&g->rng, e->always_open ? 20 : 80) && until > t + HOUR)
		a->t_cancel = rng_span(&g->rng, t + HOUR, until);
	a->cancel_by_manager = rng_permille(&g->rng, 150);
	a->cancel_reason = rng_below(&g->rng, 6);
	uint32_t r = rng_below(&g->rng, 100);
	int64_t window = e->offer_hours * HOUR;
	a->answer = r < 75 || window < 2 * HOUR
	                ? rng_span(&g->rng, HOUR, window > HOUR ? window : HOUR)
	            : r < 85 ? rng_span(&g->rng, HOUR, window)
	                     : NEVER;
	a->accept = r < 75;
	a->no_show = rng_permille(&g->rng, 40);
	a->presence = 0;
	for (unsigned m = 0; m < MAX_MEET; m++)
		if (rng_permille(&g->rng, 940) || m == 0)
			a->presence |= 1u << m;
	a->presence |= (unsigned)rng_below(&g->rng, 1024) << 8; /* minutes of a QR check-in */
	a->completes = rng_permille(&g->rng, 960);
	a->grade = e->mod->fmt == F_BLENDED && rng_permille(&g->rng, 300)
	               ? grades[rng_below(&g->rng, 7)]
	               : NULL;
	a->t_done = 0;
	if (e->always_open && rng_permille(&g->rng, 650))
		a->t_done = rng_span(&g->rng, 2 * DAY, 120 * DAY);
}

static int cmp_arrival(const void *x, const void *y)
{
	const struct arrival *a = x, *b = y;
	return a->t_arrive < b->t_arrive ? -1 : a->t_arrive > b->t_arrive;
}

static void sort_arrivals(struct edition *e)
{
	for (unsigned i = 1; i < e->narr; i++) { /* insertion sort: stable, small n */
		struct arrival x = e->arr[i];
		unsigned j = i;
		while (j > 0 && cmp_arrival(&e->arr[j - 1], &x) > 0) {
			e->arr[j] = e->arr[j - 1];
			j--;
		}
		e->arr[j] = x;
	}
}

/* A venue: the provider's own office or a library, as "name, place". */
static void venue(struct gen *g, struct edition *e, uint32_t at)
{
	const struct org *o = &g->orgs[at];
	snprintf(e->place, sizeof e->place, "%s, %s", o->name, o->place);
	e->prov = o->prov;
}

/* A dated edition (classroom, blended, online) starting near `target`. */
static void plan_dated(struct gen *g, struct edition *e, const struct module *m, int64_t target)
{
	struct org *owner = &g->orgs[m->owner];
	memset(e, 0, offsetof(struct edition, arr));
	e->narr = 0;
	e->mod = m;
	e->owner = owner;
	e->audience_org = UINT32_MAX;
	e->prov = -1;
	e->created_by = m->local ? (owner->nmanagers ? owner->managers[0] : 0) : owner->admin;
	e->price = m->price;
	if (m->price > 0 && rng_permille(&g->rng, 80)) /* an offer price for this edition */
		e->price = (m->price * 85 / 100 + 250) / 500 * 500;
	e->offer_hours = rng_permille(&g->rng, 400) ? 48 : 0;
	/* where */
	if (m->fmt == F_ONLINE) {
		e->capacity = rng_span(&g->rng, 15, 30);
		e->min = 5;
	} else {
		e->capacity = rng_span(&g->rng, 12, 20);
		e->min = rng_span(&g->rng, 4, 5);
		if (m->local) {
			e->audience_org = m->owner;
			venue(g, e, m->owner);
		} else if (rng_permille(&g->rng, 60)) { /* in company at one library */
			uint32_t at = random_library(g, -1);
			e->audience_org = at;
			venue(g, e, at);
		} else {
			int p = m->prov >= 0 && rng_permille(&g->rng, 500)
			            ? m->prov
			            : (int)rng_below(&g->rng, (uint32_t)g->nprov);
			if (*owner->place && province_index(g, owner->province) == p &&
			    rng_permille(&g->rng, 500)) {
				venue(g, e, m->owner);
				e->prov = p;
			} else {
				venue(g, e, random_library(g, p));
			}
		}
	}
	/* when: meetings on working days, a week or two apart */
	e->nmeetings = meeting_count(g, m);
	if (e->nmeetings > MAX_MEET)
		e->nmeetings = MAX_MEET;
	struct slot sl = pick_slot(g, m->fmt, m->load / (int64_t)e->nmeetings);
	int64_t gap = e->nmeetings >= 4 ? 21 : rng_permille(&g->rng, 500) ? 7 : 14;
	int64_t z = working_day(g, target / DAY);
	for (unsigned i = 0; i < e->nmeetings; i++) {
		struct meeting *mt = &e->meetings[i];
		int64_t zi = z + (int64_t)i * gap;
		while (weekday(zi) == 0 || weekday(zi) == 6)
			zi++;
		mt->starts_at = local_time(zi, sl.from);
		mt->ends_at = local_time(zi, sl.to);
		mt->place = "";
		mt->url = "";
		if (m->fmt == F_BLENDED && e->nmeetings == 3 && i == 1)
			mt->place = "Online"; /* the middle one online */
		uint32_t r = rng_below(&g->rng, 100);
		mt->method = r < 60 ? "web" : r < 78 ? "csv" : r < 95 ? "qr" : "api";
		mt->registered_at = mt->ends_at + rng_span(&g->rng, HOUR, 3 * DAY);
	}
	e->starts_at = e->meetings[0].starts_at;
	e->ends_at = e->meetings[e->nmeetings - 1].ends_at;
	e->results_delay = rng_span(&g->rng, 2 * HOUR, 8 * DAY);
	e->opens = e->starts_at - rng_span(&g->rng, 60, 150) * DAY;
	e->closes = e->starts_at - 7 * DAY;
	e->cancel_until = e->starts_at - 14 * DAY;
	e->created_at = e->opens - rng_span(&g->rng, 3, 40) * DAY;
	if (e->created_at > g->now - DAY)
		e->created_at = g->now - rng_span(&g->rng, 1, 60) * DAY;
	e->notes = rng_permille(&g->rng, 450) ? notes_pool[rng_below(&g->rng, 6)] : "";
	if (m->fmt == F_ONLINE)
		e->notes = rng_permille(&g->rng, 500)
		               ? "De link werkt vanaf een kwartier voor aanvang."
		               : "";
	/* who teaches */
	if (owner->nteachers) {
		e->teachers[e->nteachers++] = owner->teachers[rng_below(&g->rng, owner->nteachers)];
		/* the demo teacher (docent@) has a full diary */
		for (unsigned i = 0; i < owner->nteachers; i++)
			if (owner->teachers[i] == g->logins[6] && rng_permille(&g->rng, 300))
				e->teachers[0] = g->logins[6];
		if (owner->nteachers > 1 && rng_permille(&g->rng, 150)) {
			int64_t t2 = owner->teachers[rng_below(&g->rng, owner->nteachers)];
			if (t2 != e->teachers[0])
				e->teachers[e->nteachers++] = t2;
		}
	}
	/* code and links */
	int yi = year_of(e->starts_at) - g->year0;
	unsigned seq = yi >= 0 && yi < MAX_YEARS ? ++owner->code_seq[yi] : 0;
	snprintf(e->code, sizeof e->code, "%s-%d-%03u", owner->prefix, year_of(e->starts_at), seq);
	if (m->fmt == F_ONLINE || (m->fmt == F_BLENDED && e->nmeetings == 3)) {
		char lower[40];
		size_t i = 0;
		for (; e->code[i] && i + 1 < sizeof lower; i++)
			lower[i] = e->code[i] >= 'A' && e->code[i] <= 'Z'
			               ? (char)(e->code[i] - 'A' + 'a')
			               : e->code[i];
		lower[i] = '\0';
		snprintf(e->url, sizeof e->url, "https://leren.%s.demo/live/%s", owner->slug,
		         lower);
		if (m->fmt == F_BLENDED)
			e->meetings[1].url = e->url;
	}
	if (m->fmt != F_ONLINE && !m->local && e->audience_org == UINT32_MAX &&
	    e->starts_at > g->now && e->capacity >= 14 && rng_permille(&g->rng, 70)) {
		/* a library near the venue holds a few seats for its team */
		uint32_t x = random_library(g, e->prov);
		if (g->orgs[x].nmanagers) {
			e->reserved = true;
			e->resv_org = x;
			e->resv_seats = rng_span(&g->rng, 2, 4);
			e->resv_by = g->orgs[x].managers[0];
			e->resv_at = e->opens + rng_span(&g->rng, 0, 10) * DAY;
			if (e->resv_at > g->now - HOUR)
				e->resv_at = e->created_at;
		}
	}
	/* who comes: demand around the capacity, some far too few; a coming
	 * edition has the part of its bookings made by now */
	uint32_t r = rng_below(&g->rng, 1000);
	int64_t demand = e->capacity *
	                 (r < 30    ? rng_span(&g->rng, 10, 30)   /* too few */
	                  : r < 150 ? rng_span(&g->rng, 120, 180) /* popular */
	                            : rng_span(&g->rng, 40, 90)) /
	                 100;
	int64_t last = e->closes < g->now ? e->closes : g->now - HOUR;
	if (last <= e->opens) {
		demand = 0;
	} else if (e->closes > g->now) { /* most book early: the square root of the time gone */
		int64_t part = (last - e->opens) * 1000000 / (e->closes - e->opens), root = 0;
		while ((root + 1) * (root + 1) <= part)
			root++; /* in thousandths */
		demand = (demand * root + 500) / 1000;
	}
	if (e->audience_org != UINT32_MAX) {
		const struct org *o = &g->orgs[e->audience_org];
		int64_t pool = o->npool[0] + o->npool[1];
		if (demand > pool * 2 / 3)
			demand = pool * 2 / 3;
	}
	if (demand > MAX_ARR - 8)
		demand = MAX_ARR - 8;
	for (int64_t i = 0; i < demand; i++) {
		uint32_t x;
		if (!draw_member(g, e, &x))
			continue;
		struct arrival *a = &e->arr[e->narr++];
		a->member = x;
		draw_intents(g, e, a, rng_span(&g->rng, e->opens, last));
	}
	if (e->reserved) { /* people of the library with the held seats */
		int64_t k = rng_span(&g->rng, 0, e->resv_seats);
		const struct org *o = &g->orgs[e->resv_org];
		for (int64_t i = 0; i < k && last > e->resv_at && e->narr < MAX_ARR - 8; i++) {
			enum kind kd = m->audience == 1 ? K_VOLUNTEER : K_EMPLOYEE;
			if (!o->npool[kd])
				break;
			uint32_t x = o->pool[kd][rng_below(&g->rng, o->npool[kd])];
			bool dup = false;
			for (unsigned j = 0; j < e->narr && !dup; j++)
				dup = e->arr[j].person == g->members[x].person;
			if (dup)
				continue;
			struct arrival *a = &e->arr[e->narr++];
			a->member = x;
			draw_intents(g, e, a, rng_span(&g->rng, e->resv_at, last));
		}
	}
	sort_arrivals(e);
}

/* The always-open edition of an e-learning module and three years of learners. */
static void plan_open(struct gen *g, struct edition *e, const struct module *m)
{
	struct org *owner = &g->orgs[m->owner];
	memset(e, 0, offsetof(struct edition, arr));
	e->narr = 0;
	e->mod = m;
	e->owner = owner;
	e->always_open = true;
	e->audience_org = UINT32_MAX;
	e->prov = -1;
	e->price = m->price;
	e->created_by = owner->admin;
	e->created_at = g->now - 3 * YEAR - rng_span(&g->rng, 10, 60) * DAY;
	snprintf(e->code, sizeof e->code, "%s-EL-%04u", owner->prefix, ++owner->open_seq);
	snprintf(e->url, sizeof e->url, "https://leren.%s.demo/e-learning/%lld", owner->slug,
	         (long long)m->id);
	e->notes = "Start wanneer je wilt; je hebt een jaar toegang.";
	int64_t demand = rng_span(&g->rng, 6, 36);
	for (int64_t i = 0; i < demand; i++) {
		uint32_t x;
		if (!draw_member(g, e, &x))
			continue;
		struct arrival *a = &e->arr[e->narr++];
		a->member = x;
		draw_intents(g, e, a, rng_span(&g->rng, e->created_at + DAY, g->now - HOUR));
	}
	sort_arrivals(e);
}

/* ---- the demo log-ins ---------------------------------------------------------------------------
 */

static bool overlaps_booking(const struct gen *g, int64_t person, const struct edition *e)
{
	for (unsigned i = 0; i < g->nbooked; i++) {
		const struct booked *b = &g->booked[i];
		if (b->person != person)
			continue;
		if (b->module_id == e->mod->id)
			return true;
		for (unsigned m = 0; m < e->nmeetings; m++)
			if (e->meetings[m].starts_at < b->ends_at + DAY &&
			    b->starts_at < e->meetings[m].ends_at + DAY)
				return true;
	}
	return false;
}

/* Whether the log-in's wish could come true in this edition. */
static bool fits(struct gen *g, const struct script *s, const struct edition *e)
{
	const struct member *mb = &g->members[s->member];
	int aud = e->mod->audience;
	if ((aud == 0 && mb->kind != K_EMPLOYEE) || (aud == 1 && mb->kind != K_VOLUNTEER))
		return false;
	if (e->always_open || (e->audience_org != UINT32_MAX && e->audience_org != mb->org))
		return false;
	if (overlaps_booking(g, mb->person, e))
		return false;
	for (unsigned i = 0; i < e->narr; i++)
		if (e->arr[i].person == mb->person)
			return false;
	int64_t now = g->now, s0 = e->starts_at;
	switch (s->want) {
	case W_COMPLETED:
		return s0 < now - 30 * DAY && s0 > now - 2 * YEAR &&
		       e->narr >= (unsigned)e->min + 2;
	case W_BOOKED:
		return s0 > now + 7 * DAY && s0 < now + 150 * DAY && e->opens < now - 20 * DAY &&
		       e->closes > now;
	case W_WAITLISTED:
		return s0 > now + 14 * DAY && s0 < now + 200 * DAY && e->opens < now - 20 * DAY &&
		       e->closes > now && !e->reserved;
	case W_OFFERED:
		return e->offer_hours > 0 && s0 > now + 10 * DAY && s0 < now + 200 * DAY &&
		       e->opens < now - 20 * DAY && e->closes > now && !e->reserved;
	case W_REQUESTED:
		return e->price > 0 && s0 > now + 14 * DAY && s0 < now + 200 * DAY &&
		       e->opens < now - DAY && e->closes > now;
	}
	return false;
}

static bool wish_met(const struct script *s, const struct arrival *a)
{
	switch (s->want) {
	case W_COMPLETED:
		return a->state == S_COMPLETED;
	case W_BOOKED:
		return a->state == S_ENROLLED;
	case W_WAITLISTED:
		return a->state == S_WAITLISTED;
	case W_OFFERED:
		return a->state == S_OFFERED;
	case W_REQUESTED:
		return a->state == S_REQUESTED && a->step == 1;
	}
	return false;
}

/* Seats still free after playing the edition as planned. */
static int64_t free_seats(const struct edition *e)
{
	int64_t held = 0;
	for (unsigned i = 0; i < e->narr; i++)
		held += e->arr[i].state == S_ENROLLED || e->arr[i].state == S_OFFERED;
	return e->capacity - held - (e->reserved ? e->resv_seats - e->resv_used : 0);
}

/* n people from elsewhere whom their managers book at `at` (no waiting for
 * approval), placed before the log-in's arrival, which stays last. */
static struct arrival *add_fillers(struct gen *g, struct edition *e, struct arrival *a, int si,
                                   int64_t at, int64_t n)
{
	for (int64_t k = 0; k < n && e->narr + 2 < MAX_ARR; k++) {
		struct arrival f = *a;
		uint32_t x;
		if (!draw_member(g, e, &x))
			break;
		f.member = x;
		draw_intents(g, e, &f, at + k * 60);
		f.script = si;
		f.by_manager = true;
		f.d2 = 60;
		f.refuse1 = f.refuse2 = false;
		f.over_budget_ok = true;
		f.t_cancel = 0;
		e->arr[e->narr + 1] = *a;
		e->arr[e->narr++] = f;
		a = &e->arr[e->narr];
	}
	return a;
}

/* Adds the log-in to a planned edition and plays it; keeps the result when
 * the wish came true, else plays the edition as planned, without them. */
static bool try_script(struct gen *g, struct edition *e, int si)
{
	struct script *s = &g->scripts[si];
	int64_t now = g->now;
	if (e->narr >= MAX_ARR - 1) {
		play(g, e);
		return false;
	}
	struct arrival *a = &e->arr[e->narr];
	memset(a, 0, sizeof *a);
	a->member = s->member;
	draw_intents(g, e, a, e->opens);
	a->script = si;
	a->by_manager = false;
	a->t_cancel = 0;
	a->refuse1 = a->refuse2 = false;
	a->over_budget_ok = true;
	a->no_show = false;
	a->presence |= 0xf;
	a->completes = true;
	a->answer = NEVER;
	a->t_done = 0;
	a->d1 = rng_span(&g->rng, 3 * HOUR, 2 * DAY);
	a->d2 = rng_span(&g->rng, 2 * HOUR, DAY);
	int64_t forced_person = 0, forced_cancel = 0;
	bool forced_by_manager = false;
	switch (s->want) {
	case W_COMPLETED:
		a->t_arrive = e->opens + (e->closes - e->opens) / 4;
		break;
	case W_BOOKED:
		a->t_arrive = (e->opens > now - 25 * DAY ? e->opens : now - 25 * DAY) + 2 * DAY;
		break;
	case W_WAITLISTED: {
		play(g, e); /* full by now? else colleagues from elsewhere fill it first */
		int64_t free = free_seats(e);
		a->t_arrive = free > 8 ? 0 : now - 3 * HOUR;
		a->d1 = a->d2 = 20 * 60;
		if (free > 0 && free <= 8)
			a = add_fillers(g, e, a, si, now - 5 * HOUR, free);
		break;
	}
	case W_REQUESTED:
		a->t_arrive = now - rng_span(&g->rng, 3 * HOUR, DAY);
		a->d1 = -1;
		break;
	case W_OFFERED: {
		/* full six hours ago (else colleagues from elsewhere took the last
		 * seats an hour before), the log-in joins the waitlist, and an hour
		 * later somebody gives up a seat: an offer open for two days */
		play(g, e);
		int64_t free = free_seats(e), t0 = now - 6 * HOUR;
		if (free > 8) {
			a->t_arrive = 0; /* played as planned below */
			break;
		}
		if (free > 0)
			a = add_fillers(g, e, a, si, t0 - HOUR, free);
		a->t_arrive = t0;
		a->d1 = a->d2 = 60;
		/* somebody booked before gives up their seat a few hours ago */
		for (unsigned i = 0; i < e->narr && !forced_person; i++) {
			struct arrival *x = &e->arr[i];
			if ((x->state == S_ENROLLED || x->script == si) && !x->via_reservation &&
			    x->t_cancel == 0 && x->t_arrive < t0) {
				forced_person = x->person;
				forced_cancel = x->t_cancel;
				forced_by_manager = x->cancel_by_manager;
				x->t_cancel = now - 5 * HOUR;
				x->cancel_by_manager = true;
			}
		}
		if (!forced_person)
			a->t_arrive = 0; /* nobody to give up a seat: as planned */
		break;
	}
	}
	if (a->t_arrive >= e->opens && a->t_arrive < now) {
		e->narr++;
		sort_arrivals(e);
		play(g, e);
		const struct arrival *mine = NULL;
		for (unsigned i = 0; i < e->narr; i++)
			if (e->arr[i].script == si && e->arr[i].person == s->person)
				mine = &e->arr[i];
		if (mine && wish_met(s, mine) && !e->overflow) {
			s->done++;
			if (e->starts_at > now &&
			    g->nbooked < sizeof g->booked / sizeof g->booked[0])
				g->booked[g->nbooked++] = (struct booked){.person = mine->person,
				                                          .module_id = e->mod->id,
				                                          .starts_at = e->starts_at,
				                                          .ends_at = e->ends_at};
			return true;
		}
		unsigned j = 0; /* no luck: take them out again */
		for (unsigned i = 0; i < e->narr; i++)
			if (e->arr[i].script != si)
				e->arr[j++] = e->arr[i];
		e->narr = j;
	}
	for (unsigned i = 0; i < e->narr; i++)
		if (forced_person && e->arr[i].person == forced_person) {
			e->arr[i].t_cancel = forced_cancel;
			e->arr[i].cancel_by_manager = forced_by_manager;
		}
	play(g, e);
	return false;
}

static int add_script(struct gen *g, const char *email, uint32_t member_hint, enum want w,
                      unsigned need)
{
	if (g->nscripts == sizeof g->scripts / sizeof g->scripts[0])
		return CAMPUS_EINTERNAL;
	int64_t person = 0;
	uint32_t mi = member_hint;
	if (g->utrecht == UINT32_MAX)
		return 0; /* not the demo sector's libraries: nothing to show */
	if (email) {
		person = person_by_email(g, email);
		mi = UINT32_MAX;
		for (size_t i = 0; i < g->nmembers && person; i++)
			if (g->members[i].person == person && g->members[i].org == g->utrecht)
				mi = (uint32_t)i;
		if (mi == UINT32_MAX)
			return 0; /* not this sector's log-in: nothing to show */
	} else {
		person = g->members[mi].person;
	}
	g->scripts[g->nscripts++] =
	    (struct script){.person = person, .member = mi, .want = w, .need = need};
	return 0;
}

static int make_scripts(struct gen *g)
{
	static const char *const logins[] = {
	    "beheerder@campus.demo",         "commissie@campus.demo",
	    "manager@" UTRECHT ".demo",      "medewerker@" UTRECHT ".demo",
	    "vrijwilliger@" UTRECHT ".demo", "aanbieder@go-opleidingen.demo",
	    "docent@go-opleidingen.demo"};
	for (size_t i = 0; i < sizeof logins / sizeof logins[0]; i++)
		g->logins[i] = person_by_email(g, logins[i]);
	const char *emp = "medewerker@" UTRECHT ".demo", *vol = "vrijwilliger@" UTRECHT ".demo";
	int rc = add_script(g, emp, 0, W_COMPLETED, 4);
	if (!rc)
		rc = add_script(g, emp, 0, W_BOOKED, 2);
	if (!rc)
		rc = add_script(g, emp, 0, W_WAITLISTED, 1);
	if (!rc)
		rc = add_script(g, emp, 0, W_OFFERED, 1);
	if (!rc)
		rc = add_script(g, emp, 0, W_REQUESTED, 1);
	if (!rc)
		rc = add_script(g, vol, 0, W_COMPLETED, 2);
	if (!rc)
		rc = add_script(g, vol, 0, W_BOOKED, 1);
	return rc;
}

/* Three colleagues at Utrecht waiting for the manager (after make_pools). */
static int make_colleague_scripts(struct gen *g)
{
	if (g->utrecht == UINT32_MAX)
		return 0;
	const struct org *u = &g->orgs[g->utrecht];
	for (unsigned i = 0; i < 3 && u->npool[K_EMPLOYEE] > 3 * i + 3; i++) {
		int rc = add_script(g, NULL, u->pool[K_EMPLOYEE][3 * i + 2], W_REQUESTED, 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- writing an edition -------------------------------------------------------------------------
 */

static int write_edition(struct gen *g, struct edition *e)
{
	if (e->overflow)
		return CAMPUS_EINTERNAL;
	e->id = ++g->next_edition;
	int64_t seats = 0;
	for (unsigned i = 0; i < e->narr; i++) {
		enum st s = e->arr[i].state;
		seats += s == S_ENROLLED || s == S_OFFERED || s == S_ATTENDED || s == S_COMPLETED ||
		         s == S_NOT_COMPLETED || s == S_NO_SHOW;
	}
	if (e->reserved)
		seats += e->resv_seats - e->resv_used;
	if (e->cancelled_at)
		seats = 0;
	/* the play and the count agree for an edition still to come */
	if (!e->cancelled_at && !e->always_open && e->starts_at > g->now && seats != e->taken)
		return CAMPUS_EINTERNAL;
	if (e->capacity && seats > e->capacity)
		return CAMPUS_EINTERNAL;
	int64_t updated = e->cancelled_at ? e->cancelled_at : e->created_at;
	struct db_param pe[] = {DBP_INT(e->id),
	                        DBP_INT(e->mod->id),
	                        DBP_INT(e->mod->provider_id),
	                        DBP_TEXT(e->code),
	                        DBP_BOOL(e->always_open),
	                        opt_int(e->capacity),
	                        DBP_INT(e->min),
	                        opt_int(e->opens),
	                        opt_int(e->closes),
	                        opt_int(e->cancel_until),
	                        e->price != e->mod->price ? (struct db_param)DBP_INT(e->price)
	                                                  : (struct db_param)DBP_NULL,
	                        DBP_INT(e->offer_hours),
	                        DBP_TEXT(e->place),
	                        DBP_TEXT(e->url),
	                        DBP_TEXT(e->notes),
	                        DBP_INT(seats),
	                        DBP_INT(e->seq),
	                        opt_int(e->starts_at),
	                        opt_int(e->ends_at),
	                        opt_int(e->cancelled_at),
	                        DBP_TEXT(e->cancel_reason ? e->cancel_reason : ""),
	                        opt_int(e->created_by),
	                        DBP_INT(e->created_at),
	                        DBP_INT(updated),
	                        DBP_END};
	int rc = put_row(g, T_EDITION, pe);
	g->res.editions++;
	g->res.cancelled_editions += e->cancelled_at != 0;
	for (unsigned i = 0; !rc && i < e->nmeetings; i++) {
		struct meeting *m = &e->meetings[i];
		m->id = ++g->next_meeting;
		struct db_param p[] = {DBP_INT(m->id),
		                       DBP_INT(e->id),
		                       DBP_INT(m->starts_at),
		                       DBP_INT(m->ends_at),
		                       DBP_TEXT(m->place),
		                       DBP_TEXT(m->url),
		                       DBP_END};
		rc = put_row(g, T_MEETING, p);
		g->res.meetings++;
	}
	for (unsigned i = 0; !rc && i < e->nteachers; i++)
		rc = put_row(
		    g, T_TEACHER,
		    (const struct db_param[]){DBP_INT(e->id), DBP_INT(e->teachers[i]), DBP_END});
	if (!rc && e->audience_org != UINT32_MAX)
		rc = put_row(g, T_AUDIENCE,
		             (const struct db_param[]){
		                 DBP_INT(e->id), DBP_INT(g->orgs[e->audience_org].id), DBP_END});
	if (!rc && e->reserved) {
		e->resv_id = ++g->next_reservation;
		struct db_param p[] = {DBP_INT(e->resv_id),
		                       DBP_INT(e->id),
		                       DBP_INT(g->orgs[e->resv_org].id),
		                       DBP_INT(e->resv_seats),
		                       DBP_INT(e->resv_used),
		                       opt_int(e->resv_by),
		                       DBP_INT(e->resv_at),
		                       DBP_END};
		rc = put_row(g, T_RESERVATION, p);
	}
	for (unsigned i = 0; !rc && i < e->narr; i++) {
		struct arrival *a = &e->arr[i];
		if (a->state == S_NONE)
			continue;
		a->id = ++g->next_enrolment;
		int year = year_of(e->always_open ? a->t_arrive : e->starts_at);
		if (a->budget == B_NONE || a->budget == B_RELEASED || e->price == 0) {
			/* nothing to book; a release keeps its year for the record */
		} else {
			struct account *x = account_get(g, a, year, a->updated_at);
			if (!x)
				return CAMPUS_ENOMEM;
			if (x->amount - x->reserved - x->spent < e->price) {
				/* the manager raised this person's budget to approve it */
				x->amount =
				    (x->reserved + x->spent + e->price + 4999) / 5000 * 5000;
				x->personal = true;
			}
			if (a->budget == B_RESERVED)
				x->reserved += e->price;
			else
				x->spent += e->price;
			if (a->updated_at > x->updated_at)
				x->updated_at = a->updated_at;
		}
		bool waiting = a->state == S_REQUESTED || a->state == S_REFUSED ||
		               (a->state == S_EXPIRED && !a->pos && !a->offer_expires);
		struct db_param p[] = {
		    DBP_INT(a->id),
		    DBP_INT(e->id),
		    DBP_INT(a->person),
		    DBP_INT(a->org_id),
		    DBP_TEXT(st_names[a->state]),
		    DBP_INT(waiting ? a->step : 0),
		    opt_int(a->pos),
		    opt_int(a->offer_expires),
		    opt_int(a->via_reservation ? e->resv_id : 0),
		    DBP_INT(e->price),
		    a->budget != B_NONE ? (struct db_param)DBP_INT(year)
		                        : (struct db_param)DBP_NULL,
		    DBP_TEXT(budget_names[a->budget]),
		    DBP_TEXT(a->state == S_COMPLETED && a->grade ? a->grade : ""),
		    DBP_TEXT(a->reason ? a->reason : ""),
		    DBP_INT(a->t_arrive),
		    opt_int(a->reminded_at),
		    opt_int(a->decided_at),
		    opt_int(a->enrolled_by),
		    DBP_INT(a->t_arrive),
		    DBP_INT(a->updated_at),
		    DBP_END};
		rc = put_row(g, T_ENROLMENT, p);
		g->res.enrolments++;
	}
	for (unsigned i = 0; !rc && i < e->nev; i++) {
		const struct event *v = &e->ev[i];
		struct db_param p[] = {DBP_INT(++g->next_event),
		                       DBP_INT(e->arr[v->arr].id),
		                       DBP_INT(v->at),
		                       opt_int(v->actor),
		                       DBP_TEXT(st_names[v->from]),
		                       DBP_TEXT(st_names[v->to]),
		                       DBP_TEXT(v->reason),
		                       DBP_END};
		rc = put_row(g, T_EVENT, p);
		g->res.events++;
	}
	for (unsigned i = 0; !rc && i < e->nmarks; i++) {
		const struct mark *k = &e->marks[i];
		struct db_param p[] = {DBP_INT(e->arr[k->arr].id),
		                       DBP_INT(e->meetings[k->meeting].id),
		                       DBP_BOOL(k->present),
		                       DBP_TEXT(k->method),
		                       opt_int(k->by),
		                       DBP_INT(k->at),
		                       DBP_END};
		rc = put_row(g, T_ATTENDANCE, p);
		g->res.attendance++;
	}
	return rc;
}

/* Plans, plays (with a log-in's wish where one fits) and writes one edition. */
static int edition(struct gen *g, struct edition *e)
{
	bool played = false;
	for (unsigned si = 0; si < g->nscripts; si++) {
		struct script *s = &g->scripts[si];
		if (s->done < s->need && fits(g, s, e)) {
			played = true;
			if (try_script(g, e, (int)si))
				break;
		}
	}
	if (!played)
		play(g, e);
	return write_edition(g, e);
}

/* How many editions a module gets in a year: 1-4 for classroom and
 * blended, fewer for local modules. */
static unsigned per_year(struct gen *g, const struct module *m)
{
	uint32_t r = rng_below(&g->rng, 100);
	if (m->local)
		return r < 85 ? 1 : 2;
	if (m->fmt == F_ONLINE)
		return r < 70 ? 1 : r < 95 ? 2 : 3;
	return r < 55 ? 1 : r < 85 ? 2 : r < 96 ? 3 : 4;
}

static int build(struct gen *g)
{
	int rc = load(g);
	if (!rc)
		rc = make_scripts(g);
	if (!rc)
		rc = make_pools(g);
	if (rc)
		return rc;
	g->year0 = year_of(g->now - 3 * YEAR - 200 * DAY);
	g->nyears = year_of(g->now + YEAR + 30 * DAY) - g->year0 + 1;
	if (g->nyears > MAX_YEARS)
		g->nyears = MAX_YEARS;
	rc = make_policies(g);
	if (!rc)
		rc = make_colleague_scripts(g);
	if (rc)
		return rc;
	g->accounts_cap = 131072;
	g->acc_cap = 2 * g->accounts_cap;
	g->accounts = arena_alloc(g->a, g->accounts_cap * sizeof *g->accounts);
	g->acc_index = arena_zalloc(g->a, g->acc_cap * sizeof *g->acc_index);
	if (!g->accounts || !g->acc_index)
		return CAMPUS_ENOMEM;

	struct edition *e = &g->ed;
	for (size_t i = 0; !rc && i < g->nmods; i++) {
		const struct module *m = &g->mods[i];
		if (m->fmt == F_ELEARNING) {
			plan_open(g, e, m);
			rc = edition(g, e);
			continue;
		}
		/* three years back and one ahead, each year's editions spread over it */
		for (int y = -3; !rc && y <= 0; y++) {
			unsigned k = per_year(g, m);
			int64_t from = g->now + y * YEAR + (y == 0 ? 3 * DAY : 0);
			int64_t span = y == 0 ? YEAR - 30 * DAY : YEAR;
			for (unsigned j = 0; !rc && j < k; j++) {
				int64_t target = from + span * j / k +
				                 rng_span(&g->rng, 0, span / k / DAY) * DAY;
				plan_dated(g, e, m, target);
				rc = edition(g, e);
			}
		}
	}
	for (size_t i = 0; !rc && i < g->naccounts; i++) {
		const struct account *x = &g->accounts[i];
		struct db_param p[] = {
		    DBP_INT(x->org_id),    DBP_INT(x->person),     DBP_INT(x->year),
		    DBP_INT(x->amount),    DBP_INT(x->reserved),   DBP_INT(x->spent),
		    DBP_BOOL(x->personal), DBP_INT(x->updated_at), DBP_END};
		rc = put_row(g, T_ACCOUNT, p);
		g->res.budget_accounts++;
	}
	if (!rc)
		rc = flush_all(g);
	if (!rc)
		rc = db_exec(g->db, &stmt_de_sequences, (const struct db_param[]){DBP_END}, NULL);
	for (unsigned i = 0; i < g->nscripts; i++)
		g->res.login_wishes_unmet += g->scripts[i].done < g->scripts[i].need;
	return rc;
}

/* The demo's history includes the reminders a running server would already
 * have sent: otherwise the first enrol_tick after `campus demo` would mail
 * hundreds of people at once (and hold up every other e-mail behind them). */
DB_STMT(stmt_de_reminded_meetings,
        "INSERT INTO meeting_reminders (enrolment_id, meeting_id, sent_at) "
        "SELECT x.id, mt.id, $1 FROM edition_meetings mt JOIN enrolments x "
        "ON x.edition_id = mt.edition_id AND x.state = 'enrolled' "
        "WHERE mt.starts_at > $1 AND mt.starts_at <= $2 "
        "ON CONFLICT (enrolment_id, meeting_id) DO NOTHING");
#define DE_REMIND_DUE                                                                              \
	"x.state = 'requested' AND x.reminded_at IS NULL AND x.requested_at + 86400 * "                \
	"COALESCE((SELECT pl.remind_days FROM enrol_policies pl WHERE pl.org_id = x.org_id), 3) <= $1"
DB_STMT(stmt_de_reminded_events,
        "INSERT INTO enrolment_events (enrolment_id, at, from_state, to_state, reason) "
        "SELECT x.id, $1, 'requested', 'requested', 'Herinnering verstuurd.' FROM enrolments x "
        "WHERE " DE_REMIND_DUE);
/* editions.waiting (enrol.c keeps it with each move) for the rows written
 * here in bulk. */
DB_STMT(stmt_de_waiting,
        "UPDATE editions SET waiting = (SELECT COUNT(*) FROM enrolments x "
        "WHERE x.edition_id = editions.id AND x.state = 'waitlisted') WHERE waitlist_seq > 0");
DB_STMT(stmt_de_reminded_requests,
        "UPDATE enrolments AS x SET reminded_at = $1 WHERE " DE_REMIND_DUE);

int demo_enrol_build(struct ctx *ctx, struct db_conn *db, unsigned long seed, int64_t now,
                     struct demo_enrol_result *out)
{
	struct gen *g = xcalloc(1, sizeof *g);
	g->ctx = ctx;
	g->db = db;
	g->pg = db_dialect(db) == DB_POSTGRES;
	g->now = now;

	g->rng.s = 0x456e726f6c6d6e74ULL ^ (uint64_t)seed; /* "Enrolmnt" */
	g->a = arena_new(256u << 20);
	for (int t = 0; t < T_COUNT; t++)
		buf_init(&g->batch[t], NULL, 0);
	int rc = db_query_row(
	    db, &stmt_de_max_ids, (const struct db_param[]){DBP_END},
	    (const struct db_col[]){DBC_INT(&g->next_edition), DBC_INT(&g->next_meeting),
	                            DBC_INT(&g->next_reservation), DBC_INT(&g->next_enrolment),
	                            DBC_INT(&g->next_event), DBC_END},
	    g->a);
	if (!rc)
		rc = db_exec(db, &stmt_de_cache_big, (const struct db_param[]){DBP_END}, NULL);
	if (!rc)
		rc = build(g);
	if (!rc)
		rc = db_exec(db, &stmt_de_waiting, (const struct db_param[]){DBP_END}, NULL);
	/* A day more than enrol_tick's two: the tests' servers start minutes later. */
	if (!rc)
		rc = db_exec(db, &stmt_de_reminded_meetings,
		             (const struct db_param[]){DBP_INT(now), DBP_INT(now + 3 * 86400), DBP_END},
		             NULL);
	if (!rc)
		rc = db_exec(db, &stmt_de_reminded_events, (const struct db_param[]){DBP_INT(now), DBP_END},
		             NULL);
	if (!rc)
		rc = db_exec(db, &stmt_de_reminded_requests, (const struct db_param[]){DBP_INT(now), DBP_END},
		             NULL);
	if (!rc)
		rc = db_exec(db, &stmt_de_cache_default, (const struct db_param[]){DBP_END}, NULL);
	if (!rc && out)
		*out = g->res;
	for (int t = 0; t < T_COUNT; t++)
		buf_fini(&g->batch[t]);
	arena_free(g->a);
	free(g);
	return rc;
}
