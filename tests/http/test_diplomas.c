/* The campus administrators' diploma pages over HTTP: the real server on a
 * fresh database with a campus administrator (who enrols in two-step log-in
 * through the pages) and a library employee made with the CLI. Cases, in
 * order (they share the sessions):
 *   the list shows the sector's seeded rules; a learner is refused;
 *   a new rule: CSRF token missing, minimum points 0, an unknown domain, a
 *   name too long, module numbers that are not: each refused with a clear
 *   Dutch reason and nothing written; then saved, with a re-evaluation job;
 *   an edit raises the revision and queues everyone again; an unknown id is
 *   404; the learner cannot post;
 *   points recorded for the employee: the server's job runner issues the
 *   diploma, then e-mails it with its PDF (in the outbox), the rule page
 *   lists it;
 *   revocation without a reason, under another rule's id, then with a
 *   reason: audited, the page shows it revoked.
 *
 * Env: CAMPUS_TEST_DB (sqlite:PATH or postgres://..., fresh), CAMPUS_BIN,
 * CAMPUS_LOCALE_DIR. Run from the repository root. The server's log:
 * var/test/diplomas-server-<dialect>.log. */
#include "harness.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/str.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/progress.h"
#include "domain/totp.h"

#define PASSWORD "Diploma-proef-wachtwoord-2026"

static const char *dialect;
static struct arena *g;
static char admin_email[128], learner_email[128], lib_slug[64];
static struct browser admin, learner;
static int64_t rule_id;

DB_STMT(stmt_person_id, "SELECT id FROM people WHERE email = $1");
DB_STMT(stmt_org_id, "SELECT id FROM organisations WHERE slug = $1");
DB_STMT(stmt_rules, "SELECT COUNT(*) FROM diploma_rules");
DB_STMT(stmt_rule_by_name, "SELECT COALESCE(MAX(id), 0) FROM diploma_rules WHERE name = $1");
DB_STMT(stmt_revision, "SELECT revision FROM diploma_rules WHERE id = $1");
DB_STMT(stmt_min, "SELECT min_points_tenths FROM diploma_rules WHERE id = $1");
DB_STMT(stmt_rule_jobs,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'diploma.evaluate' AND payload LIKE $1");
DB_STMT(stmt_diploma, "SELECT COALESCE(MAX(id), 0) FROM credentials WHERE rule_id = $1 AND person_id = $2");
DB_STMT(stmt_revoked, "SELECT CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END FROM credentials WHERE id = $1");
DB_STMT(stmt_mail,
        "SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND subject LIKE '%Privacy-coach%' "
        "AND attachment_type = 'application/pdf'");
DB_STMT(stmt_provider, "SELECT id FROM organisations WHERE kind = 'campus' ORDER BY id LIMIT 1");
DB_STMT(stmt_module,
        "INSERT INTO modules (provider_id, created_at, updated_at) VALUES ($1, 1, 1) RETURNING id");
DB_STMT(stmt_version,
        "INSERT INTO module_versions (module_id, number, state, title, summary, description, goals, level, "
        "format, load_tenths, language, price_cents, vat, audience, created_at, updated_at) "
        "VALUES ($1, 1, 'draft', 'Privacy in de praktijk', 'S', 'B', 'D', 'tactisch', 'classroom', 80, "
        "'nl', 0, 'crkbo', 'both', 1, 1) RETURNING id");
DB_STMT(stmt_working, "UPDATE modules SET working_version_id = $2 WHERE id = $1");
DB_STMT(stmt_domain, "SELECT id FROM tax_domains WHERE slug = 'informatie-dienstverlenende-bibliothecaris'");
DB_STMT(stmt_claim,
        "INSERT INTO learning_claims (person_id, org_id, kind, title, hours_tenths, learned_at, "
        "state, created_at, updated_at) VALUES ($1, $2, 'evc', 'Ervaring', 10, $3, 'approved', $3, $3) "
        "RETURNING id");

static int64_t int_of(struct db_stmt *stmt, const struct db_param *params)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	int64_t n = -1;
	if (db_query_row(db, stmt, params, (const struct db_col[]){DBC_INT(&n), DBC_END}, a) != 0)
		n = -1;
	arena_free(a);
	db_close(db);
	return n;
}

