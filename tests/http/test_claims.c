/* Self-reported learning and EVC over HTTP: the real server ($CAMPUS_BIN
 * serve) on a database filled by `campus demo`, with the demo's Utrecht
 * manager and committee member, two learners of Utrecht and a manager of
 * Eemland made with the CLI for this run. A learner uploads real bytes
 * (a PDF and a JPEG made here) through the multipart form and downloads
 * them back with the stored type; forged files (a PNG and a program called
 * .pdf) and other bad input are refused with a Dutch reason and nothing
 * written; the Utrecht manager approves with points (one ledger row) and
 * cannot decide twice; Eemland's manager gets 404 for Utrecht's claim and
 * its files; the committee refuses an EVC claim with a reason the learner
 * then reads; withdrawal; forms without the CSRF token.
 *
 * Runs once per database (CAMPUS_TEST_DB), from the repository root. The
 * accounts carry a tag of this run, so a PostgreSQL database kept from an
 * earlier run does not disturb it. The server's log goes to
 * var/test/claims-server-<dialect>.log. */
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
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/people.h"
#include "domain/totp.h"

extern char **environ;

#define PASSWORD "Campus-demo-2026"
#define MANAGER "manager@bibliotheek-utrecht.demo"
#define COMMITTEE "commissie@campus.demo"
#define LIB "/b/bibliotheek-utrecht"

static const char *dialect;
static char tag[40];
static char learner[96], learner2[96], eem_manager[96];
static int64_t learner_id;

DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
DB_STMT(stmt_person, "SELECT id FROM people WHERE email = $1");
DB_STMT(stmt_claims, "SELECT COUNT(*) FROM learning_claims WHERE person_id = $1");
DB_STMT(stmt_files,
        "SELECT COUNT(*) FROM learning_claim_files f JOIN learning_claims c ON c.id = f.claim_id "
        "WHERE c.person_id = $1");
DB_STMT(stmt_ledger, "SELECT COUNT(*) FROM points_ledger WHERE person_id = $1");
DB_STMT(stmt_ledger_study,
        "SELECT COUNT(*) FROM points_ledger WHERE person_id = $1 AND kind = 'study' "
        "AND points_tenths = 75 AND source = 'self_report'");
DB_STMT(stmt_state, "SELECT state FROM learning_claims WHERE id = $1");
DB_STMT(stmt_file_of, "SELECT MIN(id) FROM learning_claim_files WHERE claim_id = $1");

/* A small real PDF (what a scanner or "print to PDF" writes, cut down to
 * one empty page) and a tiny JPEG: the bytes the server must recognise. */
static const char pdf[] =
    "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
    "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
static const unsigned char jpeg[] = {
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',  'F',  0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22,
    0x33, 0x44, 0xFF, 0xD9};
static const unsigned char png[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
static const char elf[] = "\x7f" "ELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00 not a certificate";

/* ---- the database */

static int64_t count_of(struct db_stmt *stmt, int64_t id)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t n = -1;
	int rc = db_query_row(db, stmt, (const struct db_param[]){DBP_INT(id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&n), DBC_END}, a);
	arena_free(a);
	db_close(db);
	CHECK(rc == 0, "%s: %d", stmt->name, rc);
	return n;
}

static const char *state_of(struct arena *a, int64_t id)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	const char *s = "";
	int rc = db_query_row(db, &stmt_state, (const struct db_param[]){DBP_INT(id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&s), DBC_END}, a);
	db_close(db);
	CHECK(rc == 0, "claim %lld: %d", (long long)id, rc);
	return s;
}

/* ---- pages and forms */

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

/* The demo's committee member logs in with the demo's two-step secret (a
 * code is good once: the next step's code when this one was used). */
