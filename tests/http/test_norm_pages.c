/* The PE norm's pages over HTTP: the real server ($CAMPUS_BIN serve) on a
 * database filled by `campus demo`, with the demo's campus administrator
 * and Utrecht manager, and three employees of Utrecht made with the CLI for
 * this run, whose points this year are written into the ledger here (the
 * ledger's own writers are another area's). Covers the sector default form
 * (saved, malformed refused, without the CSRF token refused), the library's
 * own norm (above the sector's saved, below refused with the reason, cleared),
 * the view of who meets it with filter, sort and the CSV, the sector report,
 * and another library's slug or a learner refused.
 *
 * Runs once per database (CAMPUS_TEST_DB), from the repository root. The
 * accounts carry a tag of this run. The server's log goes to
 * var/test/norm-server-<dialect>.log. */
#include "harness.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/err.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/people.h"
#include "domain/totp.h"

extern char **environ;

#define PASSWORD "Campus-demo-2026"
#define ADMIN "beheerder@campus.demo"
#define MANAGER "manager@bibliotheek-utrecht.demo"
#define LIB "/b/bibliotheek-utrecht"

static const char *dialect;
static char tag[40];
static char ahead[96], slow[96], learner[96];
static int64_t utrecht_id, campus_id, ahead_id, slow_id, learner_id;
static int year;

DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
DB_STMT(stmt_points,
        "INSERT INTO points_ledger (person_id, kind, points_tenths, title, source, year, earned_at, "
        "registered_at) VALUES ($1, $2, $3, 'Module', 'demo', $4, $5, $5)");
DB_STMT(stmt_norm,
        "SELECT points_tenths, study_max_tenths, mandatory FROM pe_norms WHERE org_id = $1 "
        "AND year = $2 AND member_kind = 'employee'");
DB_STMT(stmt_campus, "SELECT id FROM organisations WHERE kind = 'campus' ORDER BY id LIMIT 1");

static char *num(struct arena *a, long long v) { return arena_printf(a, "%lld", v); }

/* The employee norm of org_id this year: points, or -1 when there is none. */
static int64_t norm_points(int64_t org_id, int64_t *study, bool *mandatory)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t p = -1, s = 0;
	bool m = false;
	int rc = db_query_row(db, &stmt_norm, (const struct db_param[]){DBP_INT(org_id), DBP_INT(year), DBP_END},
	                      (const struct db_col[]){DBC_INT(&p), DBC_INT(&s), DBC_BOOL(&m), DBC_END}, a);
	CHECK(rc == 0 || rc == CAMPUS_ENOTFOUND, "reading the norm: %d", rc);
	if (study)
		*study = s;
	if (mandatory)
		*mandatory = m;
	arena_free(a);
	db_close(db);
	return rc ? -1 : p;
}

static void login(struct browser *b, const char *email)
{
	memset(b, 0, sizeof *b);
	struct db_conn *db = db_connect();
	db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	db_close(db);
	struct resp r;
	br_get(b, &r, "/inloggen");
	expect_page(&r, 200, "the log-in form");
	struct arena *a = arena_new(0);
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(b, &r, "/inloggen",
	        form_of(a, "csrf_token", tok, "email", email, "wachtwoord", PASSWORD, (const char *)NULL));
	if (strcmp(email, ADMIN) != 0) {
		expect_redirect(&r, "/mijn", email);
		resp_fini(&r);
		arena_free(a);
		return;
	}
	/* The campus administrator has the demo's two-step secret: the code of
	 * this step, or a later one when this one was used already. */
	expect_redirect(&r, "/inloggen/code", email);
	resp_fini(&r);
	br_get(b, &r, "/inloggen/code");
	expect_page(&r, 200, "the code form");
	tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	unsigned char secret[TOTP_SECRET_LEN];
	size_t n = 0;
	assert_int_equal(totp_base32_decode(DEMO_TOTP_SECRET, secret, sizeof secret, &n), 0);
	for (int k = 0; k < 3; k++) {
		char code[TOTP_DIGITS + 1];
		assert_int_equal(totp_code(secret, n, time(NULL) / TOTP_STEP + k, code), 0);
		br_post(b, &r, "/inloggen/code", form_of(a, "csrf_token", tok, "code", code, (const char *)NULL));
		if (r.status == 303 || k == 2)
			break;
		resp_fini(&r);
	}
	expect_status(&r, 303, "the admin's code");
	resp_fini(&r);
	arena_free(a);
}

