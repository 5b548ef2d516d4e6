/* domain/norm: pro rata, the cap on study points, the states, the sector
 * default and a library's own norm (above it, refused below it), a
 * library's view and the sector report from ledger rows, norm_status_for,
 * and the reminders going once per round. On the database named by
 * CAMPUS_TEST_DB (SQLite and PostgreSQL). Everything this suite makes
 * carries a tag of its run, so a database kept from an earlier run does not
 * disturb it; the ledger cannot be emptied (it is append-only). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/norm.h"
#include "domain/progress.h"
#include "view/i18n.h"

#define YEAR 2026

static int64_t clock_value;
static int64_t test_now(void) { return clock_value; }

static int64_t at(int month, int day)
{
	int64_t t = 0;
	assert_true(when_from_local(YEAR, month, day, 12, 0, &t));
	return t;
}

static int64_t midnight(int year, int month, int day)
{
	int64_t t = 0;
	assert_true(when_from_local(year, month, day, 0, 0, &t));
	return t;
}

DB_STMT(stmt_t_campus, "SELECT id FROM organisations WHERE kind = 'campus' ORDER BY id LIMIT 1");
DB_STMT(stmt_t_org,
        "INSERT INTO organisations (slug, name, kind, created_at, updated_at) VALUES ($1, $2, $3, 1, 1) "
        "RETURNING id");
DB_STMT(stmt_t_person,
        "INSERT INTO people (email, name, lang, created_at, updated_at) VALUES ($1, $2, 'nl', 1, 1) "
        "RETURNING id");
DB_STMT(stmt_t_member,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at, ended_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)");
DB_STMT(stmt_t_points,
        "INSERT INTO points_ledger (person_id, kind, points_tenths, title, source, year, earned_at, "
        "registered_at) VALUES ($1, $2, $3, 'Module', 'demo', $4, $5, $5) RETURNING id");
DB_STMT(stmt_t_reverse,
        "INSERT INTO points_ledger (person_id, kind, points_tenths, title, source, year, earned_at, "
        "registered_at, reverses_id, reason) VALUES ($1, $2, $3, 'Module', 'demo', $4, $5, $5, $6, "
        "'dubbel geregistreerd') RETURNING id");
DB_STMT(stmt_t_del_norms, "DELETE FROM pe_norms WHERE year = $1");
DB_STMT(stmt_t_notifications, "SELECT count(*) FROM notifications WHERE person_id = $1 AND kind = $2");
DB_STMT(stmt_t_outbox, "SELECT count(*) FROM outbox WHERE to_addr = $1");
DB_STMT(stmt_t_audit, "SELECT count(*) FROM audit_log WHERE action = $1 AND object_id = $2");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	char tag[40];
	int64_t campus, lib_a, lib_b, provider;
	int64_t admin, manager_a, manager_b;
	/* of library A: */
	int64_t met, on_track, behind, none_ext, late, studier, mover, volunteer;
};

static int64_t insert_id(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t id = 0;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&id), DBC_END}, f->arena), 0);
	return id;
}

static int64_t count_of(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena), 0);
	return n;
}

static int64_t org(struct fixture *f, const char *slug, const char *name, const char *kind)
{
	const char *s = arena_printf(f->arena, "%s-%s", slug, f->tag);
	return insert_id(f, &stmt_t_org,
	                 (const struct db_param[]){DBP_TEXT(s), DBP_TEXT(name), DBP_TEXT(kind), DBP_END});
}

static int64_t person(struct fixture *f, const char *local, const char *name)
{
	const char *email = arena_printf(f->arena, "%s-%s@norm.test", local, f->tag);
	return insert_id(f, &stmt_t_person, (const struct db_param[]){DBP_TEXT(email), DBP_TEXT(name), DBP_END});
}

static const char *email_of(struct fixture *f, const char *local)
{
	return arena_printf(f->arena, "%s-%s@norm.test", local, f->tag);
}

static void member(struct fixture *f, int64_t person_id, int64_t org_id, const char *kind, unsigned roles,
                   int64_t started, int64_t ended)
{
	assert_int_equal(db_exec(f->db, &stmt_t_member,
	                         (const struct db_param[]){DBP_INT(person_id), DBP_INT(org_id), DBP_TEXT(kind),
	                                                   DBP_INT(roles), DBP_INT(started),
	                                                   ended ? (struct db_param)DBP_INT(ended)
	                                                         : (struct db_param)DBP_NULL,
	                                                   DBP_END},
	                         NULL),
	                 0);
}

