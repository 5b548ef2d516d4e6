/* domain: settings, on the database named by CAMPUS_TEST_DB (SQLite and
 * PostgreSQL in scripts/test.sh), with a fixed clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/people.h"
#include "domain/settings.h"

static int64_t fixed_now(void) { return 1795000000; } /* 2026-11-18 */

DB_STMT(stmt_reset_settings, "DELETE FROM settings");
DB_STMT(stmt_reset_sessions, "DELETE FROM sessions");
DB_STMT(stmt_reset_memberships, "DELETE FROM memberships");
DB_STMT(stmt_reset_people, "DELETE FROM people");
DB_STMT(stmt_reset_orgs, "DELETE FROM organisations");
DB_STMT(stmt_count_audit, "SELECT COUNT(*) FROM audit_log");
DB_STMT(stmt_updated_at, "SELECT updated_at FROM settings WHERE key = $1");
DB_STMT(stmt_count_settings, "SELECT COUNT(*) FROM settings");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
};

static int setup(void **state)
{
	const char *url = getenv("CAMPUS_TEST_DB");
	struct fixture *f = calloc(1, sizeof *f);
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(url ? url : "sqlite::memory:", DB_OPEN_CREATE, &f->db, &err) != 0 ||
	    db_migrate(f->db, &err) != 0) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	struct db_stmt *resets[] = {&stmt_reset_settings, &stmt_reset_sessions, &stmt_reset_memberships,
	                            &stmt_reset_people, &stmt_reset_orgs};
	for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++)
		if (db_exec(f->db, resets[i], (const struct db_param[]){DBP_END}, NULL) != 0)
			return -1;
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = fixed_now};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->arena);
	db_close(f->db);
	free(f);
	return 0;
}

static int64_t count_settings(struct fixture *f)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, &stmt_count_settings, (const struct db_param[]){DBP_END},
	                              (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena),
	                 0);
	return n;
}

static void defaults_without_rows(void **state)
{
	struct fixture *f = *state;
	const char *v;
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, "#00689e");
	assert_int_equal(settings_get(&f->ctx, SETTING_SECTOR_NAME, &v), 0);
	assert_string_equal(v, "Campus");
	assert_int_equal(settings_get(&f->ctx, "no.such.key", &v), CAMPUS_EINVAL);
}

static void set_then_get_with_clock(void **state)
{
	struct fixture *f = *state;
	const char *v;
	assert_int_equal(settings_set(&f->ctx, SETTING_BRAND_COLOR, "#A1B2C3"), 0);
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, "#A1B2C3");
	assert_int_equal(settings_set(&f->ctx, SETTING_BRAND_COLOR, "#000000"), 0); /* upsert */
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, "#000000");
	int64_t at = 0;
	assert_int_equal(db_query_row(f->db, &stmt_updated_at,
	                              (const struct db_param[]){DBP_TEXT(SETTING_BRAND_COLOR), DBP_END},
	                              (const struct db_col[]){DBC_INT(&at), DBC_END}, f->arena),
	                 0);
	assert_int_equal(at, fixed_now());
	assert_int_equal(settings_set(&f->ctx, SETTING_SECTOR_NAME, "Bibliotheekcampus Zoë"), 0);
	assert_int_equal(settings_get(&f->ctx, SETTING_SECTOR_NAME, &v), 0);
	assert_string_equal(v, "Bibliotheekcampus Zoë");
}

static void bad_values_change_nothing(void **state)
{
	struct fixture *f = *state;
	int64_t before = count_settings(f);
	const char *v;
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	const char *color_before = v;
	static const char *const bad_colors[] = {"red", "#12345", "#1234567", "#GGGGGG", "",
	                                         "#12345\"", "javascript:alert(1)"};
	for (size_t i = 0; i < sizeof bad_colors / sizeof bad_colors[0]; i++)
		assert_int_equal(settings_set(&f->ctx, SETTING_BRAND_COLOR, bad_colors[i]), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, SETTING_BRAND_COLOR, NULL), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, SETTING_SECTOR_NAME, ""), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, SETTING_SECTOR_NAME, "\xff\xfe"), CAMPUS_EINVAL);
	char longname[120];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(settings_set(&f->ctx, SETTING_SECTOR_NAME, longname), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, "unknown.key", "x"), CAMPUS_EINVAL);
	assert_int_equal(count_settings(f), before);
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, color_before);
}

