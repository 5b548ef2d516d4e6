/* The library manager's enrolment pages over HTTP: the real server
 * ($CAMPUS_BIN serve) on a database filled by `campus demo`, with the demo's
 * Utrecht manager, two learners of Utrecht and one of Eemland made with the
 * CLI for this run. Editions of a published demo module are planned through
 * the domain (the planning pages are another area); learners request seats
 * through the domain as /uitvoeringen/:id/inschrijven does. Covers the
 * enrolment policy form and its refusals, group defaults and personal
 * amounts, approval with the price reserved on the budget, refusal that needs
 * a reason, a request above what is left going to approval, cancel and move
 * from the team pages, seats held for the library, enrolling a member, the
 * CSV export, another library's enrolment id (404, nothing changed) and
 * forms without the CSRF token.
 *
 * Runs once per database (CAMPUS_TEST_DB), from the repository root. The
 * accounts carry a tag of this run, so a PostgreSQL database kept from an
 * earlier run does not disturb it. The server's log goes to
 * var/test/manager-server-<dialect>.log. */
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
#include "domain/enrol.h"
#include "domain/people.h"
#include "web/web.h"

extern char **environ;

#define PASSWORD "Campus-demo-2026"
#define MANAGER "manager@bibliotheek-utrecht.demo"
#define LIB "/b/bibliotheek-utrecht"

static const char *dialect;
static char tag[40];
static char learner[96], learner2[96], eemlander[96];
static int64_t utrecht_id, eemland_id, learner_id, learner2_id, eemlander_id, module_id;
static int year;

DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
DB_STMT(stmt_module_pick,
        "SELECT m.id FROM modules m JOIN module_versions v ON v.id = m.published_version_id "
        "WHERE m.local_org_id IS NULL AND v.format = 'classroom' AND v.audience = 'both' "
        "ORDER BY m.id LIMIT 1");
DB_STMT(stmt_enrolment,
        "SELECT state, COALESCE(budget_state, ''), reason, edition_id FROM enrolments WHERE id = $1");
DB_STMT(stmt_account,
        "SELECT amount_cents, reserved_cents, spent_cents FROM budget_accounts "
        "WHERE org_id = $1 AND person_id = $2 AND year = $3");
DB_STMT(stmt_policy,
        "SELECT approval, COALESCE(second_approver_id, 0), budgets, remind_days, expire_days "
        "FROM enrol_policies WHERE org_id = $1");
DB_STMT(stmt_reservation,
        "SELECT seats FROM edition_reservations WHERE edition_id = $1 AND org_id = $2");
DB_STMT(stmt_events, "SELECT COUNT(*) FROM enrolment_events WHERE enrolment_id = $1");

/* ---- the domain, for what another area's pages do */

struct dom {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
};

static void dom_open(struct dom *d, int64_t person_id, int64_t org_id, unsigned roles)
{
	d->db = db_connect();
	assert_non_null(d->db);
	d->arena = arena_new(0);
	d->ctx = (struct ctx){.db = d->db, .arena = d->arena, .now = clock_now_real};
	if (person_id)
		d->ctx.actor = (struct actor){person_id, org_id, roles, 0};
	else
		d->ctx.actor.flags = ACTOR_SYSTEM;
}

static void dom_close(struct dom *d)
{
	arena_free(d->arena);
	db_close(d->db);
}

/* A new edition of the test module: one meeting `days` after 15 January of
 * next year (so every edition's budget year is `year`), price in cents. */
static int64_t new_edition(int64_t price_cents, int64_t capacity, int days)
{
	struct dom d;
	dom_open(&d, 0, 0, 0);
	int64_t jan15;
	CHECK(when_from_local(year, 1, 15, 10, 0, &jan15), "15 January %d", year);
	int64_t start = jan15 + (int64_t)days * 86400;
	struct edition_meeting_input m = {.starts_at = start, .ends_at = start + 3 * 3600,
	                                  .place = "Utrecht, Oudegracht 167"};
	struct edition_input in = {.capacity = capacity, .price_cents = price_cents, .audience = "both",
	                           .place = "Utrecht", .meetings = &m, .nmeetings = 1};
	int64_t id = 0;
	struct edition_problems pr = {0};
	int rc = edition_create(&d.ctx, module_id, &in, &id, &pr);
	dom_close(&d);
	CHECK(rc == 0 && id > 0, "edition_create: %d (meetings: %s, price: %s)", rc,
	      pr.meetings ? pr.meetings : "-", pr.price ? pr.price : "-");
	return id;
}

