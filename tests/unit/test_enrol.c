/* enrol: editions and the enrolment state machine on the database named by
 * CAMPUS_TEST_DB (SQLite and PostgreSQL in scripts/test.sh), with a clock
 * the tests move: seats and the waitlist, offers, approvals with budgets,
 * reservations, moves, attendance, results, refusals that change nothing,
 * and many connections enrolling at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/enrol.h"
#include "domain/enrol_internal.h"
#include "points_reset.h"

#define T0 1795000000 /* 2026-11-18 */
#define DAY 86400
#define HOUR 3600
static _Atomic int64_t clock_value = T0;
static int64_t test_now(void) { return clock_value; }

/* Children before parents. */
DB_STMT(stmt_r0, "DELETE FROM meeting_reminders");
DB_STMT(stmt_r1, "DELETE FROM attendance");
DB_STMT(stmt_r2, "DELETE FROM enrolment_events");
DB_STMT(stmt_r3, "DELETE FROM enrolments");
DB_STMT(stmt_r4, "DELETE FROM edition_reservations");
DB_STMT(stmt_r5, "DELETE FROM edition_audience_orgs");
DB_STMT(stmt_r6, "DELETE FROM edition_teachers");
DB_STMT(stmt_r7, "DELETE FROM edition_meetings");
DB_STMT(stmt_r8, "DELETE FROM editions");
DB_STMT(stmt_r9, "DELETE FROM budget_accounts");
DB_STMT(stmt_r10, "DELETE FROM budget_defaults");
DB_STMT(stmt_r11, "DELETE FROM enrol_policies");
DB_STMT(stmt_r12, "DELETE FROM notifications");
DB_STMT(stmt_r13, "DELETE FROM module_search");
DB_STMT(stmt_r14, "DELETE FROM module_version_tags");
DB_STMT(stmt_r15, "UPDATE modules SET working_version_id = NULL, published_version_id = NULL, recognised_version_id = NULL");
DB_STMT(stmt_r16, "DELETE FROM module_versions");
DB_STMT(stmt_r17, "DELETE FROM modules");
DB_STMT(stmt_r18, "DELETE FROM outbox");
DB_STMT(stmt_r19, "DELETE FROM sessions");
DB_STMT(stmt_r20, "DELETE FROM memberships");
DB_STMT(stmt_r21, "DELETE FROM calendar_feeds");
DB_STMT(stmt_r22, "DELETE FROM people");
DB_STMT(stmt_r23, "DELETE FROM organisations");

DB_STMT(stmt_t_org,
        "INSERT INTO organisations (slug, name, kind, created_at, updated_at) VALUES ($1, $1, $2, 1, 1) "
        "RETURNING id");
DB_STMT(stmt_t_person,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ($1, $1, 1, 1) RETURNING id");
DB_STMT(stmt_t_member,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at) VALUES ($1, $2, $3, $4, 1)");
DB_STMT(stmt_t_domain, "SELECT id FROM tax_domains WHERE position = 1");
DB_STMT(stmt_t_states,
        "SELECT COUNT(*) FROM enrolments WHERE edition_id = $1 AND state = $2");
DB_STMT(stmt_t_seats, "SELECT seats_taken FROM editions WHERE id = $1");
DB_STMT(stmt_t_state_of, "SELECT state FROM enrolments WHERE id = $1");
DB_STMT(stmt_t_budget,
        "SELECT amount_cents, reserved_cents, spent_cents FROM budget_accounts "
        "WHERE org_id = $1 AND person_id = $2");
DB_STMT(stmt_t_events, "SELECT COUNT(*) FROM enrolment_events WHERE enrolment_id = $1");
DB_STMT(stmt_t_rows, "SELECT COUNT(*) FROM enrolments");
DB_STMT(stmt_t_ics,
        "SELECT COUNT(*) FROM outbox o JOIN people p ON p.email = o.to_addr WHERE p.id = $1 "
        "AND o.attachment_type LIKE 'text/calendar%'");
DB_STMT(stmt_t_notes, "SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND kind = $2");
/* A person's mails, newest first: the invitation, when there is one. */
DB_STMT(stmt_t_mail,
        "SELECT o.subject, o.body_text, COALESCE(o.attachment_name, ''), o.attachment FROM outbox o "
        "JOIN people p ON p.email = o.to_addr WHERE p.id = $1 ORDER BY o.id DESC LIMIT 1");
DB_STMT(stmt_t_audited,
        "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND actor_id = $2 AND object_type = "
        "'enrolment' AND object_id = $3 AND id > $4");
DB_STMT(stmt_t_audit_top, "SELECT COALESCE(MAX(id), 0) FROM audit_log");
DB_STMT(stmt_t_attendance, "SELECT COUNT(*) FROM attendance WHERE present = $1");
DB_STMT(stmt_t_wait_order,
        "SELECT COUNT(*) FROM enrolments a JOIN enrolments b ON a.edition_id = b.edition_id "
        "AND a.state = 'waitlisted' AND b.state = 'waitlisted' AND a.id < b.id "
        "AND a.waitlist_pos >= b.waitlist_pos WHERE a.edition_id = $1");
DB_STMT(stmt_t_seats_first,
        "SELECT COUNT(*) FROM enrolments a JOIN enrolments b ON a.edition_id = b.edition_id "
        "AND a.state = 'enrolled' AND b.state = 'waitlisted' AND a.id > b.id WHERE a.edition_id = $1");
DB_STMT(stmt_t_by_self,
        "SELECT COUNT(*) FROM enrolments x JOIN enrolment_events ev ON ev.enrolment_id = x.id "
        "WHERE x.edition_id = $1 AND x.enrolled_by = x.person_id AND ev.actor_id = x.person_id");
DB_STMT(stmt_t_distinct_pos,
        "SELECT COUNT(DISTINCT waitlist_pos) FROM enrolments WHERE edition_id = $1 AND state = 'waitlisted'");

struct fixture {
	const char *url;
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t campus, prov, lib, lib2;
	int64_t admin, owner, teacher, manager, second, ann, bob, cas, dirk, vol, other;
	int64_t module, paid_module, elearning;
	int64_t meeting_starts;
};

static int64_t one(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t id = -1;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&id), DBC_END}, f->arena), 0);
	return id;
}

static int64_t org(struct fixture *f, const char *slug, const char *kind)
{
	return one(f, &stmt_t_org, (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(kind), DBP_END});
}

static void member(struct fixture *f, int64_t person, int64_t org_id, const char *kind, unsigned roles)
{
	assert_int_equal(db_exec(f->db, &stmt_t_member,
	                         (const struct db_param[]){DBP_INT(person), DBP_INT(org_id), DBP_TEXT(kind),
	                                                   DBP_INT(roles), DBP_END},
	                         NULL),
	                 0);
}