static const char *token(struct browser *b, const char *path, struct arena *a)
{
	struct resp r;
	br_get(b, &r, path);
	expect_page(&r, 200, "a page with a form");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	return tok;
}

/* ---- the sector default ---- */

static void test_sector_default(void **state)
{
	(void)state;
	struct browser b;
	login(&b, ADMIN);
	struct arena *a = arena_new(0);
	const char *tok = token(&b, "/beheer/pe-norm", a);
	struct resp r;
	/* Malformed points: a clear reason, nothing changed. */
	int64_t before = norm_points(campus_id, NULL, NULL);
	br_post(&b, &r, "/beheer/pe-norm",
	        form_of(a, "csrf_token", tok, "jaar", num(a, year), "soort", "medewerkers", "punten", "twintig",
	                "studie", "5", (const char *)NULL));
	expect_page(&r, 422, "malformed points");
	CHECK(has_text(&r, "Schrijf het aantal punten als getal"), "%s", summary(&r));
	resp_fini(&r);
	CHECK(norm_points(campus_id, NULL, NULL) == before, "the norm changed after a refusal");
	/* More study points than the norm. */
	br_post(&b, &r, "/beheer/pe-norm",
	        form_of(a, "csrf_token", tok, "jaar", num(a, year), "soort", "medewerkers", "punten", "20",
	                "studie", "25", (const char *)NULL));
	expect_page(&r, 422, "study above the norm");
	resp_fini(&r);
	/* A past year is history. */
	br_post(&b, &r, "/beheer/pe-norm",
	        form_of(a, "csrf_token", tok, "jaar", num(a, year - 1), "soort", "medewerkers", "punten", "20",
	                (const char *)NULL));
	expect_page(&r, 422, "last year");
	CHECK(has_text(&r, "dit jaar of volgend jaar"), "%s", summary(&r));
	resp_fini(&r);
	/* Without the CSRF token. */
	br_post(&b, &r, "/beheer/pe-norm",
	        form_of(a, "jaar", num(a, year), "soort", "medewerkers", "punten", "30", (const char *)NULL));
	expect_page(&r, 403, "without csrf_token");
	resp_fini(&r);
	CHECK(norm_points(campus_id, NULL, NULL) == before, "the norm changed without a token");
	/* Saved: 20 points, at most 5 of them study, mandatory. */
	br_post(&b, &r, "/beheer/pe-norm",
	        form_of(a, "csrf_token", tok, "jaar", num(a, year), "soort", "medewerkers", "punten", "20",
	                "studie", "5", "verplicht", "ja", (const char *)NULL));
	expect_redirect(&r, arena_printf(a, "/beheer/pe-norm?jaar=%d&gedaan=1", year), "saving the sector norm");
	resp_fini(&r);
	int64_t study;
	bool mandatory;
	CHECK(norm_points(campus_id, &study, &mandatory) == 200 && study == 50 && mandatory, "the sector norm");
	br_get(&b, &r, arena_printf(a, "/beheer/pe-norm?jaar=%d&gedaan=1", year));
	expect_page(&r, 200, "after saving");
	CHECK(has_text(&r, "De norm van de sector is opgeslagen."), "%s", summary(&r));
	CHECK(strstr(input_value(&r, "punten"), "20") != NULL, "the form shows 20");
	resp_fini(&r);
	/* The manager cannot. */
	struct browser m;
	login(&m, MANAGER);
	br_get(&m, &r, "/beheer/pe-norm");
	expect_page(&r, 403, "a manager on the sector norm");
	resp_fini(&r);
	br_get(&m, &r, "/beheer/pe-norm/rapport");
	expect_page(&r, 403, "a manager on the sector report");
	resp_fini(&r);
	arena_free(a);
}

/* ---- a library's own norm ---- */

