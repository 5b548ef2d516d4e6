/* Provider push of completions over HTTP: the results CSV upload beside the
 * results form, and the bulk API POST|GET /api/v1/provider/completions,
 * against the real server on a database filled by `campus demo` (SQLite and
 * PostgreSQL through CAMPUS_TEST_DB). GO Opleidingen's administrator
 * registers results for an edition that took place two weeks ago, of a
 * module recognised for the whole period (set in SQL, as test_api does).
 *
 * Covers: a CSV with an unknown and a not-enrolled person refused whole
 * with each line's reason and nothing changed; a good CSV recording the
 * completion with points and a certificate; the API's per-row results
 * (accepted, a duplicate of the CSV's completion, not enrolled, another
 * provider's and an unknown edition, a date in the future, before the
 * edition, malformed rows, a correction after completion), idempotency of
 * the same call, 5,001 rows refused with nothing written, malformed JSON,
 * keys without write access, and the list per edition.
 *
 * The editions are planned and the learners enrolled through the domain with
 * a clock three weeks back (the learner's own pages are another suite's). */
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
#include <jansson.h>

#include "core/when.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/enrol.h"

extern char **environ;

#define PASSWORD "Campus-demo-2026"
#define PROVIDER "aanbieder@go-opleidingen.demo"
#define MANAGER "manager@bibliotheek-utrecht.demo"
#define GO "/b/go-opleidingen"
#define DAY 86400

static const char *dialect;
static char tag[40];
static int64_t go_module, other_module;
static int64_t ed_past, ed_other, ed_future; /* GO two weeks ago, another provider's, GO later */
static int64_t enr_employee, enr_volunteer, enr_future, enr_other;
static int64_t past_start;                   /* ed_past's meeting */
static struct browser provider;
static char key[128], key_read[128];
/* Learners of this run (the demo's own may have history with the module). */
static char EMPLOYEE[80], VOLUNTEER[80];

DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
DB_STMT(stmt_module_of,
        "SELECT m.id FROM modules m JOIN organisations o ON o.id = m.provider_id "
        "JOIN module_versions v ON v.id = m.published_version_id "
        "WHERE o.slug = $1 AND v.format = 'classroom' ORDER BY m.id LIMIT 1");
DB_STMT(stmt_recognise,
        "UPDATE module_versions SET state = 'recognised', points_tenths = 25, "
        "recognised_load_tenths = 25, recognised_at = $2, valid_until = $3 "
        "WHERE id = (SELECT published_version_id FROM modules WHERE id = $1)");
DB_STMT(stmt_recognised_ptr,
        "UPDATE modules SET recognised_version_id = published_version_id WHERE id = $1");
DB_STMT(stmt_person,
        "SELECT p.id, ms.org_id, ms.roles FROM people p JOIN memberships ms ON ms.person_id = p.id "
        "WHERE p.email = $1 AND ms.ended_at IS NULL ORDER BY ms.id LIMIT 1");
DB_STMT(stmt_no_policy, "DELETE FROM enrol_policies WHERE org_id = $1");
DB_STMT(stmt_completions_of, "SELECT COUNT(*) FROM completions WHERE edition_id = $1");
DB_STMT(stmt_completions_all, "SELECT COUNT(*) FROM completions");
DB_STMT(stmt_ledger_all, "SELECT COUNT(*) FROM points_ledger");
DB_STMT(stmt_completion_id, "SELECT id FROM completions WHERE enrolment_id = $1");
DB_STMT(stmt_completion_source, "SELECT source FROM completions WHERE enrolment_id = $1");
DB_STMT(stmt_certificates_of,
        "SELECT COUNT(*) FROM credentials cr JOIN completions c ON c.id = cr.completion_id "
        "WHERE c.enrolment_id = $1");
DB_STMT(stmt_ledger_of, "SELECT COALESCE(SUM(l.points_tenths), -1) FROM points_ledger l "
                        "JOIN completions c ON c.id = l.completion_id WHERE c.enrolment_id = $1");
DB_STMT(stmt_ledger_rows_of, "SELECT COUNT(*) FROM points_ledger l "
                             "JOIN completions c ON c.id = l.completion_id WHERE c.enrolment_id = $1");