static int64_t points(struct fixture *f, int64_t person_id, const char *kind, int64_t tenths, int64_t when)
{
	struct when_local l;
	when_to_local(when, &l);
	return insert_id(f, &stmt_t_points,
	                 (const struct db_param[]){DBP_INT(person_id), DBP_TEXT(kind), DBP_INT(tenths),
	                                           DBP_INT(l.year), DBP_INT(when), DBP_END});
}

static const char *translate(const char *lang, const char *msgid)
{
	int l = i18n_lang_from_code(lang);
	return l < 0 ? NULL : i18n_gettext((enum lang)l, msgid);
}

static void as_system(struct fixture *f) { f->ctx.actor = (struct actor){.flags = ACTOR_SYSTEM}; }
static void as_admin(struct fixture *f) { f->ctx.actor = (struct actor){f->admin, f->campus, ROLE_CAMPUS_ADMIN, 0}; }
static void as_manager_a(struct fixture *f) { f->ctx.actor = (struct actor){f->manager_a, f->lib_a, ROLE_MANAGER | ROLE_LEARNER, 0}; }
static void as_manager_b(struct fixture *f) { f->ctx.actor = (struct actor){f->manager_b, f->lib_b, ROLE_MANAGER, 0}; }

static int setup(void **state)
{
	const char *url = getenv("CAMPUS_TEST_DB");
	const char *locale = getenv("CAMPUS_LOCALE_DIR");
	struct fixture *f = calloc(1, sizeof *f);
	struct buf err;
	buf_init(&err, NULL, 0);
	if (i18n_load(locale ? locale : "build/po", &err) != 0 ||
	    db_open(url ? url : "sqlite::memory:", DB_OPEN_CREATE, &f->db, &err) != 0 ||
	    db_migrate(f->db, &err) != 0) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	mail_setup("https://campus.test", translate);
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = test_now};
	snprintf(f->tag, sizeof f->tag, "%lx%x", (unsigned long)time(NULL), (unsigned)getpid());
	clock_value = at(3, 1);
	if (db_exec(f->db, &stmt_t_del_norms, (const struct db_param[]){DBP_INT(YEAR), DBP_END}, NULL) != 0 ||
	    db_exec(f->db, &stmt_t_del_norms, (const struct db_param[]){DBP_INT(YEAR + 1), DBP_END}, NULL) != 0)
		return -1;
	int rc = db_query_row(f->db, &stmt_t_campus, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&f->campus), DBC_END}, f->arena);
	if (rc == CAMPUS_ENOTFOUND)
		f->campus = org(f, "campus", "Campus Bibliotheekbranche", "campus");
	f->lib_a = org(f, "bieb-a", "Bibliotheek Aa", "library");
	f->lib_b = org(f, "bieb-b", "Bibliotheek Bee", "library");
	f->provider = org(f, "aanbieder", "Aanbieder", "provider");
	f->admin = person(f, "beheer", "Beheerder");
	member(f, f->admin, f->campus, "employee", ROLE_CAMPUS_ADMIN, midnight(2020, 1, 1), 0);
	f->manager_a = person(f, "manager-a", "Manager Aa");
	f->manager_b = person(f, "manager-b", "Manager Bee");
	member(f, f->manager_b, f->lib_b, "employee", ROLE_MANAGER, midnight(2020, 1, 1), 0);

	int64_t long_ago = midnight(2020, 1, 1);
	/* The manager is an employee too, with no points: behind once the year is on. */
	member(f, f->manager_a, f->lib_a, "employee", ROLE_MANAGER | ROLE_LEARNER, long_ago, 0);
	f->met = person(f, "gehaald", "Anna Gehaald");
	member(f, f->met, f->lib_a, "employee", 1, long_ago, 0);
	points(f, f->met, "pe", 120, at(2, 10));
	points(f, f->met, "pe", 100, at(6, 10));
	points(f, f->met, "pe", 50, midnight(YEAR - 1, 12, 30)); /* last year: does not count */
	f->on_track = person(f, "schema", "Bram Schema");
	member(f, f->on_track, f->lib_a, "employee", 1, long_ago, 0);
	points(f, f->on_track, "pe", 120, at(3, 1));
	f->behind = person(f, "achter", "Cas Achter");
	member(f, f->behind, f->lib_a, "employee", 1, long_ago, 0);
	int64_t row = points(f, f->behind, "pe", 150, at(2, 1));
	/* Reversed: registered twice by mistake, corrected later (the reversal
	 * carries the original's year and earned_at, as progress_reverse writes it). */
	insert_id(f, &stmt_t_reverse,
	          (const struct db_param[]){DBP_INT(f->behind), DBP_TEXT("pe"), DBP_INT(-150), DBP_INT(YEAR),
	                                    DBP_INT(at(2, 1)), DBP_INT(row), DBP_END});
	points(f, f->behind, "pe", 20, at(2, 2));
	f->none_ext = person(f, "extern", "Dirk Extern");
	member(f, f->none_ext, f->lib_a, "external", 1, long_ago, 0);
	f->late = person(f, "laat", "Eva Laat");
	member(f, f->late, f->lib_a, "employee", 1, midnight(YEAR, 7, 1), 0);
	points(f, f->late, "pe", 30, at(6, 15)); /* before she joined: not this library's */
	points(f, f->late, "pe", 100, at(7, 15));
	row = points(f, f->late, "pe", 40, at(8, 15));
	insert_id(f, &stmt_t_reverse,
	          (const struct db_param[]){DBP_INT(f->late), DBP_TEXT("pe"), DBP_INT(-40), DBP_INT(YEAR),
	                                    DBP_INT(at(8, 15)), DBP_INT(row), DBP_END});
	f->studier = person(f, "studie", "Femke Studie");
	member(f, f->studier, f->lib_a, "employee", 1, long_ago, 0);
	points(f, f->studier, "pe", 100, at(1, 20));
	points(f, f->studier, "study", 150, at(2, 20)); /* only 50 count */
	f->mover = person(f, "verhuisd", "Gijs Verhuisd");
	member(f, f->mover, f->lib_b, "employee", 1, long_ago, midnight(YEAR, 4, 1));
	member(f, f->mover, f->lib_a, "employee", 1, midnight(YEAR, 4, 1), 0);
	points(f, f->mover, "pe", 60, at(2, 1));  /* at B */
	points(f, f->mover, "pe", 80, at(5, 1));  /* at A */
	f->volunteer = person(f, "vrijwilliger", "Hans Vrijwilliger");
	member(f, f->volunteer, f->lib_a, "volunteer", 1, long_ago, 0);
	points(f, f->volunteer, "pe", 10, at(2, 1));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->arena);
	db_close(f->db);
	i18n_unload();
	free(f);
	return 0;
}