static void login_two_step(struct browser *b, const char *email)
{
	memset(b, 0, sizeof *b);
	struct resp r;
	br_get(b, &r, "/inloggen");
	struct arena *a = arena_new(0);
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(b, &r, "/inloggen",
	        form_of(a, "csrf_token", tok, "email", email, "wachtwoord", PASSWORD, (const char *)NULL));
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
	expect_status(&r, 303, email);
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


/* The form's fields (a NULL value leaves the field out) and up to two files. */
struct claim_form {
	const char *soort, *titel, *uren, *datum, *beschrijving;
	const char *file1, *type1;
	const void *data1;
	size_t len1;
	const char *file2;
	const void *data2;
	size_t len2;
	bool no_csrf;
};

static void post_claim(struct browser *b, struct resp *r, struct arena *a, const struct claim_form *f)
{
	const char *tok = token(b, "/mijn/scholing/nieuw", a);
	struct part parts[12];
	size_t n = 0;
	if (!f->no_csrf)
		parts[n++] = (struct part){.name = "csrf_token", .value = tok};
	const char *names[] = {"soort", "titel", "uren", "datum", "beschrijving", "aanbieder"};
	const char *values[] = {f->soort, f->titel, f->uren, f->datum, f->beschrijving, "Probiblio"};
	for (size_t i = 0; i < 6; i++)
		if (values[i])
			parts[n++] = (struct part){.name = names[i], .value = values[i]};
	if (f->file1)
		parts[n++] = (struct part){.name = "bestanden", .value = f->data1, .filename = f->file1,
		                           .type = f->type1 ? f->type1 : "application/pdf", .len = f->len1};
	if (f->file2)
		parts[n++] = (struct part){.name = "bestanden", .value = f->data2, .filename = f->file2,
		                           .type = "image/jpeg", .len = f->len2};
	br_post_parts(b, r, "/mijn/scholing/nieuw", parts, n);
}

/* A good external claim with a PDF and a JPEG: its id. */
static int64_t submit_good(struct browser *b, struct arena *a, const char *title)
{
	struct resp r;
	struct claim_form f = {.soort = "extern", .titel = title, .uren = "7,5", .datum = "2025-10-03",
	                       .file1 = "Certificaat congres.pdf", .data1 = pdf, .len1 = sizeof pdf - 1,
	                       .file2 = "foto.jpg", .data2 = jpeg, .len2 = sizeof jpeg};
	post_claim(b, &r, a, &f);
	CHECK(r.status == 303, "a good claim: %ld %s", r.status, summary(&r));
	const char *loc = header(&r, "Location");
	int64_t id = 0;
	CHECK(loc && sscanf(loc, "/mijn/scholing/%lld", (long long *)&id) == 1 && id > 0,
	      "redirect to %s", loc ? loc : "(none)");
	resp_fini(&r);
	return id;
}

/* ---- cases */

/* The learner's way: link on /mijn, the form, real bytes up, the same
 * bytes back with the stored type as an attachment. */
static void test_submit_and_download(void **state)
{
	(void)state;
	struct browser b;
	login(&b, learner);
	struct arena *a = arena_new(0);
	struct resp r;
	br_get(&b, &r, "/mijn");
	expect_page(&r, 200, "/mijn");
	CHECK(has(&r, "href=\"/mijn/scholing\""), "no link to /mijn/scholing on /mijn");
	resp_fini(&r);
	br_get(&b, &r, "/mijn/scholing/nieuw?soort=evc");
	expect_page(&r, 200, "the EVC form");
	CHECK(has(&r, "enctype=\"multipart/form-data\"") && has(&r, "value=\"evc\" checked"),
	      "the EVC form: %s", summary(&r));
	resp_fini(&r);

	int64_t id = submit_good(&b, a, "Congres Bibliotheek 2025");
	br_get(&b, &r, arena_printf(a, "/mijn/scholing/%lld", (long long)id));
	expect_page(&r, 200, "the claim page");
	CHECK(has_text(&r, "Congres Bibliotheek 2025") && has(&r, "Certificaat_congres.pdf") &&
	          has(&r, "foto.jpg") && has_text(&r, "ingediend, wacht op besluit"),
	      "the claim page: %s", summary(&r));
	resp_fini(&r);
	int64_t fid = count_of(&stmt_file_of, id);
	br_get(&b, &r, arena_printf(a, "/mijn/scholing/%lld/bestanden/%lld", (long long)id, (long long)fid));
	expect_status(&r, 200, "downloading the PDF");
	CHECK(header(&r, "Content-Type") && !strcmp(header(&r, "Content-Type"), "application/pdf"),
	      "type %s", header(&r, "Content-Type") ? header(&r, "Content-Type") : "-");
	const char *disp = header(&r, "Content-Disposition");
	CHECK(disp && strstr(disp, "attachment") && strstr(disp, "Certificaat_congres.pdf"),
	      "disposition %s", disp ? disp : "-");
	CHECK(r.body.len == sizeof pdf - 1 && !memcmp(r.body.data, pdf, sizeof pdf - 1),
	      "the PDF came back changed (%zu bytes)", r.body.len);
	resp_fini(&r);
	br_get(&b, &r, "/mijn/scholing");
	expect_page(&r, 200, "my claims");
	CHECK(has(&r, arena_printf(a, "href=\"/mijn/scholing/%lld\"", (long long)id)), "not listed");
	resp_fini(&r);
	/* Someone else's file id through this claim: nothing. */
	br_get(&b, &r, arena_printf(a, "/mijn/scholing/%lld/bestanden/%lld", (long long)id, (long long)fid + 1000));
	expect_page(&r, 404, "an unknown file");
	resp_fini(&r);
	arena_free(a);
}

/* Forged files and bad fields: a Dutch reason, 4xx, nothing written. */
static void test_bad_input_changes_nothing(void **state)
{
	(void)state;
	struct browser b;
	login(&b, learner2);
	struct arena *a = arena_new(0);
	int64_t id2 = 0;
	{
		struct db_conn *db = db_connect();
		assert_non_null(db);
		CHECK(db_query_row(db, &stmt_person, (const struct db_param[]){DBP_TEXT(learner2), DBP_END},
		                   (const struct db_col[]){DBC_INT(&id2), DBC_END}, a) == 0,
		      "learner2");
		db_close(db);
	}
	struct claim_form base = {.soort = "extern", .titel = "Studiedag", .uren = "6",
	                          .datum = "2025-06-01", .file1 = "bewijs.pdf", .data1 = pdf,
	                          .len1 = sizeof pdf - 1};
	struct {
		const char *what, *needle;
		struct claim_form f;
		long status;
	} cases[] = {
	    {"a PNG called .pdf", "is een afbeelding", base, 422},
	    {"a program called .pdf", "programma", base, 422},
	    {"no title", "Vul de titel", base, 422},
	    {"0 hours", "aantal uren", base, 422},
	    {"absurd hours", "aantal uren", base, 422},
	    {"a date in the future", "toekomst", base, 422},
	    {"a malformed date", "datum", base, 422},
	    {"EVC without a description", "Beschrijf wat je hebt geleerd", base, 422},
	    {"an unknown kind", "externe scholing of EVC", base, 422},
	};
	cases[0].f.data1 = png;
	cases[0].f.len1 = sizeof png;
	cases[1].f.data1 = elf;
	cases[1].f.len1 = sizeof elf - 1;
	cases[2].f.titel = "";
	cases[3].f.uren = "0";
	cases[4].f.uren = "100000";
	cases[5].f.datum = "2099-01-01";
	cases[6].f.datum = "3 juni";
	cases[7].f.soort = "evc";
	cases[8].f.soort = "cursus";
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct resp r;
		post_claim(&b, &r, a, &cases[i].f);
		CHECK(r.status == cases[i].status, "%s: %ld %s", cases[i].what, r.status, summary(&r));
		CHECK(has(&r, "role=\"alert\"") && has_text(&r, cases[i].needle) &&
		          has_text(&r, "Er is niets ingediend."),
		      "%s: no clear reason: %s", cases[i].what, summary(&r));
		resp_fini(&r);
	}
	/* A whole PDF one byte over the cap: refused for its size, by name. */
	struct resp r;
	size_t big = 5 * 1024 * 1024 + 1;
	char *huge = arena_alloc(a, big);
	assert_non_null(huge);
	memset(huge, ' ', big);
	memcpy(huge, pdf, sizeof pdf - 1);
	memcpy(huge + big - 6, "%%EOF\n", 6);
	struct claim_form over = base;
	over.file1 = "groot.pdf";
	over.data1 = huge;
	over.len1 = big;
	post_claim(&b, &r, a, &over);
	CHECK(r.status == 413 && has_text(&r, "groot.pdf: Dit bestand is groter dan 5 MB."),
	      "a file over 5 MB: %ld %s", r.status, summary(&r));
	resp_fini(&r);
	/* Without the CSRF token. */
	base.no_csrf = true;
	post_claim(&b, &r, a, &base);
	expect_page(&r, 403, "a claim without csrf_token");
	resp_fini(&r);
	CHECK(count_of(&stmt_claims, id2) == 0 && count_of(&stmt_files, id2) == 0,
	      "a refused claim left rows behind");
	arena_free(a);
}