/* The learner asks for a seat, as POST /uitvoeringen/:id/inschrijven does. */
static int64_t request_seat(int64_t person_id, int64_t org_id, int64_t edition_id,
                            enum enrol_state expect)
{
	struct dom d;
	dom_open(&d, person_id, org_id, ROLE_LEARNER);
	struct enrol_result res = {0};
	const char *why = NULL;
	int rc = enrol_self(&d.ctx, edition_id, &res, &why);
	dom_close(&d);
	CHECK(rc == 0, "enrol_self: %d %s", rc, why ? why : "");
	CHECK(res.state == expect, "enrol_self gave state %d, expected %d", (int)res.state, (int)expect);
	return res.enrolment_id;
}

/* ---- the database */

struct enrolment_row {
	const char *state, *budget_state, *reason;
	int64_t edition_id;
};

static struct enrolment_row enrolment_of(struct arena *a, int64_t id)
{
	struct enrolment_row e = {0};
	struct db_conn *db = db_connect();
	assert_non_null(db);
	int rc = db_query_row(db, &stmt_enrolment, (const struct db_param[]){DBP_INT(id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&e.state), DBC_TEXT(&e.budget_state),
	                                              DBC_TEXT(&e.reason), DBC_INT(&e.edition_id), DBC_END},
	                      a);
	db_close(db);
	CHECK(rc == 0, "enrolment %lld not found: %d", (long long)id, rc);
	return e;
}

struct account {
	int64_t amount, reserved, spent;
};

static struct account account_of(int64_t person_id)
{
	struct account acc = {-1, -1, -1};
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int rc = db_query_row(db, &stmt_account,
	                      (const struct db_param[]){DBP_INT(utrecht_id), DBP_INT(person_id),
	                                                DBP_INT(year), DBP_END},
	                      (const struct db_col[]){DBC_INT(&acc.amount), DBC_INT(&acc.reserved),
	                                              DBC_INT(&acc.spent), DBC_END},
	                      a);
	arena_free(a);
	db_close(db);
	CHECK(rc == 0, "no budget account for %lld in %d: %d", (long long)person_id, year, rc);
	return acc;
}

static int64_t count_query(struct db_stmt *stmt, int64_t a1, int64_t a2)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t n = -1;
	const struct db_param two[] = {DBP_INT(a1), DBP_INT(a2), DBP_END};
	const struct db_param one[] = {DBP_INT(a1), DBP_END};
	int rc = db_query_row(db, stmt, stmt == &stmt_reservation ? two : one,
	                      (const struct db_col[]){DBC_INT(&n), DBC_END}, a);
	arena_free(a);
	db_close(db);
	return rc == CAMPUS_ENOTFOUND ? 0 : rc == 0 ? n : -1;
}

struct policy_row {
	const char *approval;
	int64_t second;
	bool budgets;
	int64_t remind, expire;
};