/* ---- arithmetic ---- */

static void months_and_pro_rata(void **state)
{
	(void)state;
	int64_t from, until;
	assert_int_equal(norm_months(YEAR, midnight(2019, 5, 5), 0, &from, &until), 12);
	assert_int_equal(from, midnight(YEAR, 1, 1));
	assert_int_equal(until, midnight(YEAR + 1, 1, 1));
	/* Started on the first: March counts; on the 15th: from April. */
	assert_int_equal(norm_months(YEAR, midnight(YEAR, 3, 1) + 9 * 3600, 0, &from, &until), 10);
	assert_int_equal(from, midnight(YEAR, 3, 1));
	assert_int_equal(norm_months(YEAR, midnight(YEAR, 3, 15), 0, &from, &until), 9);
	assert_int_equal(from, midnight(YEAR, 4, 1));
	/* Left on 20 October: January to September. */
	assert_int_equal(norm_months(YEAR, midnight(2019, 1, 1), midnight(YEAR, 10, 20), &from, &until), 9);
	assert_int_equal(until, midnight(YEAR, 10, 1));
	assert_int_equal(norm_months(YEAR, midnight(YEAR + 1, 1, 1), 0, &from, &until), 0);
	assert_int_equal(norm_months(YEAR, midnight(YEAR, 12, 2), 0, &from, &until), 0);
	assert_int_equal(norm_months(YEAR, midnight(2019, 1, 1), midnight(YEAR - 1, 6, 1), &from, &until), 0);
	assert_int_equal(norm_pro_rata(200, 12), 200);
	assert_int_equal(norm_pro_rata(200, 9), 150);
	assert_int_equal(norm_pro_rata(155, 7), 90); /* 90.4 */
	assert_int_equal(norm_pro_rata(155, 5), 65); /* 64.6 */
	assert_int_equal(norm_pro_rata(200, 0), 0);
}