static int64_t int_by_text(struct db_stmt *stmt, const char *s)
{
	return int_of(stmt, (const struct db_param[]){DBP_TEXT(s), DBP_END});
}

static int64_t int_by_id(struct db_stmt *stmt, int64_t id)
{
	return int_of(stmt, (const struct db_param[]){DBP_INT(id), DBP_END});
}

static int cli(const char *const *args)
{
	char cmd[2048];
	int n = snprintf(cmd, sizeof cmd, "'%s' --db '%s'", campus_bin, test_db);
	for (size_t i = 0; args[i] && n > 0 && (size_t)n < sizeof cmd; i++) {
		if (!strcmp(args[i], "--password-stdin") && args[i + 1]) {
			n += snprintf(cmd + n, sizeof cmd - (size_t)n, " --password-stdin < '%s'", args[i + 1]);
			i++;
		} else {
			n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%s'", args[i]);
		}
	}
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
	pid_t pid;
	if (n <= 0 || (size_t)n >= sizeof cmd || start_process(argv, NULL, &pid))
		return -1;
	return wait_exit(pid);
}

/* ---- browsing ---- */

static const char *token_at(struct browser *b, const char *path)
{
	struct resp r;
	br_get(b, &r, path);
	expect_page(&r, 200, path);
	const char *tok = arena_strdup(g, page_token(&r));
	resp_fini(&r);
	return tok;
}

static const char *password_step(struct browser *b, const char *email)
{
	memset(b, 0, sizeof *b);
	const char *tok = token_at(b, "/inloggen");
	struct resp r;
	br_post(b, &r, "/inloggen",
	        form_of(g, "csrf_token", tok, "email", email, "wachtwoord", PASSWORD, (const char *)NULL));
	expect_status(&r, 303, email);
	const char *to = arena_strdup(g, header(&r, "Location") ? header(&r, "Location") : "");
	resp_fini(&r);
	return to;
}

static void post_totp(struct browser *b, const char *path, const unsigned char *secret, size_t n,
                      long ok_status)
{
	const char *tok = token_at(b, path);
	struct resp r;
	for (int k = 0; k < 3; k++) {
		char code[TOTP_DIGITS + 1];
		assert_int_equal(totp_code(secret, n, time(NULL) / TOTP_STEP + k, code), 0);
		br_post(b, &r, path, form_of(g, "csrf_token", tok, "code", code, (const char *)NULL));
		if (r.status == ok_status || k == 2)
			break;
		resp_fini(&r);
	}
	expect_status(&r, ok_status, path);
	resp_fini(&r);
}

/* A campus administrator made with the CLI enrols in two-step log-in with
 * the secret the page shows. */
static void login_enrol(struct browser *b, const char *email)
{
	const char *to = password_step(b, email);
	CHECK(!strcmp(to, "/mijn/tweestaps"), "%s: after the password to %s", email, to);
	struct resp r;
	br_get(b, &r, "/mijn/tweestaps");
	expect_page(&r, 200, "the enrolment page");
	const char *s = strstr(body(&r), "class=\"campus-secret\">");
	CHECK(s, "no secret on the enrolment page: %s", summary(&r));
	s += strlen("class=\"campus-secret\">");
	char b32[80];
	size_t n = 0;
	while (*s && *s != '<' && n < sizeof b32 - 1)
		b32[n++] = *s++;
	b32[n] = '\0';
	resp_fini(&r);
	unsigned char secret[TOTP_SECRET_LEN];
	size_t len = 0;
	assert_int_equal(totp_base32_decode(b32, secret, sizeof secret, &len), 0);
	post_totp(b, "/mijn/tweestaps", secret, len, 200);
}

/* The rule form with the given values; NULL leaves a field out. The
 * domain minimums go with their domain ids in pairs. */
static char *rule_form(const char *tok, const char *name, const char *points, const char *period,
                       const char *domain_id, const char *domain_points, const char *modules)
{
	return form_of(g, "csrf_token", tok, "naam", name, "beschrijving", "Voor wie privacy uitlegt.",
	               "punten", points, "periode", period, "voor", "all", "domein", domain_id,
	               "domein_punten", domain_points, "modules", modules, "actief", "1",
	               (const char *)NULL);
}