static int64_t count_audit(struct fixture *f)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, &stmt_count_audit, (const struct db_param[]){DBP_END},
	                              (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena),
	                 0);
	return n;
}

/* Organisations, people, memberships and the lists over them. */
static void people_and_lists(void **state)
{
	struct fixture *f = *state;
	struct ctx *ctx = &f->ctx;
	ctx->actor.flags = ACTOR_SYSTEM;
	int64_t audit_before = count_audit(f);
	int64_t gouda, delft, id;
	struct org o = {.slug = "bibliotheek-gouda", .name = "Bibliotheek Gouda", .kind = "library",
	                .place = "Gouda", .province = "Zuid-Holland"};
	assert_int_equal(org_create(ctx, &o, &gouda), 0);
	assert_int_equal(org_create(ctx, &o, &id), CAMPUS_ECONFLICT);
	struct org d = {.slug = "delft", .name = "DOK Delft", .kind = "library"};
	assert_int_equal(org_create(ctx, &d, &delft), 0);
	struct org bad = {.slug = "Gouda Stad", .name = "X", .kind = "library"};
	assert_int_equal(org_create(ctx, &bad, &id), CAMPUS_EINVAL);
	bad = (struct org){.slug = "x-y", .name = "X", .kind = "school"};
	assert_int_equal(org_create(ctx, &bad, &id), CAMPUS_EINVAL);

	static const char *const names[] = {"Anne de Boer", "Bram Jansen", "Chaima El Idrissi",
	                                    "Daan Jansen", "Eva van Dijk"};
	int64_t ids[5];
	for (int i = 0; i < 5; i++) {
		char email[64];
		snprintf(email, sizeof email, "  Persoon%d@Gouda.NL ", i);
		assert_int_equal(person_create(ctx, email, names[i], &ids[i]), 0);
		assert_int_equal(membership_set(ctx, ids[i], gouda, i % 2 ? "volunteer" : "employee",
		                                i == 0 ? ROLE_LEARNER | ROLE_MANAGER : ROLE_LEARNER),
		                 0);
	}
	assert_int_equal(person_create(ctx, "persoon0@gouda.nl", "Dubbel", &id), CAMPUS_ECONFLICT);
	assert_int_equal(person_create(ctx, "geen adres", "X", &id), CAMPUS_EINVAL);
	assert_int_equal(membership_set(ctx, ids[4], delft, "external", ROLE_TEACHER), 0);
	assert_int_equal(membership_set(ctx, ids[4], delft, "boss", ROLE_TEACHER), CAMPUS_EINVAL);

	struct person p;
	assert_int_equal(person_find_by_email(ctx, "PERSOON3@gouda.nl", &p), 0);
	assert_string_equal(p.name, "Daan Jansen");
	assert_false(p.has_password);

	struct member_row *rows;
	size_t n;
	int64_t total;
	struct member_filter all = {.limit = 2};
	assert_int_equal(org_members(ctx, gouda, &all, &rows, &n, &total), 0);
	assert_int_equal(total, 5);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].name, "Anne de Boer");
	struct member_filter jansen = {.query = "JANSEN", .limit = 50};
	assert_int_equal(org_members(ctx, gouda, &jansen, &rows, &n, &total), 0);
	assert_int_equal(total, 2);
	struct member_filter vol = {.kind = "volunteer", .limit = 50};
	assert_int_equal(org_members(ctx, gouda, &vol, &rows, &n, &total), 0);
	assert_int_equal(total, 2);
	struct member_filter mgr = {.role = ROLE_MANAGER, .limit = 50};
	assert_int_equal(org_members(ctx, gouda, &mgr, &rows, &n, &total), 0);
	assert_int_equal(total, 1);
	assert_int_equal(rows[0].roles, ROLE_LEARNER | ROLE_MANAGER);
	struct member_filter wild = {.query = "%", .limit = 50};
	assert_int_equal(org_members(ctx, gouda, &wild, &rows, &n, &total), 0);
	assert_int_equal(total, 0); /* LIKE wildcards in a query are literal */
	struct member_filter badkind = {.kind = "boss", .limit = 50};
	assert_int_equal(org_members(ctx, gouda, &badkind, &rows, &n, &total), CAMPUS_EINVAL);
	assert_int_equal(org_members(ctx, delft, &all, &rows, &n, &total), 0);
	assert_int_equal(total, 1);

	struct org *orgs;
	assert_int_equal(org_search(ctx, NULL, 0, 50, &orgs, &n, &total), 0);
	assert_int_equal(total, 2);
	assert_int_equal(org_search(ctx, "gouda", 0, 50, &orgs, &n, &total), 0);
	assert_int_equal(total, 1);
	assert_string_equal(orgs[0].slug, "bibliotheek-gouda");

	struct person_row *people;
	assert_int_equal(person_search(ctx, "jansen", 0, 50, &people, &n, &total), 0);
	assert_int_equal(total, 2);
	assert_int_equal(person_search(ctx, "van dijk", 0, 50, &people, &n, &total), 0);
	assert_int_equal(total, 1);
	assert_int_equal(people[0].memberships, 2);
	assert_int_equal(person_search(ctx, "ja", 0, 50, &people, &n, &total), CAMPUS_EINVAL);
	assert_int_equal(person_search(ctx, NULL, 0, 3, &people, &n, &total), 0);
	assert_int_equal(total, 5);
	assert_int_equal(n, 3);

	ctx->actor = (struct actor){.person_id = ids[1], .org_id = gouda, .roles = ROLE_LEARNER};
	const char *why;
	assert_int_equal(person_update_profile(ctx, "  Bram Jansen-de Wit ", "en", &why), 0);
	assert_int_equal(person_get(ctx, ids[1], &p), 0);
	assert_string_equal(p.name, "Bram Jansen-de Wit");
	assert_string_equal(p.lang, "en");
	assert_int_equal(person_update_profile(ctx, "", "nl", &why), CAMPUS_EINVAL);
	assert_non_null(why);
	assert_int_equal(person_update_profile(ctx, "Bram", "de", &why), CAMPUS_EINVAL);
	assert_int_equal(person_get(ctx, ids[1], &p), 0);
	assert_string_equal(p.name, "Bram Jansen-de Wit"); /* refused changes changed nothing */

	unsigned roles;
	assert_int_equal(roles_parse("learner,manager", &roles), 0);
	assert_int_equal(roles, ROLE_LEARNER | ROLE_MANAGER);
	assert_int_equal(roles_parse("docent,commissie", &roles), 0);
	assert_int_equal(roles, ROLE_TEACHER | ROLE_COMMITTEE);
	assert_int_equal(roles_parse("learner,koning", &roles), CAMPUS_EINVAL);
	assert_int_equal(roles_parse("", &roles), CAMPUS_EINVAL);
	/* 2 organisations + 5 people + 6 memberships + 1 profile change, each audited. */
	assert_int_equal(count_audit(f) - audit_before, 14);
}