static void study_cap_and_states(void **state)
{
	(void)state;
	assert_int_equal(norm_earned(100, 150, 50), 150);
	assert_int_equal(norm_earned(100, 30, 50), 130);
	assert_int_equal(norm_earned(100, 30, 0), 100);
	int64_t from = midnight(YEAR, 1, 1), until = midnight(YEAR + 1, 1, 1);
	int64_t half = from + (until - from) / 2;
	assert_int_equal(norm_state_at(200, 200, from, until, half), NORM_MET);
	assert_int_equal(norm_state_at(200, 100, from, until, half), NORM_ON_TRACK);
	assert_int_equal(norm_state_at(200, 99, from, until, half), NORM_BEHIND);
	assert_int_equal(norm_state_at(200, 0, from, until, from), NORM_ON_TRACK);
	assert_int_equal(norm_state_at(200, 199, from, until, until), NORM_BEHIND);
	assert_int_equal(norm_state_at(0, 0, from, until, half), NORM_NONE);
	assert_string_equal(norm_state_label(NORM_ON_TRACK), "Op schema");
	/* Below: fewer points, or the same points with more of them study. */
	assert_true(norm_not_below(200, 50, 200, 50));
	assert_true(norm_not_below(250, 100, 200, 50));
	assert_false(norm_not_below(190, 0, 200, 50));
	assert_false(norm_not_below(200, 100, 200, 50));
}

/* ---- setting norms ---- */

static void sector_and_library_norms(void **state)
{
	struct fixture *f = *state;
	clock_value = at(3, 1);
	const char *why = NULL;
	/* Only campus administrators set the sector default. */
	as_manager_a(f);
	assert_int_equal(norm_sector_set(&f->ctx, YEAR, "employee", 200, 50, false, &why), CAMPUS_EFORBIDDEN);
	as_admin(f);
	assert_int_equal(norm_sector_set(&f->ctx, YEAR - 1, "employee", 200, 50, false, &why), CAMPUS_EINVAL);
	assert_non_null(why);
	assert_int_equal(norm_sector_set(&f->ctx, YEAR, "employee", 200, 250, false, &why), CAMPUS_EINVAL);
	assert_int_equal(norm_sector_set(&f->ctx, YEAR, "manager", 200, 0, false, &why), CAMPUS_EINVAL);
	assert_int_equal(norm_sector_set(&f->ctx, YEAR, "employee", 100001, 0, false, &why), CAMPUS_EINVAL);
	assert_int_equal(norm_sector_set(&f->ctx, YEAR, "employee", 200, 50, true, &why), 0);
	assert_null(why);
	assert_int_equal(norm_sector_set(&f->ctx, YEAR, "volunteer", 40, 0, false, &why), 0);
	struct norm n;
	assert_int_equal(norm_sector_get(&f->ctx, YEAR, "employee", &n), 0);
	assert_true(n.set);
	assert_int_equal(n.points_tenths, 200);
	assert_int_equal(n.study_max_tenths, 50);
	assert_true(n.mandatory);
	const char *obj = arena_printf(f->arena, "%lld/%d/employee", (long long)f->campus, YEAR);
	assert_int_equal(count_of(f, &stmt_t_audit, (const struct db_param[]){DBP_TEXT("norm.sector_set"), DBP_TEXT(obj), DBP_END}), 1);

	/* A library: never below the sector's, each way. */
	as_manager_a(f);
	assert_int_equal(norm_org_set(&f->ctx, f->lib_a, YEAR, "employee", 190, 50, true, &why), CAMPUS_EINVAL);
	assert_string_equal(why, "Een eigen norm kan niet lager zijn dan de norm van de sector.");
	assert_int_equal(norm_org_set(&f->ctx, f->lib_a, YEAR, "employee", 200, 100, true, &why), CAMPUS_EINVAL);
	assert_non_null(strstr(why, "PE-"));
	assert_int_equal(norm_org_set(&f->ctx, f->lib_a, YEAR, "employee", 250, 50, false, &why), CAMPUS_EINVAL);
	assert_non_null(strstr(why, "verplicht"));
	assert_int_equal(norm_org_get(&f->ctx, f->lib_a, YEAR, "employee", &n), 0);
	assert_false(n.set); /* nothing changed */
	/* Another library's manager reaches nothing. */
	as_manager_b(f);
	assert_int_equal(norm_org_set(&f->ctx, f->lib_a, YEAR, "employee", 300, 0, true, &why), CAMPUS_EFORBIDDEN);
	as_manager_a(f);
	assert_int_equal(norm_org_set(&f->ctx, f->provider, YEAR, "employee", 300, 0, true, &why), CAMPUS_EFORBIDDEN);
	as_admin(f);
	assert_int_equal(norm_org_set(&f->ctx, f->provider, YEAR, "employee", 300, 0, true, &why), CAMPUS_EINVAL);
	/* Above the sector: 24 points of which at most 5 study. */
	as_manager_a(f);
	assert_int_equal(norm_org_set(&f->ctx, f->lib_a, YEAR, "employee", 240, 50, true, &why), 0);
	assert_int_equal(norm_effective(&f->ctx, f->lib_a, YEAR, "employee", &n), 0);
	assert_int_equal(n.points_tenths, 240);
	assert_true(n.mandatory);
	/* Volunteers keep the sector's. */
	assert_int_equal(norm_effective(&f->ctx, f->lib_a, YEAR, "volunteer", &n), 0);
	assert_int_equal(n.points_tenths, 40);
	/* Clearing brings the sector's back; twice is refused. */
	assert_int_equal(norm_org_clear(&f->ctx, f->lib_a, YEAR, "employee", &why), 0);
	assert_int_equal(norm_effective(&f->ctx, f->lib_a, YEAR, "employee", &n), 0);
	assert_int_equal(n.points_tenths, 200);
	assert_int_equal(norm_org_clear(&f->ctx, f->lib_a, YEAR, "employee", &why), CAMPUS_ENOTFOUND);
	assert_non_null(why);
	/* Set again for the tests below. */
	assert_int_equal(norm_org_set(&f->ctx, f->lib_a, YEAR, "employee", 240, 50, true, &why), 0);
}