static struct policy_row policy_of(struct arena *a)
{
	struct policy_row p = {"none", 0, false, 3, 14};
	struct db_conn *db = db_connect();
	assert_non_null(db);
	int rc = db_query_row(db, &stmt_policy, (const struct db_param[]){DBP_INT(utrecht_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&p.approval), DBC_INT(&p.second),
	                                              DBC_BOOL(&p.budgets), DBC_INT(&p.remind),
	                                              DBC_INT(&p.expire), DBC_END},
	                      a);
	db_close(db);
	CHECK(rc == 0 || rc == CAMPUS_ENOTFOUND, "policy query: %d", rc);
	return p;
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

static const char *token(struct browser *b, const char *path, struct arena *a)
{
	struct resp r;
	br_get(b, &r, path);
	expect_page(&r, 200, "a page with a form");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	return tok;
}

static const char *num(struct arena *a, int64_t v) { return arena_printf(a, "%lld", (long long)v); }

/* POST the policy form with these values; the reply's status. */
static long post_policy(struct browser *b, struct arena *a, const char *tok, const char *approval,
                        const char *second, bool budgets, const char *remind, const char *expire)
{
	struct resp r;
	br_post(b, &r, LIB "/budgetten",
	        form_of(a, "csrf_token", tok, "actie", "beleid", "goedkeuring", approval, "tweede", second,
	                "budgetten", budgets ? "aan" : NULL, "herinneren", remind, "verlopen", expire,
	                (const char *)NULL));
	long status = r.status;
	if (status != 303)
		CHECK(has(&r, "role=\"alert\"") && has_text(&r, "Er is niets gewijzigd."),
		      "a refused policy without the alert: %s", summary(&r));
	resp_fini(&r);
	return status;
}

static void set_volunteer_default(struct browser *b, struct arena *a, const char *euros)
{
	const char *tok = token(b, LIB "/budgetten", a);
	struct resp r;
	br_post(b, &r, LIB "/budgetten",
	        form_of(a, "csrf_token", tok, "actie", "standaard", "jaar", num(a, year), "vrijwilligers",
	                euros, (const char *)NULL));
	expect_redirect(&r, arena_printf(a, LIB "/budgetten?jaar=%d&gedaan=standaard#standaard", year),
	                "the group defaults");
	resp_fini(&r);
	/* The form shows the default as set (budget_default_get), the other group untouched. */
	br_get(b, &r, arena_printf(a, LIB "/budgetten?jaar=%d", year));
	expect_page(&r, 200, "the budget page");
	int64_t cents = 0;
	CHECK(euros_parse(input_value(&r, "vrijwilligers"), &cents) && input_value(&r, "medewerkers"),
	      "no default in the form");
	int64_t want = 0;
	CHECK(euros_parse(euros, &want) && cents == want, "the form shows %s, not %s",
	      input_value(&r, "vrijwilligers"), euros);
	resp_fini(&r);
}

static void decide(struct browser *b, struct resp *r, int64_t id, const char *besluit,
                   const char *reason)
{
	struct arena *a = arena_new(0);
	const char *tok = token(b, LIB "/goedkeuringen", a);
	br_post(b, r, arena_printf(a, LIB "/goedkeuringen/%lld", (long long)id),
	        form_of(a, "csrf_token", tok, "besluit", besluit, "reden", reason, (const char *)NULL));
	arena_free(a);
}

/* The row of a person on the budget page, from their name to the row's end. */
static const char *budget_row_text(struct resp *r, struct arena *a, int64_t person_id)
{
	const char *start = strstr(body(r), arena_printf(a, "id=\"persoon-%lld\"", (long long)person_id));
	if (!start)
		return NULL;
	const char *end = strstr(start, "</tr>");
	return unescape(a, start, end ? (size_t)(end - start) : strlen(start));
}

/* ---- cases */

/* The policy form: every malformed value refused with a message and nothing
 * changed; a good one saved; without the CSRF token refused. */
static void test_policy(void **state)
{
	(void)state;
	struct browser b;
	login(&b, MANAGER);
	struct arena *a = arena_new(0);
	const char *tok = token(&b, LIB "/budgetten", a);
	struct policy_row before = policy_of(a);

	CHECK(post_policy(&b, a, tok, "soms", "0", true, "3", "14") == 422, "an unknown approval");
	CHECK(post_policy(&b, a, tok, NULL, "0", true, "3", "14") == 422, "no approval");
	CHECK(post_policy(&b, a, tok, "kosten", "0", true, "0", "14") == 422, "remind 0 days");
	CHECK(post_policy(&b, a, tok, "kosten", "0", true, "3", "abc") == 422, "expire abc");
	CHECK(post_policy(&b, a, tok, "kosten", "0", true, "3", "400") == 422, "expire 400 days");
	CHECK(post_policy(&b, a, tok, "kosten", "0", true, "10", "5") == 422, "expire before remind");
	CHECK(post_policy(&b, a, tok, "kosten", num(a, eemlander_id), true, "3", "14") == 422,
	      "a second approver of another library");
	CHECK(post_policy(&b, a, tok, "kosten", "x1", true, "3", "14") == 422, "a malformed approver");
	struct resp r;
	br_post(&b, &r, LIB "/budgetten",
	        form_of(a, "actie", "beleid", "goedkeuring", "altijd", "herinneren", "3", "verlopen", "14",
	                (const char *)NULL));
	expect_page(&r, 403, "the policy without csrf_token");
	resp_fini(&r);
	struct policy_row after = policy_of(a);
	CHECK(!strcmp(before.approval, after.approval) && before.budgets == after.budgets &&
	          before.remind == after.remind && before.expire == after.expire,
	      "a refused policy changed it: %s/%d -> %s/%d", before.approval, before.budgets,
	      after.approval, after.budgets);

	/* A good one: approval when it costs, budgets on, the second manager as second step. */
	CHECK(post_policy(&b, a, tok, "kosten", "0", true, "2", "10") == 303, "a good policy");
	after = policy_of(a);
	CHECK(!strcmp(after.approval, "cost") && after.budgets && after.remind == 2 &&
	          after.expire == 10 && after.second == 0,
	      "the policy saved is %s budgets=%d remind=%lld expire=%lld", after.approval,
	      after.budgets, (long long)after.remind, (long long)after.expire);
	br_get(&b, &r, LIB "/budgetten");
	expect_page(&r, 200, "the budget page");
	CHECK(has(&r, "id=\"goedkeuring-kosten\" name=\"goedkeuring\" value=\"kosten\" checked"),
	      "the page does not show the saved approval");
	resp_fini(&r);

	/* Amounts: malformed or negative refused; nothing saved. */
	const char *bad[] = {"-5", "12,345", "vijf", "1e3"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		br_post(&b, &r, LIB "/budgetten",
		        form_of(a, "csrf_token", tok, "actie", "standaard", "jaar", num(a, year),
		                "vrijwilligers", bad[i], (const char *)NULL));
		expect_page(&r, 422, bad[i]);
		CHECK(has(&r, "id=\"standaard-fout\""), "%s: no message at the defaults", bad[i]);
		resp_fini(&r);
	}
	br_post(&b, &r, LIB "/budgetten",
	        form_of(a, "csrf_token", tok, "actie", "standaard", "jaar", "1850", "vrijwilligers", "5",
	                (const char *)NULL));
	expect_page(&r, 400, "a year out of range");
	resp_fini(&r);
	arena_free(a);
}

/* The Done-when path: a € 350 request approved with the price reserved; a
 * second one above what is left goes to approval and is refused with a
 * reason (and not without one). */
static void test_approve_with_budget(void **state)
{
	(void)state;
	struct browser b;
	login(&b, MANAGER);
	struct arena *a = arena_new(0);
	set_volunteer_default(&b, a, "500");
	int64_t ed1 = new_edition(35000, 12, 30);
	int64_t ed2 = new_edition(35000, 12, 40);

	int64_t e1 = request_seat(learner_id, utrecht_id, ed1, ENROL_REQUESTED);
	struct resp r;
	br_get(&b, &r, LIB "/goedkeuringen");
	expect_page(&r, 200, "the inbox");
	const char *card = strstr(body(&r), arena_printf(a, "id=\"aanvraag-%lld\"", (long long)e1));
	CHECK(card, "the request is not in the inbox: %s", summary(&r));
	const char *card_text = unescape(a, card, strlen(card) > 3000 ? 3000 : strlen(card));
	CHECK(strstr(card_text, "€ 350") && strstr(card_text, "€ 500"),
	      "the inbox does not show the price and the budget left: %.600s", card_text);
	resp_fini(&r);

	int64_t events0 = count_query(&stmt_events, e1, 0);
	decide(&b, &r, e1, "goedkeuren", "");
	expect_redirect(&r, LIB "/goedkeuringen?gedaan=goedgekeurd", "approving");
	resp_fini(&r);
	struct enrolment_row row = enrolment_of(a, e1);
	CHECK(!strcmp(row.state, "enrolled") && !strcmp(row.budget_state, "reserved"),
	      "after approval: %s, budget %s", row.state, row.budget_state);
	CHECK(count_query(&stmt_events, e1, 0) == events0 + 1, "approval is not one event");
	struct account acc = account_of(learner_id);
	CHECK(acc.amount == 50000 && acc.reserved == 35000 && acc.spent == 0,
	      "account after approval: %lld/%lld/%lld", (long long)acc.amount, (long long)acc.reserved,
	      (long long)acc.spent);
	/* Deciding again: the request is no longer open. */
	decide(&b, &r, e1, "afwijzen", "te laat");
	CHECK(r.status >= 400 && r.status < 500, "a second decision: %ld", r.status);
	resp_fini(&r);
	CHECK(!strcmp(enrolment_of(a, e1).state, "enrolled"), "a second decision changed it");

	br_get(&b, &r, arena_printf(a, LIB "/budgetten?jaar=%d&q=Lerende+Een", year));
	expect_page(&r, 200, "the budget page");
	const char *line = budget_row_text(&r, a, learner_id);
	CHECK(line && strstr(line, "€ 350") && strstr(line, "€ 150"),
	      "the budget row does not show 350 reserved and 150 left: %s", line ? line : "(no row)");
	resp_fini(&r);

	/* Above what is left: to approval, whatever the policy; approving it
	 * cannot take the account below zero (refused, nothing changed). */
	int64_t e2 = request_seat(learner_id, utrecht_id, ed2, ENROL_REQUESTED);
	decide(&b, &r, e2, "goedkeuren", "");
	expect_page(&r, 409, "approving above the budget left");
	CHECK(has_text(&r, "Het resterende opleidingsbudget van deze persoon is te laag"),
	      "no reason for the refused approval: %s", summary(&r));
	resp_fini(&r);
	acc = account_of(learner_id);
	CHECK(acc.reserved == 35000 && acc.reserved + acc.spent <= acc.amount,
	      "an approval above the budget moved the account: %lld reserved of %lld",
	      (long long)acc.reserved, (long long)acc.amount);
	CHECK(!strcmp(enrolment_of(a, e2).state, "requested"), "a refused approval decided");
	decide(&b, &r, e2, "afwijzen", "");
	expect_page(&r, 422, "refusing without a reason");
	CHECK(has_text(&r, "Geef een reden op als u een aanvraag afwijst."), "no message: %s", summary(&r));
	resp_fini(&r);
	decide(&b, &r, e2, "afwijzen", "   ");
	expect_page(&r, 422, "refusing with only spaces");
	resp_fini(&r);
	decide(&b, &r, e2, "misschien", "");
	expect_page(&r, 400, "an unknown decision");
	resp_fini(&r);
	CHECK(!strcmp(enrolment_of(a, e2).state, "requested"), "a refused form decided");
	decide(&b, &r, e2, "afwijzen", "Het budget voor dit jaar is op.");
	expect_redirect(&r, LIB "/goedkeuringen?gedaan=afgewezen", "refusing with a reason");
	resp_fini(&r);
	row = enrolment_of(a, e2);
	CHECK(!strcmp(row.state, "refused") && !strcmp(row.reason, "Het budget voor dit jaar is op."),
	      "after refusal: %s (%s)", row.state, row.reason);
	acc = account_of(learner_id);
	CHECK(acc.reserved == 35000, "the refusal moved the budget: %lld", (long long)acc.reserved);

	/* The team page lists the booking; cancelling there releases the budget. */
	br_get(&b, &r, arena_printf(a, LIB "/team?q=%s", enc(a, "Lerende")));
	expect_page(&r, 200, "the team page");
	CHECK(has(&r, arena_printf(a, LIB "/inschrijvingen/%lld\"", (long long)e1)), "no link to the booking");
	resp_fini(&r);
	const char *detail = arena_printf(a, LIB "/inschrijvingen/%lld", (long long)e1);
	const char *tok = token(&b, detail, a);
	br_post(&b, &r, arena_printf(a, "%s/annuleren", detail),
	        form_of(a, "csrf_token", tok, "reden", "", (const char *)NULL));
	expect_page(&r, 422, "cancelling without a reason");
	resp_fini(&r);
	CHECK(!strcmp(enrolment_of(a, e1).state, "enrolled"), "cancel without reason changed it");
	br_post(&b, &r, arena_printf(a, "%s/annuleren", detail),
	        form_of(a, "csrf_token", tok, "reden", "Ziek", (const char *)NULL));
	expect_redirect(&r, arena_printf(a, "%s?gedaan=geannuleerd", detail), "cancelling");
	resp_fini(&r);
	row = enrolment_of(a, e1);
	CHECK(!strcmp(row.state, "cancelled") && !strcmp(row.budget_state, "released"),
	      "after cancel: %s, budget %s", row.state, row.budget_state);
	acc = account_of(learner_id);
	CHECK(acc.reserved == 0, "the cancellation did not release the budget: %lld",
	      (long long)acc.reserved);
	arena_free(a);
}

/* A personal amount: set, and never below what is reserved (the account
 * never goes negative); malformed refused. */
static void test_personal_budget(void **state)
{
	(void)state;
	struct browser b;
	login(&b, MANAGER);
	struct arena *a = arena_new(0);
	/* Approval only when it costs: a free request goes through, a € 200 one waits. */
	int64_t ed = new_edition(20000, 12, 50);
	int64_t e = request_seat(learner2_id, utrecht_id, ed, ENROL_REQUESTED);
	struct resp r;
	decide(&b, &r, e, "goedkeuren", "");
	expect_redirect(&r, LIB "/goedkeuringen?gedaan=goedgekeurd", "approving");
	resp_fini(&r);
	struct account before = account_of(learner2_id);
	CHECK(before.reserved == 20000, "reserved %lld", (long long)before.reserved);

	const char *tok = token(&b, LIB "/budgetten", a);
	const char *who = num(a, learner2_id);
	/* Below what is reserved: a conflict; malformed: invalid. */
	const char *bad[] = {"100", "-1", "abc", ""};
	const long status[] = {409, 422, 422, 422};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		br_post(&b, &r, LIB "/budgetten",
		        form_of(a, "csrf_token", tok, "actie", "persoon", "jaar", num(a, year), "persoon",
		                who, "bedrag", bad[i], (const char *)NULL));
		expect_page(&r, status[i], arena_printf(a, "a personal amount of %s", bad[i]));
		CHECK(has(&r, arena_printf(a, "id=\"bedrag-fout-%s\"", who)),
		      "%s: the message is not at the person's row", bad[i]);
		resp_fini(&r);
	}
	struct account after = account_of(learner2_id);
	CHECK(after.amount == before.amount && after.reserved == before.reserved,
	      "a refused amount changed the account");
	/* Someone of another library. */
	br_post(&b, &r, LIB "/budgetten",
	        form_of(a, "csrf_token", tok, "actie", "persoon", "jaar", num(a, year), "persoon",
	                num(a, eemlander_id), "bedrag", "900", (const char *)NULL));
	expect_page(&r, 422, "a personal amount for another library's learner");
	resp_fini(&r);
	br_post(&b, &r, LIB "/budgetten",
	        form_of(a, "csrf_token", tok, "actie", "persoon", "jaar", num(a, year), "persoon", who,
	                "bedrag", "750,50", (const char *)NULL));
	expect_redirect(&r, arena_printf(a, LIB "/budgetten?jaar=%d&gedaan=persoon#personen", year),
	                "a good personal amount");
	resp_fini(&r);
	after = account_of(learner2_id);
	CHECK(after.amount == 75050 && after.reserved == 20000, "personal amount %lld",
	      (long long)after.amount);

