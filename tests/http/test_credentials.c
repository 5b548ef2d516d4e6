/* Certificates over HTTP: /mijn/certificaten lists one's own; the PDF and
 * the badge of one's own download, another person's are 404; /verify/<code>
 * is public and shows only what it should; a forged code is 404 with a
 * Dutch message; /issuer and /.well-known/jwks.json; a campus administrator
 * revokes with CSRF and a reason, and verification then says revoked.
 *
 * Two people of their own (the demo's password) with a certificate each
 * issued in SQL; the campus administrator of the demo. Runs once per
 * database (CAMPUS_TEST_DB), from the repository root. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/arena.h"
#include "core/str.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/totp.h"

#define PASSWORD "Campus-demo-2026"
#define DEMO_PERSON "medewerker@bibliotheek-utrecht.demo"
#define ADMIN "beheerder@campus.demo"

static struct arena *g;
static char email_a[80], email_b[80];
static int64_t cred_a, cred_b;
static const char *code_a = "7K3MQ9XD2HWAFT5R", *code_b = "8M4NRAYE3JXBGV6S";

DB_STMT(stmt_hash_of, "SELECT password_hash FROM people WHERE email = $1");
DB_STMT(stmt_person,
        "INSERT INTO people (email, name, lang, password_hash, created_at, updated_at) "
        "VALUES ($1, $2, 'nl', $3, 1, 1) RETURNING id");
DB_STMT(stmt_completion,
        "INSERT INTO completions (person_id, title, provider_name, source, evidence_key, "
        "points_tenths, completed_at, registered_at) VALUES ($1, $2, 'Leeracademie Noord', 'web', $3, "
        "15, $4, $4) RETURNING id");
DB_STMT(stmt_credential,
        "INSERT INTO credentials (kind, code, person_id, completion_id, holder_name, title, "
        "provider_name, points_tenths, achieved_at, issued_at) VALUES ('certificate', $1, $2, $3, "
        "$4, $5, 'Leeracademie Noord', 15, $6, $6) RETURNING id");
DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");

static int64_t row_id(struct db_conn *db, struct db_stmt *st, const struct db_param *p, struct arena *a)
{
	int64_t id = 0;
	int rc = db_query_row(db, st, p, (const struct db_col[]){DBC_INT(&id), DBC_END}, a);
	if (rc)
		fprintf(stderr, "# %s: %s\n", st->name, db_errmsg(db));
	return id;
}

static int64_t achieved_at; /* the certificates' date */

static int64_t certificate(struct db_conn *db, struct arena *a, int64_t person, const char *name,
                           const char *title, const char *code)
{
	int64_t t = achieved_at = (int64_t)time(NULL) - 86400;
	char key[64];
	snprintf(key, sizeof key, "enrolment:http-%s", code);
	int64_t c = row_id(db, &stmt_completion,
	                   (const struct db_param[]){DBP_INT(person), DBP_TEXT(title), DBP_TEXT(key),
	                                             DBP_INT(t), DBP_END},
	                   a);
	return row_id(db, &stmt_credential,
	              (const struct db_param[]){DBP_TEXT(code), DBP_INT(person), DBP_INT(c), DBP_TEXT(name),
	                                        DBP_TEXT(title), DBP_INT(t), DBP_END},
	              a);
}

static int fill_tx(struct db_conn *db, void *cls)
{
	struct arena *a = cls;
	const char *hash;
	int rc = db_query_row(db, &stmt_hash_of, (const struct db_param[]){DBP_TEXT(DEMO_PERSON), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&hash), DBC_END}, a);
	if (rc)
		return rc;
	int64_t pa = row_id(db, &stmt_person,
	                    (const struct db_param[]){DBP_TEXT(email_a), DBP_TEXT("Anna Certificaat"),
	                                              DBP_TEXT(hash), DBP_END},
	                    a);
	int64_t pb = row_id(db, &stmt_person,
	                    (const struct db_param[]){DBP_TEXT(email_b), DBP_TEXT("Bram Certificaat"),
	                                              DBP_TEXT(hash), DBP_END},
	                    a);
	cred_a = certificate(db, a, pa, "Anna Certificaat", "Mediawijsheid voor volwassenen", code_a);
	cred_b = certificate(db, a, pb, "Bram Certificaat", "Voorlezen aan peuters", code_b);
	return pa && pb && cred_a && cred_b ? 0 : -1;
}

