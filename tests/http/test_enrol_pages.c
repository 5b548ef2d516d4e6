/* The learner's enrolment pages over HTTP: the real server ($CAMPUS_BIN
 * serve) on a database filled by `campus demo`, plus a library of this run
 * (`campus org add`, no enrolment policy: no approval) with four volunteers
 * and one employee. Editions of a national demo module are planned through
 * the domain (edition_create as the system), as the provider would.
 *
 * Covers: the module page listing editions with seats, the edition page
 * for visitors and learners, the seats fragment, enrolling (and again:
 * refused), a closed edition, the wrong audience, unknown and malformed
 * ids, a missing CSRF token, the waitlist moving when someone cancels, the
 * confirmation step, cancelling after the deadline, offers accepted and
 * declined, and another person's enrolment id. Every refusal is checked to
 * have changed nothing in the database.
 *
 * Runs once per database (CAMPUS_TEST_DB), from the repository root. Names
 * carry a tag of this run, so a PostgreSQL database kept from an earlier run
 * does not disturb it. The server's log goes to
 * var/test/enrol-pages-server-<dialect>.log. */
#include "harness.h"

#include <fcntl.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "db/db.h"
#include "domain/ctx.h"
#include "domain/enrol.h"

extern char **environ;

#define PASSWORD "Campus-demo-2026"
#define DAY (24 * 3600)
#define NLEARNERS 5

static const char *dialect;
static char tag[40];
static char org_slug[64];
static char learner[NLEARNERS][96]; /* 0..3 volunteers, 4 an employee */
static int64_t module_id;

DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
DB_STMT(stmt_national_module,
        "SELECT m.id FROM modules m JOIN module_versions v ON v.id = m.published_version_id "
        "WHERE m.local_org_id IS NULL AND v.audience = 'both' AND v.format = 'classroom' "
        "ORDER BY m.id LIMIT 1");
DB_STMT(stmt_count_edition, "SELECT COUNT(*) FROM enrolments WHERE edition_id = $1");
DB_STMT(stmt_events_edition,
        "SELECT COUNT(*) FROM enrolment_events v JOIN enrolments e ON e.id = v.enrolment_id "
        "WHERE e.edition_id = $1");
DB_STMT(stmt_state, "SELECT state FROM enrolments WHERE id = $1");
DB_STMT(stmt_enrolment_of,
        "SELECT e.id FROM enrolments e JOIN people p ON p.id = e.person_id "
        "WHERE e.edition_id = $1 AND p.email = $2 ORDER BY e.id DESC LIMIT 1");
DB_STMT(stmt_close_enrolment, "UPDATE editions SET enrol_closes_at = $2 WHERE id = $1");
DB_STMT(stmt_cancel_until, "UPDATE editions SET cancel_until = $2 WHERE id = $1");
DB_STMT(stmt_org_by_slug, "SELECT id FROM organisations WHERE slug = $1");

/* ---- the database */

static int64_t int_query(struct db_stmt *stmt, const struct db_param *params)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t n = -1;
	int rc = db_query_row(db, stmt, params, (const struct db_col[]){DBC_INT(&n), DBC_END}, a);
	arena_free(a);
	db_close(db);
	return rc == 0 ? n : -1;
}

static int64_t enrolments_of(int64_t edition)
{
	return int_query(&stmt_count_edition, (const struct db_param[]){DBP_INT(edition), DBP_END});
}

static int64_t events_of(int64_t edition)
{
	return int_query(&stmt_events_edition, (const struct db_param[]){DBP_INT(edition), DBP_END});
}

static int64_t enrolment_of(int64_t edition, const char *email)
{
	int64_t id = int_query(&stmt_enrolment_of, (const struct db_param[]){DBP_INT(edition),
	                                                                     DBP_TEXT(email), DBP_END});
	return id > 0 ? id : 0;
}

/* The stored state of an enrolment ("" when there is none), in a. */
static const char *state_of(struct arena *a, int64_t id)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	char *s = NULL;
	int rc = db_query_row(db, &stmt_state, (const struct db_param[]){DBP_INT(id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&s), DBC_END}, a);
	db_close(db);
	return rc == 0 && s ? s : "";
}

static void exec_update(struct db_stmt *stmt, int64_t id, int64_t value)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	int rc = db_exec(db, stmt, (const struct db_param[]){DBP_INT(id), DBP_INT(value), DBP_END}, NULL);
	db_close(db);
	CHECK(rc == 0, "update failed: %d", rc);
}

struct plan {
	int64_t capacity, offer_hours;
	const char *audience; /* NULL: the module's */
	int64_t starts_in;    /* seconds from now; 0: a week */
	const char *online_url;
};