static void test_library_norm(void **state)
{
	(void)state;
	struct browser b;
	login(&b, MANAGER);
	struct arena *a = arena_new(0);
	const char *tok = token(&b, LIB "/pe-norm", a);
	struct resp r;
	/* Below the sector's 20: refused with the reason. */
	br_post(&b, &r, LIB "/pe-norm",
	        form_of(a, "csrf_token", tok, "jaar", num(a, year), "soort", "medewerkers", "actie", "opslaan",
	                "punten", "15", "studie", "0", "verplicht", "ja", (const char *)NULL));
	expect_page(&r, 422, "below the sector");
	CHECK(has_text(&r, "Een eigen norm kan niet lager zijn dan de norm van de sector."), "%s", summary(&r));
	CHECK(has(&r, "aria-invalid=\"true\""), "the field is marked");
	resp_fini(&r);
	br_post(&b, &r, LIB "/pe-norm",
	        form_of(a, "csrf_token", tok, "jaar", num(a, year), "soort", "medewerkers", "actie", "opslaan",
	                "punten", "24", "studie", "10", (const char *)NULL));
	expect_page(&r, 422, "advised where the sector's is mandatory, and too much study");
	resp_fini(&r);
	CHECK(norm_points(utrecht_id, NULL, NULL) == -1, "a refused norm was saved");
	/* Above: saved. */
	br_post(&b, &r, LIB "/pe-norm",
	        form_of(a, "csrf_token", tok, "jaar", num(a, year), "soort", "medewerkers", "actie", "opslaan",
	                "punten", "24,5", "studie", "5", "verplicht", "ja", (const char *)NULL));
	expect_redirect(&r, arena_printf(a, LIB "/pe-norm?jaar=%d&gedaan=opgeslagen#norm", year), "saving");
	resp_fini(&r);
	CHECK(norm_points(utrecht_id, NULL, NULL) == 245, "the library's norm");
	br_get(&b, &r, arena_printf(a, LIB "/pe-norm?jaar=%d&gedaan=opgeslagen", year));
	expect_page(&r, 200, "after saving");
	CHECK(has_text(&r, "De eigen norm is opgeslagen."), "%s", summary(&r));
	CHECK(has_text(&r, "24,5 punten"), "the norm that applies: %s", summary(&r));
	resp_fini(&r);
	/* Without the token: refused. */
	br_post(&b, &r, LIB "/pe-norm",
	        form_of(a, "jaar", num(a, year), "soort", "medewerkers", "actie", "verwijderen", (const char *)NULL));
	expect_page(&r, 403, "clearing without csrf_token");
	resp_fini(&r);
	CHECK(norm_points(utrecht_id, NULL, NULL) == 245, "cleared without a token");
	/* Another library's slug reaches nothing. */
	br_get(&b, &r, "/b/bibliotheek-eemland/pe-norm");
	expect_page(&r, 403, "another library's page");
	resp_fini(&r);
	br_get(&b, &r, "/b/bibliotheek-eemland/pe-norm.csv");
	expect_status(&r, 403, "another library's CSV");
	resp_fini(&r);
	br_post(&b, &r, "/b/bibliotheek-eemland/pe-norm",
	        form_of(a, "csrf_token", tok, "jaar", num(a, year), "soort", "medewerkers", "actie", "opslaan",
	                "punten", "30", "verplicht", "ja", (const char *)NULL));
	expect_page(&r, 403, "another library's norm");
	resp_fini(&r);
	/* Bad input in the address. */
	br_get(&b, &r, LIB "/pe-norm?status=misschien");
	expect_page(&r, 400, "an unknown state");
	resp_fini(&r);
	br_get(&b, &r, LIB "/pe-norm?jaar=abc");
	expect_page(&r, 400, "a malformed year");
	resp_fini(&r);
	/* A learner of the library is no manager. */
	struct browser l;
	login(&l, learner);
	br_get(&l, &r, LIB "/pe-norm");
	expect_page(&r, 403, "a learner");
	resp_fini(&r);
	arena_free(a);
}

/* ---- who meets it ---- */