/* ---- cases ---- */

static void logins(void **state)
{
	(void)state;
	login_enrol(&admin, admin_email);
	const char *to = password_step(&learner, learner_email);
	CHECK(!strcmp(to, "/mijn"), "the learner: to %s", to);
	struct resp r;
	br_get(&admin, &r, "/mijn");
	expect_page(&r, 200, "/mijn of the administrator");
	CHECK(has(&r, "href=\"/beheer/diplomas\""), "no link to /beheer/diplomas on Mijn Campus");
	resp_fini(&r);
}

static void list_shows_seeded_rules(void **state)
{
	(void)state;
	struct resp r;
	br_get(&admin, &r, "/beheer/diplomas");
	expect_page(&r, 200, "the list");
	CHECK(has_text(&r, "Nascholing Bibliothecaris") && has_text(&r, "Branche-opleiding Bibliothecaris") &&
	          has_text(&r, "Maatschappelijk-educatieve bibliothecaris") &&
	          has_text(&r, "Community librarian") &&
	          has_text(&r, "Informatie-dienstverlenende bibliothecaris"),
	      "the seeded rules are not all listed: %s", summary(&r));
	resp_fini(&r);
	br_get(&learner, &r, "/beheer/diplomas");
	expect_status(&r, 403, "a learner on /beheer/diplomas");
	resp_fini(&r);
	br_get(&learner, &r, "/beheer/diplomas/1");
	expect_status(&r, 403, "a learner on a rule");
	resp_fini(&r);
}

