/* demo: the demo sector on the database named by CAMPUS_TEST_DB (SQLite in
 * memory when unset). The database is emptied first: an SQLite file is
 * deleted, a PostgreSQL database loses its public schema. The full sector is
 * built once and inspected; the determinism check builds twice more (on
 * PostgreSQL into the same database after emptying it again, so it runs last). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/auth.h"
#include "domain/ctx.h"
#include "domain/demo.h"
#include "domain/settings.h"

#define SEED 2021UL

static int64_t fixed_now(void)
{
	return 1795000000;
} /* 2026-11-18 */

DB_STMT(stmt_drop_schema, "DROP SCHEMA public CASCADE");
DB_STMT(stmt_create_schema, "CREATE SCHEMA public");
DB_STMT(stmt_count_orgs_kind, "SELECT COUNT(*) FROM organisations WHERE kind = $1");
DB_STMT(stmt_count_orgs, "SELECT COUNT(*) FROM organisations");
DB_STMT(stmt_count_people, "SELECT COUNT(*) FROM people");
DB_STMT(stmt_count_members, "SELECT COUNT(*) FROM memberships");
DB_STMT(stmt_count_library_kind,
        "SELECT COUNT(*) FROM memberships m JOIN organisations o ON o.id = m.org_id"
        " WHERE o.kind = 'library' AND m.kind = $1");
DB_STMT(stmt_libraries_without_manager,
        "SELECT COUNT(*) FROM organisations o WHERE o.kind = 'library' AND NOT EXISTS"
        " (SELECT 1 FROM memberships m WHERE m.org_id = o.id AND (m.roles & 2) <> 0)");
DB_STMT(stmt_libraries_many_managers,
        "SELECT COUNT(*) FROM (SELECT m.org_id FROM memberships m"
        " JOIN organisations o ON o.id = m.org_id WHERE o.kind = 'library' AND (m.roles & 2) <> 0"
        " GROUP BY m.org_id HAVING COUNT(*) > 3) t");
DB_STMT(stmt_providers_without,
        "SELECT COUNT(*) FROM organisations o WHERE o.kind = 'provider' AND NOT EXISTS"
        " (SELECT 1 FROM memberships m WHERE m.org_id = o.id AND (m.roles & $1) <> 0)");
DB_STMT(stmt_count_role, "SELECT COUNT(*) FROM memberships WHERE (roles & $1) <> 0");
DB_STMT(stmt_committee_where,
        "SELECT COUNT(*) FROM memberships m JOIN organisations o ON o.id = m.org_id"
        " WHERE (m.roles & 16) <> 0 AND o.kind NOT IN ('campus', 'poi')");
DB_STMT(stmt_two_orgs, "SELECT COUNT(*) FROM (SELECT person_id FROM memberships GROUP BY person_id"
                       " HAVING COUNT(*) > 1) t");
DB_STMT(stmt_provinces,
        "SELECT COUNT(DISTINCT province) FROM organisations WHERE kind = 'library'");
DB_STMT(stmt_payroll, "SELECT SUM(payroll_cents) FROM organisations WHERE kind = 'library'");
DB_STMT(stmt_with_password, "SELECT COUNT(*) FROM people WHERE password_hash IS NOT NULL");
DB_STMT(stmt_lang_nl, "SELECT COUNT(*) FROM people WHERE lang = 'nl'");
DB_STMT(stmt_login,
        "SELECT p.password_hash, m.roles, m.kind, o.name FROM people p"
        " JOIN memberships m ON m.person_id = p.id JOIN organisations o ON o.id = m.org_id"
        " WHERE p.email = $1 AND o.name = $2");
DB_STMT(stmt_login_orgs,
        "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.email = $1");
DB_STMT(stmt_orgs, "SELECT slug, name, brand_color, created_at FROM organisations ORDER BY id");
DB_STMT(stmt_emails, "SELECT email FROM people ORDER BY id");
DB_STMT(stmt_audit_demo, "SELECT COUNT(*) FROM audit_log WHERE action = 'demo.build'");

static const char *base_url; /* CAMPUS_TEST_DB or sqlite::memory: */
static bool pg;

struct dbh {
	struct db_conn *db;
	struct arena *arena; /* scratch for the test's queries, reset often */
	struct arena *keep;  /* ctx->arena: demo_build's results live here */
	struct ctx ctx;
};

