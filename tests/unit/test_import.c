/* Members import: the CSV reader (core/csv.c, no database), the column
 * mapping, the row checks and applying a file (domain/import.c) on the
 * database named by CAMPUS_TEST_DB (SQLite and PostgreSQL in scripts/test.sh).
 * Each run works in an organisation and an e-mail domain of its own, so a
 * database kept from an earlier run does not disturb it. */
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
#include "core/csv.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/import.h"
#include "domain/people.h"

static int64_t fixed_now(void) { return 1795000000; }

/* ---- the CSV reader ---------------------------------------------------------------- */

static struct csv_table read_ok(struct arena *a, const char *text)
{
	struct csv_table t;
	struct csv_error err;
	int rc = csv_read(a, text, strlen(text), NULL, &t, &err);
	if (rc)
		print_error("csv_read: %d %s (record %u)\n", rc, err.msgid ? err.msgid : "", err.record);
	assert_int_equal(rc, 0);
	return t;
}

static void cell_is(const struct csv_table *t, size_t row, unsigned col, const char *want)
{
	assert_true(row < t->nrows);
	assert_true(col < t->rows[row].n);
	assert_string_equal(t->rows[row].cells[col].s, want);
	assert_int_equal(t->rows[row].cells[col].len, strlen(want));
}

static void csv_basics(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct csv_table t = read_ok(a, "email,naam\r\na@x.nl,Anna\r\nb@x.nl,Bram");
	assert_int_equal(t.sep, ',');
	assert_int_equal(t.nrows, 3);
	assert_int_equal(t.max_n, 2);
	cell_is(&t, 0, 0, "email");
	cell_is(&t, 2, 1, "Bram");
	assert_int_equal(t.rows[2].record, 3);

	/* A byte order mark, semicolons (Dutch Excel), quotes holding separators,
	 * doubled quotes and a line break; blank lines skipped. */
	t = read_ok(a, "\xEF\xBB\xBF"
	               "e-mailadres;naam;rollen\n"
	               "a@x.nl;\"Jansen; Anna\";\"lerende,docent\"\n"
	               "\n"
	               "b@x.nl;\"Bram \"\"B\"\" Bakker\";\"regel 1\nregel 2\"\n"
	               "c@x.nl;  Carla  ;\n");
	assert_int_equal(t.sep, ';');
	assert_int_equal(t.nrows, 4);
	cell_is(&t, 0, 0, "e-mailadres"); /* no BOM in the first name */
	cell_is(&t, 1, 1, "Jansen; Anna");
	cell_is(&t, 1, 2, "lerende,docent");
	cell_is(&t, 2, 1, "Bram \"B\" Bakker");
	cell_is(&t, 2, 2, "regel 1\nregel 2");
	cell_is(&t, 3, 1, "Carla");
	cell_is(&t, 3, 2, "");
	assert_int_equal(t.rows[3].record, 4);

	/* Commas win a tie and when semicolons only appear quoted. */
	assert_int_equal(csv_detect_separator("a,b;c\n", 6), ',');
	assert_int_equal(csv_detect_separator("\"a;b;c\",d\n", 10), ',');
	assert_int_equal(csv_detect_separator("a;b;c,d\n", 8), ';');
	/* Bytes that are not UTF-8 stay, for the row checks to report. */
	t = read_ok(a, "email\n\xff\xfe@x.nl\n");
	assert_int_equal(t.rows[1].cells[0].len, 7);
	arena_free(a);
}