/* A new edition of the demo module with two meetings, planned as the
 * provider would (the system acts for it here). */
static int64_t plan_edition(const struct plan *p)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, a);
	int64_t start = time(NULL) + (p->starts_in ? p->starts_in : 7 * DAY);
	struct edition_meeting_input m[2] = {
	    {start, start + 3 * 3600, NULL, NULL},
	    {start + 7 * DAY, start + 7 * DAY + 3 * 3600, "Zaal 2", NULL},
	};
	struct edition_input in = {
	    .code = arena_printf(a, "T-%s", tag),
	    .capacity = p->capacity,
	    .price_cents = -1,
	    .audience = p->audience,
	    .offer_hours = p->offer_hours,
	    .place = "Bibliotheek Utrecht, Oudegracht 167",
	    .online_url = p->online_url ? p->online_url : "",
	    .notes = "Neem je eigen prentenboek mee.",
	    .meetings = m,
	    .nmeetings = 2,
	};
	struct edition_problems pr = {0};
	int64_t id = 0;
	int rc = edition_create(&ctx, module_id, &in, &id, &pr);
	arena_free(a);
	db_close(db);
	CHECK(rc == 0 && id > 0, "edition_create: %d (capacity %s, meetings %s, audience %s)", rc,
	      pr.capacity ? pr.capacity : "-", pr.meetings ? pr.meetings : "-",
	      pr.audience ? pr.audience : "-");
	return id;
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

/* The CSRF token of a page of this browser (in a). */
static const char *token(struct browser *b, const char *path, struct arena *a)
{
	struct resp r;
	br_get(b, &r, path);
	expect_page(&r, 200, "a page with a form");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	return tok;
}

/* POST /uitvoeringen/:id/inschrijven with this browser's token; the reply in r. */
static void enrol(struct browser *b, struct resp *r, int64_t edition)
{
	struct arena *a = arena_new(0);
	const char *tok = token(b, "/mijn/leren", a);
	br_post(b, r, arena_printf(a, "/uitvoeringen/%lld/inschrijven", (long long)edition),
	        form_of(a, "csrf_token", tok, (const char *)NULL));
	arena_free(a);
}

/* Enrols and follows the redirect's promise: the enrolment's id. */
static int64_t enrol_ok(struct browser *b, int64_t edition, const char *email)
{
	struct resp r;
	enrol(b, &r, edition);
	int64_t id = enrolment_of(edition, email);
	CHECK(id > 0, "%s: no enrolment for %s (status %ld): %s", r.what, email, r.status, summary(&r));
	/* Overlapping bookings follow as &botsing=<id>. */
	struct arena *a = arena_new(0);
	expect_status(&r, 303, email);
	const char *want = arena_printf(a, "/mijn/leren?inschrijving=%lld", (long long)id);
	const char *loc = header(&r, "Location");
	CHECK(loc && !strncmp(loc, want, strlen(want)) &&
	          (!loc[strlen(want)] || !strncmp(loc + strlen(want), "&botsing=", 9)),
	      "%s: Location %s, expected %s", r.what, loc ? loc : "(absent)", want);
	arena_free(a);
	resp_fini(&r);
	return id;
}

static void post_cancel(struct browser *b, struct resp *r, int64_t enrolment)
{
	struct arena *a = arena_new(0);
	const char *tok = token(b, "/mijn/leren", a);
	br_post(b, r, arena_printf(a, "/mijn/leren/%lld/annuleren", (long long)enrolment),
	        form_of(a, "csrf_token", tok, "reden", "Ziek", (const char *)NULL));
	arena_free(a);
}

static void post_offer(struct browser *b, struct resp *r, int64_t enrolment, const char *answer)
{
	struct arena *a = arena_new(0);
	const char *tok = token(b, "/mijn/leren", a);
	br_post(b, r, arena_printf(a, "/mijn/leren/%lld/aanbod", (long long)enrolment),
	        form_of(a, "csrf_token", tok, "antwoord", answer, (const char *)NULL));
	arena_free(a);
}

__attribute__((format(printf, 3, 4))) static void get_page(struct browser *b, struct resp *r,
                                                          const char *fmt, ...)
{
	char path[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof path, fmt, ap);
	va_end(ap);
	if (b)
		br_get(b, r, path);
	else
		fetch(r, NULL, path, NULL, NULL);
}

/* ---- cases */

/* The module page lists a new edition with its seats; the edition page
 * tells a visitor to log in; the fragment is small and polls. */