static int64_t person(struct fixture *f, const char *email, int64_t org_id, const char *kind,
                      unsigned roles)
{
	int64_t id = one(f, &stmt_t_person, (const struct db_param[]){DBP_TEXT(email), DBP_END});
	member(f, id, org_id, kind, roles);
	return id;
}

static void as(struct fixture *f, int64_t who, int64_t org_id, unsigned roles)
{
	f->ctx.actor = (struct actor){.person_id = who, .org_id = org_id, .roles = roles};
}

static void as_owner(struct fixture *f) { as(f, f->owner, f->prov, ROLE_PROVIDER_ADMIN); }
static void as_manager(struct fixture *f) { as(f, f->manager, f->lib, ROLE_MANAGER | ROLE_LEARNER); }
static void as_learner(struct fixture *f, int64_t who) { as(f, who, f->lib, ROLE_LEARNER); }

static int64_t new_module(struct fixture *f, const char *format, int64_t price, const char *audience)
{
	int64_t dom = one(f, &stmt_t_domain, (const struct db_param[]){DBP_END});
	struct module_input in = {
	    .title = "Voorlezen aan peuters", .summary = "Samen lezen", .description = "Beschrijving.",
	    .goals = "Voorlezen", .prerequisites = "", .level = "uitvoerend", .format = format,
	    .language = "nl", .vat = "crkbo", .audience = audience, .place = "Utrecht",
	    .province = "Utrecht", .contact_name = "Aanbod", .contact_email = "aanbod@go.test",
	    .load_tenths = 60, .price_cents = price, .domains = &dom, .ndomains = 1};
	struct module_problems pr;
	int64_t id = 0;
	as_owner(f);
	assert_int_equal(module_create(&f->ctx, f->prov, 0, &in, &id, &pr), 0);
	const char *why = NULL;
	assert_int_equal(module_publish(&f->ctx, id, &why), 0);
	return id;
}

/* An edition with one or two meetings starting `days` from now. */
static int64_t new_edition(struct fixture *f, int64_t module, int64_t capacity, int64_t days,
                           int64_t offer_hours)
{
	struct edition_meeting_input m[2] = {
	    {.starts_at = clock_value + days * DAY, .ends_at = clock_value + days * DAY + 3 * HOUR,
	     .place = "Utrecht"},
	    {.starts_at = clock_value + (days + 7) * DAY,
	     .ends_at = clock_value + (days + 7) * DAY + 3 * HOUR}};
	struct edition_input in = {.capacity = capacity, .price_cents = -1, .offer_hours = offer_hours,
	                           .place = "Bibliotheek Utrecht, Oudegracht", .meetings = m,
	                           .nmeetings = 2, .cancel_until = clock_value + (days - 3) * DAY,
	                           .teachers = &f->teacher, .nteachers = 1};
	struct edition_problems pr;
	int64_t id = 0;
	as_owner(f);
	int rc = edition_create(&f->ctx, module, &in, &id, &pr);
	if (rc)
		fprintf(stderr, "edition_create: %d %s\n", rc, pr.meetings ? pr.meetings : "");
	assert_int_equal(rc, 0);
	return id;
}

static int64_t states(struct fixture *f, int64_t edition, const char *state)
{
	return one(f, &stmt_t_states, (const struct db_param[]){DBP_INT(edition), DBP_TEXT(state), DBP_END});
}

static int64_t seats(struct fixture *f, int64_t edition)
{
	return one(f, &stmt_t_seats, (const struct db_param[]){DBP_INT(edition), DBP_END});
}

static const char *state_of(struct fixture *f, int64_t enrolment)
{
	char *s = NULL;
	assert_int_equal(db_query_row(f->db, &stmt_t_state_of, (const struct db_param[]){DBP_INT(enrolment), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&s), DBC_END}, f->arena),
	                 0);
	return s;
}

static void budget(struct fixture *f, int64_t person_id, int64_t *amount, int64_t *reserved,
                   int64_t *spent)
{
	assert_int_equal(db_query_row(f->db, &stmt_t_budget,
	                              (const struct db_param[]){DBP_INT(f->lib), DBP_INT(person_id), DBP_END},
	                              (const struct db_col[]){DBC_INT(amount), DBC_INT(reserved),
	                                                      DBC_INT(spent), DBC_END},
	                              f->arena),
	                 0);
}

static int64_t enrol_as(struct fixture *f, int64_t edition, int64_t who, enum enrol_state want)
{
	struct enrol_result r;
	const char *why = NULL;
	as_learner(f, who);
	int rc = enrol_self(&f->ctx, edition, &r, &why);
	if (rc)
		fprintf(stderr, "enrol_self: %d %s\n", rc, why ? why : "");
	assert_int_equal(rc, 0);
	assert_int_equal(r.state, want);
	return r.enrolment_id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->url = getenv("CAMPUS_TEST_DB");
	if (!f->url)
		f->url = "sqlite:/tmp/campus-test-enrol.db";
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(f->url, DB_OPEN_CREATE, &f->db, &err) != 0 || db_migrate(f->db, &err) != 0) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	struct db_stmt *r[] = {&stmt_r0,  &stmt_r1,  &stmt_r2,  &stmt_r3,  &stmt_r4,  &stmt_r5,
	                       &stmt_r6,  &stmt_r7,  &stmt_r8,  &stmt_r9,  &stmt_r10, &stmt_r11,
	                       &stmt_r12, &stmt_r13, &stmt_r14, &stmt_r15, &stmt_r16, &stmt_r17,
	                       &stmt_r18, &stmt_r19, &stmt_r20, &stmt_r21, &stmt_r22, &stmt_r23};
	if (points_reset(f->db) != 0)
		return -1;
	for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
		if (db_exec(f->db, r[i], (const struct db_param[]){DBP_END}, NULL) != 0) {
			fprintf(stderr, "reset %zu: %s\n", i, db_errmsg(f->db));
			return -1;
		}
	clock_value = T0;
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = test_now};
	*state = f;
	f->campus = org(f, "campus", "campus");
	f->prov = org(f, "go-opleidingen", "provider");
	f->lib = org(f, "bibliotheek-utrecht", "library");
	f->lib2 = org(f, "bibliotheek-eindhoven", "library");
	f->admin = person(f, "beheer@campus.test", f->campus, "employee", ROLE_CAMPUS_ADMIN);
	f->owner = person(f, "aanbod@go.test", f->prov, "employee", ROLE_PROVIDER_ADMIN);
	f->teacher = person(f, "docent@go.test", f->prov, "external", ROLE_TEACHER);
	f->manager = person(f, "manager@utrecht.test", f->lib, "employee", ROLE_MANAGER | ROLE_LEARNER);
	f->second = person(f, "budget@utrecht.test", f->lib, "employee", ROLE_MANAGER);
	f->ann = person(f, "ann@utrecht.test", f->lib, "employee", ROLE_LEARNER);
	f->bob = person(f, "bob@utrecht.test", f->lib, "employee", ROLE_LEARNER);
	f->cas = person(f, "cas@utrecht.test", f->lib, "employee", ROLE_LEARNER);
	f->dirk = person(f, "dirk@utrecht.test", f->lib, "employee", ROLE_LEARNER);
	f->vol = person(f, "vrijwilliger@utrecht.test", f->lib, "volunteer", ROLE_LEARNER);
	f->other = person(f, "eva@eindhoven.test", f->lib2, "employee", ROLE_LEARNER);
	f->module = new_module(f, "classroom", 0, "both");
	f->paid_module = new_module(f, "classroom", 35000, "employees");
	f->elearning = new_module(f, "elearning", 0, "both");
	return 0;
}