static const char *token_at(struct browser *b, const char *path)
{
	struct resp r;
	br_get(b, &r, path);
	expect_page(&r, 200, "a page with a form");
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

static void login(struct browser *b, const char *email)
{
	const char *to = password_step(b, email);
	CHECK(!strcmp(to, "/mijn"), "%s: after the password to %s", email, to);
}

static void login_admin(struct browser *b)
{
	const char *to = password_step(b, ADMIN);
	CHECK(!strcmp(to, "/inloggen/code"), "admin: after the password to %s", to);
	unsigned char secret[TOTP_SECRET_LEN];
	size_t n = 0;
	assert_int_equal(totp_base32_decode(DEMO_TOTP_SECRET, secret, sizeof secret, &n), 0);
	const char *tok = token_at(b, "/inloggen/code");
	struct resp r;
	for (int k = 0; k < 3; k++) {
		char code[TOTP_DIGITS + 1];
		assert_int_equal(totp_code(secret, n, time(NULL) / TOTP_STEP + k, code), 0);
		br_post(b, &r, "/inloggen/code", form_of(g, "csrf_token", tok, "code", code, (const char *)NULL));
		if (r.status == 303 || k == 2)
			break;
		resp_fini(&r);
	}
	expect_status(&r, 303, "admin code");
	resp_fini(&r);
}

static void test_own_and_others(void **state)
{
	(void)state;
	struct browser b;
	struct resp r;
	/* Not logged in: the list asks to log in. */
	memset(&b, 0, sizeof b);
	br_get(&b, &r, "/mijn/certificaten");
	CHECK(r.status == 303 || r.status == 401, "anonymous list: %s", summary(&r));
	resp_fini(&r);

	login(&b, email_a);
	br_get(&b, &r, "/mijn/certificaten");
	expect_page(&r, 200, "my certificates");
	CHECK(has_text(&r, "Mediawijsheid voor volwassenen"), "own title: %s", summary(&r));
	CHECK(has_text(&r, "7K3M-Q9XD-2HWA-FT5R"), "own code shown grouped");
	CHECK(has(&r, "<dd>1,5</dd>"), "points: %s", summary(&r));
	CHECK(!has_text(&r, "Voorlezen aan peuters"), "another person's certificate listed");
	resp_fini(&r);

	char path[80];
	snprintf(path, sizeof path, "/mijn/certificaten/%lld.pdf", (long long)cred_a);
	br_get(&b, &r, path);
	expect_status(&r, 200, "own PDF");
	CHECK(header(&r, "Content-Type") && strstr(header(&r, "Content-Type"), "application/pdf"),
	      "PDF type");
	CHECK(!strncmp(body(&r), "%PDF-", 5), "a PDF");
	resp_fini(&r);
	snprintf(path, sizeof path, "/mijn/certificaten/%lld/badge", (long long)cred_a);
	br_get(&b, &r, path);
	expect_status(&r, 200, "own badge");
	CHECK(strchr(body(&r), '.') && !strchr(body(&r), '<'), "a JWT: %s", summary(&r));
	resp_fini(&r);

	/* Bram's, by changing the id: not found, with a Dutch reason. */
	snprintf(path, sizeof path, "/mijn/certificaten/%lld.pdf", (long long)cred_b);
	br_get(&b, &r, path);
	expect_status(&r, 404, "another person's PDF");
	CHECK(has_text(&r, "bestaat niet of is niet van jou"), "Dutch message: %s", summary(&r));
	resp_fini(&r);
	snprintf(path, sizeof path, "/mijn/certificaten/%lld/badge", (long long)cred_b);
	br_get(&b, &r, path);
	expect_status(&r, 404, "another person's badge");
	resp_fini(&r);
	br_get(&b, &r, "/mijn/certificaten/abc.pdf");
	expect_status(&r, 404, "a malformed id");
	resp_fini(&r);
	snprintf(path, sizeof path, "/mijn/certificaten/%lld", (long long)cred_a);
	br_get(&b, &r, path);
	expect_status(&r, 404, "without .pdf");
	resp_fini(&r);
}

static void test_public_verify(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, "GET", "/verify/7k3m-q9xd-2hwa-ft5r", NULL, NULL);
	expect_page(&r, 200, "verify, lower case with dashes");
	CHECK(has_text(&r, "Geldig."), "valid: %s", summary(&r));
	CHECK(has_text(&r, "Anna Certificaat"), "holder");
	CHECK(has_text(&r, "Mediawijsheid voor volwassenen"), "title");
	CHECK(has(&r, "<dd>1,5</dd>"), "points");
	CHECK(has_text(&r, "Leeracademie Noord"), "provider");
	CHECK(!has(&r, email_a), "no e-mail address on the public page");
	CHECK(!has(&r, "/intrekken"), "no revoke form for the public");
	struct arena *a = arena_new(0);
	const char *nl_date = when_text(a, achieved_at, "nl", WHEN_LONG_DATE);
	const char *en_date = when_text(a, achieved_at, "en", WHEN_LONG_DATE);
	CHECK(has_text(&r, nl_date), "the date in Dutch (%s)", nl_date);
	resp_fini(&r);
	/* In English for a reader who chose it: the page and its date. */
	fetch(&r, "GET", "/verify/7K3M-Q9XD-2HWA-FT5R", "taal=en", NULL);
	expect_status(&r, 200, "verify in English");
	CHECK(has(&r, "<html lang=\"en\"") && has_text(&r, "Valid."), "English: %s", summary(&r));
	CHECK(has_text(&r, en_date), "the date in English (%s)", en_date);
	arena_free(a);
	resp_fini(&r);

	fetch(&r, "GET", "/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ", NULL, NULL);
	expect_page(&r, 404, "a forged code");
	CHECK(has_text(&r, "Onbekende code."), "Dutch message: %s", summary(&r));
	resp_fini(&r);
	fetch(&r, "GET", "/verify?code=%3Cscript%3E", NULL, NULL);
	expect_page(&r, 404, "garbage through the form");
	CHECK(!has(&r, "<script>"), "escaped");
	resp_fini(&r);
	fetch(&r, "GET", "/verify", NULL, NULL);
	expect_page(&r, 200, "the form");
	resp_fini(&r);

	fetch(&r, "GET", "/.well-known/jwks.json", NULL, NULL);
	expect_status(&r, 200, "jwks");
	CHECK(has(&r, "\"kty\":\"OKP\"") && has(&r, "\"crv\":\"Ed25519\""), "an Ed25519 key: %s",
	      summary(&r));
	CHECK(!has(&r, "\"d\""), "no private part");
	resp_fini(&r);
	fetch(&r, "GET", "/issuer", NULL, NULL);
	expect_status(&r, 200, "issuer");
	CHECK(has(&r, "\"Profile\"") && has(&r, "\"name\":\"Campus\""), "a profile: %s", summary(&r));
	resp_fini(&r);
}