/* The most a claim may carry: five whole PDFs of 5 MB each (the route's
 * cap holds them, the request's memory too); a sixth file is refused. */
static void test_five_big_files(void **state)
{
	(void)state;
	struct browser b;
	login(&b, learner2);
	struct arena *a = arena_new(0);
	size_t big = 5 * 1024 * 1024;
	char *huge = arena_alloc(a, big);
	assert_non_null(huge);
	memset(huge, ' ', big);
	memcpy(huge, pdf, sizeof pdf - 1);
	memcpy(huge + big - 6, "%%EOF\n", 6);
	const char *tok = token(&b, "/mijn/scholing/nieuw", a);
	struct part parts[12] = {
	    {.name = "csrf_token", .value = tok}, {.name = "soort", .value = "extern"},
	    {.name = "titel", .value = "Leergang leesbevordering"}, {.name = "uren", .value = "40"},
	    {.name = "datum", .value = "2025-05-01"}};
	size_t n = 5;
	for (int i = 0; i < 6; i++)
		parts[n++] = (struct part){.name = "bestanden", .value = huge,
		                           .filename = arena_printf(a, "deel-%d.pdf", i + 1),
		                           .type = "application/pdf", .len = i < 5 ? big : sizeof pdf - 1};
	struct resp r;
	br_post_parts(&b, &r, "/mijn/scholing/nieuw", parts, n);
	CHECK(r.status == 422 && has_text(&r, "Voeg ten hoogste 5 bestanden toe."), "six files: %ld %s",
	      r.status, summary(&r));
	resp_fini(&r);
	br_post_parts(&b, &r, "/mijn/scholing/nieuw", parts, n - 1);
	CHECK(r.status == 303, "five files of 5 MB: %ld %s", r.status, summary(&r));
	int64_t id = 0;
	CHECK(header(&r, "Location") && sscanf(header(&r, "Location"), "/mijn/scholing/%lld", (long long *)&id) == 1,
	      "no claim page");
	resp_fini(&r);
	br_get(&b, &r, arena_printf(a, "/mijn/scholing/%lld", (long long)id));
	CHECK(has(&r, "deel-5.pdf") && has(&r, "5 MB"), "five files not listed: %s", summary(&r));
	resp_fini(&r);
	arena_free(a);
}

