/* The annual PE norm (norm.h): the norms, pro rata, the state per person,
 * a library's view, the sector report and the reminders. Everything that
 * looks at many people reads them in one grouped query over the ledger
 * (membership joined to the year's rows) and works out the state here. */
#include "domain/norm.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/authz.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/notify.h"

#define YEAR_MIN 2000
#define YEAR_MAX 2100
#define MANAGERS_MAX 20 /* managers told of one library */
#define SERVER_TICK_SECONDS (15 * 60)

/* ---- statements ---- */

DB_STMT(stmt_norm_campus, "SELECT id FROM organisations WHERE kind = 'campus' ORDER BY id LIMIT 1");
DB_STMT(stmt_norm_get,
        "SELECT points_tenths, study_max_tenths, mandatory, updated_at FROM pe_norms "
        "WHERE org_id = $1 AND year = $2 AND member_kind = $3");
DB_STMT(stmt_norm_year,
        "SELECT org_id, member_kind, points_tenths, study_max_tenths, mandatory FROM pe_norms "
        "WHERE year = $1 ORDER BY org_id, member_kind");
DB_STMT(stmt_norm_upsert,
        "INSERT INTO pe_norms (org_id, year, member_kind, points_tenths, study_max_tenths, "
        "mandatory, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (org_id, year, member_kind) DO UPDATE SET points_tenths = excluded.points_tenths, "
        "study_max_tenths = excluded.study_max_tenths, mandatory = excluded.mandatory, "
        "updated_by = excluded.updated_by, updated_at = excluded.updated_at");
DB_STMT(stmt_norm_delete,
        "DELETE FROM pe_norms WHERE org_id = $1 AND year = $2 AND member_kind = $3");
DB_STMT(stmt_norm_org_kind, "SELECT kind FROM organisations WHERE id = $1");
DB_STMT(stmt_norm_orgs,
        "SELECT id, name, slug FROM organisations WHERE kind IN ('library', 'poi') ORDER BY name, id");
DB_STMT(stmt_norm_managers,
        "SELECT person_id FROM memberships WHERE org_id = $1 AND ended_at IS NULL "
        "AND (roles & 2) <> 0 ORDER BY person_id LIMIT 20");
/* One round per audience: a row sent before this round's start is sent
 * again (1 October, then 1 December); otherwise nothing changes. */
DB_STMT(stmt_norm_claim,
        "INSERT INTO norm_reminders (person_id, org_id, year, audience, sent_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id, org_id, year, audience) "
        "DO UPDATE SET sent_at = excluded.sent_at WHERE norm_reminders.sent_at < $6");

/* Memberships of year [$2, $3) with the points earned during them, in two
 * parts. Whoever was a member all year gets every row of the year: one
 * grouped pass over the index (year, person_id, kind, points_tenths) of
 * migration 0010. Who joined or left during the year gets the rows earned
 * while a member, per membership (a reversal carries its original's year
 * and earned_at, progress_reverse, so it falls where the original did).
 * That second part differs per dialect (DB_STMT2). SQLite: a correlated
 * sum per membership, an index probe on (person_id, year). PostgreSQL: a
 * join grouped per membership, so the planner picks index probes for a few
 * such members and one hash join over the year's rows for many (a sector
 * that all joined this year, as in the points benchmark: the two
 * correlated sums per membership took 150-360 ms for 30,000 there, the
 * join half that; on SQLite the join was the slower one). */
#define NORM_KINDS " WHERE o.kind IN ('library', 'poi') AND m.kind IN ('employee', 'volunteer')"
/* CAST to INTEGER: PostgreSQL then sums in int8 rather than numeric (a
 * row's points fit easily). */
#define NORM_SUM(k)                                                                                \
	"SUM(CASE WHEN kind = '" k "' THEN CAST(points_tenths AS INTEGER) ELSE 0 END)"
/* A correlated sum per membership: an index probe on (person_id, year). */
#define NORM_WINDOW_SUM(k)                                                                         \
	"(SELECT COALESCE(" NORM_SUM(k) ", 0) FROM points_ledger l WHERE l.person_id = m.person_id "  \
	"AND l.year = $1 AND l.earned_at >= m.started_at "                                            \
	"AND (m.ended_at IS NULL OR l.earned_at < m.ended_at))"
#define NORM_JOIN_SUM(k)                                                                           \
	"CAST(COALESCE(SUM(CASE WHEN l.kind = '" k "' THEN CAST(l.points_tenths AS INTEGER) "         \
	"ELSE 0 END), 0) AS BIGINT)"
#define NORM_ALL_YEAR(agg_filter, m_filter, cols, joins)                                           \
	"SELECT m.person_id, m.org_id, m.kind, m.started_at, m.ended_at, "                         \
	"CAST(COALESCE(t.pe, 0) AS BIGINT), CAST(COALESCE(t.study, 0) AS BIGINT)" cols              \
	" FROM memberships m JOIN organisations o ON o.id = m.org_id" joins                        \
	" LEFT JOIN (SELECT person_id, " NORM_SUM("pe") " AS pe, " NORM_SUM("study") " AS study "    \
	"FROM points_ledger WHERE year = $1" agg_filter " GROUP BY person_id) t "                   \
	"ON t.person_id = m.person_id" NORM_KINDS                                                   \
	" AND m.started_at <= $2 AND (m.ended_at IS NULL OR m.ended_at >= $3)" m_filter