static void test_module_and_edition_pages(void **state)
{
	(void)state;
	int64_t ed = plan_edition(&(struct plan){.capacity = 3});
	struct resp r;
	get_page(NULL, &r, "/aanbod/%lld", (long long)module_id);
	expect_page(&r, 200, "the module page");
	struct arena *a = arena_new(0);
	CHECK(has(&r, "id=\"uitvoeringen\"") && has(&r, arena_printf(a, "href=\"/uitvoeringen/%lld\"", (long long)ed)),
	      "the module page does not link edition %lld: %s", (long long)ed, summary(&r));
	CHECK(has_text(&r, "Nog 3 plaatsen") && has_text(&r, "2 bijeenkomsten"), "no seats or meetings: %s",
	      summary(&r));
	resp_fini(&r);

	get_page(NULL, &r, "/uitvoeringen/%lld", (long long)ed);
	expect_page(&r, 200, "the edition page for a visitor");
	CHECK(has_text(&r, arena_printf(a, "/inloggen?terug=/uitvoeringen/%lld", (long long)ed)),
	      "no log-in link: %s", summary(&r));
	CHECK(!has(&r, "/inschrijven\""), "a visitor gets the enrol form");
	CHECK(has_text(&r, "Zaal 2") && has_text(&r, "Neem je eigen prentenboek mee.") &&
	          has_text(&r, "Nog 3 plaatsen"),
	      "meetings, notes or seats missing: %s", summary(&r));
	CHECK(has(&r, arena_printf(a, "hx-get=\"/uitvoeringen/%lld/plaatsen\"", (long long)ed)) &&
	          has(&r, "hx-trigger=\"every 10s\""),
	      "the seats do not poll");
	resp_fini(&r);

	/* A library's manager also gets the team links, for their own library. */
	struct browser m;
	login(&m, "manager@bibliotheek-utrecht.demo");
	get_page(&m, &r, "/uitvoeringen/%lld", (long long)ed);
	CHECK(has_text(&r, arena_printf(a, "/b/bibliotheek-utrecht/team/inschrijven?uitvoering=%lld", (long long)ed)) &&
	          has_text(&r, arena_printf(a, "/b/bibliotheek-utrecht/uitvoeringen/%lld/reserveren", (long long)ed)),
	      "no team links for the manager: %s", summary(&r));
	resp_fini(&r);

	get_page(NULL, &r, "/uitvoeringen/%lld/plaatsen", (long long)ed);
	expect_status(&r, 200, "the seats fragment");
	CHECK(has_text(&r, "Nog 3 plaatsen") && !has(&r, "<html") && r.body.len < 400,
	      "the fragment is not a small piece: %zu bytes: %s", r.body.len, body(&r));
	resp_fini(&r);

	/* Unknown and malformed ids: 404, for the page, the fragment and the form. */
	static const char *const missing[] = {"/uitvoeringen/99999999", "/uitvoeringen/0",
	                                      "/uitvoeringen/abc", "/uitvoeringen/12x/plaatsen",
	                                      "/uitvoeringen/99999999/plaatsen"};
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		fetch(&r, NULL, missing[i], NULL, NULL);
		expect_page(&r, 404, missing[i]);
		resp_fini(&r);
	}
	arena_free(a);
}

/* Enrol; the banner says so; again is refused with the reason (409) and
 * changes nothing; forged ids and a missing CSRF token change nothing. */