static void new_rule_bad_input_then_saved(void **state)
{
	(void)state;
	int64_t rules = int_of(&stmt_rules, (const struct db_param[]){DBP_END});
	int64_t domain = int_of(&stmt_domain, (const struct db_param[]){DBP_END});
	const char *did = arena_printf(g, "%lld", (long long)domain);
	const char *tok = token_at(&admin, "/beheer/diplomas/nieuw");
	struct resp r;

	/* No CSRF token. */
	br_post(&admin, &r, "/beheer/diplomas/nieuw",
	        rule_form("", "Privacy-coach", "20", "12", did, "10", ""));
	expect_status(&r, 403, "without a CSRF token");
	resp_fini(&r);

	struct {
		const char *name, *points, *period, *domain, *domain_points, *modules, *says;
	} bad[] = {
	    {"Privacy-coach", "0", "12", did, "", "", "groter zijn dan 0"},
	    {"Privacy-coach", "veel", "12", did, "", "", "Vul het aantal punten in"},
	    {"Privacy-coach", "20", "12", "999999", "10", "", "Dat domein bestaat niet"},
	    {"Privacy-coach", "20", "12", did, "30", "", "niet groter dan het totaal"},
	    {"Privacy-coach", "20", "300", did, "", "", "240 maanden"},
	    {"Privacy-coach", "20", "12", did, "", "12, x", "als nummers"},
	    {"Privacy-coach", "20", "12", did, "", "999999", "Die module bestaat niet"},
	    {"Nascholing Bibliothecaris", "20", "12", did, "", "", "al een diploma met deze naam"},
	    {"", "20", "12", did, "", "", "Geef het diploma een naam"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		br_post(&admin, &r, "/beheer/diplomas/nieuw",
		        rule_form(tok, bad[i].name, bad[i].points, bad[i].period, bad[i].domain,
		                  bad[i].domain_points, bad[i].modules));
		CHECK(r.status == 400 || r.status == 409, "case %zu: status %ld", i, r.status);
		CHECK(has_text(&r, bad[i].says), "case %zu: no \"%s\" in %s", i, bad[i].says, summary(&r));
		/* What was typed comes back. */
		CHECK(!*bad[i].name || has(&r, "value=\"20\"") || has(&r, "value=\"0\"") ||
		          has(&r, "value=\"veel\""),
		      "case %zu: the form lost its values", i);
		resp_fini(&r);
	}
	char long_name[200];
	memset(long_name, 'a', 130);
	long_name[130] = '\0';
	br_post(&admin, &r, "/beheer/diplomas/nieuw", rule_form(tok, long_name, "20", "12", did, "", ""));
	expect_status(&r, 400, "a name too long");
	resp_fini(&r);
	CHECK(int_of(&stmt_rules, (const struct db_param[]){DBP_END}) == rules,
	      "a refused rule was written");
	CHECK(int_by_text(&stmt_rule_jobs, "%rule_id%") == 0, "a refused rule queued a job");

	br_post(&admin, &r, "/beheer/diplomas/nieuw",
	        rule_form(tok, "Privacy-coach", "20", "12", did, "10", ""));
	rule_id = int_by_text(&stmt_rule_by_name, "Privacy-coach");
	CHECK(rule_id > 0, "no rule saved: %s", summary(&r));
	expect_redirect(&r, arena_printf(g, "/beheer/diplomas/%lld", (long long)rule_id), "saved");
	resp_fini(&r);
	CHECK(int_by_text(&stmt_rule_jobs, arena_printf(g, "%%\"rule_id\": %lld}", (long long)rule_id)) == 1,
	      "no re-evaluation job for the new rule");
	br_get(&admin, &r, arena_printf(g, "/beheer/diplomas/%lld", (long long)rule_id));
	expect_page(&r, 200, "the new rule");
	CHECK(has_text(&r, "Nog niemand heeft dit diploma."), "the new rule page: %s", summary(&r));
	CHECK(has(&r, "value=\"Privacy-coach\""), "the form does not show the name");
	resp_fini(&r);
	CHECK(audit_count("diploma.rule_create", "ok") == 1, "no audit row for the new rule");
}

static void edit_rule(void **state)
{
	(void)state;
	const char *path = arena_printf(g, "/beheer/diplomas/%lld", (long long)rule_id);
	int64_t domain = int_of(&stmt_domain, (const struct db_param[]){DBP_END});
	const char *did = arena_printf(g, "%lld", (long long)domain);
	const char *tok = token_at(&admin, path);
	struct resp r;
	br_post(&admin, &r, path, rule_form(tok, "Privacy-coach", "0", "12", did, "", ""));
	expect_status(&r, 400, "min points 0 on edit");
	resp_fini(&r);
	CHECK(int_by_id(&stmt_revision, rule_id) == 1, "a refused edit changed the revision");
	br_post(&admin, &r, path, rule_form(tok, "Privacy-coach", "15", "12", did, "10", ""));
	expect_redirect(&r, path, "the edit");
	resp_fini(&r);
	CHECK(int_by_id(&stmt_revision, rule_id) == 2, "the edit did not raise the revision");
	CHECK(int_by_id(&stmt_min, rule_id) == 150, "the minimum was not saved");
	/* A mandatory module: the form names it by title, linked, beside its number. */
	int64_t module = int_by_id(&stmt_module, int_of(&stmt_provider, (const struct db_param[]){DBP_END}));
	int64_t version = int_by_id(&stmt_version, module);
	struct db_conn *db = db_connect();
	CHECK(db_exec(db, &stmt_working, (const struct db_param[]){DBP_INT(module), DBP_INT(version), DBP_END},
	              NULL) == 0,
	      "the module's working version: %s", db_errmsg(db));
	db_close(db);
	const char *mid = arena_printf(g, "%lld", (long long)module);
	br_post(&admin, &r, path, rule_form(tok, "Privacy-coach", "15", "12", did, "10", mid));
	expect_redirect(&r, path, "the edit with a module");
	resp_fini(&r);
	br_get(&admin, &r, path);
	expect_page(&r, 200, "the rule with a mandatory module");
	CHECK(has(&r, arena_printf(g, "<a class=\"utrecht-link\" href=\"/aanbod/%s\">Privacy in de praktijk</a>", mid)),
	      "the mandatory module is not named: %s", summary(&r));
	CHECK(!strcmp(input_value(&r, "modules"), mid), "the module number is not in the field");
	resp_fini(&r);
	/* Without it again, for the cases that follow. */
	br_post(&admin, &r, path, rule_form(tok, "Privacy-coach", "15", "12", did, "10", ""));
	expect_redirect(&r, path, "the edit without the module");
	resp_fini(&r);
	br_get(&admin, &r, path);
	CHECK(!has(&r, "Nu verplicht"), "a module is still listed as mandatory");
	resp_fini(&r);
	br_get(&admin, &r, "/beheer/diplomas/999999");
	expect_status(&r, 404, "an unknown rule");
	resp_fini(&r);
	br_get(&admin, &r, "/beheer/diplomas/abc");
	expect_status(&r, 404, "a rule id that is not one");
	resp_fini(&r);
	/* The learner has no token for this form, and no right to it. */
	const char *ltok = token_at(&learner, "/mijn");
	br_post(&learner, &r, path, rule_form(ltok, "Privacy-coach", "1", "12", did, "", ""));
	expect_status(&r, 403, "the learner posting an edit");
	resp_fini(&r);
	CHECK(int_by_id(&stmt_min, rule_id) == 150, "the learner changed the rule");
}

struct earn_args {
	struct ctx ctx;
	int64_t person, org, domain;
	int rc;
};

static int earn_tx(struct db_conn *db, void *cls)
{
	struct earn_args *a = cls;
	int64_t now = a->ctx.now() - 60;
	int64_t claim;
	int rc = db_query_row(db, &stmt_claim,
	                      (const struct db_param[]){DBP_INT(a->person), DBP_INT(a->org), DBP_INT(now),
	                                                DBP_END},
	                      (const struct db_col[]){DBC_INT(&claim), DBC_END}, a->ctx.arena);
	if (rc)
		return rc;
	struct completion_in in = {.person_id = a->person, .claim_id = claim, .title = "Privacy-ervaring",
	                           .points_tenths = 200, .kind = POINTS_PE, .domains = &a->domain,
	                           .ndomains = 1, .org_id = a->org, .source = EVIDENCE_EVC,
	                           .completed_at = now};
	struct completion_out out;
	const char *why;
	return progress_record_completion(&a->ctx, &in, &out, &why);
}

/* Points for the employee: the server's ticker runs the job within seconds
 * and issues the diploma; then the administrator revokes it. */
static void issued_then_revoked(void **state)
{
	(void)state;
	int64_t person = int_by_text(&stmt_person_id, learner_email);
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct earn_args a = {.person = person, .org = int_by_text(&stmt_org_id, lib_slug),
	                      .domain = int_of(&stmt_domain, (const struct db_param[]){DBP_END})};
	ctx_init_system(&a.ctx, db, g);
	assert_int_equal(db_tx_run(db, DB_TX_WRITE, earn_tx, &a), 0);
	db_close(db);
	int64_t cid = 0;
	for (int i = 0; i < 300 && cid <= 0; i++) {
		sleep_ms(100);
		cid = int_of(&stmt_diploma, (const struct db_param[]){DBP_INT(rule_id), DBP_INT(person), DBP_END});
	}
	CHECK(cid > 0, "no diploma within 30 s of the points (see %s)", log_path);
	/* The e-mail with the PDF is a job of its own, right after. */
	int64_t mails = 0;
	for (int i = 0; i < 300 && mails <= 0; i++) {
		mails = int_by_text(&stmt_mail, learner_email);
		if (mails <= 0)
			sleep_ms(100);
	}
	CHECK(mails == 1, "no e-mail about the diploma in the outbox (see %s)", log_path);

	const char *path = arena_printf(g, "/beheer/diplomas/%lld", (long long)rule_id);
	const char *revoke = arena_printf(g, "%s/intrekken", path);
	const char *cid_text = arena_printf(g, "%lld", (long long)cid);
	struct resp r;
	br_get(&admin, &r, path);
	expect_page(&r, 200, "the rule with a diploma");
	CHECK(has(&r, "Uitgereikte diploma") && has(&r, "Mia Medewerker"), "the holder is not listed: %s",
	      summary(&r));
	resp_fini(&r);
	const char *tok = token_at(&admin, path);
	br_post(&admin, &r, revoke, form_of(g, "csrf_token", tok, "diploma", cid_text, "reden", " ",
	                                    (const char *)NULL));
	expect_status(&r, 400, "a revocation without a reason");
	CHECK(has_text(&r, "Geef een reden"), "no reason asked: %s", summary(&r));
	resp_fini(&r);
	br_post(&admin, &r, "/beheer/diplomas/1/intrekken",
	        form_of(g, "csrf_token", tok, "diploma", cid_text, "reden", "fraude", (const char *)NULL));
	expect_status(&r, 404, "a revocation under another rule");
	resp_fini(&r);
	br_post(&admin, &r, revoke,
	        form_of(g, "diploma", cid_text, "reden", "fraude", (const char *)NULL));
	expect_status(&r, 403, "a revocation without a CSRF token");
	resp_fini(&r);
	CHECK(int_by_id(&stmt_revoked, cid) == 0, "a refused revocation revoked");
	br_post(&admin, &r, revoke,
	        form_of(g, "csrf_token", tok, "diploma", cid_text, "reden", "Punten ten onrechte toegekend",
	                (const char *)NULL));
	expect_redirect(&r, path, "the revocation");
	resp_fini(&r);
	CHECK(int_by_id(&stmt_revoked, cid) == 1, "the diploma is not revoked");
	CHECK(audit_count("credential.revoke", "ok") == 1, "no audit row for the revocation");
	br_get(&admin, &r, path);
	expect_page(&r, 200, "the rule after revocation");
	CHECK(has_text(&r, "Punten ten onrechte toegekend") && has(&r, "Ingetrokken"),
	      "the page does not show the revocation: %s", summary(&r));
	CHECK(has_text(&r, "Het diploma is ingetrokken"), "no flash after the revocation");
	resp_fini(&r);
}

/* ---- the suite ---- */

static int group_setup(void **state)
{
	(void)state;
	g = arena_new(0);
	suite_name = "test_diplomas";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/diplomas.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_SMTP_URL"); /* e-mail stays in the outbox, where the test reads it */
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/diplomas-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (!strcmp(dialect, "sqlite") && strstr(test_db, "diplomas")) {
		static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
		for (size_t i = 0; i < 4; i++)
			unlink(arena_printf(g, "%s%s", test_db + 7, suffix[i]));
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	char tag[40];
	snprintf(tag, sizeof tag, "dp%lx%x", (long)time(NULL), (unsigned)getpid() & 0xffff);
	snprintf(admin_email, sizeof admin_email, "beheer@%s.example.nl", tag);
	snprintf(learner_email, sizeof learner_email, "medewerker@%s.example.nl", tag);
	snprintf(lib_slug, sizeof lib_slug, "%s-bieb", tag);
	const char *pw = arena_printf(g, "var/test/diplomas-password-%s.txt", dialect);
	f = fopen(pw, "w");
	if (!f)
		return -1;
	fputs(PASSWORD "\n", f);
	fclose(f);
	const char *steps[][14] = {
	    {"migrate", NULL},
	    {"org", "add", "campus", "Campus", "--kind", "campus", NULL},
	    {"org", "add", lib_slug, "Bibliotheek Proef", "--kind", "library", NULL},
	    {"user", "add", admin_email, "Bea Heer", "--org", "campus", "--roles", "campus_admin",
	     "--password-stdin", pw, NULL},
	    {"user", "add", learner_email, "Mia Medewerker", "--org", lib_slug, "--kind", "employee",
	     "--roles", "learner", "--password-stdin", pw, NULL},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (cli(steps[i]) != 0) {
			fprintf(stderr, "# set-up step %zu (%s) failed; see %s\n", i, steps[i][0], log_path);
			return -1;
		}
	return server_start(0);
}

static int group_teardown(void **state)
{
	(void)state;
	int rc = server_stop();
	curl_global_cleanup();
	arena_free(g);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(logins),
	    cmocka_unit_test(list_shows_seeded_rules),
	    cmocka_unit_test(new_rule_bad_input_then_saved),
	    cmocka_unit_test(edit_rule),
	    cmocka_unit_test(issued_then_revoked),
	};
	return cmocka_run_group_tests_name("diplomas", tests, group_setup, group_teardown);
}