	/* The CSV has the row and the totals. */
	br_get(&b, &r, arena_printf(a, LIB "/budgetten.csv?jaar=%d", year));
	expect_status(&r, 200, "the CSV");
	CHECK(header(&r, "Content-Type") && strstr(header(&r, "Content-Type"), "text/csv"), "not CSV");
	CHECK(has(&r, "\"Naam\";\"Soort\";\"Budget\"") && has(&r, "\"750,50\";\"200,00\";\"0,00\";\"550,50\";\"ja\"") &&
	          has(&r, "\"Totaal\""),
	      "the CSV misses the person's row or the totals: %.300s", body(&r));
	resp_fini(&r);
	arena_free(a);
}

/* Another library's enrolment, a forged id: 404 and nothing changed. The
 * Utrecht manager's forms without a CSRF token: 403. */
static void test_isolation_and_csrf(void **state)
{
	(void)state;
	struct browser b;
	login(&b, MANAGER);
	struct arena *a = arena_new(0);
	int64_t ed = new_edition(0, 12, 60);
	int64_t other = request_seat(eemlander_id, eemland_id, ed, ENROL_ENROLLED);
	int64_t ours = request_seat(learner2_id, utrecht_id, ed, ENROL_ENROLLED);
	const char *tok = token(&b, LIB "/team", a);
	int64_t events = count_query(&stmt_events, other, 0);
	const char *ids[] = {num(a, other), "99999999", "abc", "0", "-1"};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct resp r;
		br_post(&b, &r, arena_printf(a, LIB "/goedkeuringen/%s", ids[i]),
		        form_of(a, "csrf_token", tok, "besluit", "afwijzen", "reden", "nee", (const char *)NULL));
		expect_page(&r, 404, arena_printf(a, "deciding on %s", ids[i]));
		resp_fini(&r);
		br_get(&b, &r, arena_printf(a, LIB "/inschrijvingen/%s", ids[i]));
		expect_page(&r, 404, arena_printf(a, "reading %s", ids[i]));
		resp_fini(&r);
		br_post(&b, &r, arena_printf(a, LIB "/inschrijvingen/%s/annuleren", ids[i]),
		        form_of(a, "csrf_token", tok, "reden", "weg", (const char *)NULL));
		expect_page(&r, 404, arena_printf(a, "cancelling %s", ids[i]));
		resp_fini(&r);
		br_post(&b, &r, arena_printf(a, LIB "/inschrijvingen/%s/verplaatsen", ids[i]),
		        form_of(a, "csrf_token", tok, "uitvoering", num(a, ed), (const char *)NULL));
		expect_page(&r, 404, arena_printf(a, "moving %s", ids[i]));
		resp_fini(&r);
	}
	CHECK(!strcmp(enrolment_of(a, other).state, "enrolled") &&
	          count_query(&stmt_events, other, 0) == events,
	      "another library's enrolment changed");
	/* The Eemland page is not the Utrecht manager's. */
	struct resp r;
	br_get(&b, &r, "/b/bibliotheek-eemland/team");
	expect_page(&r, 403, "another library's team");
	resp_fini(&r);
	br_get(&b, &r, "/b/bibliotheek-eemland/budgetten.csv");
	expect_status(&r, 403, "another library's budgets");
	resp_fini(&r);

	/* Without the token: refused, nothing changed. */
	br_post(&b, &r, arena_printf(a, LIB "/inschrijvingen/%lld/annuleren", (long long)ours),
	        form_of(a, "reden", "weg", (const char *)NULL));
	expect_page(&r, 403, "cancel without csrf_token");
	resp_fini(&r);
	br_post(&b, &r, arena_printf(a, LIB "/goedkeuringen/%lld", (long long)ours),
	        form_of(a, "besluit", "goedkeuren", (const char *)NULL));
	expect_page(&r, 403, "decide without csrf_token");
	resp_fini(&r);
	br_post(&b, &r, arena_printf(a, LIB "/uitvoeringen/%lld/reserveren", (long long)ed),
	        form_of(a, "plaatsen", "2", (const char *)NULL));
	expect_page(&r, 403, "reserve without csrf_token");
	resp_fini(&r);
	CHECK(!strcmp(enrolment_of(a, ours).state, "enrolled"), "a form without token cancelled");
	CHECK(count_query(&stmt_reservation, ed, utrecht_id) == 0, "a form without token reserved");
	arena_free(a);
}

