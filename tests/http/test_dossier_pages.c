/* The study dossier over HTTP: the real server ($CAMPUS_BIN serve) on a
 * database filled by `campus demo`. A learner made for this run worked at
 * Utrecht until 100 days ago and at Eemland since; one completion falls in
 * each period (recorded through the domain, as a provider's system would).
 * Covers the own page (every row, totals), the JSON export (valid, complete:
 * person, completions with module, provider, points, domains, dates, source;
 * credentials with their verification address), the PDF, the manager of each library
 * seeing only their period, a library the person never belonged to (404),
 * another library's page (403), learners and anonymous visitors.
 *
 * Runs once per database (CAMPUS_TEST_DB), from the repository root. The
 * server's log goes to var/test/dossier-server-<dialect>.log. */
#include "harness.h"

#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/people.h"
#include "domain/progress.h"

extern char **environ;

#define PASSWORD "Campus-demo-2026"
#define MANAGER "manager@bibliotheek-utrecht.demo"
#define DAY 86400

static const char *dialect;
static char tag[40];
static char mover[96], eemland_manager[96], stranger[96];
static char title_utrecht[96], title_eemland[96];
static int64_t utrecht_id, eemland_id, mover_id, stranger_id;

DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
/* The i-th newest national module with a published version. */
DB_STMT(stmt_nth_module,
        "SELECT m.id FROM modules m WHERE m.local_org_id IS NULL AND "
        "m.published_version_id IS NOT NULL ORDER BY m.id DESC LIMIT 1 OFFSET $1");
/* What the committee's recognition leaves behind, with a title of this run. */
DB_STMT(stmt_recognise_version,
        "UPDATE module_versions SET state = 'recognised', points_tenths = $2, title = $3, "
        "recognised_load_tenths = load_tenths, recognised_at = 1, valid_until = 4102444800 "
        "WHERE id = (SELECT published_version_id FROM modules WHERE id = $1)");
DB_STMT(stmt_recognise_module,
        "UPDATE modules SET recognised_version_id = published_version_id WHERE id = $1");
DB_STMT(stmt_move_out,
        "UPDATE memberships SET started_at = $3, ended_at = $4 WHERE person_id = $1 AND org_id = $2");
DB_STMT(stmt_move_in,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at) VALUES ($1, $2, 'volunteer', 1, $3)");

/* ---- the domain, for what another area's pages do */

struct record_args {
	struct ctx *ctx;
	struct completion_in in;
	struct completion_out out;
	const char *why;
};

static int record_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct record_args *a = cls;
	return progress_record_completion(a->ctx, &a->in, &a->out, &a->why);
}

static int fixture(void)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	struct ctx ctx = {.db = db, .arena = a, .now = clock_now_real};
	ctx.actor.flags = ACTOR_SYSTEM;
	struct org o;
	struct person p;
	int rc = org_get_by_slug(&ctx, "bibliotheek-utrecht", &o);
	utrecht_id = o.id;
	if (!rc)
		rc = org_get_by_slug(&ctx, "bibliotheek-eemland", &o);
	eemland_id = o.id;
	if (!rc)
		rc = person_find_by_email(&ctx, mover, &p);
	mover_id = p.id;
	if (!rc)
		rc = person_find_by_email(&ctx, stranger, &p);
	stranger_id = p.id;
	int64_t now = clock_now_real();
	if (!rc)
		rc = db_exec(db, &stmt_move_out,
		             (const struct db_param[]){DBP_INT(mover_id), DBP_INT(utrecht_id),
		                                       DBP_INT(now - 400 * DAY), DBP_INT(now - 100 * DAY),
		                                       DBP_END},
		             NULL);
	if (!rc)
		rc = db_exec(db, &stmt_move_in,
		             (const struct db_param[]){DBP_INT(mover_id), DBP_INT(eemland_id),
		                                       DBP_INT(now - 100 * DAY), DBP_END},
		             NULL);
	int64_t modules[2] = {0, 0};
	for (int i = 0; !rc && i < 2; i++) {
		int64_t id = 0;
		rc = db_query_row(db, &stmt_nth_module, (const struct db_param[]){DBP_INT(i), DBP_END},
		                  (const struct db_col[]){DBC_INT(&id), DBC_END}, a);
		modules[i] = id;
		const char *title = i == 0 ? title_utrecht : title_eemland;
		if (!rc)
			rc = db_exec(db, &stmt_recognise_version,
			             (const struct db_param[]){DBP_INT(id), DBP_INT(i == 0 ? 25 : 35),
			                                       DBP_TEXT(title), DBP_END},
			             NULL);
		if (!rc)
			rc = db_exec(db, &stmt_recognise_module, (const struct db_param[]){DBP_INT(id), DBP_END},
			             NULL);
	}
	for (int i = 0; !rc && i < 2; i++) {
		struct record_args r = {
		    .ctx = &ctx,
		    .in = {.person_id = mover_id, .module_id = modules[i],
		           .org_id = i == 0 ? utrecht_id : eemland_id, .source = EVIDENCE_API,
		           .completed_at = now - (i == 0 ? 200 : 50) * DAY,
		           .evidence_key = arena_printf(a, "dossier-http:%s:%d", tag, i)}};
		rc = db_tx_run(db, DB_TX_WRITE, record_tx, &r);
		if (rc || !r.out.ledger_id) {
			fprintf(stderr, "# recording a completion: %d %s\n", rc, r.why ? r.why : "");
			rc = rc ? rc : -1;
		}
	}
	if (!rc)
		rc = db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	arena_free(a);
	db_close(db);
	return rc;
}