static void test_admin_revokes(void **state)
{
	(void)state;
	struct browser b;
	struct resp r;
	char path[80];
	snprintf(path, sizeof path, "/beheer/certificaten/%lld/intrekken", (long long)cred_b);

	/* A learner may not. */
	login(&b, email_a);
	const char *tok = token_at(&b, "/mijn/certificaten");
	br_post(&b, &r, path, form_of(g, "csrf_token", tok, "reden", "Geen reden", (const char *)NULL));
	expect_status(&r, 403, "a learner revoking");
	resp_fini(&r);

	login_admin(&b);
	tok = token_at(&b, "/verify/8M4N-RAYE-3JXB-GV6S");
	/* Without the CSRF token: refused, nothing changes. */
	br_post(&b, &r, path, form_of(g, "reden", "Dubbel geregistreerd", (const char *)NULL));
	CHECK(r.status == 403 || r.status == 400, "no CSRF: %s", summary(&r));
	resp_fini(&r);
	/* Without a reason: a Dutch error, nothing changes. */
	br_post(&b, &r, path, form_of(g, "csrf_token", tok, "reden", "", (const char *)NULL));
	expect_page(&r, 400, "no reason");
	CHECK(has_text(&r, "Geef een reden"), "Dutch reason message: %s", summary(&r));
	resp_fini(&r);
	fetch(&r, "GET", "/verify/8M4NRAYE3JXBGV6S", NULL, NULL);
	CHECK(has_text(&r, "Geldig."), "still valid");
	resp_fini(&r);

	int64_t before = audit_count("credential.revoke", "ok");
	br_post(&b, &r, path,
	        form_of(g, "csrf_token", tok, "reden", "Dubbel geregistreerd", (const char *)NULL));
	expect_redirect(&r, "/verify/8M4N-RAYE-3JXB-GV6S", "revoked");
	resp_fini(&r);
	assert_int_equal(audit_count("credential.revoke", "ok"), before + 1);
	fetch(&r, "GET", "/verify/8M4NRAYE3JXBGV6S", NULL, NULL);
	expect_page(&r, 200, "verify after revocation");
	CHECK(has_text(&r, "Ingetrokken."), "revoked: %s", summary(&r));
	CHECK(!has_text(&r, "Geldig."), "no longer valid");
	resp_fini(&r);
	/* Twice: refused with a reason. */
	br_post(&b, &r, path,
	        form_of(g, "csrf_token", tok, "reden", "Nog eens", (const char *)NULL));
	expect_page(&r, 409, "revoked twice");
	CHECK(has_text(&r, "al ingetrokken"), "Dutch message: %s", summary(&r));
	resp_fini(&r);
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_credentials";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/credentials.db";
	const char *dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/credentials-server-%s.log", dialect);
	FILE *lf = fopen(log_path, "w");
	if (lf)
		fclose(lf);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	g = arena_new(0);
	snprintf(email_a, sizeof email_a, "anna.%ld@cert.test", (long)getpid());
	snprintf(email_b, sizeof email_b, "bram.%ld@cert.test", (long)getpid());
	if (!strcmp(dialect, "sqlite") && strstr(test_db, "var/test/")) {
		static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
		for (size_t i = 0; i < 4; i++) {
			char p[512];
			snprintf(p, sizeof p, "%s%s", test_db + 7, suffix[i]);
			unlink(p);
		}
	}
	char *argv[] = {(char *)campus_bin, (char *)"--db", (char *)test_db, (char *)"demo", NULL};
	pid_t pid;
	if (start_process(argv, NULL, &pid) || wait_exit(pid) != 0) {
		fprintf(stderr, "# campus demo failed on %s; see %s\n", test_db, log_path);
		return -1;
	}
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	int rc = db_tx_run(db, DB_TX_WRITE, fill_tx, a);
	if (!rc)
		rc = db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	arena_free(a);
	db_close(db);
	if (rc) {
		fprintf(stderr, "# filling the test data failed: %d\n", rc);
		return -1;
	}
	return server_start(pick_port());
}

static int group_teardown(void **state)
{
	(void)state;
	int status = server_stop();
	if (status != 0)
		fprintf(stderr, "# the server exited with %d after SIGTERM; see %s\n", status, log_path);
	curl_global_cleanup();
	arena_free(g);
	return status == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_own_and_others),
	    cmocka_unit_test(test_public_verify),
	    cmocka_unit_test(test_admin_revokes),
	};
	return cmocka_run_group_tests_name("credentials", tests, group_setup, group_teardown);
}