/* A manager adds, changes and ends members of their own organisation only. */
static void manager_work(void **state)
{
	struct fixture *f = *state;
	struct ctx *ctx = &f->ctx;
	ctx->actor = (struct actor){.flags = ACTOR_SYSTEM};
	int64_t lib, other, boss, id;
	struct org o = {.slug = "bieb-a", .name = "Bieb A", .kind = "library"};
	assert_int_equal(org_create(ctx, &o, &lib), 0);
	struct org o2 = {.slug = "bieb-b", .name = "Bieb B", .kind = "library"};
	assert_int_equal(org_create(ctx, &o2, &other), 0);
	assert_int_equal(person_create(ctx, "baas@a.nl", "De Baas", &boss), 0);
	assert_int_equal(membership_set(ctx, boss, lib, "employee", ROLE_LEARNER | ROLE_MANAGER), 0);

	ctx->actor = (struct actor){.person_id = boss, .org_id = lib, .roles = ROLE_LEARNER | ROLE_MANAGER};
	const char *why;
	bool created;
	int64_t audit_before = count_audit(f);
	assert_int_equal(member_add(ctx, lib, "Nieuw@A.nl", "Nieuw Lid", "volunteer", ROLE_LEARNER, &id,
	                            &created, &why),
	                 0);
	assert_true(created);
	struct member_row m;
	assert_int_equal(member_get(ctx, lib, id, &m), 0);
	assert_string_equal(m.email, "nieuw@a.nl");
	assert_int_equal(member_get(ctx, other, id, &m), CAMPUS_ENOTFOUND);
	/* Twice: a conflict with a reason, nothing changed. */
	assert_int_equal(member_add(ctx, lib, "nieuw@a.nl", "Nieuw Lid", "volunteer", ROLE_LEARNER, &id,
	                            &created, &why),
	                 CAMPUS_ECONFLICT);
	assert_non_null(why);
	/* Roles beyond a manager's reach, a bad kind, a bad address: refused. */
	int64_t id2;
	assert_int_equal(member_add(ctx, lib, "x@a.nl", "X", "volunteer", ROLE_CAMPUS_ADMIN, &id2,
	                            &created, &why),
	                 CAMPUS_EFORBIDDEN);
	assert_int_equal(member_add(ctx, lib, "x@a.nl", "X", "boss", ROLE_LEARNER, &id2, &created, &why),
	                 CAMPUS_EINVAL);
	assert_int_equal(member_add(ctx, lib, "geen adres", "X", "volunteer", ROLE_LEARNER, &id2,
	                            &created, &why),
	                 CAMPUS_EINVAL);
	struct person p;
	assert_int_equal(person_find_by_email(ctx, "x@a.nl", &p), CAMPUS_ENOTFOUND);

	assert_int_equal(member_change(ctx, lib, id, "employee", ROLE_LEARNER | ROLE_TEACHER, &why), 0);
	assert_int_equal(member_get(ctx, lib, id, &m), 0);
	assert_string_equal(m.kind, "employee");
	assert_int_equal(m.roles, ROLE_LEARNER | ROLE_TEACHER);
	assert_int_equal(member_change(ctx, lib, id, "employee", ROLE_COMMITTEE, &why), CAMPUS_EFORBIDDEN);
	assert_int_equal(member_change(ctx, lib, boss, "employee", ROLE_LEARNER, &why), CAMPUS_EFORBIDDEN);
	assert_int_equal(member_change(ctx, other, id, "employee", ROLE_LEARNER, &why), CAMPUS_ENOTFOUND);
	assert_int_equal(member_end(ctx, lib, boss, &why), CAMPUS_EFORBIDDEN);
	assert_int_equal(member_end(ctx, other, id, &why), CAMPUS_ENOTFOUND);
	assert_int_equal(member_end(ctx, lib, id, &why), 0);
	assert_int_equal(member_get(ctx, lib, id, &m), CAMPUS_ENOTFOUND);
	assert_int_equal(member_end(ctx, lib, id, &why), CAMPUS_ENOTFOUND);
	/* Added again later: the same person, membership current again. */
	assert_int_equal(member_add(ctx, lib, "nieuw@a.nl", "Nieuw Lid", "volunteer", ROLE_LEARNER, &id2,
	                            &created, &why),
	                 0);
	assert_false(created);
	assert_int_equal(id2, id);
	/* person, add, change, end, add: five audit rows; refusals wrote none. */
	assert_int_equal(count_audit(f) - audit_before, 5);
}