static struct dbh main_db; /* the full sector, built once */
static struct demo_result main_result;
static uint64_t main_hash; /* of the e-mails in id order */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* An empty, migrated database. slot 0 is CAMPUS_TEST_DB itself; for an SQLite
 * file slot 1 is a second file next to it; PostgreSQL empties the same one. */
static void open_fresh(int slot, struct dbh *h)
{
	char url[PATH_MAX + 32];
	struct buf err;
	buf_init(&err, NULL, 0);
	if (pg) {
		struct db_conn *c;
		if (db_open(base_url, 0, &c, &err) != 0)
			fail_msg("open: %s", buf_cstr(&err));
		assert_int_equal(
		    db_exec(c, &stmt_drop_schema, (const struct db_param[]){DBP_END}, NULL), 0);
		assert_int_equal(
		    db_exec(c, &stmt_create_schema, (const struct db_param[]){DBP_END}, NULL), 0);
		db_close(c); /* fresh connection: no statements prepared against the old schema */
		snprintf(url, sizeof url, "%s", base_url);
	} else if (strcmp(base_url, "sqlite::memory:") == 0) {
		snprintf(url, sizeof url, "%s", base_url);
	} else {
		const char *path = base_url + strlen("sqlite:");
		char file[PATH_MAX + 16];
		snprintf(file, sizeof file, "%s%s", path, slot ? ".2" : "");
		static const char *const suffixes[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < 3; i++) {
			char f[PATH_MAX + 32];
			snprintf(f, sizeof f, "%s%s", file, suffixes[i]);
			unlink(f);
		}
		snprintf(url, sizeof url, "sqlite:%s", file);
	}
	if (db_open(url, DB_OPEN_CREATE, &h->db, &err) != 0 || db_migrate(h->db, &err) != 0)
		fail_msg("fresh database: %s %s", buf_cstr(&err), h->db ? db_errmsg(h->db) : "");
	buf_fini(&err);
	h->arena = arena_new(0);
	h->keep = arena_new(0);
	ctx_init_system(&h->ctx, h->db, h->keep);
	h->ctx.now = fixed_now;
}

static void close_db(struct dbh *h)
{
	if (h->arena)
		arena_free(h->arena);
	if (h->keep)
		arena_free(h->keep);
	if (h->db)
		db_close(h->db);
	memset(h, 0, sizeof *h);
}

static int64_t count(struct dbh *h, struct db_stmt *stmt, const struct db_param *params)
{
	int64_t n = -1;
	int rc = db_query_row(h->db, stmt, params, (const struct db_col[]){DBC_INT(&n), DBC_END},
	                      h->arena);
	if (rc)
		fail_msg("%s: %d %s", stmt->name, rc, db_errmsg(h->db));
	return n;
}

#define COUNT(h, stmt, ...) count(h, &stmt, (const struct db_param[]){__VA_ARGS__ DBP_END})

/* FNV-1a over the e-mails in id order; also checks each is lower-case ASCII. */
struct email_walk {
	const char *email;
	uint64_t hash;
	int64_t n;
	int64_t bad;
};

static int email_row(void *cls)
{
	struct email_walk *w = cls;
	const char *at = strchr(w->email, '@');
	if (!at || at == w->email || strchr(at + 1, '@'))
		w->bad++;
	for (const char *s = w->email; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '@'))
			w->bad++;
		w->hash = (w->hash ^ c) * 1099511628211ULL;
	}
	w->hash = (w->hash ^ '\n') * 1099511628211ULL;
	w->n++;
	return 0;
}

static uint64_t email_hash(struct dbh *h, int64_t *n, int64_t *bad)
{
	struct email_walk w = {.hash = 1469598103934665603ULL};
	int rc =
	    db_query(h->db, &stmt_emails, (const struct db_param[]){DBP_END},
	             (const struct db_col[]){DBC_TEXT(&w.email), DBC_END}, h->arena, email_row, &w);
	if (rc)
		fail_msg("emails: %d %s", rc, db_errmsg(h->db));
	arena_reset(h->arena);
	if (n)
		*n = w.n;
	if (bad)
		*bad = w.bad;
	return w.hash;
}