static void test_enrol_twice_forged_csrf(void **state)
{
	(void)state;
	int64_t ed = plan_edition(&(struct plan){.capacity = 5, .online_url = "https://meet.example.nl/leesclub"});
	struct browser b;
	login(&b, learner[0]);
	struct arena *a = arena_new(0);
	struct resp r;
	get_page(&b, &r, "/uitvoeringen/%lld", (long long)ed);
	expect_page(&r, 200, "the edition page for a learner");
	CHECK(!has(&r, "meet.example.nl") && has_text(&r, "de link staat hier zodra je bent ingeschreven"),
	      "the meeting link is shown before enrolling: %s", summary(&r));
	CHECK(has(&r, arena_printf(a, "action=\"/uitvoeringen/%lld/inschrijven\"", (long long)ed)) &&
	          has_text(&r, ">Inschrijven</button>"),
	      "no enrol button: %s", summary(&r));
	resp_fini(&r);

	/* Without the CSRF token: 403 and nothing written. */
	br_post(&b, &r, arena_printf(a, "/uitvoeringen/%lld/inschrijven", (long long)ed), "");
	expect_page(&r, 403, "no csrf_token");
	resp_fini(&r);
	br_post(&b, &r, arena_printf(a, "/uitvoeringen/%lld/inschrijven", (long long)ed),
	        "csrf_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_page(&r, 403, "a wrong csrf_token");
	resp_fini(&r);
	CHECK(enrolments_of(ed) == 0, "a refused form enrolled");

	get_page(&b, &r, "/metrics");
	double batches = metric(&r, "campus_enrol_batches_total");
	double batched = metric(&r, "campus_enrol_batch_requests_total");
	CHECK(batches >= 0 && batched >= batches && metric(&r, "campus_enrol_batch_cpu_seconds_total") >= 0,
	      "GET /metrics: no enrolment batches: %s", body(&r));
	resp_fini(&r);
	int64_t id = enrol_ok(&b, ed, learner[0]);
	CHECK(!strcmp(state_of(a, id), "enrolled"), "state %s, expected enrolled", state_of(a, id));
	get_page(&b, &r, "/metrics");
	CHECK(metric(&r, "campus_enrol_batches_total") == batches + 1 &&
	          metric(&r, "campus_enrol_batch_requests_total") == batched + 1,
	      "GET /metrics: the enrolment is not one batch of one: %s", body(&r));
	resp_fini(&r);
	get_page(&b, &r, "/mijn/leren?inschrijving=%lld", (long long)id);
	expect_page(&r, 200, "Mijn leren after enrolling");
	CHECK(has_text(&r, "Je bent ingeschreven.") && has(&r, "role=\"status\""), "no banner: %s",
	      summary(&r));
	CHECK(has(&r, arena_printf(a, "href=\"/mijn/leren/%lld/annuleren\"", (long long)id)),
	      "no cancel link for the booking: %s", summary(&r));
	resp_fini(&r);

	/* The edition page now shows the booking (and the link), not the button. */
	get_page(&b, &r, "/uitvoeringen/%lld", (long long)ed);
	CHECK(has_text(&r, enrol_state_label(ENROL_ENROLLED)) && !has(&r, "/inschrijven\""),
	      "the page does not show the booking: %s", summary(&r));
	CHECK(has_text(&r, "https://meet.example.nl/leesclub"), "no meeting link for the booked learner");
	resp_fini(&r);

	/* Twice: refused with a reason, nothing changed. */
	int64_t n0 = enrolments_of(ed), ev0 = events_of(ed);
	enrol(&b, &r, ed);
	expect_page(&r, 409, "enrolling twice");
	CHECK(has(&r, "role=\"alert\""), "no reason shown: %s", summary(&r));
	resp_fini(&r);
	CHECK(enrolments_of(ed) == n0 && events_of(ed) == ev0, "enrolling twice changed something");

	/* Forged and unknown edition ids: 404, nothing anywhere. */
	const char *tok = token(&b, "/mijn/leren", a);
	static const char *const forged[] = {"/uitvoeringen/99999999/inschrijven",
	                                     "/uitvoeringen/0/inschrijven",
	                                     "/uitvoeringen/-1/inschrijven",
	                                     "/uitvoeringen/abc/inschrijven"};
	for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
		br_post(&b, &r, forged[i], form_of(a, "csrf_token", tok, (const char *)NULL));
		expect_page(&r, 404, forged[i]);
		resp_fini(&r);
	}
	CHECK(enrolments_of(ed) == n0, "a forged id changed the edition");

	/* Anonymous: the enrol form asks for a log-in, nothing written. */
	fetch(&r, NULL, arena_printf(a, "/uitvoeringen/%lld/inschrijven", (long long)ed), NULL,
	      "csrf_token=x");
	CHECK(r.status == 401 || r.status == 403 || r.status == 303, "anonymous enrol: %ld", r.status);
	resp_fini(&r);
	CHECK(enrolments_of(ed) == n0, "an anonymous post enrolled");
	arena_free(a);
}

/* A closed edition and one for employees only: the reason on the page, no
 * button; posting anyway is refused (409) and writes nothing. */
static void test_closed_and_audience(void **state)
{
	(void)state;
	int64_t closed = plan_edition(&(struct plan){.capacity = 5});
	exec_update(&stmt_close_enrolment, closed, (int64_t)time(NULL) - 3600);
	int64_t staff = plan_edition(&(struct plan){.capacity = 5, .audience = "employees"});
	struct browser b;
	login(&b, learner[1]); /* a volunteer */
	struct resp r;
	get_page(&b, &r, "/uitvoeringen/%lld", (long long)closed);
	expect_page(&r, 200, "a closed edition");
	CHECK(has_text(&r, "De inschrijving voor deze uitvoering is gesloten.") && !has(&r, "/inschrijven\""),
	      "no closed notice, or a button: %s", summary(&r));
	resp_fini(&r);
	enrol(&b, &r, closed);
	expect_page(&r, 409, "enrolling in a closed edition");
	CHECK(has(&r, "role=\"alert\""), "no reason: %s", summary(&r));
	resp_fini(&r);
	CHECK(enrolments_of(closed) == 0, "a closed edition took an enrolment");

	get_page(&b, &r, "/uitvoeringen/%lld", (long long)staff);
	expect_page(&r, 200, "an edition for employees");
	CHECK(has_text(&r, "Deze uitvoering is alleen voor medewerkers.") && !has(&r, "/inschrijven\""),
	      "no audience notice, or a button: %s", summary(&r));
	resp_fini(&r);
	enrol(&b, &r, staff);
	expect_page(&r, 409, "a volunteer enrolling for employees");
	resp_fini(&r);
	CHECK(enrolments_of(staff) == 0, "the wrong audience was enrolled");

	/* The employee of the same library may. */
	struct browser e;
	login(&e, learner[4]);
	int64_t id = enrol_ok(&e, staff, learner[4]);
	struct arena *a = arena_new(0);
	CHECK(!strcmp(state_of(a, id), "enrolled"), "the employee: %s", state_of(a, id));
	arena_free(a);
}