/* The manager approves with points: one ledger row; twice is refused;
 * Eemland's manager reaches nothing of it. */
static void test_manager_decides(void **state)
{
	(void)state;
	struct browser l, m, e;
	login(&l, learner);
	struct arena *a = arena_new(0);
	int64_t id = submit_good(&l, a, "Cursus mediawijsheid");
	int64_t fid = count_of(&stmt_file_of, id);
	int64_t rows = count_of(&stmt_ledger, learner_id);

	/* Eemland's manager: 404 on the decision page, the POST and the file; 403 on Utrecht's inbox. */
	login(&e, eem_manager);
	const char *etok = token(&e, "/b/bibliotheek-eemland/scholing", a);
	struct resp r;
	br_get(&e, &r, arena_printf(a, "/b/bibliotheek-eemland/scholing/%lld", (long long)id));
	expect_page(&r, 404, "another library's claim");
	resp_fini(&r);
	br_post(&e, &r, arena_printf(a, "/b/bibliotheek-eemland/scholing/%lld", (long long)id),
	        form_of(a, "csrf_token", etok, "besluit", "goedkeuren", "punten", "7,5", (const char *)NULL));
	expect_page(&r, 404, "deciding another library's claim");
	resp_fini(&r);
	br_get(&e, &r, arena_printf(a, "/mijn/scholing/%lld/bestanden/%lld", (long long)id, (long long)fid));
	expect_page(&r, 404, "another library's evidence");
	resp_fini(&r);
	br_get(&e, &r, LIB "/scholing");
	expect_page(&r, 403, "another library's inbox");
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, id), "submitted"), "Eemland changed Utrecht's claim");

	login(&m, MANAGER);
	br_get(&m, &r, "/mijn");
	CHECK(has(&r, "href=\"" LIB "/scholing\""), "no Scholing link for the manager");
	resp_fini(&r);
	br_get(&m, &r, LIB "/scholing");
	expect_page(&r, 200, "the manager's inbox");
	CHECK(has(&r, arena_printf(a, "href=\"" LIB "/scholing/%lld\"", (long long)id)),
	      "the claim is not in the inbox: %s", strstr(body(&r), "campus-results") ? strstr(body(&r), "campus-results") : body(&r));
	resp_fini(&r);
	const char *path = arena_printf(a, LIB "/scholing/%lld", (long long)id);
	br_get(&m, &r, path);
	expect_page(&r, 200, "the decision page");
	CHECK(!strcmp(input_value(&r, "punten") ? input_value(&r, "punten") : "", "7,5"),
	      "points do not default to the hours: %s", input_value(&r, "punten"));
	const char *mtok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_get(&m, &r, arena_printf(a, "/mijn/scholing/%lld/bestanden/%lld", (long long)id, (long long)fid));
	expect_status(&r, 200, "the deciding manager reads the evidence");
	resp_fini(&r);

	/* Refusal without a reason, points of 0 or malformed: refused. */
	const char *bad[][3] = {{"afwijzen", "", ""}, {"goedkeuren", "0", ""}, {"goedkeuren", "veel", ""},
	                        {"misschien", "7", ""}};
	for (size_t i = 0; i < 4; i++) {
		br_post(&m, &r, path,
		        form_of(a, "csrf_token", mtok, "besluit", bad[i][0], "punten", bad[i][1], "reden",
		                bad[i][2], (const char *)NULL));
		CHECK(r.status == 422 && has_text(&r, "Er is niets gewijzigd."), "bad decision %zu: %ld %s",
		      i, r.status, summary(&r));
		resp_fini(&r);
	}
	br_post(&m, &r, path, form_of(a, "besluit", "goedkeuren", "punten", "7,5", (const char *)NULL));
	expect_page(&r, 403, "a decision without csrf_token");
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, id), "submitted") && count_of(&stmt_ledger, learner_id) == rows,
	      "a refused decision changed something");

	br_post(&m, &r, path,
	        form_of(a, "csrf_token", mtok, "besluit", "goedkeuren", "punten", "7,5", (const char *)NULL));
	expect_redirect(&r, LIB "/scholing", "approving");
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, id), "approved"), "not approved");
	CHECK(count_of(&stmt_ledger, learner_id) == rows + 1 && count_of(&stmt_ledger_study, learner_id) == 1,
	      "approval did not write exactly one study row of 7.5 points");
	br_post(&m, &r, path,
	        form_of(a, "csrf_token", mtok, "besluit", "goedkeuren", "punten", "7,5", (const char *)NULL));
	CHECK(r.status == 409 && has_text(&r, "Over deze melding is al besloten."), "deciding twice: %ld",
	      r.status);
	resp_fini(&r);
	CHECK(count_of(&stmt_ledger, learner_id) == rows + 1, "deciding twice wrote a row");

	br_get(&l, &r, arena_printf(a, "/mijn/scholing/%lld", (long long)id));
	CHECK(has_text(&r, "goedgekeurd") && has(&r, "7,5"), "the learner does not see the outcome");
	resp_fini(&r);
	arena_free(a);
}