static void csv_refusals(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct csv_table t;
	struct csv_error err;
	static const char binary[] = "PK\x03\x04\x00\x00zip";
	assert_int_equal(csv_read(a, binary, sizeof binary - 1, NULL, &t, &err), CAMPUS_EINVAL);
	assert_non_null(strstr(err.msgid, "binaire"));
	assert_int_equal(csv_read(a, "", 0, NULL, &t, &err), CAMPUS_EINVAL);
	assert_int_equal(csv_read(a, "\n\r\n", 3, NULL, &t, &err), CAMPUS_EINVAL);
	assert_non_null(strstr(err.msgid, "leeg"));
	const char *open = "a,b\nc,\"never closed\n";
	assert_int_equal(csv_read(a, open, strlen(open), NULL, &t, &err), CAMPUS_EINVAL);
	assert_non_null(err.msgid);
	const char *stray = "a,b\nc,\"x\"y\n";
	assert_int_equal(csv_read(a, stray, strlen(stray), NULL, &t, &err), CAMPUS_EINVAL);
	assert_int_equal(err.record, 2);

	struct csv_limits lim = {.max_rows = 3, .max_cols = 3, .max_cell = 8, .max_cells = 100};
	assert_int_equal(csv_read(a, "a\nb\nc\n", 6, &lim, &t, &err), 0);
	assert_int_equal(csv_read(a, "a\nb\nc\nd\n", 8, &lim, &t, &err), CAMPUS_ETOOBIG);
	assert_int_equal(csv_read(a, "a,b,c,d\n", 8, &lim, &t, &err), CAMPUS_ETOOBIG);
	assert_int_equal(csv_read(a, "123456789\n", 10, &lim, &t, &err), CAMPUS_ETOOBIG);
	lim.max_cells = 5;
	assert_int_equal(csv_read(a, "a,b\nc,d\ne,f\n", 12, &lim, &t, &err), CAMPUS_ETOOBIG);
	/* A small arena fails softly. */
	struct arena *tiny = arena_new(256);
	static char big[4000];
	for (size_t i = 0; i < sizeof big - 1; i++)
		big[i] = i % 4 == 3 ? '\n' : 'x';
	assert_int_equal(csv_read(tiny, big, strlen(big), NULL, &t, &err), CAMPUS_ENOMEM);
	arena_free(tiny);
	arena_free(a);
}

/* ---- the mapping ----------------------------------------------------------------- */

static void mapping_guess_and_check(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct import_map m;
	struct csv_table t = read_ok(a, "Naam;E-mailadres;Type;Rollen;Afdeling\n");
	import_map_guess(&t, &m);
	assert_int_equal(m.col[IMPORT_EMAIL], 1);
	assert_int_equal(m.col[IMPORT_NAME], 0);
	assert_int_equal(m.col[IMPORT_KIND], 2);
	assert_int_equal(m.col[IMPORT_ROLES], 3);
	assert_null(import_map_check(&t, &m));

	t = read_ok(a, " EMAIL , name, kind ,roles\n");
	import_map_guess(&t, &m);
	assert_int_equal(m.col[IMPORT_EMAIL], 0);
	assert_int_equal(m.col[IMPORT_NAME], 1);
	assert_int_equal(m.col[IMPORT_KIND], 2);
	assert_int_equal(m.col[IMPORT_ROLES], 3);

	t = read_ok(a, "e-mail,soort\n");
	import_map_guess(&t, &m);
	assert_int_equal(m.col[IMPORT_EMAIL], 0);
	assert_int_equal(m.col[IMPORT_NAME], -1);
	assert_int_equal(m.col[IMPORT_KIND], 1);
	assert_int_equal(m.col[IMPORT_ROLES], -1);

	t = read_ok(a, "wie,wat\n");
	import_map_guess(&t, &m);
	assert_int_equal(m.col[IMPORT_EMAIL], -1);
	assert_non_null(import_map_check(&t, &m)); /* no e-mail column */
	m.col[IMPORT_EMAIL] = 0;
	assert_null(import_map_check(&t, &m));
	m.col[IMPORT_NAME] = 0;
	assert_non_null(import_map_check(&t, &m)); /* one column, two fields */
	m.col[IMPORT_NAME] = 2;
	assert_non_null(import_map_check(&t, &m)); /* no such column */
	arena_free(a);
}

/* ---- the database ---------------------------------------------------------------- */