/* ---- the library's view ---- */

static const struct norm_person *find(const struct norm_person *p, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].person_id == id)
			return &p[i];
	return NULL;
}

static void library_view(void **state)
{
	struct fixture *f = *state;
	clock_value = at(7, 1); /* just under half way */
	struct norm_person *p;
	size_t n;
	struct norm_counts c;
	as_manager_b(f);
	assert_int_equal(norm_org_people(&f->ctx, f->lib_a, YEAR, &p, &n, &c), CAMPUS_EFORBIDDEN);
	as_manager_a(f);
	assert_int_equal(norm_org_people(&f->ctx, f->lib_a, YEAR, &p, &n, &c), 0);
	/* manager, met, on track, behind, late, studier, mover, volunteer; not the external. */
	assert_int_equal(n, 8);
	assert_null(find(p, n, f->none_ext));
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(p[i - 1].name, p[i].name) <= 0);

	const struct norm_person *x = find(p, n, f->met);
	assert_int_equal(x->required_tenths, 240); /* the library's own norm */
	assert_int_equal(x->earned_tenths, 220);
	assert_int_equal(x->state, NORM_ON_TRACK);
	assert_true(x->mandatory);
	x = find(p, n, f->on_track);
	assert_int_equal(x->earned_tenths, 120);
	assert_int_equal(x->state, NORM_ON_TRACK);
	x = find(p, n, f->behind);
	assert_int_equal(x->earned_tenths, 20); /* 150 reversed */
	assert_int_equal(x->state, NORM_BEHIND);
	x = find(p, n, f->late);
	assert_int_equal(x->months, 6);
	assert_int_equal(x->required_tenths, 120);
	assert_int_equal(x->earned_tenths, 100); /* not the 3 points from before she joined */
	assert_int_equal(x->state, NORM_ON_TRACK);
	x = find(p, n, f->studier);
	assert_int_equal(x->pe_tenths, 100);
	assert_int_equal(x->study_tenths, 150);
	assert_int_equal(x->earned_tenths, 150); /* 10 + at most 5 study */
	assert_int_equal(x->state, NORM_ON_TRACK);
	x = find(p, n, f->mover);
	assert_int_equal(x->months, 9);
	assert_int_equal(x->required_tenths, 180);
	assert_int_equal(x->earned_tenths, 80);
	assert_int_equal(x->state, NORM_ON_TRACK); /* a third of her months gone: 6 of 18 */
	x = find(p, n, f->volunteer);
	assert_string_equal(x->member_kind, "volunteer");
	assert_int_equal(x->required_tenths, 40);
	assert_int_equal(x->state, NORM_BEHIND);
	x = find(p, n, f->manager_a);
	assert_int_equal(x->state, NORM_BEHIND);
	assert_int_equal(c.members, 8);
	assert_int_equal(c.met, 0);
	assert_int_equal(c.on_track, 5);
	assert_int_equal(c.behind, 3);

	/* At year end the on-track ones who did not make it are behind; met stays met. */
	points(f, f->met, "pe", 20, at(9, 1));
	clock_value = midnight(YEAR + 1, 1, 5);
	assert_int_equal(norm_org_people(&f->ctx, f->lib_a, YEAR, &p, &n, &c), 0);
	assert_int_equal(find(p, n, f->met)->state, NORM_MET);
	assert_int_equal(find(p, n, f->on_track)->state, NORM_BEHIND);
	assert_int_equal(c.met, 1);
	assert_int_equal(c.behind, 7);
	/* The mover's months at B: January to March, with the points earned there. */
	as_manager_b(f);
	assert_int_equal(norm_org_people(&f->ctx, f->lib_b, YEAR, &p, &n, &c), 0);
	x = find(p, n, f->mover);
	assert_non_null(x);
	assert_int_equal(x->months, 3);
	assert_int_equal(x->required_tenths, 50);
	assert_int_equal(x->earned_tenths, 60);
	assert_int_equal(x->state, NORM_MET);
}