/* EVC goes to the committee, not the manager; refusal needs a reason the
 * learner reads. Withdrawal while it waits. */
static void test_evc_and_withdraw(void **state)
{
	(void)state;
	struct browser l, m, c;
	login(&l, learner);
	struct arena *a = arena_new(0);
	struct resp r;
	struct claim_form f = {.soort = "evc", .titel = "Leesbevordering op school",
	                       .beschrijving = "Acht jaar leesconsulent op basisscholen.", .uren = "120",
	                       .datum = "2024-12-31", .file1 = "portfolio.pdf", .data1 = pdf,
	                       .len1 = sizeof pdf - 1};
	post_claim(&l, &r, a, &f);
	CHECK(r.status == 303, "an EVC claim: %ld %s", r.status, summary(&r));
	int64_t evc = 0;
	CHECK(sscanf(header(&r, "Location"), "/mijn/scholing/%lld", (long long *)&evc) == 1, "location");
	resp_fini(&r);

	login(&m, MANAGER);
	br_get(&m, &r, arena_printf(a, LIB "/scholing/%lld", (long long)evc));
	expect_page(&r, 404, "an EVC claim at the manager's");
	resp_fini(&r);

	login_two_step(&c, COMMITTEE);
	br_get(&c, &r, "/commissie");
	CHECK(has(&r, "href=\"/commissie/evc\""), "no EVC link on /commissie");
	resp_fini(&r);
	br_get(&c, &r, "/commissie/evc");
	expect_page(&r, 200, "the committee's EVC list");
	CHECK(has(&r, arena_printf(a, "href=\"/commissie/evc/%lld\"", (long long)evc)), "EVC not listed");
	resp_fini(&r);
	const char *path = arena_printf(a, "/commissie/evc/%lld", (long long)evc);
	const char *ctok = token(&c, path, a);
	br_post(&c, &r, path, form_of(a, "csrf_token", ctok, "besluit", "afwijzen", "reden", " ", (const char *)NULL));
	CHECK(r.status == 422 && has_text(&r, "Geef een reden"), "refusal without reason: %ld", r.status);
	resp_fini(&r);
	br_post(&c, &r, path,
	        form_of(a, "csrf_token", ctok, "besluit", "afwijzen", "reden",
	                "Het portfolio toont geen resultaten <b>op niveau</b>.", (const char *)NULL));
	expect_redirect(&r, "/commissie/evc", "refusing EVC");
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, evc), "refused"), "not refused");
	br_get(&l, &r, arena_printf(a, "/mijn/scholing/%lld", (long long)evc));
	CHECK(has_text(&r, "afgewezen") && has(&r, "&lt;b&gt;op niveau&lt;/b&gt;"),
	      "the learner does not read the (escaped) reason: %s", summary(&r));
	resp_fini(&r);

	/* Withdrawal: once, by the learner only, then no decision. */
	int64_t id = submit_good(&l, a, "Webinar AVG");
	struct browser l2;
	login(&l2, learner2);
	const char *tok2 = token(&l2, "/mijn/scholing", a);
	br_post(&l2, &r, arena_printf(a, "/mijn/scholing/%lld/intrekken", (long long)id),
	        form_of(a, "csrf_token", tok2, (const char *)NULL));
	expect_page(&r, 404, "withdrawing someone else's claim");
	resp_fini(&r);
	br_get(&l2, &r, arena_printf(a, "/mijn/scholing/%lld", (long long)id));
	expect_page(&r, 404, "reading someone else's claim");
	resp_fini(&r);
	const char *tok = token(&l, arena_printf(a, "/mijn/scholing/%lld", (long long)id), a);
	br_post(&l, &r, arena_printf(a, "/mijn/scholing/%lld/intrekken", (long long)id),
	        form_of(a, "csrf_token", tok, (const char *)NULL));
	expect_redirect(&r, "/mijn/scholing", "withdrawing");
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, id), "withdrawn"), "not withdrawn");
	const char *mtok = token(&m, LIB "/scholing", a);
	br_post(&m, &r, arena_printf(a, LIB "/scholing/%lld", (long long)id),
	        form_of(a, "csrf_token", mtok, "besluit", "goedkeuren", "punten", "7", (const char *)NULL));
	CHECK(r.status == 409, "deciding a withdrawn claim: %ld", r.status);
	resp_fini(&r);
	arena_free(a);
}