DB_STMT(stmt_count_people_like, "SELECT COUNT(*) FROM people WHERE email LIKE $1");
DB_STMT(stmt_count_members, "SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND ended_at IS NULL");
DB_STMT(stmt_count_audit_action, "SELECT COUNT(*) FROM audit_log WHERE action = $1");
DB_STMT(stmt_member_of, "SELECT m.kind, m.roles FROM memberships m JOIN people p ON p.id = m.person_id "
                        "WHERE p.email = $1 AND m.org_id = $2 AND m.ended_at IS NULL");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx sys, mgr, admin;
	int64_t org, campus, manager_id;
	char tag[40];    /* unique per run: org slug and e-mail domain */
	char domain[64];
};

static struct fixture *fx;

static int setup(void **state)
{
	(void)state;
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
	f->arena = arena_new(0);
	ctx_init_system(&f->sys, f->db, f->arena);
	f->sys.now = fixed_now;
	snprintf(f->tag, sizeof f->tag, "imp-%lx-%x", (long)time(NULL), (unsigned)getpid());
	snprintf(f->domain, sizeof f->domain, "%s.example.nl", f->tag);
	struct org o = {.slug = f->tag, .name = "Bibliotheek Import", .kind = "library"};
	if (org_create(&f->sys, &o, &f->org) != 0)
		return -1;
	char slug2[48];
	snprintf(slug2, sizeof slug2, "%s-c", f->tag);
	struct org c = {.slug = slug2, .name = "Campus Import", .kind = "campus"};
	if (org_create(&f->sys, &c, &f->campus) != 0)
		return -1;
	char email[128];
	snprintf(email, sizeof email, "manager@%s", f->domain);
	if (person_create(&f->sys, email, "Mira Manager", &f->manager_id) != 0 ||
	    membership_set(&f->sys, f->manager_id, f->org, "employee", ROLE_LEARNER | ROLE_MANAGER) != 0)
		return -1;
	f->mgr = f->sys;
	f->mgr.actor = (struct actor){f->manager_id, f->org, ROLE_LEARNER | ROLE_MANAGER, 0};
	f->admin = f->sys;
	f->admin.actor = (struct actor){f->manager_id + 100000, f->campus, ROLE_CAMPUS_ADMIN, 0};
	fx = f;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(fx->arena);
	db_close(fx->db);
	free(fx);
	return 0;
}

/* The text with every "@D" replaced by "@<this run's domain>". */
static const char *csv_text(const char *tmpl)
{
	struct buf b;
	buf_init(&b, fx->arena, 0);
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '@' && p[1] == 'D') {
			buf_putc(&b, '@');
			buf_puts(&b, fx->domain);
			p++;
		} else {
			buf_putc(&b, *p);
		}
	}
	return buf_cstr(&b);
}

static struct csv_table table(const char *tmpl) { return read_ok(fx->arena, csv_text(tmpl)); }

static int64_t count1(struct db_stmt *stmt, const struct db_param *params)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(fx->db, stmt, params, (const struct db_col[]){DBC_INT(&n), DBC_END},
	                              fx->arena),
	                 0);
	return n;
}

static int64_t people_here(void)
{
	const char *like = arena_printf(fx->arena, "%%@%s", fx->domain);
	return count1(&stmt_count_people_like, (const struct db_param[]){DBP_TEXT(like), DBP_END});
}

static int64_t members_here(void)
{
	return count1(&stmt_count_members, (const struct db_param[]){DBP_INT(fx->org), DBP_END});
}

static int64_t audits(const char *action)
{
	return count1(&stmt_count_audit_action, (const struct db_param[]){DBP_TEXT(action), DBP_END});
}

static void member_is(const char *local, const char *kind, unsigned roles)
{
	const char *email = arena_printf(fx->arena, "%s@%s", local, fx->domain);
	const char *k = NULL;
	int64_t r = 0;
	assert_int_equal(db_query_row(fx->db, &stmt_member_of,
	                              (const struct db_param[]){DBP_TEXT(email), DBP_INT(fx->org), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&k), DBC_INT(&r), DBC_END}, fx->arena),
	                 0);
	assert_string_equal(k, kind);
	assert_int_equal(r, roles);
}