static int group_setup(void **state)
{
	(void)state;
	base_url = getenv("CAMPUS_TEST_DB");
	if (!base_url || !*base_url)
		base_url = "sqlite::memory:";
	enum db_dialect d;
	if (db_url_dialect(base_url, &d) != 0)
		return -1;
	pg = d == DB_POSTGRES;
	open_fresh(0, &main_db);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = demo_build(&main_db.ctx, SEED, &main_result);
	double secs = seconds_since(&t0);
	if (rc) {
		fprintf(stderr, "demo_build: %d %s\n", rc, db_errmsg(main_db.db));
		return -1;
	}
	printf("# demo_build: %u people in %.1f s (%s; %u organisations, %u memberships)\n",
	       main_result.people, secs, pg ? "PostgreSQL" : "SQLite", main_result.organisations,
	       main_result.memberships);
	fflush(stdout);
	main_hash = email_hash(&main_db, NULL, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	close_db(&main_db);
	if (!pg && strcmp(base_url, "sqlite::memory:") != 0) {
		char f[PATH_MAX + 32];
		static const char *const suffixes[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < 3; i++) {
			snprintf(f, sizeof f, "%s.2%s", base_url + strlen("sqlite:"), suffixes[i]);
			unlink(f);
		}
	}
	return 0;
}

/* ---- the shape of the sector ---------------------------------------------------- */

static void counts_in_range(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t libraries = COUNT(h, stmt_count_orgs_kind, DBP_TEXT("library"), );
	assert_in_range(libraries, 133, 160);
	assert_int_equal(COUNT(h, stmt_count_orgs_kind, DBP_TEXT("poi"), ), 9);
	assert_int_equal(COUNT(h, stmt_count_orgs_kind, DBP_TEXT("provider"), ), 10);
	assert_int_equal(COUNT(h, stmt_count_orgs_kind, DBP_TEXT("campus"), ), 1);
	int64_t people = COUNT(h, stmt_count_people, );
	assert_in_range(people, 28000, 32000);
	assert_in_range(COUNT(h, stmt_count_library_kind, DBP_TEXT("employee"), ), 7500, 8600);
	assert_in_range(COUNT(h, stmt_count_library_kind, DBP_TEXT("volunteer"), ), 20000, 24000);
	/* the result tells the truth */
	assert_int_equal(main_result.organisations, COUNT(h, stmt_count_orgs, ));
	assert_int_equal(main_result.people, people);
	assert_int_equal(main_result.memberships, COUNT(h, stmt_count_members, ));
	/* ~3% belong to two organisations */
	int64_t two = COUNT(h, stmt_two_orgs, );
	assert_in_range(two * 1000 / people, 20, 45);
	/* mostly Dutch-speaking */
	assert_in_range(COUNT(h, stmt_lang_nl, ) * 100 / people, 90, 100);
}

static void every_library_has_managers(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	assert_int_equal(COUNT(h, stmt_libraries_without_manager, ), 0);
	assert_int_equal(COUNT(h, stmt_libraries_many_managers, ), 0);
	assert_int_equal(COUNT(h, stmt_providers_without, DBP_INT(ROLE_PROVIDER_ADMIN), ), 0);
	assert_int_equal(COUNT(h, stmt_providers_without, DBP_INT(ROLE_TEACHER), ), 0);
	assert_int_equal(COUNT(h, stmt_count_role, DBP_INT(ROLE_CAMPUS_ADMIN), ), 2);
	assert_in_range(COUNT(h, stmt_count_role, DBP_INT(ROLE_COMMITTEE), ), 8, 12);
	assert_int_equal(COUNT(h, stmt_committee_where, ), 0);
}

struct org_walk {
	const char *slug, *name, *color;
	bool color_null;
	int64_t created_at;
	char **slugs;
	size_t n;
};

static int org_row(void *cls)
{
	struct org_walk *w = cls;
	size_t len = strlen(w->slug);
	assert_true(len > 0 && len <= 64);
	assert_true(w->slug[0] != '-' && w->slug[len - 1] != '-');
	for (const char *s = w->slug; *s; s++)
		assert_true((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-');
	assert_null(strstr(w->slug, "--"));
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->slugs[i], w->slug) == 0)
			fail_msg("slug %s twice", w->slug);
	w->slugs[w->n++] = strdup(w->slug);
	if (!w->color_null) {
		assert_int_equal(strlen(w->color), 7);
		assert_int_equal(settings_validate(SETTING_BRAND_COLOR, w->color), 0);
	}
	assert_true(w->created_at < fixed_now() && w->created_at > fixed_now() - 4 * 365 * 86400);
	assert_true(strlen(w->name) > 2);
	return 0;
}

static void organisations_look_right(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	assert_int_equal(COUNT(h, stmt_provinces, ), 12);
	assert_int_equal(COUNT(h, stmt_payroll, ), INT64_C(26380000000));
	struct org_walk w = {.slugs = calloc(512, sizeof(char *))};
	int rc = db_query(h->db, &stmt_orgs, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_TEXT(&w.slug), DBC_TEXT(&w.name),
	                                          DBC_TEXT_OPT(&w.color, &w.color_null),
	                                          DBC_INT(&w.created_at), DBC_END},
	                  h->arena, org_row, &w);
	assert_int_equal(rc, 0);
	assert_int_equal(w.n, main_result.organisations);
	for (size_t i = 0; i < w.n; i++)
		free(w.slugs[i]);
	free(w.slugs);
	arena_reset(h->arena);
}