static void test_view_and_csv(void **state)
{
	(void)state;
	struct browser b;
	login(&b, MANAGER);
	struct arena *a = arena_new(0);
	struct resp r;
	br_get(&b, &r, arena_printf(a, LIB "/pe-norm?jaar=%d", year));
	expect_page(&r, 200, "the view");
	CHECK(has_text(&r, "Wie haalt de norm") && has(&r, "aria-sort=\"ascending\""), "%s", summary(&r));
	resp_fini(&r);
	/* Only who is behind; sorted by earned, most first. */
	br_get(&b, &r, arena_printf(a, LIB "/pe-norm?jaar=%d&status=achter&sorteer=behaald&richting=af", year));
	expect_page(&r, 200, "filtered");
	CHECK(!has_text(&r, "Norm Voorloper"), "met, yet listed as behind");
	CHECK(has(&r, "aria-sort=\"descending\""), "the sorted column");
	resp_fini(&r);
	br_get(&b, &r, arena_printf(a, LIB "/pe-norm.csv?jaar=%d", year));
	expect_status(&r, 200, "the CSV");
	CHECK(strncmp(header(&r, "Content-Type"), "text/csv", 8) == 0, "%s", header(&r, "Content-Type"));
	const char *csv = body(&r);
	CHECK(strncmp(csv, "\"Naam\";\"Soort\";\"Maanden\";\"Vereist (naar rato)\";\"Behaald\";\"Stand\"\r\n", 66) == 0,
	      "the header: %.80s", csv);
	CHECK(strstr(csv, "\"Norm Voorloper\";\"medewerker\";\"12\";\"24,5\";\"25\";\"Gehaald\"\r\n") != NULL,
	      "the one who met it: %.400s", csv);
	/* 3 of 4.9 halfway through December is behind. */
	CHECK(strstr(csv, "\"Norm Achterblijver\";\"medewerker\";\"12\";\"24,5\";\"3\";\"Achter\"\r\n") != NULL,
	      "the one behind");
	resp_fini(&r);
	br_get(&b, &r, arena_printf(a, LIB "/pe-norm.csv?jaar=%d&status=gehaald", year));
	expect_status(&r, 200, "the CSV of who met it");
	CHECK(!has(&r, "Achterblijver") && has(&r, "Voorloper"), "filtered CSV");
	resp_fini(&r);
	/* The sector report has Utrecht with at least the one who met it. */
	struct browser adm;
	login(&adm, ADMIN);
	br_get(&adm, &r, arena_printf(a, "/beheer/pe-norm/rapport?jaar=%d", year));
	expect_page(&r, 200, "the sector report");
	CHECK(has_text(&r, "Bibliotheek Utrecht"), "%s", summary(&r));
	CHECK(has(&r, "href=\"/b/bibliotheek-utrecht/pe-norm?jaar="), "a link to the library's view");
	resp_fini(&r);
	/* Clearing the own norm brings the sector's 20 back. */
	const char *tok = token(&b, LIB "/pe-norm", a);
	br_post(&b, &r, LIB "/pe-norm",
	        form_of(a, "csrf_token", tok, "jaar", num(a, year), "soort", "medewerkers", "actie", "verwijderen",
	                (const char *)NULL));
	expect_redirect(&r, arena_printf(a, LIB "/pe-norm?jaar=%d&gedaan=verwijderd#norm", year), "clearing");
	resp_fini(&r);
	CHECK(norm_points(utrecht_id, NULL, NULL) == -1, "still an own norm");
	br_get(&b, &r, arena_printf(a, LIB "/pe-norm.csv?jaar=%d", year));
	CHECK(strstr(body(&r), "\"Norm Achterblijver\";\"medewerker\";\"12\";\"20\";\"3\";\"Achter\"\r\n") != NULL,
	      "the sector's norm applies: %.400s", body(&r));
	resp_fini(&r);
	arena_free(a);
}

/* ---- the suite ---- */

static bool fresh_sqlite_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return strstr(path, "var/test/") != NULL || strncmp(base, "norm-test", 9) == 0;
}