static bool has_problem(const struct import_plan *p, unsigned record, enum import_field field,
                        const char *part)
{
	for (size_t i = 0; i < p->nproblems; i++)
		if (p->problems[i].record == record && p->problems[i].field == field &&
		    strstr(p->problems[i].msgid, part))
			return true;
	return false;
}

#define X10 "Xxxxxxxxxx"
#define LONG_NAME X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 "x" /* 121 bytes */

static void every_problem_reported_nothing_written(void **state)
{
	(void)state;
	struct csv_table t = table(
	    "email;naam;soort;rollen\n"
	    "goed@D;Goed Persoon;medewerker;lerende\n"           /* 2: fine */
	    ";Zonder Adres;;\n"                                  /* 3: missing e-mail */
	    "geen-adres;Fout Adres;;\n"                          /* 4: malformed */
	    "GOED@D;Nog Eens;;\n"                                /* 5: duplicate of 2 */
	    "soort@D;Soort Fout;stagiair;\n"                     /* 6: unknown kind */
	    "rol@D;Rol Fout;;lerende,tovenaar\n"                 /* 7: unknown role */
	    "bereik@D;Buiten Bereik;;beheerder\n"                /* 8: beyond a manager */
	    "lang@D;" LONG_NAME ";;\n" /* 9 */
	    "utf@D;Bad \xff Byte;;\n"                            /* 10: not UTF-8 */
	    "naamloos@D;;;\n");                                  /* 11: new without a name */
	int64_t people0 = people_here(), members0 = members_here(), audit0 = audits("members.import");
	struct import_map m;
	import_map_guess(&t, &m);
	struct import_plan p;
	const char *why = NULL;
	assert_int_equal(import_plan(&fx->mgr, fx->org, &t, &m, &p, &why), 0);
	assert_null(why);
	assert_int_equal(p.nrows, 10);
	assert_true(has_problem(&p, 3, IMPORT_EMAIL, "ontbreekt"));
	assert_true(has_problem(&p, 4, IMPORT_EMAIL, "geen geldig"));
	assert_true(has_problem(&p, 5, IMPORT_EMAIL, "eerdere rij"));
	assert_true(has_problem(&p, 6, IMPORT_KIND, "Onbekende soort"));
	assert_true(has_problem(&p, 7, IMPORT_ROLES, "Onbekende rol"));
	assert_true(has_problem(&p, 8, IMPORT_ROLES, "campusbeheerder"));
	assert_true(has_problem(&p, 9, IMPORT_NAME, "te lang"));
	assert_true(has_problem(&p, 10, IMPORT_NAME, "UTF-8"));
	assert_true(has_problem(&p, 11, IMPORT_NAME, "nieuw account"));
	assert_false(has_problem(&p, 2, IMPORT_EMAIL, ""));
	assert_int_equal(p.problems_total, 9);
	for (size_t i = 0; i < p.nproblems; i++)
		if (p.problems[i].record == 5)
			assert_int_equal(p.problems[i].other, 2);
	/* The unknown role is named, the role beyond reach too. */
	for (size_t i = 0; i < p.nproblems; i++)
		if (p.problems[i].record == 7)
			assert_string_equal(p.problems[i].value, "tovenaar");

	assert_int_equal(import_apply(&fx->mgr, fx->org, &t, &m, "fout.csv", &p, &why), CAMPUS_EINVAL);
	assert_int_equal(p.problems_total, 9);
	assert_int_equal(people_here(), people0);
	assert_int_equal(members_here(), members0);
	assert_int_equal(audits("members.import"), audit0);

	/* A campus administrator may hand out the campus roles. */
	struct csv_table t2 = table("email;naam;rollen\nbereik2@D;Buiten Bereik;beheerder\n");
	import_map_guess(&t2, &m);
	assert_int_equal(import_plan(&fx->admin, fx->org, &t2, &m, &p, &why), 0);
	assert_int_equal(p.problems_total, 0);
	assert_int_equal(import_plan(&fx->mgr, fx->org, &t2, &m, &p, &why), 0);
	assert_int_equal(p.problems_total, 1);
	/* Only a header: refused with a reason. */
	struct csv_table t3 = table("email;naam\n");
	import_map_guess(&t3, &m);
	assert_int_equal(import_plan(&fx->mgr, fx->org, &t3, &m, &p, &why), CAMPUS_EINVAL);
	assert_non_null(why);
}