/* Logos are judged by their bytes; colours by their form; both audited. */
static void branding(void **state)
{
	struct fixture *f = *state;
	struct ctx *ctx = &f->ctx;
	ctx->actor = (struct actor){.flags = ACTOR_SYSTEM};
	int64_t lib;
	struct org o = {.slug = "bieb-logo", .name = "Bieb Logo", .kind = "library"};
	assert_int_equal(org_create(ctx, &o, &lib), 0);
	/* A PNG header of 16x16, and a JPEG with a start-of-frame of 20x10. */
	unsigned char png[64] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
	                         0, 0, 0, 16, 0, 0, 0, 16, 8, 2};
	unsigned char jpg[64] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 10, 0, 20, 3};
	unsigned char huge[64];
	memcpy(huge, png, sizeof huge);
	huge[18] = 0x10; /* 1,048,592 pixels wide */
	const char *svg = "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'></svg>";
	assert_string_equal(logo_sniff(png, sizeof png), "image/png");
	assert_string_equal(logo_sniff(jpg, sizeof jpg), "image/jpeg");
	assert_null(logo_sniff(huge, sizeof huge));
	assert_null(logo_sniff((const unsigned char *)svg, strlen(svg)));
	assert_null(logo_sniff(png, 10));

	const char *why;
	int64_t before = count_audit(f);
	assert_int_equal(org_set_branding(ctx, lib, "#12ab3C", png, sizeof png, &why), 0);
	assert_int_equal(org_set_branding(ctx, lib, "red", NULL, 0, &why), CAMPUS_EINVAL);
	assert_non_null(why);
	assert_int_equal(org_set_branding(ctx, lib, "#000000", (const unsigned char *)svg, strlen(svg), &why),
	                 CAMPUS_EINVAL);
	struct org got;
	assert_int_equal(org_get(ctx, lib, &got), 0);
	assert_string_equal(got.brand_color, "#12ab3C"); /* refusals changed nothing */
	assert_true(got.has_logo);
	const unsigned char *data;
	size_t len;
	const char *type;
	int64_t at;
	assert_int_equal(org_logo(ctx, "bieb-logo", &data, &len, &type, &at), 0);
	assert_int_equal(len, sizeof png);
	assert_memory_equal(data, png, sizeof png);
	assert_string_equal(type, "image/png");
	assert_int_equal(org_set_branding(ctx, lib, "", NULL, 0, &why), 0);
	assert_int_equal(org_get(ctx, lib, &got), 0);
	assert_null(got.brand_color); /* back to the sector's colour */

	/* Details are for campus administrators only. */
	ctx->actor = (struct actor){.person_id = 1, .org_id = lib, .roles = ROLE_MANAGER};
	assert_int_equal(org_set_details(ctx, lib, "Nieuwe Naam", "Gouda", "Zuid-Holland", 100, &why),
	                 CAMPUS_EFORBIDDEN);
	ctx->actor = (struct actor){.flags = ACTOR_SYSTEM};
	assert_int_equal(org_set_details(ctx, lib, "Nieuwe Naam", "Gouda", "Zuid-Holland", 12345600, &why), 0);
	assert_int_equal(org_payroll(ctx, lib), 12345600);
	assert_int_equal(org_set_details(ctx, lib, "X", "", "", -1, &why), CAMPUS_EINVAL);
	assert_int_equal(count_audit(f) - before, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_without_rows),
	    cmocka_unit_test(set_then_get_with_clock),
	    cmocka_unit_test(bad_values_change_nothing),
	    cmocka_unit_test(people_and_lists),
	    cmocka_unit_test(manager_work),
	    cmocka_unit_test(branding),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