/* ---- log-ins ------------------------------------------------------------------- */

static const struct {
	const char *email;
	unsigned role;
	const char *kind;
	const char *org;
	const char *label;
} expected_logins[] = {
    {"beheerder@campus.demo", ROLE_CAMPUS_ADMIN, "employee", "Campus Bibliotheekbranche",
     "campusbeheerder"},
    {"commissie@campus.demo", ROLE_COMMITTEE, "external", "Campus Bibliotheekbranche",
     "lid toetsingscommissie"},
    {"manager@bibliotheek-utrecht.demo", ROLE_LEARNER | ROLE_MANAGER, "employee",
     "De Bibliotheek Utrecht", "manager (HR/L&D)"},
    {"medewerker@bibliotheek-utrecht.demo", ROLE_LEARNER, "employee", "De Bibliotheek Utrecht",
     "medewerker"},
    {"vrijwilliger@bibliotheek-utrecht.demo", ROLE_LEARNER, "volunteer", "De Bibliotheek Utrecht",
     "vrijwilliger"},
    {"aanbieder@go-opleidingen.demo", ROLE_PROVIDER_ADMIN, "employee", "GO Opleidingen",
     "opleidingsaanbieder"},
    {"docent@go-opleidingen.demo", ROLE_TEACHER, "employee", "GO Opleidingen", "docent"},
};
#define NLOGINS (sizeof expected_logins / sizeof expected_logins[0])

static void demo_logins(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	assert_int_equal(main_result.nlogins, NLOGINS);
	assert_non_null(main_result.password);
	assert_true(strlen(main_result.password) >= AUTH_PASSWORD_MIN);
	assert_string_equal(main_result.password, DEMO_PASSWORD);
	for (size_t i = 0; i < NLOGINS; i++) {
		const struct demo_login *l = &main_result.logins[i];
		assert_string_equal(l->email, expected_logins[i].email);
		assert_string_equal(l->role_label, expected_logins[i].label);
		assert_string_equal(l->org_name, expected_logins[i].org);
		char *hash = NULL, *kind = NULL, *org = NULL;
		int64_t roles = 0;
		int rc = db_query_row(
		    h->db, &stmt_login,
		    (const struct db_param[]){DBP_TEXT(l->email), DBP_TEXT(expected_logins[i].org), DBP_END},
		    (const struct db_col[]){DBC_TEXT(&hash), DBC_INT(&roles), DBC_TEXT(&kind),
		                            DBC_TEXT(&org), DBC_END},
		    h->arena);
		if (rc)
			fail_msg("%s: %d %s", l->email, rc, db_errmsg(h->db));
		assert_int_equal(roles, expected_logins[i].role);
		/* The employee also volunteers elsewhere (for the switcher); the others work in one place. */
		int64_t norgs = 0;
		assert_int_equal(db_query_row(h->db, &stmt_login_orgs,
		                              (const struct db_param[]){DBP_TEXT(l->email), DBP_END},
		                              (const struct db_col[]){DBC_INT(&norgs), DBC_END}, h->arena),
		                 0);
		assert_int_equal(norgs, strncmp(l->email, "medewerker@", 11) == 0 ? 2 : 1);
		assert_string_equal(kind, expected_logins[i].kind);
		assert_string_equal(org, expected_logins[i].org);
		assert_true(auth_password_verify(hash, DEMO_PASSWORD));
		assert_false(auth_password_verify(hash, "Campus-demo-2025"));
	}
	/* nobody else has a password: they have not accepted their invitation */
	assert_int_equal(COUNT(h, stmt_with_password, ), NLOGINS);
	arena_reset(h->arena);
}