static void apply_and_reimport_is_idempotent(void **state)
{
	(void)state;
	const char *file = "E-mailadres,Naam,Soort,Rollen\n"
	                   "anna@D,Anna Jansen,medewerker,\"lerende,docent\"\n"
	                   "bram@D,Bram Bakker,vrijwilliger,lerende\n"
	                   "carla@D,Carla de Vries,,\n";
	struct csv_table t = table(file);
	struct import_map m;
	import_map_guess(&t, &m);
	struct import_plan p;
	const char *why;
	int64_t people0 = people_here(), members0 = members_here();
	int64_t created0 = audits("person.create"), added0 = audits("membership.add"),
	        roles0 = audits("membership.roles"), imports0 = audits("members.import");
	assert_int_equal(import_plan(&fx->mgr, fx->org, &t, &m, &p, &why), 0);
	assert_int_equal(p.count[IMPORT_CREATE], 3);
	assert_int_equal(import_apply(&fx->mgr, fx->org, &t, &m, "leden.csv", &p, &why), 0);
	assert_int_equal(p.count[IMPORT_CREATE], 3);
	assert_int_equal(people_here(), people0 + 3);
	assert_int_equal(members_here(), members0 + 3);
	member_is("anna", "employee", ROLE_LEARNER | ROLE_TEACHER);
	member_is("bram", "volunteer", ROLE_LEARNER);
	member_is("carla", "employee", ROLE_LEARNER); /* the defaults */
	assert_int_equal(audits("person.create"), created0 + 3);
	assert_int_equal(audits("membership.add"), added0 + 3);
	assert_int_equal(audits("members.import"), imports0 + 1);

	/* The same file again: nothing changes, only the summary is audited. */
	assert_int_equal(import_apply(&fx->mgr, fx->org, &t, &m, "leden.csv", &p, &why), 0);
	assert_int_equal(p.count[IMPORT_UNCHANGED], 3);
	assert_int_equal(p.count[IMPORT_CREATE] + p.count[IMPORT_ADD] + p.count[IMPORT_UPDATE], 0);
	assert_int_equal(people_here(), people0 + 3);
	assert_int_equal(members_here(), members0 + 3);
	assert_int_equal(audits("person.create"), created0 + 3);
	assert_int_equal(audits("members.import"), imports0 + 2);

	/* Changed kind and roles, an address in capitals, an ended membership back. */
	const char *email = arena_printf(fx->arena, "carla@%s", fx->domain);
	struct person carla;
	assert_int_equal(person_find_by_email(&fx->sys, email, &carla), 0);
	const char *why2;
	assert_int_equal(member_end(&fx->mgr, fx->org, carla.id, &why2), 0);
	struct csv_table t2 = table("email;rollen;soort\n"
	                            "ANNA@D;lerende;extern\n"
	                            "bram@D;;\n"
	                            "carla@D;;\n");
	import_map_guess(&t2, &m);
	assert_int_equal(import_apply(&fx->mgr, fx->org, &t2, &m, "wijziging.csv", &p, &why), 0);
	assert_int_equal(p.count[IMPORT_UPDATE], 1);
	assert_int_equal(p.count[IMPORT_UNCHANGED], 1);
	assert_int_equal(p.count[IMPORT_ADD], 1);
	member_is("anna", "external", ROLE_LEARNER);
	member_is("bram", "volunteer", ROLE_LEARNER);
	member_is("carla", "employee", ROLE_LEARNER);
	assert_int_equal(audits("membership.roles"), roles0 + 1);
	assert_int_equal(audits("membership.add"), added0 + 4);
	assert_int_equal(people_here(), people0 + 3);

	/* The manager cannot change their own membership by import. */
	struct csv_table t3 = table("email;rollen\nmanager@D;lerende\n");
	import_map_guess(&t3, &m);
	assert_int_equal(import_apply(&fx->mgr, fx->org, &t3, &m, "zelf.csv", &p, &why), CAMPUS_EINVAL);
	assert_true(has_problem(&p, 2, IMPORT_ROLES, "eigen lidmaatschap"));
	member_is("manager", "employee", ROLE_LEARNER | ROLE_MANAGER);
	/* ...but listing themselves unchanged is fine. */
	struct csv_table t4 = table("email;rollen\nmanager@D;lerende,manager\n");
	import_map_guess(&t4, &m);
	assert_int_equal(import_apply(&fx->mgr, fx->org, &t4, &m, "zelf.csv", &p, &why), 0);
	assert_int_equal(p.count[IMPORT_UNCHANGED], 1);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 5,000 new members in one transaction; the rate is printed, not asserted. */
static void five_thousand_rows(void **state)
{
	(void)state;
	size_t n = getenv("IMPORT_BENCH_ROWS") ? strtoul(getenv("IMPORT_BENCH_ROWS"), NULL, 10) : 5000;
	struct buf b;
	buf_init(&b, fx->arena, 0);
	buf_puts(&b, "e-mailadres;naam;soort;rollen\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "lid%zu@%s;Lid Nummer %zu;%s;%s\n", i, fx->domain, i,
		           i % 3 ? "vrijwilliger" : "medewerker", i % 10 ? "lerende" : "lerende,docent");
	struct arena *a = arena_new((size_t)256 << 20);
	struct csv_table t;
	struct csv_error err;
	double t0 = seconds();
	assert_int_equal(csv_read(a, b.data, b.len, NULL, &t, &err), 0);
	double t1 = seconds();
	struct ctx c = fx->mgr;
	c.arena = a;
	struct import_map m;
	import_map_guess(&t, &m);
	struct import_plan p;
	const char *why;
	assert_int_equal(import_plan(&c, fx->org, &t, &m, &p, &why), 0);
	double t2 = seconds();
	int64_t people0 = people_here();
	assert_int_equal(import_apply(&c, fx->org, &t, &m, "groot.csv", &p, &why), 0);
	double t3 = seconds();
	assert_int_equal(p.count[IMPORT_CREATE], n);
	assert_int_equal(people_here(), people0 + (int64_t)n);
	assert_int_equal(import_apply(&c, fx->org, &t, &m, "groot.csv", &p, &why), 0);
	double t4 = seconds();
	assert_int_equal(p.count[IMPORT_UNCHANGED], n);
	const char *url = getenv("CAMPUS_TEST_DB");
	fprintf(stderr,
	        "# import of %zu rows on %s: parse %.3f s, preview %.3f s, apply %.3f s (%.0f rows/s), "
	        "re-import unchanged %.3f s (%.0f rows/s)\n",
	        n, url && !strncmp(url, "postgres", 8) ? "PostgreSQL" : "SQLite", t1 - t0, t2 - t1, t3 - t2,
	        (double)n / (t3 - t2), t4 - t3, (double)n / (t4 - t3));
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
	    cmocka_unit_test(csv_basics),
	    cmocka_unit_test(csv_refusals),
	    cmocka_unit_test(mapping_guess_and_check),
	};
	const struct CMUnitTest db[] = {
	    cmocka_unit_test(every_problem_reported_nothing_written),
	    cmocka_unit_test(apply_and_reimport_is_idempotent),
	    cmocka_unit_test(five_thousand_rows),
	};
	int failed = cmocka_run_group_tests_name("csv", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("import", db, setup, teardown);
	return failed;
}