/* One seat: the first enrols, the second is waitlisted (place 1 in the
 * banner), the first cancels after the confirmation step and the second has
 * the seat. A full edition offers the waitlist button. */
static void test_waitlist_moves_on_cancel(void **state)
{
	(void)state;
	int64_t ed = plan_edition(&(struct plan){.capacity = 1});
	struct browser b1, b2;
	login(&b1, learner[0]);
	login(&b2, learner[1]);
	struct arena *a = arena_new(0);
	int64_t first = enrol_ok(&b1, ed, learner[0]);

	struct resp r;
	get_page(&b2, &r, "/uitvoeringen/%lld", (long long)ed);
	CHECK(has_text(&r, "Vol: wachtlijst") && has_text(&r, ">Op de wachtlijst</button>"),
	      "a full edition does not offer the waitlist: %s", summary(&r));
	resp_fini(&r);
	int64_t second = enrol_ok(&b2, ed, learner[1]);
	CHECK(!strcmp(state_of(a, second), "waitlisted"), "second: %s", state_of(a, second));
	get_page(&b2, &r, "/mijn/leren?inschrijving=%lld", (long long)second);
	CHECK(has_text(&r, "Je staat op de wachtlijst, op plaats 1."), "no waitlist banner: %s",
	      summary(&r));
	CHECK(has(&r, "id=\"wachtlijst\""), "no waitlist section: %s", summary(&r));
	resp_fini(&r);

	/* The confirmation step, then the cancellation. */
	get_page(&b1, &r, "/mijn/leren/%lld/annuleren", (long long)first);
	expect_page(&r, 200, "the confirmation step");
	CHECK(has_text(&r, "Weet je het zeker?") &&
	          has(&r, arena_printf(a, "action=\"/mijn/leren/%lld/annuleren\"", (long long)first)),
	      "no confirmation form: %s", summary(&r));
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, first), "enrolled"), "the confirmation page cancelled");
	post_cancel(&b1, &r, first);
	expect_redirect(&r, "/mijn/leren", "cancelling");
	resp_fini(&r);
	br_get(&b1, &r, "/mijn/leren");
	CHECK(has_text(&r, "Je inschrijving is geannuleerd."), "no flash: %s", summary(&r));
	/* In the history, with the state and the reason given. */
	const char *row = strstr(body(&r), arena_printf(a, "id=\"inschrijving-%lld\"", (long long)first));
	CHECK(has(&r, "id=\"geschiedenis\"") && row && strstr(row, enrol_state_label(ENROL_CANCELLED)) &&
	          strstr(row, "Ziek"),
	      "the cancellation is not in the history: %s", summary(&r));
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, first), "cancelled"), "first: %s", state_of(a, first));
	CHECK(!strcmp(state_of(a, second), "enrolled"), "the seat did not go on: %s",
	      state_of(a, second));
	br_get(&b2, &r, "/mijn/leren");
	CHECK(has(&r, arena_printf(a, "href=\"/mijn/leren/%lld/annuleren\"", (long long)second)) &&
	          !has(&r, "id=\"wachtlijst\""),
	      "the second's booking is not shown: %s", summary(&r));
	resp_fini(&r);

	/* Cancelling again: refused, nothing changed. */
	int64_t ev0 = events_of(ed);
	post_cancel(&b1, &r, first);
	CHECK(r.status == 409, "cancelling twice: %ld", r.status);
	resp_fini(&r);
	CHECK(events_of(ed) == ev0, "cancelling twice wrote an event");
	arena_free(a);
}