/* ---- set-up */

static bool fresh_sqlite_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return strstr(path, "var/test/") != NULL || strncmp(base, "claims-test", 11) == 0;
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
	                             (char *)"--org", (char *)org, (char *)"--kind", (char *)"employee",
	                             (char *)"--roles", (char *)roles, (char *)"--password-stdin", NULL},
	                  pw_path);
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_claims";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/claims.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_HSTS");
	unsetenv("CAMPUS_TRUST_PROXY");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/claims-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/mijn-scholing.html", R_OK) != 0) {
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
	snprintf(learner, sizeof learner, "lerende-%s@example.nl", tag);
	snprintf(learner2, sizeof learner2, "lerende2-%s@example.nl", tag);
	snprintf(eem_manager, sizeof eem_manager, "manager-%s@eemland.example.nl", tag);
	char pw_path[300];
	snprintf(pw_path, sizeof pw_path, "var/test/claims-pw-%s", dialect);
	f = fopen(pw_path, "w");
	if (!f)
		return -1;
	fputs(PASSWORD "\n", f);
	fclose(f);
	rc = add_user(learner, "Lerende Een", "bibliotheek-utrecht", "learner", pw_path);
	if (!rc)
		rc = add_user(learner2, "Lerende Twee", "bibliotheek-utrecht", "learner", pw_path);
	if (!rc)
		rc = add_user(eem_manager, "Manager Eemland", "bibliotheek-eemland", "learner,manager",
		              pw_path);
	unlink(pw_path);
	if (rc != 0) {
		fprintf(stderr, "# campus user add exited %d; see %s\n", rc, log_path);
		return -1;
	}
	struct db_conn *db = db_connect();
	struct arena *a = arena_new(0);
	rc = db ? db_query_row(db, &stmt_person, (const struct db_param[]){DBP_TEXT(learner), DBP_END},
	                       (const struct db_col[]){DBC_INT(&learner_id), DBC_END}, a)
	        : -1;
	if (!rc)
		rc = db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	arena_free(a);
	if (db)
		db_close(db);
	if (rc) {
		fprintf(stderr, "# the fixture cannot be read: %d\n", rc);
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
	    cmocka_unit_test(test_submit_and_download),
	    cmocka_unit_test(test_bad_input_changes_nothing),
	    cmocka_unit_test(test_five_big_files),
	    cmocka_unit_test(test_manager_decides),
	    cmocka_unit_test(test_evc_and_withdraw),
	};
	return cmocka_run_group_tests_name("claims", tests, group_setup, group_teardown);
}