static void emails_unique_and_lower_case(void **state)
{
	(void)state;
	int64_t n = 0, bad = -1;
	assert_int_equal(email_hash(&main_db, &n, &bad), main_hash);
	assert_int_equal(bad, 0);
	assert_int_equal(n, main_result.people);
	/* the schema's UNIQUE holds them apart; the walk above saw every row */
}

static void settings_and_audit(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	const char *v = NULL;
	assert_int_equal(settings_get(&h->ctx, SETTING_SECTOR_NAME, &v), 0);
	assert_string_equal(v, "Campus");
	assert_int_equal(settings_get(&h->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, "#00689e");
	assert_int_equal(COUNT(h, stmt_audit_demo, ), 1);
}

static void second_build_refused(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t orgs = COUNT(h, stmt_count_orgs, ), people = COUNT(h, stmt_count_people, ),
	        members = COUNT(h, stmt_count_members, ), audit = COUNT(h, stmt_audit_demo, );
	struct demo_result r;
	assert_int_equal(demo_build(&h->ctx, SEED, &r), CAMPUS_ECONFLICT);
	assert_int_equal(demo_build(&h->ctx, 99, &r), CAMPUS_ECONFLICT);
	assert_int_equal(r.people, 0);
	assert_int_equal(r.nlogins, 0);
	assert_int_equal(demo_build_scaled(&h->ctx, SEED, 0, &r), CAMPUS_EINVAL);
	assert_int_equal(COUNT(h, stmt_count_orgs, ), orgs);
	assert_int_equal(COUNT(h, stmt_count_people, ), people);
	assert_int_equal(COUNT(h, stmt_count_members, ), members);
	assert_int_equal(COUNT(h, stmt_audit_demo, ), audit);
	assert_int_equal(email_hash(h, NULL, NULL), main_hash);
}

/* ---- determinism (last: on PostgreSQL it empties the database again) ------------ */

static uint64_t build_elsewhere(unsigned long seed, unsigned permille, unsigned *people)
{
	struct dbh h = {0};
	if (pg) /* the same database: let go of it first */
		close_db(&main_db);
	open_fresh(1, &h);
	struct demo_result r;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = demo_build_scaled(&h.ctx, seed, permille, &r);
	if (rc)
		fail_msg("demo_build seed %lu: %d %s", seed, rc, db_errmsg(h.db));
	printf("# demo_build seed %lu at %u/1000: %u people in %.1f s\n", seed, permille, r.people,
	       seconds_since(&t0));
	uint64_t hash = email_hash(&h, NULL, NULL);
	*people = r.people;
	close_db(&h);
	return hash;
}

static void same_seed_same_people(void **state)
{
	(void)state;
	unsigned people = 0;
	uint64_t again = build_elsewhere(SEED, 1000, &people);
	assert_int_equal(people, main_result.people);
	assert_true(again == main_hash);
	uint64_t other = build_elsewhere(SEED + 1, 1000, &people);
	assert_true(other != main_hash);
	/* the scaled-down sector is deterministic too */
	unsigned p1 = 0, p2 = 0;
	uint64_t s1 = build_elsewhere(7, 50, &p1), s2 = build_elsewhere(7, 50, &p2);
	assert_int_equal(p1, p2);
	assert_true(s1 == s2);
	assert_in_range(p1, 1000, 2500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(counts_in_range),
	    cmocka_unit_test(every_library_has_managers),
	    cmocka_unit_test(organisations_look_right),
	    cmocka_unit_test(demo_logins),
	    cmocka_unit_test(emails_unique_and_lower_case),
	    cmocka_unit_test(settings_and_audit),
	    cmocka_unit_test(second_build_refused),
	    cmocka_unit_test(same_seed_same_people),
	};
	return cmocka_run_group_tests_name("demo", tests, group_setup, group_teardown);
}