#define NORM_PART_YEAR " AND m.started_at < $3 AND (m.ended_at IS NULL OR m.ended_at > $2)"      \
	" AND (m.started_at > $2 OR m.ended_at < $3)"
#define NORM_ROWS_SQLITE(agg_filter, m_filter, cols, joins)                                        \
	NORM_ALL_YEAR(agg_filter, m_filter, cols, joins)                                           \
	" UNION ALL SELECT m.person_id, m.org_id, m.kind, m.started_at, m.ended_at, "              \
	"CAST(" NORM_WINDOW_SUM("pe") " AS BIGINT), CAST(" NORM_WINDOW_SUM("study") " AS BIGINT)" cols \
	" FROM memberships m JOIN organisations o ON o.id = m.org_id" joins NORM_KINDS             \
	NORM_PART_YEAR m_filter
#define NORM_ROWS_PG(agg_filter, m_filter, cols, joins)                                            \
	NORM_ALL_YEAR(agg_filter, m_filter, cols, joins)                                           \
	" UNION ALL SELECT m.person_id, m.org_id, m.kind, m.started_at, m.ended_at, "              \
	NORM_JOIN_SUM("pe") ", " NORM_JOIN_SUM("study") cols                                       \
	" FROM memberships m JOIN organisations o ON o.id = m.org_id" joins                        \
	" LEFT JOIN points_ledger l ON l.person_id = m.person_id AND l.year = $1"                  \
	" AND l.earned_at >= m.started_at AND (m.ended_at IS NULL OR l.earned_at < m.ended_at)"    \
	NORM_KINDS NORM_PART_YEAR m_filter                                                          \
	" GROUP BY m.id, m.person_id, m.org_id, m.kind, m.started_at, m.ended_at" cols
#define NORM_STMT(var, agg_filter, m_filter, cols, joins, tail)                                    \
	DB_STMT2(var, NORM_ROWS_PG(agg_filter, m_filter, cols, joins) tail,                         \
	         NORM_ROWS_SQLITE(agg_filter, m_filter, cols, joins) tail)
#define NORM_NAMED ", pp.name, o.name, o.slug"
#define NORM_NAMED_JOIN " JOIN people pp ON pp.id = m.person_id"

NORM_STMT(stmt_norm_sector, "", "", "", "", "");
NORM_STMT(stmt_norm_sector_named, "", "", NORM_NAMED, NORM_NAMED_JOIN, " ORDER BY 2, 8, 1");
NORM_STMT(stmt_norm_org, " AND person_id IN (SELECT person_id FROM memberships WHERE org_id = $4)",
          " AND m.org_id = $4", NORM_NAMED, NORM_NAMED_JOIN, " ORDER BY 8, 1");
NORM_STMT(stmt_norm_person, " AND person_id = $4", " AND m.person_id = $4", NORM_NAMED,
          NORM_NAMED_JOIN, " ORDER BY 9, 2");

/* ---- the arithmetic ---- */

const char *norm_state_label(enum norm_state s)
{
	switch (s) {
	case NORM_MET: return N_("Gehaald");
	case NORM_ON_TRACK: return N_("Op schema");
	case NORM_BEHIND: return N_("Achter");
	case NORM_NONE: break;
	}
	return N_("Geen norm");
}

bool norm_not_below(int64_t l_points, int64_t l_study_max, int64_t s_points, int64_t s_study_max)
{
	/* Whoever has pe + min(study, l_max) >= l_points also has
	 * pe + min(study, s_max) >= s_points exactly when both hold. */
	return l_points >= s_points && l_points - l_study_max >= s_points - s_study_max;
}

static int64_t month_start(int year, int month)
{
	int64_t t = 0;
	if (month > 12) {
		year++;
		month -= 12;
	}
	when_from_local(year, month, 1, 0, 0, &t);
	return t;
}

int norm_months(int year, int64_t started_at, int64_t ended_at, int64_t *from, int64_t *until)
{
	/* A month counts when the membership covers all of it: begun on or
	 * before its first day, not ended before the next month's first. */
	int first = 1, last = 12;
	struct when_local s;
	when_to_local(started_at, &s);
	if (s.year > year)
		first = 13;
	else if (s.year == year)
		first = s.day == 1 ? s.month : s.month + 1;
	if (ended_at) {
		struct when_local e;
		when_to_local(ended_at, &e);
		if (e.year < year)
			last = 0;
		else if (e.year == year)
			last = e.month - 1;
	}
	if (first > last) {
		*from = *until = 0;
		return 0;
	}
	*from = month_start(year, first);
	*until = month_start(year, last + 1);
	return last - first + 1;
}

int64_t norm_pro_rata(int64_t points_tenths, int months)
{
	if (months <= 0)
		return 0;
	if (months >= 12)
		return points_tenths;
	return (points_tenths * months + 6) / 12;
}

int64_t norm_earned(int64_t pe_tenths, int64_t study_tenths, int64_t study_max_tenths)
{
	return pe_tenths + (study_tenths > study_max_tenths ? study_max_tenths : study_tenths);
}