DB_STMT(stmt_state_of, "SELECT state FROM enrolments WHERE id = $1");

/* ---- the database and the domain */

static int64_t query_int(struct db_stmt *stmt, int64_t arg)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t n = -1;
	int rc = db_query_row(db, stmt,
	                      arg ? (const struct db_param[]){DBP_INT(arg), DBP_END}
	                          : (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&n), DBC_END}, a);
	arena_free(a);
	db_close(db);
	return rc ? -1 : n;
}

static char *query_text(struct db_stmt *stmt, int64_t arg, struct arena *a)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	char *s = NULL;
	int rc = db_query_row(db, stmt, (const struct db_param[]){DBP_INT(arg), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&s), DBC_END}, a);
	db_close(db);
	return rc ? NULL : s;
}

static char *state_of(int64_t enrolment, struct arena *a)
{
	char *s = query_text(&stmt_state_of, enrolment, a);
	CHECK(s, "no enrolment %lld", (long long)enrolment);
	return s;
}

static struct actor actor_of(struct db_conn *db, const char *email)
{
	struct arena *a = arena_new(0);
	int64_t id = 0, org = 0, roles = 0;
	int rc = db_query_row(db, &stmt_person, (const struct db_param[]){DBP_TEXT(email), DBP_END},
	                      (const struct db_col[]){DBC_INT(&id), DBC_INT(&org), DBC_INT(&roles), DBC_END},
	                      a);
	arena_free(a);
	CHECK(rc == 0, "no person %s", email);
	return (struct actor){.person_id = id, .org_id = org, .roles = (unsigned)roles};
}

/* The clock of the fixture: three weeks back, so the editions it plans
 * and the enrolments it makes lie in the past of the server's clock. */
static int64_t fixture_clock;
static int64_t fixture_now(void) { return fixture_clock; }

static int64_t plan_edition(struct ctx *ctx, int64_t module, const char *code, int64_t start)
{
	struct edition_meeting_input m = {.starts_at = start, .ends_at = start + 3 * 3600};
	struct edition_input in = {.code = code, .capacity = 10, .price_cents = -1, .meetings = &m,
	                           .nmeetings = 1};
	struct edition_problems pr = {0};
	int64_t id = 0;
	int rc = edition_create(ctx, module, &in, &id, &pr);
	CHECK(rc == 0, "planning %s: %d %s", code, rc, pr.meetings ? pr.meetings : "");
	return id;
}

static int64_t enrol(struct ctx *ctx, const char *email, int64_t edition)
{
	ctx->actor = actor_of(ctx->db, email);
	CHECK(db_exec(ctx->db, &stmt_no_policy,
	              (const struct db_param[]){DBP_INT(ctx->actor.org_id), DBP_END}, NULL) == 0,
	      "clearing the policy");
	struct enrol_result res;
	const char *why = NULL;
	int rc = enrol_self(ctx, edition, &res, &why);
	CHECK(rc == 0 && res.state == ENROL_ENROLLED, "%s cannot enrol in %lld: %d %s", email,
	      (long long)edition, rc, why ? why : "");
	return res.enrolment_id;
}

static int campus_cli(char *const args[]);