/* ---- pages */

static void login(struct browser *b, const char *email)
{
	memset(b, 0, sizeof *b);
	struct resp r;
	br_get(b, &r, "/inloggen");
	expect_page(&r, 200, "the log-in form");
	struct arena *a = arena_new(0);
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(b, &r, "/inloggen",
	        form_of(a, "csrf_token", tok, "email", email, "wachtwoord", PASSWORD, (const char *)NULL));
	expect_redirect(&r, "/mijn", email);
	resp_fini(&r);
	arena_free(a);
}

static void test_own_dossier(void **state)
{
	(void)state;
	struct browser b;
	login(&b, mover);
	struct resp r;
	br_get(&b, &r, "/mijn");
	expect_page(&r, 200, "Mijn Campus");
	CHECK(has(&r, "href=\"/mijn/dossier\""), "/mijn links to the dossier");
	resp_fini(&r);
	br_get(&b, &r, "/mijn/dossier");
	expect_page(&r, 200, "my dossier");
	CHECK(has_text(&r, title_utrecht) && has_text(&r, title_eemland), "both periods: %s", summary(&r));
	CHECK(has_text(&r, "Waarom heb ik deze punten?"), "the rows are explained");
	/* 2,5 + 3,5 points in all; the rows name their source and registrar. */
	CHECK(has(&r, ">6<") || has(&r, ">6 "), "the total of 6 points: %s", summary(&r));
	CHECK(has_text(&r, "de aanbieder (koppeling)"), "the source of a row");
	CHECK(has(&r, "/verify/"), "certificates with their verification links");
	CHECK(has(&r, "href=\"/mijn/dossier.json\""), "the export is offered");
	resp_fini(&r);
	/* Anonymous: log in first. */
	fetch(&r, NULL, "/mijn/dossier", NULL, NULL);
	CHECK(r.status == 303 || r.status == 302 || r.status == 401, "anonymous: %ld", r.status);
	resp_fini(&r);
}

static void test_export(void **state)
{
	(void)state;
	struct browser b;
	login(&b, mover);
	struct resp r;
	br_get(&b, &r, "/mijn/dossier.json");
	expect_status(&r, 200, "the export");
	CHECK(header(&r, "Content-Type") && strstr(header(&r, "Content-Type"), "application/json"),
	      "a JSON content type");
	json_error_t err;
	json_t *j = json_loads(body(&r), 0, &err);
	CHECK(j, "valid JSON: %s", err.text);
	CHECK(json_integer_value(json_object_get(j, "version")) == 1, "schema version 1");
	CHECK(!strcmp(json_string_value(json_object_get(json_object_get(j, "person"), "email")), mover),
	      "the person's e-mail");
	CHECK(json_integer_value(json_object_get(json_object_get(j, "totals"), "pe_points_tenths")) == 60,
	      "6 points in all");
	json_t *cs = json_object_get(j, "completions");
	CHECK(json_array_size(cs) == 2, "two completions, got %zu", json_array_size(cs));
	size_t i;
	json_t *c;
	bool seen[2] = {false, false};
	json_array_foreach(cs, i, c) {
		const char *title = json_string_value(json_object_get(json_object_get(c, "module"), "title"));
		CHECK(title, "a completion names its module");
		seen[0] |= !strcmp(title, title_utrecht);
		seen[1] |= !strcmp(title, title_eemland);
		CHECK(json_is_string(json_object_get(c, "provider")), "provider");
		CHECK(json_integer_value(json_object_get(c, "points_tenths")) > 0, "points");
		CHECK(json_array_size(json_object_get(c, "domains")) >= 1, "domains");
		CHECK(json_is_string(json_object_get(c, "completed_at")) &&
		          json_is_string(json_object_get(c, "registered_at")),
		      "dates");
		CHECK(!strcmp(json_string_value(json_object_get(c, "source")), "api"), "source");
	}
	CHECK(seen[0] && seen[1], "both modules");
	json_t *creds = json_object_get(j, "credentials");
	CHECK(json_array_size(creds) == 2, "two certificates");
	json_array_foreach(creds, i, c) {
		const char *url = json_string_value(json_object_get(c, "verification_url"));
		CHECK(url && strstr(url, "/verify/"), "a verification address");
	}
	CHECK(json_array_size(json_object_get(j, "ledger")) == 2, "two ledger rows");
	json_decref(j);
	resp_fini(&r);
	/* The PDF to keep: a real PDF, offered as a download. */
	br_get(&b, &r, "/mijn/dossier.pdf");
	expect_status(&r, 200, "the PDF");
	CHECK(header(&r, "Content-Type") && !strcmp(header(&r, "Content-Type"), "application/pdf"),
	      "a PDF content type");
	CHECK(header(&r, "Content-Disposition") && strstr(header(&r, "Content-Disposition"), "attachment"),
	      "a download");
	CHECK(r.body.len > 1000 && !memcmp(r.body.data, "%PDF-", 5), "PDF bytes (%zu)", r.body.len);
	resp_fini(&r);
}