enum norm_state norm_state_at(int64_t required, int64_t earned, int64_t from, int64_t until,
                              int64_t now)
{
	if (required <= 0)
		return NORM_NONE;
	if (earned >= required)
		return NORM_MET;
	if (until <= from || now >= until)
		return NORM_BEHIND;
	int64_t passed = now <= from ? 0 : now - from;
	/* earned / required >= passed / span, without division */
	return earned * (until - from) >= required * passed ? NORM_ON_TRACK : NORM_BEHIND;
}

/* ---- the norms ---- */

static bool kind_ok(const char *k)
{
	return k && (!strcmp(k, "employee") || !strcmp(k, "volunteer"));
}

static int campus_org(struct ctx *ctx, int64_t *id)
{
	*id = 0;
	int rc = db_query_row(ctx->db, &stmt_norm_campus, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(id), DBC_END}, ctx->arena);
	return rc == CAMPUS_ENOTFOUND ? 0 : rc;
}

static int norm_row(struct ctx *ctx, int64_t org_id, int year, const char *kind, struct norm *out)
{
	memset(out, 0, sizeof *out);
	out->year = year;
	out->member_kind = kind;
	if (!org_id)
		return 0;
	int rc = db_query_row(ctx->db, &stmt_norm_get,
	                      (const struct db_param[]){DBP_INT(org_id), DBP_INT(year), DBP_TEXT(kind), DBP_END},
	                      (const struct db_col[]){DBC_INT(&out->points_tenths),
	                                              DBC_INT(&out->study_max_tenths),
	                                              DBC_BOOL(&out->mandatory), DBC_INT(&out->updated_at),
	                                              DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return 0;
	out->set = rc == 0;
	return rc;
}

int norm_sector_get(struct ctx *ctx, int year, const char *member_kind, struct norm *out)
{
	if (!kind_ok(member_kind))
		return CAMPUS_EINVAL;
	int64_t campus;
	int rc = campus_org(ctx, &campus);
	return rc ? rc : norm_row(ctx, campus, year, member_kind, out);
}

int norm_org_get(struct ctx *ctx, int64_t org_id, int year, const char *member_kind, struct norm *out)
{
	if (!kind_ok(member_kind))
		return CAMPUS_EINVAL;
	int rc = authz_check(&ctx->actor, AZ_ORG_MANAGER, org_id);
	return rc ? rc : norm_row(ctx, org_id, year, member_kind, out);
}

static void effective(const struct norm *own, const struct norm *sector, struct norm *out)
{
	if (own->set && (!sector->set || norm_not_below(own->points_tenths, own->study_max_tenths,
	                                                sector->points_tenths, sector->study_max_tenths)))
		*out = *own;
	else
		*out = *sector;
	out->mandatory = (own->set && own->mandatory) || (sector->set && sector->mandatory);
}

int norm_effective(struct ctx *ctx, int64_t org_id, int year, const char *member_kind, struct norm *out)
{
	struct norm own, sector;
	int rc = norm_org_get(ctx, org_id, year, member_kind, &own);
	if (!rc)
		rc = norm_sector_get(ctx, year, member_kind, &sector);
	if (!rc)
		effective(&own, &sector, out);
	return rc;
}

static int year_now(struct ctx *ctx)
{
	struct when_local l;
	when_to_local(ctx->now(), &l);
	return l.year;
}

/* What every set checks first; *why set on a refusal. */
static int check_input(struct ctx *ctx, int year, const char *kind, int64_t points, int64_t study_max,
                       const char **why)
{
	int now = year_now(ctx);
	if (!kind_ok(kind)) {
		*why = N_("Kies medewerkers of vrijwilligers.");
		return CAMPUS_EINVAL;
	}
	if (year < now || year > now + 1 || year < YEAR_MIN || year > YEAR_MAX) {
		*why = N_("Een norm kan alleen voor dit jaar of volgend jaar worden vastgesteld.");
		return CAMPUS_EINVAL;
	}
	if (points < 0 || points > NORM_POINTS_MAX_TENTHS || study_max < 0 ||
	    study_max > NORM_POINTS_MAX_TENTHS) {
		*why = N_("Een norm ligt tussen 0 en 1000 punten.");
		return CAMPUS_EINVAL;
	}
	if (study_max > points) {
		*why = N_("Er kunnen niet meer studiepunten meetellen dan de norm zelf.");
		return CAMPUS_EINVAL;
	}
	return 0;
}

struct set_args {
	struct ctx *ctx;
	int64_t org_id;
	int year;
	const char *kind;
	int64_t points, study_max;
	bool mandatory, clear, sector;
	const char **why;
};

static int set_tx(struct db_conn *db, void *cls)
{
	struct set_args *a = cls;
	struct ctx *ctx = a->ctx;
	(void)db;
	int rc;
	int64_t changes = 0;
	if (!a->sector) {
		/* Checked inside the transaction, so a sector change at the same
		 * time cannot slip a library below it. */
		struct norm sector;
		rc = norm_sector_get(ctx, a->year, a->kind, &sector);
		if (rc)
			return rc;
		if (!a->clear && sector.set) {
			if (a->points < sector.points_tenths) {
				*a->why = N_("Een eigen norm kan niet lager zijn dan de norm van de sector.");
				return CAMPUS_EINVAL;
			}
			if (!norm_not_below(a->points, a->study_max, sector.points_tenths, sector.study_max_tenths)) {
				*a->why = N_("Met zoveel studiepunten vraagt de eigen norm minder erkende (PE-)punten "
				             "dan de norm van de sector.");
				return CAMPUS_EINVAL;
			}
			if (sector.mandatory && !a->mandatory) {
				*a->why = N_("De norm van de sector is verplicht; een eigen norm kan dan niet "
				             "vrijblijvend zijn.");
				return CAMPUS_EINVAL;
			}
		}
	}
	if (a->clear) {
		rc = db_exec(ctx->db, &stmt_norm_delete,
		             (const struct db_param[]){DBP_INT(a->org_id), DBP_INT(a->year), DBP_TEXT(a->kind), DBP_END},
		             &changes);
		if (!rc && changes == 0) {
			*a->why = N_("Er is geen eigen norm om te verwijderen.");
			return CAMPUS_ENOTFOUND;
		}
	} else {
		rc = db_exec(ctx->db, &stmt_norm_upsert,
		             (const struct db_param[]){DBP_INT(a->org_id), DBP_INT(a->year), DBP_TEXT(a->kind),
		                                       DBP_INT(a->points), DBP_INT(a->study_max),
		                                       DBP_BOOL(a->mandatory),
		                                       ctx->actor.person_id ? (struct db_param)DBP_INT(ctx->actor.person_id)
		                                                            : (struct db_param)DBP_NULL,
		                                       DBP_INT(ctx->now()), DBP_END},
		             NULL);
	}
	if (rc)
		return rc;
	const char *object = arena_printf(ctx->arena, "%lld/%d/%s", (long long)a->org_id, a->year, a->kind);
	const char *detail =
	    a->clear ? "cleared"
	             : arena_printf(ctx->arena, "points_tenths=%lld study_max_tenths=%lld mandatory=%d",
	                            (long long)a->points, (long long)a->study_max, a->mandatory ? 1 : 0);
	if (!object || !detail)
		return CAMPUS_ENOMEM;
	return audit_record(ctx, a->sector ? "norm.sector_set" : a->clear ? "norm.org_clear" : "norm.org_set",
	                    "pe_norm", object, "ok", detail);
}

int norm_sector_set(struct ctx *ctx, int year, const char *member_kind, int64_t points_tenths,
                    int64_t study_max_tenths, bool mandatory, const char **why)
{
	*why = NULL;
	int rc = authz_check(&ctx->actor, AZ_CAMPUS_ADMIN, 0);
	if (rc)
		return rc;
	rc = check_input(ctx, year, member_kind, points_tenths, study_max_tenths, why);
	if (rc)
		return rc;
	int64_t campus;
	rc = campus_org(ctx, &campus);
	if (rc)
		return rc;
	if (!campus) {
		*why = N_("Er is geen campusorganisatie om de norm van de sector bij te houden.");
		return CAMPUS_ENOTFOUND;
	}
	struct set_args a = {ctx, campus, year, member_kind, points_tenths, study_max_tenths, mandatory,
	                     false, true, why};
	return db_tx_run(ctx->db, DB_TX_WRITE, set_tx, &a);
}

static int org_is_library(struct ctx *ctx, int64_t org_id, const char **why)
{
	const char *kind = NULL;
	int rc = db_query_row(ctx->db, &stmt_norm_org_kind, (const struct db_param[]){DBP_INT(org_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&kind), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	if (strcmp(kind, "library") && strcmp(kind, "poi")) {
		*why = N_("Alleen een bibliotheek of POI heeft een eigen PE-norm.");
		return CAMPUS_EINVAL;
	}
	return 0;
}

int norm_org_set(struct ctx *ctx, int64_t org_id, int year, const char *member_kind,
                 int64_t points_tenths, int64_t study_max_tenths, bool mandatory, const char **why)
{
	*why = NULL;
	int rc = authz_check(&ctx->actor, AZ_ORG_MANAGER, org_id);
	if (!rc)
		rc = org_is_library(ctx, org_id, why);
	if (!rc)
		rc = check_input(ctx, year, member_kind, points_tenths, study_max_tenths, why);
	if (rc)
		return rc;
	struct set_args a = {ctx, org_id, year, member_kind, points_tenths, study_max_tenths, mandatory,
	                     false, false, why};
	return db_tx_run(ctx->db, DB_TX_WRITE, set_tx, &a);
}

int norm_org_clear(struct ctx *ctx, int64_t org_id, int year, const char *member_kind, const char **why)
{
	*why = NULL;
	int rc = authz_check(&ctx->actor, AZ_ORG_MANAGER, org_id);
	if (!rc)
		rc = org_is_library(ctx, org_id, why);
	if (!rc)
		rc = check_input(ctx, year, member_kind, 0, 0, why);
	if (rc)
		return rc;
	struct set_args a = {ctx, org_id, year, member_kind, 0, 0, false, true, false, why};
	return db_tx_run(ctx->db, DB_TX_WRITE, set_tx, &a);
}

/* ---- the year's norms, looked up per membership ---- */

struct norm_entry {
	int64_t org_id;
	bool volunteer;
	struct norm n;
};

struct year_norms {
	int year;
	int64_t start, end; /* the Amsterdam year */
	struct norm_entry sector[2]; /* employee, volunteer */
	struct norm_entry *own;      /* libraries' own, by org_id then kind */
	size_t nown;
};

struct norm_db_row {
	int64_t org_id;
	const char *kind;
	int64_t points, study_max;
	bool mandatory;
};

static int load_norms(struct ctx *ctx, int year, struct year_norms *yn)
{
	memset(yn, 0, sizeof *yn);
	yn->year = year;
	yn->start = month_start(year, 1);
	yn->end = month_start(year + 1, 1);
	int64_t campus;
	int rc = campus_org(ctx, &campus);
	if (rc)
		return rc;
	struct norm_db_row cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_norm_year, (const struct db_param[]){DBP_INT(year), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur.org_id), DBC_TEXT(&cur.kind), DBC_INT(&cur.points),
	                                      DBC_INT(&cur.study_max), DBC_BOOL(&cur.mandatory), DBC_END},
	              ctx->arena, db_rows_collect, &rows);
	if (rc)
		return rc;
	yn->own = arena_zalloc(ctx->arena, (rows.n + 1) * sizeof *yn->own);
	if (!yn->own)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < rows.n; i++) {
		const struct norm_db_row *x = (const struct norm_db_row *)rows.data + i;
		bool vol = !strcmp(x->kind, "volunteer");
		struct norm_entry e = {x->org_id, vol,
		                       {year, vol ? "volunteer" : "employee", x->points, x->study_max,
		                        x->mandatory, true, 0}};
		if (x->org_id == campus)
			yn->sector[vol] = e;
		else
			yn->own[yn->nown++] = e; /* ordered by org_id, kind as the query gives them */
	}
	return 0;
}

static int entry_cmp(const void *k, const void *e)
{
	const struct norm_entry *a = k, *b = e;
	if (a->org_id != b->org_id)
		return a->org_id < b->org_id ? -1 : 1;
	return (int)a->volunteer - (int)b->volunteer;
}

static void norm_for(const struct year_norms *yn, int64_t org_id, bool volunteer, struct norm *out)
{
	struct norm_entry key = {.org_id = org_id, .volunteer = volunteer};
	const struct norm_entry *own = yn->nown ? bsearch(&key, yn->own, yn->nown, sizeof *yn->own, entry_cmp)
	                                        : NULL;
	struct norm none = {.year = yn->year, .member_kind = volunteer ? "volunteer" : "employee"};
	effective(own ? &own->n : &none, &yn->sector[volunteer].n, out);
	if (!yn->sector[volunteer].n.set && !own)
		out->member_kind = none.member_kind;
}

/* One membership row of the grouped queries. */
struct mrow {
	int64_t person_id, org_id;
	const char *kind;
	int64_t started_at, ended_at;
	bool ended_null;
	int64_t pe, study;
	const char *name, *org_name, *org_slug;
};

static void compute(const struct year_norms *yn, const struct mrow *m, int64_t now,
                    struct norm_person *p)
{
	bool vol = !strcmp(m->kind, "volunteer");
	struct norm n;
	norm_for(yn, m->org_id, vol, &n);
	int64_t from, until;
	memset(p, 0, sizeof *p);
	p->person_id = m->person_id;
	p->name = m->name;
	p->member_kind = vol ? "volunteer" : "employee";
	if (m->started_at <= yn->start && (m->ended_null || m->ended_at >= yn->end)) {
		/* a member all year: most people, without the calendar sums */
		p->months = 12;
		from = yn->start;
		until = yn->end;
	} else {
		p->months = norm_months(yn->year, m->started_at, m->ended_null ? 0 : m->ended_at, &from, &until);
	}
	p->norm_tenths = n.set ? n.points_tenths : 0;
	p->required_tenths = n.set ? norm_pro_rata(n.points_tenths, p->months) : 0;
	p->pe_tenths = m->pe;
	p->study_tenths = m->study;
	p->earned_tenths = norm_earned(m->pe, m->study, n.set ? n.study_max_tenths : 0);
	p->mandatory = n.mandatory;
	p->state = norm_state_at(p->required_tenths, p->earned_tenths, from, until, now);
}

static void count(struct norm_counts *c, enum norm_state s)
{
	c->members++;
	switch (s) {
	case NORM_MET: c->met++; break;
	case NORM_ON_TRACK: c->on_track++; break;
	case NORM_BEHIND: c->behind++; break;
	case NORM_NONE: c->none++; break;
	}
}

static bool year_ok(int year) { return year >= YEAR_MIN && year <= YEAR_MAX; }

/* [start, end) of the Amsterdam year. */
static void year_span(int year, int64_t *start, int64_t *end)
{
	*start = month_start(year, 1);
	*end = month_start(year + 1, 1);
}

#define MROW_COLS(m)                                                                               \
	DBC_INT(&(m).person_id), DBC_INT(&(m).org_id), DBC_TEXT(&(m).kind), DBC_INT(&(m).started_at),  \
	    DBC_INT_OPT(&(m).ended_at, &(m).ended_null), DBC_INT(&(m).pe), DBC_INT(&(m).study)

struct collect {
	struct db_rows rows; /* of struct norm_person */
	const struct year_norms *yn;
	struct mrow m;
	int64_t now;
	struct norm_counts *totals;
	int64_t *org_ids; /* parallel to rows, when wanted */
	size_t norgs, caporgs;
	struct arena *arena;
};

static int collect_row(void *cls)
{
	struct collect *c = cls;
	struct norm_person *p = db_rows_push(&c->rows);
	if (!p)
		return CAMPUS_ENOMEM;
	compute(c->yn, &c->m, c->now, p);
	if (c->totals)
		count(c->totals, p->state);
	if (c->org_ids) {
		if (c->norgs == c->caporgs) {
			size_t cap = c->caporgs * 2;
			int64_t *n = arena_alloc(c->arena, cap * sizeof *n);
			if (!n)
				return CAMPUS_ENOMEM;
			memcpy(n, c->org_ids, c->norgs * sizeof *n);
			c->org_ids = n;
			c->caporgs = cap;
		}
		c->org_ids[c->norgs++] = c->m.org_id;
	}
	return 0;
}

int norm_org_people(struct ctx *ctx, int64_t org_id, int year, struct norm_person **out, size_t *n,
                    struct norm_counts *totals)
{
	*out = NULL;
	*n = 0;
	memset(totals, 0, sizeof *totals);
	int rc = authz_check(&ctx->actor, AZ_ORG_MANAGER, org_id);
	if (rc)
		return rc;
	if (!year_ok(year))
		return CAMPUS_EINVAL;
	struct year_norms yn;
	rc = load_norms(ctx, year, &yn);
	if (rc)
		return rc;
	int64_t start, end;
	year_span(year, &start, &end);
	struct collect c = {.rows = {.arena = ctx->arena, .size = sizeof(struct norm_person)},
	                    .yn = &yn, .now = ctx->now(), .totals = totals};
	rc = db_query(ctx->db, &stmt_norm_org,
	              (const struct db_param[]){DBP_INT(year), DBP_INT(start), DBP_INT(end), DBP_INT(org_id), DBP_END},
	              (const struct db_col[]){MROW_COLS(c.m), DBC_TEXT(&c.m.name), DBC_TEXT(&c.m.org_name),
	                                      DBC_TEXT(&c.m.org_slug), DBC_END},
	              ctx->arena, collect_row, &c);
	if (rc)
		return rc;
	*out = c.rows.data;
	*n = c.rows.n;
	return 0;
}

int norm_status_for(struct ctx *ctx, int64_t person_id, int year, struct norm_status **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!year_ok(year))
		return CAMPUS_EINVAL;
	struct year_norms yn;
	int rc = load_norms(ctx, year, &yn);
	if (rc)
		return rc;
	int64_t start, end;
	year_span(year, &start, &end);
	struct collect c = {.rows = {.arena = ctx->arena, .size = sizeof(struct norm_person)},
	                    .yn = &yn, .now = ctx->now(), .org_ids = NULL, .arena = ctx->arena};
	c.caporgs = 4;
	c.org_ids = arena_alloc(ctx->arena, c.caporgs * sizeof *c.org_ids);
	if (!c.org_ids)
		return CAMPUS_ENOMEM;
	rc = db_query(ctx->db, &stmt_norm_person,
	              (const struct db_param[]){DBP_INT(year), DBP_INT(start), DBP_INT(end), DBP_INT(person_id), DBP_END},
	              (const struct db_col[]){MROW_COLS(c.m), DBC_TEXT(&c.m.name), DBC_TEXT(&c.m.org_name),
	                                      DBC_TEXT(&c.m.org_slug), DBC_END},
	              ctx->arena, collect_row, &c);
	if (rc)
		return rc;
	struct norm_status *s = arena_zalloc(ctx->arena, (c.rows.n + 1) * sizeof *s);
	if (!s)
		return CAMPUS_ENOMEM;
	const struct actor *a = &ctx->actor;
	/* Someone else than the person (a manager) sees the status at their
	 * own library only, whatever the caller checked. */
	bool all = a->person_id == person_id || (a->flags & ACTOR_SYSTEM) || (a->roles & ROLE_CAMPUS_ADMIN);
	const struct norm_person *p = c.rows.data;
	for (size_t i = 0; i < c.rows.n; i++) {
		if (!all && c.org_ids[i] != a->org_id)
			continue;
		s[*n] = (struct norm_status){year, c.org_ids[i], p[i].member_kind, p[i].required_tenths,
		                             p[i].earned_tenths, p[i].mandatory, p[i].state};
		(*n)++;
	}
	*out = s;
	return 0;
}