/* After the cancellation deadline: the page says so, a post is refused. */
static void test_cancel_after_deadline(void **state)
{
	(void)state;
	int64_t ed = plan_edition(&(struct plan){.capacity = 5});
	struct browser b;
	login(&b, learner[2]);
	int64_t id = enrol_ok(&b, ed, learner[2]);
	exec_update(&stmt_cancel_until, ed, (int64_t)time(NULL) - 60);
	struct arena *a = arena_new(0);
	struct resp r;
	br_get(&b, &r, "/mijn/leren");
	CHECK(!has(&r, arena_printf(a, "href=\"/mijn/leren/%lld/annuleren\"", (long long)id)),
	      "a cancel link after the deadline");
	resp_fini(&r);
	get_page(&b, &r, "/mijn/leren/%lld/annuleren", (long long)id);
	expect_page(&r, 200, "the cancel page after the deadline");
	CHECK(has_text(&r, "Zelf annuleren kan niet meer") && !has(&r, "Ja, annuleren"),
	      "no notice, or a button: %s", summary(&r));
	resp_fini(&r);
	int64_t ev0 = events_of(ed);
	post_cancel(&b, &r, id);
	expect_page(&r, 409, "cancelling after the deadline");
	CHECK(has(&r, "role=\"alert\""), "no reason: %s", summary(&r));
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, id), "enrolled") && events_of(ed) == ev0,
	      "a late cancellation changed something");
	arena_free(a);
}

/* offer_hours > 0: a freed seat becomes an offer; a bad answer is 422, the
 * offer declined goes to the next, who accepts. Another person's id: 404. */
static void test_offers(void **state)
{
	(void)state;
	int64_t ed = plan_edition(&(struct plan){.capacity = 1, .offer_hours = 24});
	struct browser b0, b1, b2;
	login(&b0, learner[0]);
	login(&b1, learner[1]);
	login(&b2, learner[2]);
	struct arena *a = arena_new(0);
	int64_t e0 = enrol_ok(&b0, ed, learner[0]);
	int64_t e1 = enrol_ok(&b1, ed, learner[1]);
	int64_t e2 = enrol_ok(&b2, ed, learner[2]);
	struct resp r;
	post_cancel(&b0, &r, e0);
	expect_redirect(&r, "/mijn/leren", "cancelling");
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, e1), "offered"), "e1: %s, expected offered", state_of(a, e1));

	br_get(&b1, &r, "/mijn/leren");
	CHECK(has(&r, "id=\"aanbiedingen\"") &&
	          has(&r, arena_printf(a, "action=\"/mijn/leren/%lld/aanbod\"", (long long)e1)) &&
	          has(&r, "value=\"accepteren\"") && has(&r, "value=\"afwijzen\""),
	      "no offer form: %s", summary(&r));
	resp_fini(&r);

	/* Someone else answering, or a malformed answer: nothing changes. */
	int64_t ev0 = events_of(ed);
	post_offer(&b2, &r, e1, "accepteren");
	expect_page(&r, 404, "answering another person's offer");
	resp_fini(&r);
	post_offer(&b1, &r, e1, "misschien");
	expect_page(&r, 422, "a malformed answer");
	resp_fini(&r);
	CHECK(events_of(ed) == ev0 && !strcmp(state_of(a, e1), "offered"), "a refused answer changed something");

	post_offer(&b1, &r, e1, "afwijzen");
	expect_redirect(&r, "/mijn/leren", "declining");
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, e2), "offered"), "the offer did not go on: %s", state_of(a, e2));
	post_offer(&b2, &r, e2, "accepteren");
	expect_redirect(&r, "/mijn/leren", "accepting");
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, e2), "enrolled"), "e2: %s", state_of(a, e2));
	br_get(&b2, &r, "/mijn/leren");
	CHECK(has_text(&r, "Je hebt het aanbod aangenomen"), "no flash: %s", summary(&r));
	resp_fini(&r);
	/* Answering an offer that is no longer open: refused. */
	post_offer(&b1, &r, e1, "accepteren");
	CHECK(r.status == 409, "answering a lapsed offer: %ld", r.status);
	resp_fini(&r);
	arena_free(a);
}