static int campus_cli(char *const args[], const char *stdin_path)
{
	char *argv[20] = {(char *)campus_bin, (char *)"--db", (char *)test_db};
	size_t n = 3;
	for (size_t i = 0; args[i] && n < 19; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, stdin_path ? stdin_path : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc ? -1 : wait_exit(pid);
}

static int add_user(const char *email, const char *name, const char *pw_path)
{
	return campus_cli((char *[]){(char *)"user", (char *)"add", (char *)email, (char *)name, (char *)"--org",
	                             (char *)"bibliotheek-utrecht", (char *)"--kind", (char *)"employee",
	                             (char *)"--roles", (char *)"learner", (char *)"--password-stdin", NULL},
	                  pw_path);
}

/* The organisations, the people, and their points this year (all earned
 * on 2 January, so the CLI's membership start of today does not matter:
 * the memberships below start on 1 January). */
DB_STMT(stmt_start_year, "UPDATE memberships SET started_at = $2 WHERE person_id = $1");
/* The demo gives Utrecht a norm of its own; these tests start without one. */
DB_STMT(stmt_no_own_norm, "DELETE FROM pe_norms WHERE org_id = $1");

static int fixture(void)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *arena = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, arena);
	struct org o;
	struct person p;
	int rc = org_get_by_slug(&ctx, "bibliotheek-utrecht", &o);
	utrecht_id = o.id;
	if (!rc)
		rc = db_exec(db, &stmt_no_own_norm, (const struct db_param[]){DBP_INT(utrecht_id), DBP_END}, NULL);
	if (!rc)
		rc = db_query_row(db, &stmt_campus, (const struct db_param[]){DBP_END},
		                  (const struct db_col[]){DBC_INT(&campus_id), DBC_END}, arena);
	const char *emails[] = {ahead, slow, learner};
	int64_t *ids[] = {&ahead_id, &slow_id, &learner_id};
	for (size_t i = 0; !rc && i < 3; i++) {
		rc = person_find_by_email(&ctx, emails[i], &p);
		*ids[i] = p.id;
	}
	int64_t jan1, jan2;
	if (!rc && (!when_from_local(year, 1, 1, 0, 0, &jan1) || !when_from_local(year, 1, 2, 10, 0, &jan2)))
		rc = -1;
	for (size_t i = 0; !rc && i < 3; i++)
		rc = db_exec(db, &stmt_start_year, (const struct db_param[]){DBP_INT(*ids[i]), DBP_INT(jan1), DBP_END}, NULL);
	if (!rc)
		rc = db_exec(db, &stmt_points,
		             (const struct db_param[]){DBP_INT(ahead_id), DBP_TEXT("pe"), DBP_INT(250), DBP_INT(year),
		                                       DBP_INT(jan2), DBP_END},
		             NULL);
	if (!rc)
		rc = db_exec(db, &stmt_points,
		             (const struct db_param[]){DBP_INT(slow_id), DBP_TEXT("pe"), DBP_INT(30), DBP_INT(year),
		                                       DBP_INT(jan2), DBP_END},
		             NULL);
	arena_free(arena);
	db_close(db);
	return rc;
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_norm_pages";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/norm.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_HSTS");
	unsetenv("CAMPUS_TRUST_PROXY");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/norm-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/pe-norm.html", R_OK) != 0) {
		fprintf(stderr, "# run from the repository root (templates/)\n");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	struct when_local l;
	when_to_local((int64_t)time(NULL), &l);
	year = l.year;
	snprintf(tag, sizeof tag, "%lx%x", (unsigned long)time(NULL), (unsigned)getpid());
	if (!strcmp(dialect, "sqlite") && fresh_sqlite_file(test_db + 7)) {
		static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
		for (size_t i = 0; i < 4; i++) {
			char p[512];
			snprintf(p, sizeof p, "%s%s", test_db + 7, suffix[i]);
			unlink(p);
		}
	}
	int rc = campus_cli((char *[]){(char *)"demo", NULL}, NULL);
	if (rc != 0) {
		fprintf(stderr, "# campus demo exited %d on %s; see %s\n", rc, test_db, log_path);
		return -1;
	}
	/* Names sort after the demo's, so the rows show on the first page. */
	snprintf(ahead, sizeof ahead, "voorloper-%s@example.nl", tag);
	snprintf(slow, sizeof slow, "achterblijver-%s@example.nl", tag);
	snprintf(learner, sizeof learner, "lerende-%s@example.nl", tag);
	char pw_path[300];
	snprintf(pw_path, sizeof pw_path, "var/test/norm-pw-%s", dialect);
	f = fopen(pw_path, "w");
	if (!f)
		return -1;
	fputs(PASSWORD "\n", f);
	fclose(f);
	rc = add_user(ahead, "Norm Voorloper", pw_path);
	if (!rc)
		rc = add_user(slow, "Norm Achterblijver", pw_path);
	if (!rc)
		rc = add_user(learner, "Norm Lerende", pw_path);
	unlink(pw_path);
	if (rc != 0) {
		fprintf(stderr, "# campus user add exited %d; see %s\n", rc, log_path);
		return -1;
	}
	if (fixture()) {
		fprintf(stderr, "# the fixture (organisations, people, points) cannot be written\n");
		return -1;
	}
	return server_start(0);
}

static int group_teardown(void **state)
{
	(void)state;
	int status = server_stop();
	curl_global_cleanup();
	return status == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sector_default),
	    cmocka_unit_test(test_library_norm),
	    cmocka_unit_test(test_view_and_csv),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