/* ---- the sector report ---- */

struct sector_cls {
	const struct year_norms *yn;
	struct mrow m;
	int64_t now;
	struct norm_org_counts *orgs;
	size_t norgs;
	struct norm_counts *totals;
	size_t last; /* index of the previous row's organisation */
};

static int org_cmp(const void *k, const void *e)
{
	int64_t id = *(const int64_t *)k;
	const struct norm_org_counts *o = e;
	return id < o->org_id ? -1 : id > o->org_id;
}

static int sector_row(void *cls)
{
	struct sector_cls *s = cls;
	struct norm_person p;
	struct mrow *m = &s->m;
	m->name = "";
	compute(s->yn, m, s->now, &p);
	count(s->totals, p.state);
	if (s->last >= s->norgs || s->orgs[s->last].org_id != m->org_id) {
		struct norm_org_counts *o = bsearch(&m->org_id, s->orgs, s->norgs, sizeof *s->orgs, org_cmp);
		if (!o)
			return 0; /* an organisation made during the query */
		s->last = (size_t)(o - s->orgs);
	}
	count(&s->orgs[s->last].c, p.state);
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct norm_org_counts *x = a, *y = b;
	return x->org_id < y->org_id ? -1 : x->org_id > y->org_id;
}

static int by_name(const void *a, const void *b)
{
	const struct norm_org_counts *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : by_id(a, b);
}