static void fixture(void)
{
	snprintf(EMPLOYEE, sizeof EMPLOYEE, "medewerker-%s@push.test", tag);
	snprintf(VOLUNTEER, sizeof VOLUNTEER, "vrijwilliger-%s@push.test", tag);
	CHECK(campus_cli((char *[]){(char *)"user", (char *)"add", EMPLOYEE, (char *)"Mees Medewerker",
	                            (char *)"--org", (char *)"bibliotheek-utrecht", (char *)"--kind",
	                            (char *)"employee", (char *)"--roles", (char *)"learner", NULL}) == 0 &&
	          campus_cli((char *[]){(char *)"user", (char *)"add", VOLUNTEER, (char *)"Vera Vrijwilliger",
	                                (char *)"--org", (char *)"bibliotheek-utrecht", (char *)"--kind",
	                                (char *)"volunteer", (char *)"--roles", (char *)"learner", NULL}) == 0,
	      "adding the learners (see %s)", log_path);
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t now = (int64_t)time(NULL);
	CHECK(db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL) == 0, "throttle");
	CHECK(db_query_row(db, &stmt_module_of, (const struct db_param[]){DBP_TEXT("go-opleidingen"), DBP_END},
	                   (const struct db_col[]){DBC_INT(&go_module), DBC_END}, a) == 0,
	      "GO's module");
	CHECK(db_query_row(db, &stmt_module_of, (const struct db_param[]){DBP_TEXT("avans-plus"), DBP_END},
	                   (const struct db_col[]){DBC_INT(&other_module), DBC_END}, a) == 0,
	      "another provider's module");
	CHECK(db_exec(db, &stmt_recognise,
	              (const struct db_param[]){DBP_INT(go_module), DBP_INT(now - 20 * DAY),
	                                        DBP_INT(now + 400 * DAY), DBP_END},
	              NULL) == 0 &&
	          db_exec(db, &stmt_recognised_ptr, (const struct db_param[]){DBP_INT(go_module), DBP_END},
	                  NULL) == 0,
	      "recognising GO's module: %s", db_errmsg(db));
	struct ctx ctx;
	ctx_init_system(&ctx, db, a);
	fixture_clock = now - 21 * DAY;
	ctx.now = fixture_now;
	past_start = now - 14 * DAY;
	past_start -= past_start % 3600;
	ed_past = plan_edition(&ctx, go_module, arena_printf(a, "PUSH-%s", tag), past_start);
	ed_other = plan_edition(&ctx, other_module, arena_printf(a, "ANDER-%s", tag), past_start);
	ctx.now = clock_now_real;
	ed_future = plan_edition(&ctx, go_module, arena_printf(a, "LATER-%s", tag), now + 10 * DAY);
	ctx.now = fixture_now;
	enr_employee = enrol(&ctx, EMPLOYEE, ed_past);
	enr_volunteer = enrol(&ctx, VOLUNTEER, ed_past);
	enr_other = enrol(&ctx, EMPLOYEE, ed_other);
	ctx.now = clock_now_real;
	enr_future = enrol(&ctx, EMPLOYEE, ed_future);
	arena_free(a);
	db_close(db);
}

/* ---- pages and the API */

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