static void status_for_and_report(void **state)
{
	struct fixture *f = *state;
	clock_value = at(7, 1);
	struct norm_status *s;
	size_t n;
	/* The person themselves: both libraries of the year. */
	f->ctx.actor = (struct actor){f->mover, f->lib_a, ROLE_LEARNER, 0};
	assert_int_equal(norm_status_for(&f->ctx, f->mover, YEAR, &s, &n), 0);
	assert_int_equal(n, 2);
	bool seen_a = false, seen_b = false;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(s[i].year, YEAR);
		if (s[i].org_id == f->lib_a) {
			seen_a = true;
			assert_int_equal(s[i].required_tenths, 180);
			assert_int_equal(s[i].earned_tenths, 80);
		} else if (s[i].org_id == f->lib_b) {
			seen_b = true;
			assert_int_equal(s[i].required_tenths, 50); /* the sector's 20, three months */
			assert_int_equal(s[i].earned_tenths, 60);
			assert_int_equal(s[i].state, NORM_MET);
		}
	}
	assert_true(seen_a && seen_b);
	/* A manager of B sees B's only. */
	as_manager_b(f);
	assert_int_equal(norm_status_for(&f->ctx, f->mover, YEAR, &s, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].org_id, f->lib_b);
	/* Nobody works there in 2019. */
	f->ctx.actor = (struct actor){f->late, f->lib_a, ROLE_LEARNER, 0};
	assert_int_equal(norm_status_for(&f->ctx, f->late, 2019, &s, &n), 0);
	assert_int_equal(n, 0);

	/* The sector report agrees with the libraries' views. */
	struct norm_org_counts *orgs;
	struct norm_counts total;
	as_manager_a(f);
	assert_int_equal(norm_sector_report(&f->ctx, YEAR, &orgs, &n, &total), CAMPUS_EFORBIDDEN);
	as_admin(f);
	assert_int_equal(norm_sector_report(&f->ctx, YEAR, &orgs, &n, &total), 0);
	int64_t sum = 0;
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		sum += orgs[i].c.members;
		assert_int_not_equal(orgs[i].org_id, f->provider);
		if (orgs[i].org_id != f->lib_a)
			continue;
		found = true;
		struct norm_person *p;
		size_t np;
		struct norm_counts c;
		assert_int_equal(norm_org_people(&f->ctx, f->lib_a, YEAR, &p, &np, &c), 0);
		assert_int_equal(orgs[i].c.members, c.members);
		assert_int_equal(orgs[i].c.met, c.met);
		assert_int_equal(orgs[i].c.on_track, c.on_track);
		assert_int_equal(orgs[i].c.behind, c.behind);
		assert_string_equal(orgs[i].name, "Bibliotheek Aa");
	}
	assert_true(found);
	assert_int_equal(sum, total.members);
	/* For whoever was a member all year, the view's points are the ledger's
	 * own year totals (progress_year_totals, another reader). */
	as_system(f);
	struct points_total *pt;
	size_t npt;
	assert_int_equal(progress_year_totals(&f->ctx, YEAR, &pt, &npt), 0);
	struct norm_person *pa;
	size_t npa;
	struct norm_counts ca;
	assert_int_equal(norm_org_people(&f->ctx, f->lib_a, YEAR, &pa, &npa, &ca), 0);
	size_t compared = 0;
	for (size_t i = 0; i < npt; i++) {
		const struct norm_person *x = find(pa, npa, pt[i].person_id);
		if (!x || x->months != 12)
			continue;
		assert_int_equal(x->pe_tenths, pt[i].pe_tenths);
		assert_int_equal(x->study_tenths, pt[i].study_tenths);
		compared++;
	}
	assert_true(compared >= 4);
	assert_int_equal(total.members, total.met + total.on_track + total.behind + total.none);
}