int norm_sector_report(struct ctx *ctx, int year, struct norm_org_counts **out, size_t *n,
                       struct norm_counts *totals)
{
	*out = NULL;
	*n = 0;
	memset(totals, 0, sizeof *totals);
	int rc = authz_check(&ctx->actor, AZ_CAMPUS_ADMIN, 0);
	if (rc)
		return rc;
	if (!year_ok(year))
		return CAMPUS_EINVAL;
	struct year_norms yn;
	rc = load_norms(ctx, year, &yn);
	if (rc)
		return rc;
	struct norm_org_counts cur = {0};
	struct db_rows orgs = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_norm_orgs, (const struct db_param[]){DBP_END},
	              (const struct db_col[]){DBC_INT(&cur.org_id), DBC_TEXT(&cur.name), DBC_TEXT(&cur.slug), DBC_END},
	              ctx->arena, db_rows_collect, &orgs);
	if (rc)
		return rc;
	struct sector_cls s = {.yn = &yn, .now = ctx->now(), .orgs = orgs.data, .norgs = orgs.n,
	                       .totals = totals, .last = SIZE_MAX};
	if (s.norgs)
		qsort(s.orgs, s.norgs, sizeof *s.orgs, by_id);
	int64_t start, end;
	year_span(year, &start, &end);
	rc = db_query(ctx->db, &stmt_norm_sector,
	              (const struct db_param[]){DBP_INT(year), DBP_INT(start), DBP_INT(end), DBP_END},
	              (const struct db_col[]){MROW_COLS(s.m), DBC_END}, ctx->arena, sector_row, &s);
	if (rc)
		return rc;
	if (s.norgs)
		qsort(s.orgs, s.norgs, sizeof *s.orgs, by_name);
	*out = s.orgs;
	*n = s.norgs;
	return 0;
}