/* Another person's enrolment: 404 on every route, nothing changed. */
static void test_other_persons_enrolment(void **state)
{
	(void)state;
	int64_t ed = plan_edition(&(struct plan){.capacity = 5});
	struct browser owner, other;
	login(&owner, learner[3]);
	login(&other, learner[0]);
	int64_t id = enrol_ok(&owner, ed, learner[3]);
	struct resp r;
	get_page(&other, &r, "/mijn/leren/%lld/annuleren", (long long)id);
	expect_page(&r, 404, "another person's cancel page");
	resp_fini(&r);
	post_cancel(&other, &r, id);
	expect_page(&r, 404, "cancelling another person's enrolment");
	resp_fini(&r);
	post_cancel(&other, &r, 99999999);
	expect_page(&r, 404, "an unknown enrolment");
	resp_fini(&r);
	/* The banner shows only one's own enrolments. */
	get_page(&other, &r, "/mijn/leren?inschrijving=%lld", (long long)id);
	expect_page(&r, 200, "Mijn leren with another's id");
	CHECK(!has(&r, "campus-banner"), "a banner for another person's enrolment");
	resp_fini(&r);
	struct arena *a = arena_new(0);
	CHECK(!strcmp(state_of(a, id), "enrolled"), "the owner's enrolment changed: %s", state_of(a, id));
	arena_free(a);
	/* Anonymous: Mijn leren needs a log-in. */
	fetch(&r, NULL, "/mijn/leren", NULL, NULL);
	CHECK(r.status == 401 || r.status == 303, "anonymous Mijn leren: %ld", r.status);
	resp_fini(&r);
}

/* Two editions at the same time: the second enrolment is not refused, the
 * redirect names the overlapping booking and Mijn leren flags it. */
static void test_conflict_flagged(void **state)
{
	(void)state;
	int64_t one = plan_edition(&(struct plan){.capacity = 5, .starts_in = 40 * DAY});
	int64_t two = plan_edition(&(struct plan){.capacity = 5, .starts_in = 40 * DAY + 3600});
	struct browser b;
	login(&b, learner[3]);
	int64_t first = enrol_ok(&b, one, learner[3]);
	struct resp r;
	enrol(&b, &r, two);
	int64_t second = enrolment_of(two, learner[3]);
	struct arena *a = arena_new(0);
	const char *want = arena_printf(a, "/mijn/leren?inschrijving=%lld&botsing=%lld",
	                                (long long)second, (long long)first);
	expect_redirect(&r, want, "an overlapping booking");
	resp_fini(&r);
	CHECK(!strcmp(state_of(a, second), "enrolled"), "an overlap was refused: %s", state_of(a, second));
	br_get(&b, &r, want);
	expect_page(&r, 200, "Mijn leren with a conflict");
	CHECK(has_text(&r, "Let op: dit valt samen met een andere inschrijving van je:") &&
	          has(&r, arena_printf(a, "href=\"/uitvoeringen/%lld\"", (long long)one)),
	      "the overlap is not flagged: %s", summary(&r));
	resp_fini(&r);
	arena_free(a);
}

/* The library's policy as its manager would set it (the system acts here). */
static void set_approval(const char *approval)
{
	int64_t org = int_query(&stmt_org_by_slug, (const struct db_param[]){DBP_TEXT(org_slug), DBP_END});
	CHECK(org > 0, "no organisation %s", org_slug);
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, a);
	const char *why = NULL;
	struct enrol_policy p = {.approval = approval, .remind_days = 3, .expire_days = 14};
	int rc = enrol_policy_set(&ctx, org, &p, &why);
	arena_free(a);
	db_close(db);
	CHECK(rc == 0, "enrol_policy_set %s: %d %s", approval, rc, why ? why : "");
}

/* A library that wants approval: the button says "Aanvragen", the request
 * waits for the manager, Mijn leren says so, the edition page shows it. */
static void test_request_approval(void **state)
{
	(void)state;
	set_approval("always");
	int64_t ed = plan_edition(&(struct plan){.capacity = 5, .starts_in = 60 * DAY});
	struct browser b;
	login(&b, learner[2]);
	struct resp r;
	get_page(&b, &r, "/uitvoeringen/%lld", (long long)ed);
	CHECK(has_text(&r, ">Aanvragen</button>") && has_text(&r, "Je leidinggevende beslist eerst"),
	      "no request button: %s", summary(&r));
	resp_fini(&r);
	int64_t id = enrol_ok(&b, ed, learner[2]);
	set_approval("none");
	struct arena *a = arena_new(0);
	CHECK(!strcmp(state_of(a, id), "requested"), "state %s, expected requested", state_of(a, id));
	get_page(&b, &r, "/mijn/leren?inschrijving=%lld", (long long)id);
	CHECK(has_text(&r, "Je aanvraag is naar je leidinggevende gestuurd.") &&
	          has(&r, "id=\"aanvragen\"") && has_text(&r, "Wacht op je leidinggevende"),
	      "the request is not shown: %s", summary(&r));
	resp_fini(&r);
	get_page(&b, &r, "/uitvoeringen/%lld", (long long)ed);
	CHECK(has_text(&r, enrol_state_label(ENROL_REQUESTED)) && !has(&r, "/inschrijven\""),
	      "the edition page does not show the request: %s", summary(&r));
	resp_fini(&r);
	arena_free(a);
}

/* The only seat is held for the learners' library: full for everyone else,
 * but its own learner gets "Inschrijven" and the seat. */