/* ---- reminders ---- */

static int64_t notes(struct fixture *f, int64_t person_id, const char *kind)
{
	return count_of(f, &stmt_t_notifications,
	                (const struct db_param[]){DBP_INT(person_id), DBP_TEXT(kind), DBP_END});
}

static int64_t mails(struct fixture *f, const char *local)
{
	return count_of(f, &stmt_t_outbox, (const struct db_param[]){DBP_TEXT(email_of(f, local)), DBP_END});
}

static void reminders_once_per_round(void **state)
{
	struct fixture *f = *state;
	as_system(f);
	struct norm_tick_counts c;
	clock_value = at(9, 30);
	assert_int_equal(norm_tick(&f->ctx, &c), 0);
	assert_int_equal(c.learners + c.managers, 0);
	assert_int_equal(notes(f, f->behind, "norm.behind"), 0);

	clock_value = at(10, 2);
	assert_int_equal(norm_tick(&f->ctx, &c), 0);
	assert_true(c.learners >= 1);
	assert_true(c.managers >= 1);
	assert_int_equal(notes(f, f->behind, "norm.behind"), 1);
	assert_int_equal(mails(f, "achter"), 1);
	assert_int_equal(notes(f, f->met, "norm.behind"), 0); /* met by now */
	assert_int_equal(mails(f, "gehaald"), 0);
	assert_int_equal(notes(f, f->manager_a, "norm.summary"), 1);
	assert_int_equal(mails(f, "manager-a"), 2); /* the summary, and behind on the norm herself */
	assert_int_equal(notes(f, f->manager_b, "norm.summary"), 1); /* behind at B himself */

	/* Later in the round: nothing again. */
	clock_value = at(11, 20);
	assert_int_equal(norm_tick(&f->ctx, &c), 0);
	assert_int_equal(notes(f, f->behind, "norm.behind"), 1);
	assert_int_equal(notes(f, f->manager_a, "norm.summary"), 1);

	/* December: once more, then not again. */
	clock_value = at(12, 1);
	assert_int_equal(norm_tick(&f->ctx, &c), 0);
	assert_int_equal(notes(f, f->behind, "norm.behind"), 2);
	assert_int_equal(mails(f, "achter"), 2);
	assert_int_equal(notes(f, f->manager_a, "norm.summary"), 2);
	clock_value = at(12, 20);
	assert_int_equal(norm_tick(&f->ctx, &c), 0);
	assert_int_equal(notes(f, f->behind, "norm.behind"), 2);
	assert_int_equal(notes(f, f->manager_a, "norm.summary"), 2);
	assert_int_equal(mails(f, "achter"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(months_and_pro_rata),
	    cmocka_unit_test(study_cap_and_states),
	    cmocka_unit_test(sector_and_library_norms),
	    cmocka_unit_test(library_view),
	    cmocka_unit_test(status_for_and_report),
	    cmocka_unit_test(reminders_once_per_round),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