/* ---- reminders ---- */

static const char *points_text(struct arena *a, int64_t tenths)
{
	char buf[24];
	return arena_strdup(a, tenths_format(tenths, buf, sizeof buf));
}

struct tick_org {
	struct ctx *ctx;
	int64_t org_id;
	const char *org_name, *org_slug;
	int year;
	int64_t round_start;
	const struct norm_person *people; /* this library's rows */
	size_t n;
	struct norm_counts c;
	unsigned learners, managers;
};

static int claim(struct ctx *ctx, int64_t person_id, int64_t org_id, int year, const char *audience,
                 int64_t round_start, bool *won)
{
	int64_t changes = 0;
	int rc = db_exec(ctx->db, &stmt_norm_claim,
	                 (const struct db_param[]){DBP_INT(person_id), DBP_INT(org_id), DBP_INT(year),
	                                           DBP_TEXT(audience), DBP_INT(ctx->now()),
	                                           DBP_INT(round_start), DBP_END},
	                 &changes);
	*won = changes > 0;
	return rc;
}

static int tick_org_tx(struct db_conn *db, void *cls)
{
	struct tick_org *t = cls;
	struct ctx *ctx = t->ctx;
	(void)db;
	t->learners = t->managers = 0;
	const char *year = arena_printf(ctx->arena, "%d", t->year);
	const char *link = arena_printf(ctx->arena, "/b/%s/pe-norm", t->org_slug);
	if (!year || !link)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		const struct norm_person *p = &t->people[i];
		if (p->state != NORM_BEHIND)
			continue;
		bool won;
		int rc = claim(ctx, p->person_id, t->org_id, t->year, "learner", t->round_start, &won);
		if (rc)
			return rc;
		if (!won)
			continue;
		const char *vars[] = {"naam", p->name, "jaar", year, "bibliotheek", t->org_name,
		                      "vereist", points_text(ctx->arena, p->required_tenths),
		                      "behaald", points_text(ctx->arena, p->earned_tenths), NULL};
		struct notify_msg m = {
		    .kind = "norm.behind",
		    .subject = N_("Je loopt achter op de PE-norm voor {jaar}"),
		    .body = N_("Beste {naam},\n\nVoor {bibliotheek} vraagt de PE-norm in {jaar} {vereist} "
		               "punten van je. Je hebt er nu {behaald}. Kijk in het aanbod welke erkende "
		               "modules je nog dit jaar kunt volgen."),
		    .link = "/aanbod",
		    .vars = vars,
		    .mail = true};
		rc = notify_person(ctx, p->person_id, &m);
		if (rc)
			return rc;
		t->learners++;
	}
	if (!t->c.behind)
		return 0;
	int64_t cur;
	struct db_rows mgr = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	int rc = db_query(ctx->db, &stmt_norm_managers, (const struct db_param[]){DBP_INT(t->org_id), DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur), DBC_END}, ctx->arena, db_rows_collect, &mgr);
	if (rc)
		return rc;
	const char *vars[] = {"jaar", year, "bibliotheek", t->org_name,
	                      "achter", arena_printf(ctx->arena, "%lld", (long long)t->c.behind),
	                      "schema", arena_printf(ctx->arena, "%lld", (long long)t->c.on_track),
	                      "gehaald", arena_printf(ctx->arena, "%lld", (long long)t->c.met), NULL};
	for (size_t i = 0; i < mgr.n; i++) {
		int64_t to = ((const int64_t *)mgr.data)[i];
		bool won;
		rc = claim(ctx, to, t->org_id, t->year, "manager", t->round_start, &won);
		if (rc)
			return rc;
		if (!won)
			continue;
		struct notify_msg m = {
		    .kind = "norm.summary",
		    .subject = N_("PE-norm {jaar}: {achter} mensen van {bibliotheek} lopen achter"),
		    .body = N_("Van {bibliotheek} hebben {gehaald} mensen de PE-norm voor {jaar} gehaald, "
		               "{schema} zijn op schema en {achter} lopen achter. Zij hebben een herinnering "
		               "gekregen. Het overzicht per persoon staat op Campus."),
		    .link = link,
		    .vars = vars,
		    .mail = true};
		rc = notify_person(ctx, to, &m);
		if (rc)
			return rc;
		t->managers++;
	}
	return 0;
}