static void make_key(bool write, char *out, size_t size)
{
	struct resp r;
	br_get(&provider, &r, GO "/api-sleutels");
	expect_page(&r, 200, "the key page");
	struct arena *a = arena_new(0);
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(&provider, &r, GO "/api-sleutels",
	        form_of(a, "csrf_token", tok, "naam", arena_printf(a, "push %s %d", tag, write), "lezen",
	                "1", "wijzigen", write ? "1" : NULL, (const char *)NULL));
	expect_page(&r, 201, "a new key");
	const char *k = strstr(body(&r), "campus_");
	CHECK(k, "no key on the page");
	size_t n = strspn(k, "campus_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
	CHECK(n < size, "key too long");
	memcpy(out, k, n);
	out[n] = 0;
	resp_fini(&r);
	arena_free(a);
}

static void post_csv(struct resp *r, const char *csv, struct arena *a)
{
	const char *page = arena_printf(a, GO "/uitvoeringen/%lld/resultaten", (long long)ed_past);
	br_get(&provider, r, page);
	expect_page(r, 200, "the results page");
	CHECK(has(r, "/resultaten/csv"), "the results page offers the CSV upload");
	const char *tok = arena_strdup(a, page_token(r));
	resp_fini(r);
	const struct part parts[] = {
	    {.name = "csrf_token", .value = tok},
	    {.name = "bestand", .value = csv, .filename = "resultaten.csv", .type = "text/csv",
	     .len = strlen(csv)},
	};
	br_post_parts(&provider, r, arena_printf(a, "%s/csv", page), parts, 2);
}

/* The JSON answer of an API call (checked to be JSON). */
static json_t *api(struct resp *r, const char *method, const char *path, const char *token,
                   const char *json)
{
	fetch_api(r, method, path, token, json);
	json_error_t err;
	json_t *doc = json_loads(body(r), 0, &err);
	CHECK(doc, "%s %s: not JSON (%ld): %s", method ? method : "GET", path, r->status, body(r));
	return doc;
}

static json_t *row_of(json_t *doc, size_t i)
{
	json_t *row = json_array_get(json_object_get(doc, "rows"), i);
	CHECK(row && json_integer_value(json_object_get(row, "row")) == (json_int_t)i, "row %zu", i);
	return row;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void expect_row(json_t *doc, size_t i, const char *status, const char *code)
{
	json_t *row = row_of(doc, i);
	char *text = json_dumps(row, JSON_COMPACT);
	CHECK(!strcmp(str(row, "status"), status), "row %zu: status %s, expected %s: %s", i,
	      str(row, "status"), status, text);
	if (code)
		CHECK(!strcmp(str(row, "code"), code), "row %zu: code %s, expected %s: %s", i,
		      str(row, "code"), code, text);
	if (!strcmp(status, "rejected"))
		CHECK(*str(row, "message") && *str(row, "message_en"), "row %zu: a message in both languages: %s",
		      i, text);
	free(text);
}

/* ---- cases */

static void test_csv(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	login(&provider, PROVIDER);
	int64_t before = query_int(&stmt_completions_all, 0);
	int64_t ledger = query_int(&stmt_ledger_all, 0);
	struct resp r;
	/* Someone unknown and someone not enrolled: refused whole, each line's reason. */
	post_csv(&r,
	         arena_printf(a, "e-mailadres;resultaat;cijfer\n%s;afgerond;8\nonbekend@example.nl;afgerond;\n"
	                         MANAGER ";niet verschenen;\n", EMPLOYEE),
	         a);
	CHECK(r.status == 422, "a CSV with unknown people: %ld: %s", r.status, summary(&r));
	CHECK(has_text(&r, "Regel 3: Deze persoon is niet ingeschreven voor deze uitvoering.") &&
	          has_text(&r, "Regel 4: Deze persoon is niet ingeschreven voor deze uitvoering."),
	      "line numbers and reasons: %s", summary(&r));
	CHECK(!has_text(&r, "Regel 2:"), "a good line is not blamed: %s", summary(&r));
	resp_fini(&r);
	/* A result that is none of the words. */
	post_csv(&r, arena_printf(a, "%s;misschien\n", EMPLOYEE), a);
	CHECK(r.status == 422 &&
	          has_text(&r, "Regel 1: Schrijf in de tweede kolom afgerond, niet afgerond of niet verschenen."),
	      "an unknown result: %ld: %s", r.status, summary(&r));
	resp_fini(&r);
	post_csv(&r, "", a);
	CHECK(r.status == 422, "no file: %ld", r.status);
	resp_fini(&r);
	CHECK(query_int(&stmt_completions_all, 0) == before && query_int(&stmt_ledger_all, 0) == ledger,
	      "a refused CSV recorded completions");
	CHECK(!strcmp(state_of(enr_employee, a), "enrolled") && !strcmp(state_of(enr_volunteer, a), "enrolled"),
	      "a refused CSV changed an enrolment");
	/* A good one (comma separated, capitals in the address). */
	post_csv(&r, arena_printf(a, "Medewerker-%s@Push.Test,afgerond,8\n%s,niet verschenen\n", tag, VOLUNTEER),
	         a);
	expect_redirect(&r, arena_printf(a, GO "/uitvoeringen/%lld/resultaten", (long long)ed_past),
	                "a good CSV");
	resp_fini(&r);
	CHECK(!strcmp(state_of(enr_employee, a), "completed") && !strcmp(state_of(enr_volunteer, a), "no_show"),
	      "the CSV's results");
	char *source = query_text(&stmt_completion_source, enr_employee, a);
	CHECK(source && !strcmp(source, "csv"), "the completion came by CSV: %s", source ? source : "none");
	CHECK(query_int(&stmt_ledger_of, enr_employee) == 25, "2.5 points in the ledger: %lld",
	      (long long)query_int(&stmt_ledger_of, enr_employee));
	CHECK(query_int(&stmt_certificates_of, enr_employee) == 1, "a certificate");
	CHECK(query_int(&stmt_completions_of, ed_past) == 1, "one completion for the edition");
	arena_free(a);
}

static void test_api_rows(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	make_key(true, key, sizeof key);
	make_key(false, key_read, sizeof key_read);
	int64_t now = (int64_t)time(NULL);
	const char *day = when_text(a, past_start + 3600, "nl", WHEN_ISO_DATE);
	const char *tomorrow = when_text(a, now + DAY, "nl", WHEN_ISO_DATE);
	int64_t csv_completion = query_int(&stmt_completion_id, enr_employee);
	const char *json = arena_printf(
	    a,
	    "{\"rows\": ["
	    "{\"edition_id\": %lld, \"email\": \"%s\", \"outcome\": \"completed\", \"completed_at\": \"%s\"},"
	    "{\"edition_id\": %lld, \"enrolment_id\": %lld, \"outcome\": \"completed\", \"grade\": \"goed\","
	    " \"completed_at\": \"%s\"},"
	    "{\"edition_id\": %lld, \"email\": \"%s\", \"outcome\": \"completed\"},"
	    "{\"edition_id\": %lld, \"email\": \"%s\", \"outcome\": \"completed\"},"
	    "{\"edition_id\": 999999999, \"email\": \"%s\", \"outcome\": \"completed\"},"
	    "{\"edition_id\": %lld, \"email\": \"%s\", \"outcome\": \"completed\", \"completed_at\": \"%s\"},"
	    "{\"edition_id\": %lld, \"email\": \"%s\", \"outcome\": \"completed\"},"
	    "{\"edition_id\": \"een\", \"email\": \"%s\", \"outcome\": \"completed\"},"
	    "{\"edition_id\": %lld, \"email\": \"%s\", \"outcome\": \"geslaagd\"},"
	    "{\"edition_id\": %lld, \"enrolment_id\": %lld, \"outcome\": \"not_completed\"},"
	    "{\"edition_id\": %lld, \"email\": \"%s\", \"outcome\": \"completed\", \"kleur\": \"rood\"}"
	    "]}",
	    (long long)ed_past, EMPLOYEE, day,                        /* 0: the CSV's, again */
	    (long long)ed_past, (long long)enr_volunteer, day,        /* 1: new */
	    (long long)ed_past, MANAGER,                              /* 2: not enrolled */
	    (long long)ed_other, EMPLOYEE,                            /* 3: another provider's */
	    EMPLOYEE,                                                 /* 4: no such edition */
	    (long long)ed_past, VOLUNTEER, tomorrow,                  /* 5: in the future */
	    (long long)ed_future, EMPLOYEE,                           /* 6: before the edition */
	    EMPLOYEE,                                                 /* 7: malformed */
	    (long long)ed_past, EMPLOYEE,                             /* 8: unknown outcome */
	    (long long)ed_past, (long long)enr_employee,              /* 9: a correction */
	    (long long)ed_past, EMPLOYEE);                            /* 10: unknown field */
	int64_t ledger = query_int(&stmt_ledger_all, 0);
	struct resp r;
	json_t *doc = api(&r, "POST", "/api/v1/provider/completions", key, json);
	CHECK(r.status == 200, "the push: %ld %s", r.status, body(&r));
	CHECK(json_integer_value(json_object_get(doc, "count")) == 11 &&
	          json_integer_value(json_object_get(doc, "accepted")) == 2 &&
	          json_integer_value(json_object_get(doc, "rejected")) == 9 &&
	          json_integer_value(json_object_get(doc, "duplicates")) == 1,
	      "the counts: %s", body(&r));
	expect_row(doc, 0, "accepted", NULL);
	CHECK(json_is_true(json_object_get(row_of(doc, 0), "duplicate")) &&
	          json_integer_value(json_object_get(row_of(doc, 0), "completion_id")) == csv_completion,
	      "the CSV's completion counts once: %s", body(&r));
	expect_row(doc, 1, "accepted", NULL);
	json_t *r1 = row_of(doc, 1);
	CHECK(json_is_false(json_object_get(r1, "duplicate")) &&
	          json_integer_value(json_object_get(r1, "points_tenths")) == 25 &&
	          strlen(str(r1, "certificate_code")) == 16 &&
	          json_integer_value(json_object_get(r1, "enrolment_id")) == enr_volunteer,
	      "a new completion with points and a certificate: %s", body(&r));
	int64_t volunteer_completion = json_integer_value(json_object_get(r1, "completion_id"));
	expect_row(doc, 2, "rejected", "not_enrolled");
	expect_row(doc, 3, "rejected", "unknown_edition");
	expect_row(doc, 4, "rejected", "unknown_edition");
	expect_row(doc, 5, "rejected", "future_date");
	expect_row(doc, 6, "rejected", "before_edition");
	expect_row(doc, 7, "rejected", "invalid_row");
	expect_row(doc, 8, "rejected", "invalid_row");
	expect_row(doc, 9, "rejected", "already_completed");
	expect_row(doc, 10, "rejected", "invalid_row");
	CHECK(!strcmp(str(row_of(doc, 2), "message"), "Deze persoon is niet ingeschreven voor deze uitvoering."),
	      "the Dutch text: %s", body(&r));
	CHECK(!strcmp(str(row_of(doc, 3), "message_en"),
	              "This edition does not exist or does not belong to this provider."),
	      "the English text: %s", str(row_of(doc, 3), "message_en"));
	json_decref(doc);
	resp_fini(&r);
	CHECK(query_int(&stmt_ledger_all, 0) == ledger + 1, "one ledger row more");
	CHECK(!strcmp(state_of(enr_volunteer, a), "completed"), "the volunteer completed");
	CHECK(!strcmp(state_of(enr_future, a), "enrolled") && !strcmp(state_of(enr_other, a), "enrolled"),
	      "rejected rows changed enrolments");
	CHECK(query_int(&stmt_completions_of, ed_other) == 0 && query_int(&stmt_completions_of, ed_future) == 0,
	      "rejected rows recorded completions");
	/* The same call again: every accepted row a duplicate, nothing written. */
	doc = api(&r, "POST", "/api/v1/provider/completions", key, json);
	CHECK(r.status == 200 && json_integer_value(json_object_get(doc, "duplicates")) == 2 &&
	          json_integer_value(json_object_get(doc, "accepted")) == 2,
	      "the same call again: %s", body(&r));
	CHECK(json_integer_value(json_object_get(row_of(doc, 1), "completion_id")) == volunteer_completion,
	      "the same completion");
	json_decref(doc);
	resp_fini(&r);
	CHECK(query_int(&stmt_ledger_all, 0) == ledger + 1, "a repeated call added ledger rows");
	CHECK(query_int(&stmt_ledger_rows_of, enr_volunteer) == 1, "one ledger row for the volunteer");
	arena_free(a);
}

static void test_api_refusals(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	int64_t before = query_int(&stmt_completions_all, 0);
	int64_t ledger = query_int(&stmt_ledger_all, 0);
	/* 5,001 rows (the first would be accepted): refused whole. */
	struct buf b;
	buf_init(&b, a, 0);
	buf_puts(&b, "{\"rows\": [");
	for (int i = 0; i < 5001; i++)
		buf_printf(&b, "%s{\"edition_id\": %lld, \"enrolment_id\": %lld, \"outcome\": \"no_show\"}",
		           i ? "," : "", (long long)ed_future, (long long)enr_future);
	buf_puts(&b, "]}");
	struct resp r;
	fetch_api(&r, "POST", "/api/v1/provider/completions", key, buf_cstr(&b));
	CHECK(r.status == 413 && has(&r, "too_many_rows"), "5,001 rows: %ld %s", r.status, body(&r));
	resp_fini(&r);
	CHECK(!strcmp(state_of(enr_future, a), "enrolled"), "5,001 rows changed an enrolment");
	fetch_api(&r, "POST", "/api/v1/provider/completions", key, "{\"rows\": [{\"edition_id\": 1,");
	CHECK(r.status == 400, "malformed JSON: %ld %s", r.status, body(&r));
	resp_fini(&r);
	fetch_api(&r, "POST", "/api/v1/provider/completions", key, "{\"rijen\": []}");
	CHECK(r.status == 400, "no rows: %ld %s", r.status, body(&r));
	resp_fini(&r);
	fetch_api(&r, "POST", "/api/v1/provider/completions", key, "[]");
	CHECK(r.status == 400, "an array: %ld %s", r.status, body(&r));
	resp_fini(&r);
	const char *one = arena_printf(
	    a, "{\"rows\": [{\"edition_id\": %lld, \"enrolment_id\": %lld, \"outcome\": \"no_show\"}]}",
	    (long long)ed_past, (long long)enr_employee);
	fetch_api(&r, "POST", "/api/v1/provider/completions", key_read, one);
	CHECK(r.status == 403, "a read-only key: %ld %s", r.status, body(&r));
	resp_fini(&r);
	fetch_api(&r, "POST", "/api/v1/provider/completions", NULL, one);
	CHECK(r.status == 401, "no key: %ld %s", r.status, body(&r));
	resp_fini(&r);
	CHECK(query_int(&stmt_completions_all, 0) == before && query_int(&stmt_ledger_all, 0) == ledger,
	      "a refused call wrote something");
	arena_free(a);
}

static void test_api_list(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct resp r;
	json_t *doc = api(&r, NULL, arena_printf(a, "/api/v1/provider/completions?edition_id=%lld",
	                                         (long long)ed_past),
	                  key_read, NULL);
	CHECK(r.status == 200 && json_integer_value(json_object_get(doc, "count")) == 2,
	      "the list: %ld %s", r.status, body(&r));
	json_t *c0 = json_array_get(json_object_get(doc, "completions"), 0);
	json_t *c1 = json_array_get(json_object_get(doc, "completions"), 1);
	CHECK(!strcmp(str(c0, "email"), EMPLOYEE) && !strcmp(str(c0, "source"), "csv") &&
	          !strcmp(str(c1, "email"), VOLUNTEER) && !strcmp(str(c1, "source"), "api") &&
	          !strcmp(str(c1, "grade"), "goed") &&
	          json_integer_value(json_object_get(c1, "points_tenths")) == 25 &&
	          strlen(str(c1, "certificate_code")) == 16,
	      "the completions: %s", body(&r));
	CHECK(!strcmp(str(c1, "completed_at"), when_text(a, past_start + 3600, "nl", WHEN_ISO_DATE)),
	      "the date sent: %s", str(c1, "completed_at"));
	json_decref(doc);
	resp_fini(&r);
	fetch_api(&r, NULL, arena_printf(a, "/api/v1/provider/completions?edition_id=%lld", (long long)ed_other),
	          key_read, NULL);
	CHECK(r.status == 404, "another provider's edition: %ld", r.status);
	resp_fini(&r);
	fetch_api(&r, NULL, "/api/v1/provider/completions", key_read, NULL);
	CHECK(r.status == 400, "no edition: %ld", r.status);
	resp_fini(&r);
	arena_free(a);
}

/* ---- the suite */

static bool fresh_sqlite_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return strstr(path, "var/test/") != NULL || strncmp(base, "push-test", 9) == 0;
}

static int campus_cli(char *const args[])
{
	char *argv[16] = {(char *)campus_bin, (char *)"--db", (char *)test_db};
	size_t n = 3;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc ? -1 : wait_exit(pid);
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_push";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/push.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_HSTS");
	unsetenv("CAMPUS_TRUST_PROXY");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/push-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/uitvoering-resultaten.html", R_OK) != 0) {
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
	int rc = campus_cli((char *[]){(char *)"demo", NULL});
	if (rc != 0) {
		fprintf(stderr, "# campus demo exited %d on %s; see %s\n", rc, test_db, log_path);
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

static void test_fixture(void **state)
{
	(void)state;
	fixture();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture),      cmocka_unit_test(test_csv),
	    cmocka_unit_test(test_api_rows),     cmocka_unit_test(test_api_refusals),
	    cmocka_unit_test(test_api_list),
	};
	return cmocka_run_group_tests_name("push", tests, group_setup, group_teardown);
}