/* After every case: editions.waiting is the number on each waitlist. */
DB_STMT(stmt_waiting_wrong,
        "SELECT COUNT(*) FROM editions e WHERE e.waiting <> (SELECT COUNT(*) FROM enrolments x "
        "WHERE x.edition_id = e.id AND x.state = 'waitlisted')");

static int teardown(void **state)
{
	struct fixture *f = *state;
	int64_t wrong = -1;
	int rc = db_query_row(f->db, &stmt_waiting_wrong, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&wrong), DBC_END}, f->arena);
	if (rc || wrong != 0)
		fprintf(stderr, "teardown: %lld editions whose waiting is not their waitlist (rc %d)\n",
		        (long long)wrong, rc);
	arena_free(f->arena);
	db_close(f->db);
	free(f);
	return rc || wrong != 0 ? -1 : 0;
}

static void seats_waitlist_and_the_freed_seat(void **state)
{
	struct fixture *f = *state;
	int64_t ed = new_edition(f, f->module, 2, 30, 0);
	int64_t a = enrol_as(f, ed, f->ann, ENROL_ENROLLED);
	enrol_as(f, ed, f->bob, ENROL_ENROLLED);
	struct enrol_result r;
	const char *why = NULL;
	as_learner(f, f->cas);
	assert_int_equal(enrol_self(&f->ctx, ed, &r, &why), 0);
	assert_int_equal(r.state, ENROL_WAITLISTED);
	assert_int_equal(r.waitlist_pos, 1);
	int64_t c = r.enrolment_id;
	enrol_as(f, ed, f->dirk, ENROL_WAITLISTED);
	assert_int_equal(seats(f, ed), 2);

	/* Twice: refused, nothing added. */
	int64_t rows = one(f, &stmt_t_rows, (const struct db_param[]){DBP_END});
	as_learner(f, f->ann);
	assert_int_equal(enrol_self(&f->ctx, ed, &r, &why), CAMPUS_ECONFLICT);
	assert_non_null(why);
	assert_int_equal(one(f, &stmt_t_rows, (const struct db_param[]){DBP_END}), rows);

	/* The first cancels: the first waiting gets the seat at once. */
	assert_int_equal(enrol_cancel(&f->ctx, a, NULL, &why), 0);
	assert_string_equal(state_of(f, a), "cancelled");
	assert_string_equal(state_of(f, c), "enrolled");
	assert_int_equal(states(f, ed, "waitlisted"), 1);
	assert_int_equal(seats(f, ed), 2);
	assert_int_equal(one(f, &stmt_t_notes, (const struct db_param[]){DBP_INT(f->cas), DBP_TEXT("enrol.enrolled"), DBP_END}), 1);
	assert_true(one(f, &stmt_t_ics, (const struct db_param[]){DBP_INT(f->cas), DBP_END}) >= 1);
	assert_true(one(f, &stmt_t_events, (const struct db_param[]){DBP_INT(c), DBP_END}) == 2);

	/* Reading back. */
	struct enrolment *mine;
	size_t n;
	as_learner(f, f->cas);
	assert_int_equal(enrol_list_mine(&f->ctx, &mine, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(mine[0].state, ENROL_ENROLLED);
	assert_true(mine[0].may_cancel);
	struct edition e;
	assert_int_equal(edition_get(&f->ctx, ed, &e), 0);
	assert_int_equal(e.seats_left, 0);
	assert_int_equal(e.waitlisted, 1);
	assert_int_equal(e.nmeetings, 2);
	assert_true(e.open_now);

	/* After the deadline the learner can no longer cancel a seat; a manager can, with a reason. */
	clock_value += 28 * DAY;
	as_learner(f, f->cas);
	assert_int_equal(enrol_cancel(&f->ctx, c, NULL, &why), CAMPUS_ECONFLICT);
	assert_string_equal(state_of(f, c), "enrolled");
	as_manager(f);
	assert_int_equal(enrol_cancel(&f->ctx, c, "", &why), CAMPUS_EINVAL);
	assert_int_equal(enrol_cancel(&f->ctx, c, "Ziek gemeld", &why), 0);
	assert_int_equal(states(f, ed, "waitlisted"), 0);
	assert_int_equal(states(f, ed, "enrolled"), 2);
}

static void offers_are_answered_or_lapse(void **state)
{
	struct fixture *f = *state;
	int64_t ed = new_edition(f, f->module, 1, 30, 24);
	int64_t a = enrol_as(f, ed, f->ann, ENROL_ENROLLED);
	int64_t b = enrol_as(f, ed, f->bob, ENROL_WAITLISTED);
	int64_t c = enrol_as(f, ed, f->cas, ENROL_WAITLISTED);
	const char *why = NULL;
	as_learner(f, f->ann);
	assert_int_equal(enrol_cancel(&f->ctx, a, NULL, &why), 0);
	assert_string_equal(state_of(f, b), "offered");
	assert_int_equal(seats(f, ed), 1);
	/* Someone else cannot take bob's offer. */
	as_learner(f, f->cas);
	assert_int_equal(enrol_offer_answer(&f->ctx, b, true, &why), CAMPUS_ENOTFOUND);
	/* Bob lets it lapse: the next is offered. */
	clock_value += 25 * HOUR;
	struct enrol_tick_counts tc;
	as(f, 0, 0, 0);
	f->ctx.actor.flags = ACTOR_SYSTEM;
	assert_int_equal(enrol_tick(&f->ctx, &tc), 0);
	assert_int_equal(tc.offers_lapsed, 1);
	assert_string_equal(state_of(f, b), "expired");
	assert_string_equal(state_of(f, c), "offered");
	as_learner(f, f->cas);
	assert_int_equal(enrol_offer_answer(&f->ctx, c, true, &why), 0);
	assert_string_equal(state_of(f, c), "enrolled");
	assert_int_equal(seats(f, ed), 1);
}

static void refusals_change_nothing(void **state)
{
	struct fixture *f = *state;
	struct enrol_result r;
	const char *why = NULL;
	int64_t ed = new_edition(f, f->module, 5, 30, 0);
	int64_t paid = new_edition(f, f->paid_module, 5, 30, 0);
	int64_t rows = one(f, &stmt_t_rows, (const struct db_param[]){DBP_END});

	as_learner(f, f->ann);
	assert_int_equal(enrol_self(&f->ctx, 999999, &r, &why), CAMPUS_ENOTFOUND);
	/* Employees only. */
	as_learner(f, f->vol);
	assert_int_equal(enrol_self(&f->ctx, paid, &r, &why), CAMPUS_EFORBIDDEN);
	assert_non_null(why);
	/* Not logged in. */
	as(f, 0, 0, 0);
	assert_int_equal(enrol_self(&f->ctx, ed, &r, &why), CAMPUS_EUNAUTH);
	/* Another library's member may not be enrolled by this manager. */
	as_manager(f);
	assert_int_equal(enrol_for_member(&f->ctx, ed, f->other, &r, &why), CAMPUS_EFORBIDDEN);
	/* Cancelled edition. */
	as_owner(f);
	assert_int_equal(edition_cancel(&f->ctx, ed, "", &why), CAMPUS_EINVAL);
	assert_int_equal(edition_cancel(&f->ctx, ed, "Te weinig aanmeldingen", &why), 0);
	as_learner(f, f->ann);
	assert_int_equal(enrol_self(&f->ctx, ed, &r, &why), CAMPUS_ECONFLICT);
	/* Started. */
	clock_value += 31 * DAY;
	assert_int_equal(enrol_self(&f->ctx, paid, &r, &why), CAMPUS_ECONFLICT);
	assert_int_equal(one(f, &stmt_t_rows, (const struct db_param[]){DBP_END}), rows);
	/* Someone else's enrolment is not found. */
	clock_value = T0;
	int64_t ed2 = new_edition(f, f->module, 5, 30, 0);
	int64_t mine = enrol_as(f, ed2, f->ann, ENROL_ENROLLED);
	as(f, f->other, f->lib2, ROLE_LEARNER);
	assert_int_equal(enrol_cancel(&f->ctx, mine, NULL, &why), CAMPUS_ENOTFOUND);
	struct enrolment x;
	assert_int_equal(enrol_get(&f->ctx, mine, &x), CAMPUS_ENOTFOUND);
	as(f, f->manager, f->lib2, ROLE_MANAGER); /* a manager, but working elsewhere */
	assert_int_equal(enrol_cancel(&f->ctx, mine, "x", &why), CAMPUS_ENOTFOUND);
	assert_string_equal(state_of(f, mine), "enrolled");
	/* The plan itself: no meetings, a bad link, too few seats. */
	struct edition_input in = {.capacity = 5, .price_cents = -1, .online_url = "javascript:alert(1)"};
	struct edition_problems pr;
	int64_t id;
	as_owner(f);
	assert_int_equal(edition_create(&f->ctx, f->module, &in, &id, &pr), CAMPUS_EINVAL);
	assert_non_null(pr.meetings);
	assert_non_null(pr.online_url);
	as(f, f->other, f->lib2, ROLE_LEARNER);
	assert_int_equal(edition_create(&f->ctx, f->module, &in, &id, &pr), CAMPUS_EFORBIDDEN);
	/* E-learning: always open, no meetings. */
	struct edition_input always = {.always_open = true, .price_cents = -1};
	as_owner(f);
	assert_int_equal(edition_create(&f->ctx, f->elearning, &always, &id, &pr), 0);
	enrol_as(f, id, f->ann, ENROL_ENROLLED);
}

static void approval_second_step_and_budget(void **state)
{
	struct fixture *f = *state;
	const char *why = NULL;
	struct enrol_result r;
	as_manager(f);
	struct enrol_policy pol = {.approval = "cost", .budgets = true, .remind_days = 3, .expire_days = 14};
	assert_int_equal(enrol_policy_set(&f->ctx, f->lib, &pol, &why), 0);
	assert_int_equal(budget_set_default(&f->ctx, f->lib, 2026, "employee", 50000, &why), 0);
	assert_int_equal(budget_set_default(&f->ctx, f->lib, 2027, "employee", 50000, &why), 0);
	int64_t ed = new_edition(f, f->paid_module, 10, 30, 0);
	int64_t ed2 = new_edition(f, f->paid_module, 10, 40, 0);

	int64_t a = enrol_as(f, ed, f->ann, ENROL_REQUESTED);
	struct enrolment *box;
	size_t n;
	as_manager(f);
	assert_int_equal(enrol_list_approvals(&f->ctx, &box, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(box[0].id, a);
	/* The learner cannot approve themselves; refusal needs a reason. */
	as_learner(f, f->ann);
	assert_int_equal(enrol_decide(&f->ctx, a, true, NULL, &why), CAMPUS_EFORBIDDEN);
	as_manager(f);
	assert_int_equal(enrol_decide(&f->ctx, a, false, " ", &why), CAMPUS_EINVAL);
	assert_int_equal(enrol_decide(&f->ctx, a, true, NULL, &why), 0);
	assert_string_equal(state_of(f, a), "enrolled");
	int64_t amount, reserved, spent;
	budget(f, f->ann, &amount, &reserved, &spent);
	assert_int_equal(amount, 50000);
	assert_int_equal(reserved, 35000);

	/* Second request: 350 of 150 left. Approval cannot reserve it. */
	int64_t b = enrol_as(f, ed2, f->ann, ENROL_REQUESTED);
	as_manager(f);
	assert_int_equal(enrol_decide(&f->ctx, b, true, NULL, &why), CAMPUS_ECONFLICT);
	assert_string_equal(state_of(f, b), "requested");
	budget(f, f->ann, &amount, &reserved, &spent);
	assert_int_equal(reserved, 35000);
	/* A personal amount below what is committed is refused; above it helps. */
	assert_int_equal(budget_set_person(&f->ctx, f->lib, f->ann, 2026, 20000, &why), CAMPUS_ECONFLICT);
	assert_int_equal(budget_set_person(&f->ctx, f->lib, f->ann, 2026, 80000, &why), 0);
	assert_int_equal(enrol_decide(&f->ctx, b, true, NULL, &why), 0);
	budget(f, f->ann, &amount, &reserved, &spent);
	assert_int_equal(reserved, 70000);
	struct budget_row *rows, totals;
	assert_int_equal(budget_list(&f->ctx, f->lib, 2026, &rows, &n, &totals), 0);
	assert_true(n >= 7);
	assert_int_equal(totals.reserved_cents, 70000);

	/* Cancelling releases the money. */
	as_learner(f, f->ann);
	assert_int_equal(enrol_cancel(&f->ctx, b, NULL, &why), 0);
	budget(f, f->ann, &amount, &reserved, &spent);
	assert_int_equal(reserved, 35000);

	/* Second step: the budget holder decides after the manager. */
	as_manager(f);
	pol.second_approver_id = f->ann; /* a learner cannot be the second step */
	assert_int_equal(enrol_policy_set(&f->ctx, f->lib, &pol, &why), CAMPUS_EINVAL);
	pol.second_approver_id = f->second;
	assert_int_equal(enrol_policy_set(&f->ctx, f->lib, &pol, &why), 0);
	int64_t c = enrol_as(f, ed, f->bob, ENROL_REQUESTED);
	as_manager(f);
	assert_int_equal(enrol_decide(&f->ctx, c, true, NULL, &why), 0);
	assert_string_equal(state_of(f, c), "requested");
	as(f, f->second, f->lib, ROLE_MANAGER);
	assert_int_equal(enrol_list_approvals(&f->ctx, &box, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(enrol_decide(&f->ctx, c, true, NULL, &why), 0);
	assert_string_equal(state_of(f, c), "enrolled");

	/* A refused request, then an expired one. */
	int64_t d = enrol_as(f, ed, f->cas, ENROL_REQUESTED);
	as_manager(f);
	assert_int_equal(enrol_decide(&f->ctx, d, false, "Past niet in het opleidingsplan", &why), 0);
	assert_string_equal(state_of(f, d), "refused");
	int64_t e = enrol_as(f, ed, f->dirk, ENROL_REQUESTED);
	clock_value += 15 * DAY;
	struct enrol_tick_counts tc;
	as(f, 0, 0, 0);
	f->ctx.actor.flags = ACTOR_SYSTEM;
	assert_int_equal(enrol_tick(&f->ctx, &tc), 0);
	assert_int_equal(tc.requests_expired, 1);
	assert_string_equal(state_of(f, e), "expired");

	/* Completion settles the reserved price. */
	clock_value += 20 * DAY;
	struct enrol_result_mark done = {.enrolment_id = a, .outcome = RESULT_COMPLETED, .grade = "8"};
	as(f, f->teacher, f->prov, ROLE_TEACHER);
	assert_int_equal(enrol_results_set(&f->ctx, ed, &done, 1, ATTEND_WEB, NULL, &why), 0);
	assert_string_equal(state_of(f, a), "completed");
	budget(f, f->ann, &amount, &reserved, &spent);
	assert_int_equal(reserved, 0);
	assert_int_equal(spent, 35000);
	(void)r;
}

static void reservations_and_moves(void **state)
{
	struct fixture *f = *state;
	const char *why = NULL;
	int64_t ed = new_edition(f, f->module, 3, 30, 0);
	as_owner(f);
	assert_int_equal(edition_reserve(&f->ctx, ed, f->lib, 2, &why), 0);
	assert_int_equal(seats(f, ed), 2);
	/* Someone from elsewhere gets the one free seat, the next waits. */
	as(f, f->other, f->lib2, ROLE_LEARNER);
	struct enrol_result r;
	assert_int_equal(enrol_self(&f->ctx, ed, &r, &why), 0);
	assert_int_equal(r.state, ENROL_ENROLLED);
	int64_t outsider2 = person(f, "fem@eindhoven.test", f->lib2, "employee", ROLE_LEARNER);
	as(f, outsider2, f->lib2, ROLE_LEARNER);
	assert_int_equal(enrol_self(&f->ctx, ed, &r, &why), 0);
	assert_int_equal(r.state, ENROL_WAITLISTED);
	int64_t waiting = r.enrolment_id;
	/* Utrecht's people use the held seats. */
	enrol_as(f, ed, f->ann, ENROL_ENROLLED);
	assert_int_equal(seats(f, ed), 3);
	/* The manager gives back the unused held seat: the waiting one gets it. */
	as_manager(f);
	assert_int_equal(edition_reserve(&f->ctx, ed, f->lib, 0, &why), 0);
	assert_string_equal(state_of(f, waiting), "enrolled");
	assert_int_equal(seats(f, ed), 3);
	/* More than is free cannot be held. */
	int64_t full = new_edition(f, f->module, 1, 30, 0);
	int64_t b = enrol_as(f, full, f->bob, ENROL_ENROLLED);
	int64_t c = enrol_as(f, full, f->cas, ENROL_WAITLISTED);
	as_manager(f);
	assert_int_equal(edition_reserve(&f->ctx, full, f->lib, 1, &why), CAMPUS_ECONFLICT);
	assert_int_equal(edition_reserve(&f->ctx, full, f->lib, 2, &why), CAMPUS_EINVAL);
	assert_int_equal(seats(f, full), 1);

	/* A manager moves a booking to another edition of the same module. */
	int64_t later = new_edition(f, f->module, 3, 45, 0);
	as_manager(f);
	struct enrol_result moved;
	assert_int_equal(enrol_move(&f->ctx, b, later, &moved, &why), 0);
	assert_int_equal(moved.state, ENROL_ENROLLED);
	assert_string_equal(state_of(f, b), "cancelled");
	assert_string_equal(state_of(f, c), "enrolled");
	assert_int_equal(enrol_move(&f->ctx, c, f->paid_module, &moved, &why), CAMPUS_EINVAL);
}

static void attendance_checkin_and_results(void **state)
{
	struct fixture *f = *state;
	const char *why = NULL;
	int64_t ed = new_edition(f, f->module, 5, 2, 0);
	int64_t a = enrol_as(f, ed, f->ann, ENROL_ENROLLED);
	int64_t b = enrol_as(f, ed, f->bob, ENROL_ENROLLED);
	struct edition e;
	as_owner(f);
	assert_int_equal(edition_get(&f->ctx, ed, &e), 0);
	int64_t m1 = e.meetings[0].id;

	/* A row for someone not booked refuses the whole list. */
	struct attendance_mark marks[3] = {{.enrolment_id = a, .present = true},
	                                   {.person_email = "Bob@Utrecht.test", .present = false},
	                                   {.person_email = "onbekend@nergens.test", .present = true}};
	struct attendance_outcome out[3];
	clock_value += 2 * DAY;
	as(f, f->teacher, f->prov, ROLE_TEACHER);
	assert_int_equal(enrol_attendance_set(&f->ctx, m1, marks, 3, ATTEND_CSV, out, &why), CAMPUS_EINVAL);
	assert_null(out[0].why);
	assert_null(out[1].why);
	assert_non_null(out[2].why);
	assert_int_equal(one(f, &stmt_t_attendance, (const struct db_param[]){DBP_BOOL(true), DBP_END}), 0);
	assert_int_equal(enrol_attendance_set(&f->ctx, m1, marks, 2, ATTEND_CSV, out, &why), 0);
	assert_string_equal(state_of(f, a), "attended");
	assert_string_equal(state_of(f, b), "enrolled");
	/* Someone who teaches nothing here cannot. */
	as(f, f->other, f->lib2, ROLE_LEARNER);
	assert_int_equal(enrol_attendance_set(&f->ctx, m1, marks, 1, ATTEND_WEB, out, &why), CAMPUS_ENOTFOUND);

	/* QR: bob checks in himself during the meeting. */
	char token[ENROL_CHECKIN_TOKEN_LEN + 1];
	as(f, f->teacher, f->prov, ROLE_TEACHER);
	assert_int_equal(enrol_checkin_token(&f->ctx, m1, token, &why), 0);
	int64_t meeting;
	as_learner(f, f->cas);
	assert_int_equal(enrol_checkin(&f->ctx, token, &meeting, &why), CAMPUS_EFORBIDDEN);
	as_learner(f, f->bob);
	assert_int_equal(enrol_checkin(&f->ctx, "x", &meeting, &why), CAMPUS_ENOTFOUND);
	assert_int_equal(enrol_checkin(&f->ctx, token, &meeting, &why), 0);
	assert_int_equal(meeting, m1);
	assert_string_equal(state_of(f, b), "attended");
	clock_value += 10 * DAY; /* long after: the code no longer works */
	assert_int_equal(enrol_checkin(&f->ctx, token, &meeting, &why), CAMPUS_ECONFLICT);

	/* The grid shows it. */
	struct enrolment *people;
	size_t n;
	int *grid;
	as_owner(f);
	assert_int_equal(enrol_list_edition(&f->ctx, ed, &people, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(enrol_attendance_grid(&f->ctx, ed, people, n, &grid), 0);
	assert_int_equal(grid[0 * 2 + 0], 1);
	assert_int_equal(grid[0 * 2 + 1], -1);

	/* Results, all or nothing. */
	struct enrol_result_mark res[2] = {{.enrolment_id = a, .outcome = RESULT_COMPLETED},
	                                   {.enrolment_id = b, .outcome = RESULT_NOT_COMPLETED,
	                                    .grade = "veel te lang cijfer voor dit veld"}};
	assert_int_equal(enrol_results_set(&f->ctx, ed, res, 2, ATTEND_WEB, out, &why), CAMPUS_EINVAL);
	assert_string_equal(state_of(f, a), "attended");
	res[1].grade = "5";
	assert_int_equal(enrol_results_set(&f->ctx, ed, res, 2, ATTEND_API, out, &why), 0);
	assert_string_equal(state_of(f, a), "completed");
	assert_string_equal(state_of(f, b), "not_completed");
	/* A completion is not changed here (the points ledger corrects). */
	res[0].outcome = RESULT_NO_SHOW;
	assert_int_equal(enrol_results_set(&f->ctx, ed, res, 1, ATTEND_WEB, out, &why), CAMPUS_EINVAL);
}

/* ---- many connections at once ---- */

#define STORM_THREADS 8
#define STORM_EACH 20
#define STORM_SEATS 50

struct storm {
	const char *url;
	int64_t edition, lib;
	int64_t people[STORM_THREADS * STORM_EACH];
	int errors;
	int index;
};

static void *storm_thread(void *arg)
{
	struct storm *s = ((struct storm **)arg)[0];
	int k = (int)(intptr_t)((void **)arg)[1];
	struct db_conn *db;
	if (db_open(s->url, 0, &db, NULL) != 0) {
		__atomic_add_fetch(&s->errors, STORM_EACH, __ATOMIC_SEQ_CST);
		return NULL;
	}
	struct arena *arena = arena_new(0);
	for (int i = 0; i < STORM_EACH; i++) {
		struct ctx ctx = {.db = db, .arena = arena, .now = test_now};
		ctx.actor = (struct actor){.person_id = s->people[k * STORM_EACH + i], .org_id = s->lib,
		                           .roles = ROLE_LEARNER};
		struct enrol_result r;
		const char *why;
		if (enrol_self(&ctx, s->edition, &r, &why) != 0)
			__atomic_add_fetch(&s->errors, 1, __ATOMIC_SEQ_CST);
		arena_reset(arena);
	}
	arena_free(arena);
	db_close(db);
	return NULL;
}

static void many_connections_never_overbook(void **state)
{
	struct fixture *f = *state;
	struct storm *s = calloc(1, sizeof *s);
	s->url = f->url;
	s->lib = f->lib;
	s->edition = new_edition(f, f->module, STORM_SEATS, 30, 0);
	for (int i = 0; i < STORM_THREADS * STORM_EACH; i++) {
		char email[64];
		snprintf(email, sizeof email, "storm%d@utrecht.test", i);
		s->people[i] = person(f, email, f->lib, "employee", ROLE_LEARNER);
	}
	pthread_t t[STORM_THREADS];
	void *args[STORM_THREADS][2];
	for (int k = 0; k < STORM_THREADS; k++) {
		args[k][0] = s;
		args[k][1] = (void *)(intptr_t)k;
		assert_int_equal(pthread_create(&t[k], NULL, storm_thread, args[k]), 0);
	}
	for (int k = 0; k < STORM_THREADS; k++)
		pthread_join(t[k], NULL);
	assert_int_equal(s->errors, 0);
	assert_int_equal(states(f, s->edition, "enrolled"), STORM_SEATS);
	assert_int_equal(states(f, s->edition, "waitlisted"), STORM_THREADS * STORM_EACH - STORM_SEATS);
	assert_int_equal(seats(f, s->edition), STORM_SEATS);
	/* Positions in arrival order, none shared. */
	assert_int_equal(one(f, &stmt_t_distinct_pos, (const struct db_param[]){DBP_INT(s->edition), DBP_END}),
	                 STORM_THREADS * STORM_EACH - STORM_SEATS);
	assert_int_equal(one(f, &stmt_t_wait_order, (const struct db_param[]){DBP_INT(s->edition), DBP_END}), 0);
	free(s);
}

/* ---- enrolling together: one transaction for many (enrol_queue.c) ---- */

struct member_call {
	struct ctx ctx;
	struct enrol_result out;
	const char *why;
	struct enrol_req req;
};

static void call_for(struct fixture *f, struct member_call *c, int64_t edition, int64_t who)
{
	c->ctx = (struct ctx){.db = NULL, .arena = f->arena, .now = test_now};
	c->ctx.actor = (struct actor){.person_id = who, .org_id = f->lib, .roles = ROLE_LEARNER};
	c->why = NULL;
	c->req = (struct enrol_req){.ctx = &c->ctx, .edition_id = edition, .org_id = f->lib,
	                            .out = &c->out, .why = &c->why};
}

/* enrol_self reports the learner's bookings whose meetings overlap the new
 * one: enrolled and waitlisted places count, a cancelled one does not. */
static void overlapping_bookings_are_reported(void **state)
{
	struct fixture *f = *state;
	int64_t first = new_edition(f, f->module, 1, 30, 0);
	int64_t same_time = new_edition(f, f->module, 5, 30, 0);
	int64_t later = new_edition(f, f->module, 5, 60, 0);
	int64_t bob_first = enrol_as(f, first, f->bob, ENROL_ENROLLED);
	int64_t ann_first = enrol_as(f, first, f->ann, ENROL_WAITLISTED);
	struct enrol_result r;
	const char *why = NULL;
	int64_t who[2] = {f->bob, f->ann}, booked[2] = {bob_first, ann_first};
	for (int i = 0; i < 2; i++) {
		as_learner(f, who[i]);
		assert_int_equal(enrol_self(&f->ctx, same_time, &r, &why), 0);
		assert_true(r.nconflicts >= 1);
		assert_int_equal(r.conflicts[0].enrolment_id, booked[i]);
		assert_int_equal(r.conflicts[0].edition_id, first);
	}
	as_learner(f, f->bob);
	assert_int_equal(enrol_self(&f->ctx, later, &r, &why), 0);
	assert_int_equal(r.nconflicts, 0);
	/* Once cancelled, a waitlist place no longer overlaps. */
	int64_t cas_first = enrol_as(f, first, f->cas, ENROL_WAITLISTED);
	as_learner(f, f->cas);
	assert_int_equal(enrol_cancel(&f->ctx, cas_first, "", &why), 0);
	assert_int_equal(enrol_self(&f->ctx, same_time, &r, &why), 0);
	assert_int_equal(r.nconflicts, 0);
}

static void a_refusal_in_a_batch_leaves_the_others(void **state)
{
	struct fixture *f = *state;
	int64_t ed = new_edition(f, f->module, 2, 30, 0);
	enrol_as(f, ed, f->ann, ENROL_ENROLLED);
	int64_t other = new_edition(f, f->module, 2, 30, 0);
	/* Bob takes the last seat; Ann is already in; Cas waits; Bob again in
	 * the same batch; Dirk waits after Cas. */
	struct member_call c[5];
	int64_t who[5] = {f->bob, f->ann, f->cas, f->bob, f->dirk};
	struct enrol_req *reqs[5];
	for (int i = 0; i < 5; i++) {
		call_for(f, &c[i], ed, who[i]);
		reqs[i] = &c[i].req;
	}
	/* Enrolment ids come round again on SQLite after the tables are emptied. */
	int64_t audit_top = one(f, &stmt_t_audit_top, (const struct db_param[]){DBP_END});
	assert_int_equal(enrol_batch_run(f->db, reqs, 5), 0);
	assert_int_equal(c[0].req.rc, 0);
	assert_int_equal(c[0].out.state, ENROL_ENROLLED);
	assert_int_equal(c[1].req.rc, CAMPUS_ECONFLICT);
	assert_non_null(c[1].why);
	assert_int_equal(c[1].out.enrolment_id, 0);
	assert_int_equal(c[2].req.rc, 0);
	assert_int_equal(c[2].out.state, ENROL_WAITLISTED);
	assert_int_equal(c[3].req.rc, CAMPUS_ECONFLICT);
	assert_string_equal(c[3].why, "Je bent al ingeschreven voor deze uitvoering.");
	assert_int_equal(c[4].req.rc, 0);
	assert_int_equal(c[4].out.state, ENROL_WAITLISTED);
	/* Places among those waiting, as enrol_self reports them. */
	assert_true(c[2].req.placed && c[4].req.placed);
	assert_int_equal(c[2].out.waitlist_pos, 1);
	assert_int_equal(c[4].out.waitlist_pos, 2);
	assert_true(c[0].out.enrolment_id < c[2].out.enrolment_id);
	assert_true(c[2].out.enrolment_id < c[4].out.enrolment_id);
	assert_int_equal(states(f, ed, "enrolled"), 2);
	assert_int_equal(states(f, ed, "waitlisted"), 2);
	assert_int_equal(seats(f, ed), 2);
	/* Each written as its own learner, each told. */
	assert_int_equal(one(f, &stmt_t_by_self, (const struct db_param[]){DBP_INT(ed), DBP_END}), 4);
	assert_int_equal(one(f, &stmt_t_notes, (const struct db_param[]){DBP_INT(f->bob),
	                                                                 DBP_TEXT("enrol.enrolled"), DBP_END}),
	                 1);
	assert_int_equal(one(f, &stmt_t_notes, (const struct db_param[]){DBP_INT(f->dirk),
	                                                                 DBP_TEXT("enrol.waitlisted"), DBP_END}),
	                 1);
	/* Each audited as its own learner; the mails as one would send them,
	 * the invitation's bytes (CRLF lines) kept. */
	for (int i = 0; i < 5; i += 2) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)c[i].out.enrolment_id);
		assert_int_equal(one(f, &stmt_t_audited,
		                     (const struct db_param[]){DBP_TEXT(i ? "enrol.waitlisted" : "enrol.enrolled"),
		                                               DBP_INT(who[i]), DBP_TEXT(id), DBP_INT(audit_top),
		                                               DBP_END}),
		                 1);
	}
	char *subject, *text, *name;
	unsigned char *ics;
	size_t ics_len;
	bool no_ics;
	assert_int_equal(db_query_row(f->db, &stmt_t_mail, (const struct db_param[]){DBP_INT(f->bob), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&subject), DBC_TEXT(&text), DBC_TEXT(&name),
	                                                      DBC_BLOB_OPT(&ics, &ics_len, &no_ics), DBC_END},
	                              f->arena),
	                 0);
	assert_string_equal(name, "uitnodiging.ics");
	assert_false(no_ics);
	char *cal = arena_strndup(f->arena, (const char *)ics, ics_len);
	assert_non_null(strstr(cal, "BEGIN:VCALENDAR\r\n"));
	assert_non_null(strstr(cal, "METHOD:REQUEST\r\n"));
	assert_non_null(strstr(cal, "ATTENDEE"));
	assert_non_null(strstr(text, "/mijn/leren#inschrijving-"));
	assert_int_equal(db_query_row(f->db, &stmt_t_mail, (const struct db_param[]){DBP_INT(f->dirk), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&subject), DBC_TEXT(&text), DBC_TEXT(&name),
	                                                      DBC_BLOB_OPT(&ics, &ics_len, &no_ics), DBC_END},
	                              f->arena),
	                 0);
	assert_string_equal(name, "");
	assert_true(no_ics);
	assert_non_null(strstr(subject, "wachtlijst"));
	/* One batch holds one edition. */
	call_for(f, &c[0], other, f->vol);
	reqs[1] = &c[1].req;
	assert_int_equal(enrol_batch_run(f->db, reqs, 2), CAMPUS_EINTERNAL);
	struct audit_verify_result v;
	assert_int_equal(audit_verify(f->db, f->arena, &v), 0);
	assert_null(v.reason);
}

/* A failure that is not a refusal (here: one learner's arena runs out)
 * undoes the whole batch; run alone, as the queue then does, each gets its
 * own answer and nobody is enrolled twice. */
static void a_failed_batch_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	int64_t ed = new_edition(f, f->module, 5, 30, 0);
	int64_t rows = one(f, &stmt_t_rows, (const struct db_param[]){DBP_END});
	struct member_call c[3];
	int64_t who[3] = {f->ann, f->bob, f->cas};
	struct enrol_req *reqs[3];
	for (int i = 0; i < 3; i++) {
		call_for(f, &c[i], ed, who[i]);
		reqs[i] = &c[i].req;
	}
	struct arena *tiny = arena_new(256);
	assert_non_null(tiny);
	c[1].ctx.arena = tiny;
	assert_int_not_equal(enrol_batch_run(f->db, reqs, 3), 0);
	assert_null(c[1].why);
	assert_int_equal(one(f, &stmt_t_rows, (const struct db_param[]){DBP_END}), rows);
	assert_int_equal(seats(f, ed), 0);
	c[1].ctx.arena = f->arena;
	for (int i = 0; i < 3; i++) {
		c[i].ctx.db = f->db;
		assert_int_equal(enrol_one(&c[i].req), 0);
		assert_int_equal(c[i].out.state, ENROL_ENROLLED);
	}
	assert_int_equal(states(f, ed, "enrolled"), 3);
	assert_int_equal(seats(f, ed), 3);
	/* Once more alone: refused, not doubled. */
	assert_int_equal(enrol_one(&c[0].req), CAMPUS_ECONFLICT);
	assert_int_equal(states(f, ed, "enrolled"), 3);
	struct audit_verify_result v;
	assert_int_equal(audit_verify(f->db, f->arena, &v), 0);
	assert_null(v.reason);
	arena_free(tiny);
}

#define SHARED_THREADS 32
#define SHARED_EACH 8
#define SHARED_SEATS 40

struct shared {
	const char *url;
	int64_t edition, lib;
	int64_t people[SHARED_THREADS * SHARED_EACH];
	int64_t got[SHARED_THREADS * SHARED_EACH]; /* enrolment ids */
	pthread_barrier_t start;
	int errors;
};

struct shared_arg {
	struct shared *s;
	int k;
};

static void *shared_thread(void *arg)
{
	struct shared_arg *a = arg;
	struct shared *s = a->s;
	struct db_conn *db = NULL;
	int opened = db_open(s->url, 0, &db, NULL);
	struct arena *arena = arena_new(0);
	pthread_barrier_wait(&s->start);
	for (int i = 0; i < SHARED_EACH && opened == 0; i++) {
		int at = a->k * SHARED_EACH + i;
		struct ctx ctx = {.db = db, .arena = arena, .now = test_now};
		ctx.actor = (struct actor){.person_id = s->people[at], .org_id = s->lib, .roles = ROLE_LEARNER};
		struct enrol_result r;
		const char *why;
		if (enrol_self(&ctx, s->edition, &r, &why) == 0)
			s->got[at] = r.enrolment_id;
		else
			__atomic_add_fetch(&s->errors, 1, __ATOMIC_SEQ_CST);
		arena_reset(arena);
	}
	if (opened)
		__atomic_add_fetch(&s->errors, SHARED_EACH, __ATOMIC_SEQ_CST);
	arena_free(arena);
	db_close(db);
	return NULL;
}

DB_STMT(stmt_t_rank,
        "SELECT CASE state WHEN 'enrolled' THEN 0 ELSE waitlist_pos END FROM enrolments WHERE id = $1");

static void one_process_shares_commits(void **state)
{
	struct fixture *f = *state;
	struct shared *s = calloc(1, sizeof *s);
	s->url = f->url;
	s->lib = f->lib;
	s->edition = new_edition(f, f->module, SHARED_SEATS, 30, 0);
	int total = SHARED_THREADS * SHARED_EACH;
	for (int i = 0; i < total; i++) {
		char email[64];
		snprintf(email, sizeof email, "samen%d@utrecht.test", i);
		s->people[i] = person(f, email, f->lib, "employee", ROLE_LEARNER);
	}
	struct enrol_queue_stats q0, q1;
	enrol_queue_stats(&q0);
	pthread_barrier_init(&s->start, NULL, SHARED_THREADS);
	pthread_t t[SHARED_THREADS];
	struct shared_arg args[SHARED_THREADS];
	for (int k = 0; k < SHARED_THREADS; k++) {
		args[k] = (struct shared_arg){s, k};
		assert_int_equal(pthread_create(&t[k], NULL, shared_thread, &args[k]), 0);
	}
	for (int k = 0; k < SHARED_THREADS; k++)
		pthread_join(t[k], NULL);
	pthread_barrier_destroy(&s->start);
	enrol_queue_stats(&q1);
	assert_int_equal(s->errors, 0);
	assert_int_equal(states(f, s->edition, "enrolled"), SHARED_SEATS);
	assert_int_equal(states(f, s->edition, "waitlisted"), total - SHARED_SEATS);
	assert_int_equal(seats(f, s->edition), SHARED_SEATS);
	assert_int_equal(one(f, &stmt_t_distinct_pos, (const struct db_param[]){DBP_INT(s->edition), DBP_END}),
	                 total - SHARED_SEATS);
	assert_int_equal(one(f, &stmt_t_wait_order, (const struct db_param[]){DBP_INT(s->edition), DBP_END}), 0);
	assert_int_equal(one(f, &stmt_t_seats_first, (const struct db_param[]){DBP_INT(s->edition), DBP_END}), 0);
	assert_int_equal(one(f, &stmt_t_by_self, (const struct db_param[]){DBP_INT(s->edition), DBP_END}), total);
	/* Along each thread a later request never gets an earlier place. */
	for (int k = 0; k < SHARED_THREADS; k++) {
		int64_t before = -1;
		for (int i = 0; i < SHARED_EACH; i++) {
			int64_t rank = one(f, &stmt_t_rank,
			                   (const struct db_param[]){DBP_INT(s->got[k * SHARED_EACH + i]), DBP_END});
			assert_true(before <= 0 ? rank >= before : rank > before);
			before = rank;
		}
	}
	/* Every request went through the queue, and some shared a commit. */
	assert_int_equal(q1.requests - q0.requests, (uint64_t)total);
	assert_true(q1.batches - q0.batches < (uint64_t)total);
	fprintf(stderr, "# %d enrolments in %llu commits; per enrolment in the batch: %.3f ms, %.3f ms CPU\n",
	        total, (unsigned long long)(q1.batches - q0.batches),
	        (double)(q1.wall_ns - q0.wall_ns) / 1e6 / total, (double)(q1.cpu_ns - q0.cpu_ns) / 1e6 / total);
	struct audit_verify_result v;
	assert_int_equal(audit_verify(f->db, f->arena, &v), 0);
	assert_null(v.reason);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(seats_waitlist_and_the_freed_seat, setup, teardown),
	    cmocka_unit_test_setup_teardown(offers_are_answered_or_lapse, setup, teardown),
	    cmocka_unit_test_setup_teardown(refusals_change_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(approval_second_step_and_budget, setup, teardown),
	    cmocka_unit_test_setup_teardown(reservations_and_moves, setup, teardown),
	    cmocka_unit_test_setup_teardown(attendance_checkin_and_results, setup, teardown),
	    cmocka_unit_test_setup_teardown(many_connections_never_overbook, setup, teardown),
	    cmocka_unit_test_setup_teardown(overlapping_bookings_are_reported, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_refusal_in_a_batch_leaves_the_others, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_failed_batch_leaves_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(one_process_shares_commits, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