/* Seats held for the library; enrolling a member; moving a booking. */
static void test_reserve_enrol_move(void **state)
{
	(void)state;
	struct browser b;
	login(&b, MANAGER);
	struct arena *a = arena_new(0);
	int64_t ed = new_edition(0, 4, 70);
	int64_t ed_other = new_edition(0, 4, 80);
	const char *path = arena_printf(a, LIB "/uitvoeringen/%lld/reserveren", (long long)ed);
	const char *tok = token(&b, path, a);
	struct resp r;
	const char *bad[] = {"abc", "-1", "", "99999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		br_post(&b, &r, path, form_of(a, "csrf_token", tok, "plaatsen", bad[i], (const char *)NULL));
		CHECK(r.status == 422 || r.status == 409, "reserving %s: %ld", bad[i], r.status);
		CHECK(has(&r, "role=\"alert\""), "reserving %s: no alert", bad[i]);
		resp_fini(&r);
	}
	CHECK(count_query(&stmt_reservation, ed, utrecht_id) == 0, "a refused reservation was saved");
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, "plaatsen", "2", (const char *)NULL));
	expect_redirect(&r, arena_printf(a, "%s?gedaan=gereserveerd", path), "reserving 2");
	resp_fini(&r);
	CHECK(count_query(&stmt_reservation, ed, utrecht_id) == 2, "2 seats not held");
	br_get(&b, &r, path);
	expect_page(&r, 200, "the reservation page");
	CHECK(has_text(&r, "Gereserveerd: 2 plaatsen"), "the page does not show the reservation");
	resp_fini(&r);
	br_get(&b, &r, LIB "/uitvoeringen/99999999/reserveren");
	expect_page(&r, 404, "an unknown edition");
	resp_fini(&r);

	/* Enrol a member from the form (prefilled edition). */
	const char *enrol = arena_printf(a, LIB "/team/inschrijven?uitvoering=%lld", (long long)ed);
	br_get(&b, &r, enrol);
	expect_page(&r, 200, "the enrol form");
	CHECK(input_value(&r, "uitvoering") && !strcmp(input_value(&r, "uitvoering"), num(a, ed)),
	      "the edition is not prefilled");
	resp_fini(&r);
	br_post(&b, &r, LIB "/team/inschrijven",
	        form_of(a, "csrf_token", tok, "uitvoering", num(a, ed), "persoon", num(a, eemlander_id),
	                (const char *)NULL));
	expect_page(&r, 422, "enrolling someone of another library");
	resp_fini(&r);
	br_post(&b, &r, LIB "/team/inschrijven",
	        form_of(a, "csrf_token", tok, "uitvoering", "99999999", "persoon", num(a, learner_id),
	                (const char *)NULL));
	expect_page(&r, 422, "enrolling in an unknown edition");
	resp_fini(&r);
	br_post(&b, &r, LIB "/team/inschrijven",
	        form_of(a, "csrf_token", tok, "uitvoering", num(a, ed), "persoon", num(a, learner_id),
	                (const char *)NULL));
	CHECK(r.status == 303 && header(&r, "Location") &&
	          strstr(header(&r, "Location"), LIB "/inschrijvingen/"),
	      "enrolling a member: %ld %s", r.status, summary(&r));
	int64_t e = atoll(strstr(header(&r, "Location"), "/inschrijvingen/") + 16);
	resp_fini(&r);
	CHECK(!strcmp(enrolment_of(a, e).state, "enrolled"), "the member is not enrolled: %s",
	      enrolment_of(a, e).state);
	CHECK(count_query(&stmt_reservation, ed, utrecht_id) == 2, "the reservation changed size");
	/* Twice: refused. */
	br_post(&b, &r, LIB "/team/inschrijven",
	        form_of(a, "csrf_token", tok, "uitvoering", num(a, ed), "persoon", num(a, learner_id),
	                (const char *)NULL));
	CHECK(r.status >= 400 && r.status < 500 && has(&r, "role=\"alert\""), "enrolling twice: %ld",
	      r.status);
	resp_fini(&r);

	/* Move it to the other edition of the module. */
	const char *detail = arena_printf(a, LIB "/inschrijvingen/%lld", (long long)e);
	br_get(&b, &r, detail);
	expect_page(&r, 200, "the booking");
	CHECK(has(&r, arena_printf(a, "<option value=\"%lld\">", (long long)ed_other)),
	      "the other edition is not offered");
	resp_fini(&r);
	br_post(&b, &r, arena_printf(a, "%s/verplaatsen", detail),
	        form_of(a, "csrf_token", tok, "uitvoering", "x", (const char *)NULL));
	expect_page(&r, 422, "moving to no edition");
	resp_fini(&r);
	br_post(&b, &r, arena_printf(a, "%s/verplaatsen", detail),
	        form_of(a, "csrf_token", tok, "uitvoering", num(a, ed_other), (const char *)NULL));
	CHECK(r.status == 303, "moving: %ld %s", r.status, summary(&r));
	resp_fini(&r);
	arena_free(a);
}