static void test_reserved_seat(void **state)
{
	(void)state;
	int64_t ed = plan_edition(&(struct plan){.capacity = 1, .starts_in = 80 * DAY});
	int64_t org = int_query(&stmt_org_by_slug, (const struct db_param[]){DBP_TEXT(org_slug), DBP_END});
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, a);
	const char *why = NULL;
	int rc = edition_reserve(&ctx, ed, org, 1, &why);
	db_close(db);
	CHECK(rc == 0, "edition_reserve: %d %s", rc, why ? why : "");
	struct resp r;
	get_page(NULL, &r, "/uitvoeringen/%lld", (long long)ed);
	CHECK(has_text(&r, "Vol: wachtlijst"), "not full for others: %s", summary(&r));
	resp_fini(&r);
	struct browser b;
	login(&b, learner[1]);
	get_page(&b, &r, "/uitvoeringen/%lld", (long long)ed);
	CHECK(has_text(&r, ">Inschrijven</button>"), "no enrol button for the library's own: %s",
	      summary(&r));
	resp_fini(&r);
	int64_t id = enrol_ok(&b, ed, learner[1]);
	CHECK(!strcmp(state_of(a, id), "enrolled"), "the held seat: %s", state_of(a, id));
	arena_free(a);
}

/* ---- setup */

static int campus_cli(char *const args[], const char *stdin_path)
{
	char *argv[16] = {(char *)campus_bin, (char *)"--db", (char *)test_db};
	size_t n = 3;
	for (size_t i = 0; args[i] && n < 15; i++)
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

static int fixtures(void)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	int rc = db_query_row(db, &stmt_national_module, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&module_id), DBC_END}, a);
	if (!rc)
		rc = db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	arena_free(a);
	db_close(db);
	return rc;
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_enrol_pages";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/enrol-pages.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_HSTS");
	unsetenv("CAMPUS_TRUST_PROXY");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/enrol-pages-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/uitvoering.html", R_OK) != 0) {
		fprintf(stderr, "# run from the repository root (templates/)\n");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	snprintf(tag, sizeof tag, "%lx%x", (unsigned long)time(NULL), (unsigned)getpid());
	if (!strcmp(dialect, "sqlite") && (strstr(test_db, "var/test/") || strstr(test_db, "enrol-pages"))) {
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
	/* A library of this run: no enrolment policy, so no approval step. */
	snprintf(org_slug, sizeof org_slug, "leertest-%s", tag);
	rc = campus_cli((char *[]){(char *)"org", (char *)"add", org_slug, (char *)"Bibliotheek Leertest",
	                           (char *)"--kind", (char *)"library", NULL},
	                NULL);
	if (rc != 0) {
		fprintf(stderr, "# campus org add exited %d; see %s\n", rc, log_path);
		return -1;
	}
	char pw_path[300];
	snprintf(pw_path, sizeof pw_path, "var/test/enrol-pages-pw-%s", dialect);
	for (int i = 0; i < NLEARNERS; i++) {
		snprintf(learner[i], sizeof learner[i], "leerling%d-%s@example.nl", i, tag);
		f = fopen(pw_path, "w");
		if (!f)
			return -1;
		fputs(PASSWORD "\n", f);
		fclose(f);
		char name[40];
		snprintf(name, sizeof name, "Leerling %d", i);
		rc = campus_cli((char *[]){(char *)"user", (char *)"add", learner[i], name, (char *)"--org",
		                           org_slug, (char *)"--kind",
		                           (char *)(i == 4 ? "employee" : "volunteer"), (char *)"--roles",
		                           (char *)"learner", (char *)"--password-stdin", NULL},
		                pw_path);
		unlink(pw_path);
		if (rc != 0) {
			fprintf(stderr, "# campus user add exited %d; see %s\n", rc, log_path);
			return -1;
		}
	}
	if (fixtures() || module_id <= 0) {
		fprintf(stderr, "# no published national classroom module in the demo\n");
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
	    cmocka_unit_test(test_module_and_edition_pages),
	    cmocka_unit_test(test_enrol_twice_forged_csrf),
	    cmocka_unit_test(test_closed_and_audience),
	    cmocka_unit_test(test_waitlist_moves_on_cancel),
	    cmocka_unit_test(test_cancel_after_deadline),
	    cmocka_unit_test(test_offers),
	    cmocka_unit_test(test_other_persons_enrolment),
	    cmocka_unit_test(test_conflict_flagged),
	    cmocka_unit_test(test_request_approval),
	    cmocka_unit_test(test_reserved_seat),
	};
	return cmocka_run_group_tests_name("enrol_pages", tests, group_setup, group_teardown);
}