struct tick_cls {
	struct ctx *ctx;
	const struct year_norms *yn;
	struct mrow m;
	struct db_rows rows; /* struct norm_person */
	struct db_rows orgs; /* struct tick_org, one per library, rows by index */
	size_t *first;       /* first row of each org in rows */
};

struct tick_row {
	struct norm_person p;
	int64_t org_id;
	const char *org_name, *org_slug;
};

static int tick_row(void *cls)
{
	struct tick_cls *t = cls;
	struct tick_row *r = db_rows_push(&t->rows);
	if (!r)
		return CAMPUS_ENOMEM;
	compute(t->yn, &t->m, t->ctx->now(), &r->p);
	r->org_id = t->m.org_id;
	r->org_name = t->m.org_name;
	r->org_slug = t->m.org_slug;
	return 0;
}

int norm_tick(struct ctx *ctx, struct norm_tick_counts *c)
{
	memset(c, 0, sizeof *c);
	int64_t now = ctx->now();
	struct when_local l;
	when_to_local(now, &l);
	if (l.month < 10)
		return 0;
	int64_t round_start = month_start(l.year, l.month == 12 ? 12 : 10);
	struct year_norms yn;
	int rc = load_norms(ctx, l.year, &yn);
	if (rc)
		return rc;
	int64_t start, end;
	year_span(l.year, &start, &end);
	struct tick_cls t = {.ctx = ctx, .yn = &yn,
	                     .rows = {.arena = ctx->arena, .size = sizeof(struct tick_row)}};
	rc = db_query(ctx->db, &stmt_norm_sector_named,
	              (const struct db_param[]){DBP_INT(l.year), DBP_INT(start), DBP_INT(end), DBP_END},
	              (const struct db_col[]){MROW_COLS(t.m), DBC_TEXT(&t.m.name), DBC_TEXT(&t.m.org_name),
	                                      DBC_TEXT(&t.m.org_slug), DBC_END},
	              ctx->arena, tick_row, &t);
	if (rc)
		return rc;
	const struct tick_row *rows = t.rows.data;
	/* Rows come by library: each library's learners and managers in one
	 * transaction. */
	for (size_t i = 0; i < t.rows.n;) {
		size_t j = i;
		struct tick_org o = {.ctx = ctx, .org_id = rows[i].org_id, .org_name = rows[i].org_name,
		                     .org_slug = rows[i].org_slug,
		                     .year = l.year, .round_start = round_start};
		for (; j < t.rows.n && rows[j].org_id == o.org_id; j++)
			count(&o.c, rows[j].p.state);
		if (o.c.behind) {
			struct norm_person *ps = arena_alloc(ctx->arena, (j - i) * sizeof *ps);
			if (!ps)
				return CAMPUS_ENOMEM;
			for (size_t k = i; k < j; k++)
				ps[k - i] = rows[k].p;
			o.people = ps;
			o.n = j - i;
			rc = db_tx_run(ctx->db, DB_TX_WRITE, tick_org_tx, &o);
			if (rc)
				return rc;
			c->learners += o.learners;
			c->managers += o.managers;
		}
		i = j;
	}
	return 0;
}

void norm_tick_from_server(struct ctx *ctx)
{
	/* The first run is one interval after the server starts: reminders are
	 * not urgent to the minute, and a server that starts (a deploy, a test
	 * run) should not first spend its time on the whole sector's mail. */
	static _Atomic int64_t last;
	int64_t now = ctx->now();
	int64_t prev = atomic_load(&last);
	if (!prev) {
		atomic_store(&last, now);
		return;
	}
	if (now - prev < SERVER_TICK_SECONDS)
		return;
	atomic_store(&last, now);
	struct norm_tick_counts c;
	int rc = norm_tick(ctx, &c);
	if (rc)
		log_warn("msg=norm_tick_error error=%s", campus_err_code(rc));
	else if (c.learners + c.managers)
		log_info("msg=norm_tick learners=%u managers=%u", c.learners, c.managers);
}