/* /mijn and the library's page link the manager's pages, with the count. */
static void test_links(void **state)
{
	(void)state;
	struct browser b;
	login(&b, MANAGER);
	struct resp r;
	br_get(&b, &r, "/mijn");
	expect_page(&r, 200, "/mijn");
	CHECK(has(&r, "href=\"" LIB "/team\"") && has(&r, "href=\"" LIB "/goedkeuringen\"") &&
	          has(&r, "href=\"" LIB "/budgetten\""),
	      "/mijn misses the manager's links");
	resp_fini(&r);
	br_get(&b, &r, LIB);
	expect_page(&r, 200, "the library's page");
	CHECK(has(&r, "href=\"" LIB "/goedkeuringen\""), "the library's page misses the inbox link");
	resp_fini(&r);
	struct browser l;
	login(&l, learner);
	br_get(&l, &r, LIB "/goedkeuringen");
	expect_page(&r, 403, "a learner at the inbox");
	resp_fini(&r);
	br_get(&l, &r, "/mijn");
	CHECK(!has(&r, "href=\"" LIB "/goedkeuringen\""), "a learner sees the inbox link");
	resp_fini(&r);
}

/* ---- set-up */

static bool fresh_sqlite_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return strstr(path, "var/test/") != NULL || strncmp(base, "manager-test", 12) == 0;
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