static void test_managers(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct browser b;
	struct resp r;
	/* Utrecht, the old library: only what was learned there. */
	login(&b, MANAGER);
	br_get(&b, &r, arena_printf(a, "/b/bibliotheek-utrecht/team/%lld/dossier", (long long)mover_id));
	expect_page(&r, 200, "the old library's view");
	CHECK(has_text(&r, title_utrecht) && !has_text(&r, title_eemland),
	      "Utrecht sees only its period: %s", summary(&r));
	CHECK(!has(&r, "dossier.json"), "no export in a manager's view");
	resp_fini(&r);
	/* Someone who never belonged to Utrecht, unknown and malformed ids: 404. */
	const char *ids[] = {arena_printf(a, "%lld", (long long)stranger_id), "99999999", "abc", "0"};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		br_get(&b, &r, arena_printf(a, "/b/bibliotheek-utrecht/team/%s/dossier", ids[i]));
		expect_page(&r, 404, arena_printf(a, "dossier of %s", ids[i]));
		resp_fini(&r);
	}
	/* Another library's page is not Utrecht's manager's. */
	br_get(&b, &r, arena_printf(a, "/b/bibliotheek-eemland/team/%lld/dossier", (long long)mover_id));
	expect_page(&r, 403, "another library's team");
	resp_fini(&r);
	/* Eemland, the new library: from the day the person joined. */
	login(&b, eemland_manager);
	br_get(&b, &r, arena_printf(a, "/b/bibliotheek-eemland/team/%lld/dossier", (long long)mover_id));
	expect_page(&r, 200, "the new library's view");
	CHECK(has_text(&r, title_eemland) && !has_text(&r, title_utrecht),
	      "Eemland sees only its period: %s", summary(&r));
	resp_fini(&r);
	/* A learner is no manager. */
	login(&b, stranger);
	br_get(&b, &r, arena_printf(a, "/b/bibliotheek-eemland/team/%lld/dossier", (long long)mover_id));
	expect_page(&r, 403, "a learner");
	resp_fini(&r);
	arena_free(a);
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

static int add_user(const char *email, const char *name, const char *org, const char *roles,
                    const char *pw_path)
{
	return campus_cli((char *[]){(char *)"user", (char *)"add", (char *)email, (char *)name,
	                             (char *)"--org", (char *)org, (char *)"--kind", (char *)"volunteer",
	                             (char *)"--roles", (char *)roles, (char *)"--password-stdin", NULL},
	                  pw_path);
}

static bool fresh_sqlite_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return strstr(path, "var/test/") != NULL || strncmp(base, "dossier-", 8) == 0;
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_dossier_pages";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/dossier.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_HSTS");
	unsetenv("CAMPUS_TRUST_PROXY");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/dossier-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/mijn-dossier.html", R_OK) != 0) {
		fprintf(stderr, "# run from the repository root (templates/)\n");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
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
	snprintf(mover, sizeof mover, "verhuisd-%s@example.nl", tag);
	snprintf(eemland_manager, sizeof eemland_manager, "manager-%s@example.nl", tag);
	snprintf(stranger, sizeof stranger, "eemlander-%s@example.nl", tag);
	snprintf(title_utrecht, sizeof title_utrecht, "Gevolgd in Utrecht %s", tag);
	snprintf(title_eemland, sizeof title_eemland, "Gevolgd in Eemland %s", tag);
	char pw_path[300];
	snprintf(pw_path, sizeof pw_path, "var/test/dossier-pw-%s", dialect);
	f = fopen(pw_path, "w");
	if (!f)
		return -1;
	fputs(PASSWORD "\n", f);
	fclose(f);
	rc = add_user(mover, "Verhuisde Lezer", "bibliotheek-utrecht", "learner", pw_path);
	if (!rc)
		rc = add_user(eemland_manager, "Manager Eemland", "bibliotheek-eemland", "learner,manager",
		              pw_path);
	if (!rc)
		rc = add_user(stranger, "Lezer Eemland", "bibliotheek-eemland", "learner", pw_path);
	unlink(pw_path);
	if (rc != 0) {
		fprintf(stderr, "# campus user add exited %d; see %s\n", rc, log_path);
		return -1;
	}
	if (fixture()) {
		fprintf(stderr, "# the fixture (people, memberships, completions) failed\n");
		return -1;
	}
	return server_start(0);
}

static int group_teardown(void **state)
{
	(void)state;
	int status = server_stop();
	if (status != 0)
		fprintf(stderr, "# the server exited with %d after SIGTERM; see %s\n", status, log_path);
	curl_global_cleanup();
	return status == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_own_dossier),
	    cmocka_unit_test(test_export),
	    cmocka_unit_test(test_managers),
	};
	return cmocka_run_group_tests_name("dossier", tests, group_setup, group_teardown);
}