static int add_user(const char *email, const char *name, const char *org, const char *pw_path)
{
	return campus_cli((char *[]){(char *)"user", (char *)"add", (char *)email, (char *)name,
	                             (char *)"--org", (char *)org, (char *)"--kind", (char *)"volunteer",
	                             (char *)"--roles", (char *)"learner", (char *)"--password-stdin", NULL},
	                  pw_path);
}

static int fixture(void)
{
	struct dom d;
	dom_open(&d, 0, 0, 0);
	struct org o;
	struct person p;
	int rc = org_get_by_slug(&d.ctx, "bibliotheek-utrecht", &o);
	utrecht_id = o.id;
	if (!rc)
		rc = org_get_by_slug(&d.ctx, "bibliotheek-eemland", &o);
	eemland_id = o.id;
	if (!rc)
		rc = person_find_by_email(&d.ctx, learner, &p);
	learner_id = p.id;
	if (!rc)
		rc = person_find_by_email(&d.ctx, learner2, &p);
	learner2_id = p.id;
	if (!rc)
		rc = person_find_by_email(&d.ctx, eemlander, &p);
	eemlander_id = p.id;
	if (!rc)
		rc = db_query_row(d.db, &stmt_module_pick, (const struct db_param[]){DBP_END},
		                  (const struct db_col[]){DBC_INT(&module_id), DBC_END}, d.arena);
	if (!rc)
		rc = db_exec(d.db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	struct when_local l;
	when_to_local((int64_t)time(NULL), &l);
	year = l.year + 1; /* the editions start next year; their budgets are of that year */
	dom_close(&d);
	return rc;
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_manager";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/manager.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_HSTS");
	unsetenv("CAMPUS_TRUST_PROXY");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/manager-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/manager-budgetten.html", R_OK) != 0) {
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
	snprintf(eemlander, sizeof eemlander, "eemlander-%s@example.nl", tag);
	char pw_path[300];
	snprintf(pw_path, sizeof pw_path, "var/test/manager-pw-%s", dialect);
	f = fopen(pw_path, "w");
	if (!f)
		return -1;
	fputs(PASSWORD "\n", f);
	fclose(f);
	rc = add_user(learner, "Lerende Een", "bibliotheek-utrecht", pw_path);
	if (!rc)
		rc = add_user(learner2, "Lerende Twee", "bibliotheek-utrecht", pw_path);
	if (!rc)
		rc = add_user(eemlander, "Lezer Eemland", "bibliotheek-eemland", pw_path);
	unlink(pw_path);
	if (rc != 0) {
		fprintf(stderr, "# campus user add exited %d; see %s\n", rc, log_path);
		return -1;
	}
	if (fixture()) {
		fprintf(stderr, "# the fixture (organisations, people, a module) cannot be read\n");
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
	    cmocka_unit_test(test_policy),
	    cmocka_unit_test(test_approve_with_budget),
	    cmocka_unit_test(test_personal_budget),
	    cmocka_unit_test(test_isolation_and_csrf),
	    cmocka_unit_test(test_reserve_enrol_move),
	    cmocka_unit_test(test_links),
	};
	return cmocka_run_group_tests_name("manager", tests, group_setup, group_teardown);
}
