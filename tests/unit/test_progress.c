/* progress + credential: evidence to the points ledger and certificates on
 * the database named by CAMPUS_TEST_DB (SQLite and PostgreSQL in
 * scripts/test.sh), with a clock the tests move: a provider's result earns
 * the recognised points once, a certificate and a diploma job; a module not
 * recognised on the date earns nothing; corrections are reversal rows; the
 * database refuses changing the ledger; who sees what after a move to
 * another library; verification codes as people type them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/catalog.h"
#include "domain/credential.h"
#include "domain/ctx.h"
#include "domain/enrol.h"
#include "domain/progress.h"
#include "points_reset.h"
#include "record.h"

#define T0 1795000000 /* 2026-11-18 */
#define DAY 86400
#define HOUR 3600
static int64_t clock_value = T0;
static int64_t test_now(void) { return clock_value; }

/* Children before parents. */
DB_STMT(stmt_r0, "DELETE FROM meeting_reminders");
DB_STMT(stmt_r1, "DELETE FROM attendance");
DB_STMT(stmt_r2, "DELETE FROM enrolment_events");
DB_STMT(stmt_r3, "DELETE FROM enrolments");
DB_STMT(stmt_r4, "DELETE FROM edition_teachers");
DB_STMT(stmt_r5, "DELETE FROM edition_meetings");
DB_STMT(stmt_r6, "DELETE FROM editions");
DB_STMT(stmt_r7, "DELETE FROM budget_accounts");
DB_STMT(stmt_r8, "DELETE FROM notifications");
DB_STMT(stmt_r9, "DELETE FROM module_search");
DB_STMT(stmt_r10, "DELETE FROM module_version_tags");
DB_STMT(stmt_r11, "UPDATE modules SET working_version_id = NULL, published_version_id = NULL, recognised_version_id = NULL");
DB_STMT(stmt_r12, "DELETE FROM module_versions");
DB_STMT(stmt_r13, "DELETE FROM modules");
DB_STMT(stmt_r14, "DELETE FROM outbox");
DB_STMT(stmt_r15, "DELETE FROM memberships");
DB_STMT(stmt_r16, "DELETE FROM people");
DB_STMT(stmt_r17, "DELETE FROM organisations");

DB_STMT(stmt_t_org,
        "INSERT INTO organisations (slug, name, kind, created_at, updated_at) VALUES ($1, $1, $2, 1, 1) "
        "RETURNING id");
DB_STMT(stmt_t_person,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ($1, $1, 1, 1) RETURNING id");
DB_STMT(stmt_t_member,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at, ended_at) "
        "VALUES ($1, $2, 'employee', $3, $4, $5)");
DB_STMT(stmt_t_domain, "SELECT id FROM tax_domains WHERE position = 1");
/* What the committee's recognition leaves behind, from `from` for a year. */
DB_STMT(stmt_t_recognise,
        "UPDATE module_versions SET state = 'recognised', points_tenths = $2, "
        "recognised_load_tenths = $2, recognised_at = $3, valid_until = $4 "
        "WHERE module_id = $1");
DB_STMT(stmt_t_count, "SELECT COUNT(*) FROM points_ledger WHERE person_id = $1");
DB_STMT(stmt_t_sum, "SELECT COALESCE(SUM(points_tenths), 0) FROM points_ledger WHERE person_id = $1");
DB_STMT(stmt_t_jobs, "SELECT COUNT(*) FROM jobs WHERE kind = 'diploma.evaluate'");
DB_STMT(stmt_t_change_ledger, "UPDATE points_ledger SET points_tenths = 999");
DB_STMT(stmt_t_delete_ledger, "DELETE FROM points_ledger");
DB_STMT(stmt_t_claim,
        "INSERT INTO learning_claims (person_id, org_id, kind, title, hours_tenths, learned_at, "
        "state, created_at, updated_at) VALUES ($1, $2, 'external', 'Congres', 60, $3, "
        "'approved', $3, $3) RETURNING id");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t campus, prov, lib, lib2;
	int64_t owner, manager, manager2, ann, bob;
	int64_t module, domain;
};

static int64_t one(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t v = -1;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&v), DBC_END}, f->arena), 0);
	return v;
}

static int64_t org(struct fixture *f, const char *slug, const char *kind)
{
	return one(f, &stmt_t_org, (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(kind), DBP_END});
}

static void member(struct fixture *f, int64_t person, int64_t org_id, unsigned roles, int64_t from,
                   int64_t until)
{
	assert_int_equal(db_exec(f->db, &stmt_t_member,
	                         (const struct db_param[]){DBP_INT(person), DBP_INT(org_id), DBP_INT(roles),
	                                                   DBP_INT(from),
	                                                   until ? (struct db_param)DBP_INT(until)
	                                                         : (struct db_param)DBP_NULL,
	                                                   DBP_END},
	                         NULL),
	                 0);
}

static int64_t person(struct fixture *f, const char *email, int64_t org_id, unsigned roles)
{
	int64_t id = one(f, &stmt_t_person, (const struct db_param[]){DBP_TEXT(email), DBP_END});
	member(f, id, org_id, roles, 1, 0);
	return id;
}

static void as(struct fixture *f, int64_t who, int64_t org_id, unsigned roles)
{
	f->ctx.actor = (struct actor){.person_id = who, .org_id = org_id, .roles = roles};
}

static void as_owner(struct fixture *f) { as(f, f->owner, f->prov, ROLE_PROVIDER_ADMIN); }

static int64_t count(struct fixture *f, struct db_stmt *st, int64_t who)
{
	return one(f, st, (const struct db_param[]){DBP_INT(who), DBP_END});
}

/* A published module, recognised from `from` with `points` tenths. */
static int64_t new_module(struct fixture *f, int64_t points, int64_t from)
{
	struct module_input in = {
	    .title = "Voorlezen aan peuters", .summary = "Samen lezen", .description = "Beschrijving.",
	    .goals = "Voorlezen", .prerequisites = "", .level = "uitvoerend", .format = "classroom",
	    .language = "nl", .vat = "crkbo", .audience = "both", .place = "Utrecht",
	    .province = "Utrecht", .contact_name = "Aanbod", .contact_email = "aanbod@go.test",
	    .load_tenths = 60, .price_cents = 0, .domains = &f->domain, .ndomains = 1};
	struct module_problems pr;
	int64_t id = 0;
	const char *why = NULL;
	as_owner(f);
	assert_int_equal(module_create(&f->ctx, f->prov, 0, &in, &id, &pr), 0);
	assert_int_equal(module_publish(&f->ctx, id, &why), 0);
	if (points)
		assert_int_equal(db_exec(f->db, &stmt_t_recognise,
		                         (const struct db_param[]){DBP_INT(id), DBP_INT(points), DBP_INT(from),
		                                                   DBP_INT(from + 365 * DAY), DBP_END},
		                         NULL),
		                 0);
	return id;
}

/* An edition that ran yesterday, with `who` enrolled, and its result. */
static int64_t completed(struct fixture *f, int64_t module, int64_t who, int64_t *enrolment)
{
	struct edition_meeting_input m = {.starts_at = clock_value + DAY,
	                                  .ends_at = clock_value + DAY + 3 * HOUR, .place = "Utrecht"};
	struct edition_input in = {.capacity = 10, .price_cents = -1, .place = "Utrecht",
	                           .meetings = &m, .nmeetings = 1};
	struct edition_problems pr;
	int64_t ed = 0;
	as_owner(f);
	assert_int_equal(edition_create(&f->ctx, module, &in, &ed, &pr), 0);
	struct enrol_result r;
	const char *why = NULL;
	as(f, who, f->lib, ROLE_LEARNER);
	assert_int_equal(enrol_self(&f->ctx, ed, &r, &why), 0);
	clock_value += 2 * DAY;
	struct enrol_result_mark mark = {.enrolment_id = r.enrolment_id, .outcome = RESULT_COMPLETED,
	                                 .grade = "8"};
	struct attendance_outcome out;
	as_owner(f);
	int rc = enrol_results_set(&f->ctx, ed, &mark, 1, ATTEND_WEB, &out, &why);
	if (rc)
		fprintf(stderr, "results: %d %s %s\n", rc, why ? why : "", out.why ? out.why : "");
	assert_int_equal(rc, 0);
	if (enrolment)
		*enrolment = r.enrolment_id;
	return ed;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *url = getenv("CAMPUS_TEST_DB");
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(url ? url : "sqlite:/tmp/campus-test-progress.db", DB_OPEN_CREATE, &f->db, &err) ||
	    db_migrate(f->db, &err)) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	if (points_reset(f->db) != 0)
		return -1;
	struct db_stmt *r[] = {&stmt_r0,  &stmt_r1,  &stmt_r2,  &stmt_r3,  &stmt_r4,  &stmt_r5,
	                       &stmt_r6,  &stmt_r7,  &stmt_r8,  &stmt_r9,  &stmt_r10, &stmt_r11,
	                       &stmt_r12, &stmt_r13, &stmt_r14, &stmt_r15, &stmt_r16, &stmt_r17};
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
	f->owner = person(f, "aanbod@go.test", f->prov, ROLE_PROVIDER_ADMIN);
	f->manager = person(f, "manager@utrecht.test", f->lib, ROLE_MANAGER);
	f->manager2 = person(f, "manager@eindhoven.test", f->lib2, ROLE_MANAGER);
	f->ann = person(f, "ann@utrecht.test", f->lib, ROLE_LEARNER);
	f->bob = person(f, "bob@utrecht.test", f->lib, ROLE_LEARNER);
	f->domain = one(f, &stmt_t_domain, (const struct db_param[]){DBP_END});
	f->module = new_module(f, 40, T0 - 100 * DAY);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->arena);
	db_close(f->db);
	free(f);
	return 0;
}

static void result_earns_points_certificate_and_job(void **state)
{
	struct fixture *f = *state;
	int64_t enrolment;
	int64_t ed = completed(f, f->module, f->ann, &enrolment);
	assert_int_equal(count(f, &stmt_t_count, f->ann), 1);
	assert_int_equal(count(f, &stmt_t_sum, f->ann), 40);
	assert_int_equal(one(f, &stmt_t_jobs, (const struct db_param[]){DBP_END}), 1);

	/* The learner sees the row, with its domain, and the certificate. */
	as(f, f->ann, f->lib, ROLE_LEARNER);
	struct points_row *rows;
	size_t n;
	assert_int_equal(progress_rows(&f->ctx, f->ann, 0, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].points_tenths, 40);
	assert_int_equal(rows[0].kind, POINTS_PE);
	assert_string_equal(rows[0].source, "web");
	assert_string_equal(rows[0].registered_by_name, "aanbod@go.test");
	assert_int_equal(rows[0].ndomains, 1);
	assert_int_equal(rows[0].domains[0], f->domain);
	struct points_year *years;
	struct points_domain *domains;
	size_t ny, nd;
	assert_int_equal(progress_balances(&f->ctx, f->ann, &years, &ny, &domains, &nd), 0);
	assert_int_equal(ny, 1);
	assert_int_equal(years[0].year, 2026);
	assert_int_equal(years[0].pe_tenths, 40);
	assert_int_equal(nd, 1);
	assert_int_equal(domains[0].pe_tenths, 40);
	struct credential *creds;
	assert_int_equal(credential_list(&f->ctx, f->ann, &creds, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(creds[0].kind, CREDENTIAL_CERTIFICATE);
	assert_int_equal(creds[0].points_tenths, 40);
	assert_string_equal(creds[0].holder_name, "ann@utrecht.test");
	assert_string_equal(creds[0].title, "Voorlezen aan peuters");
	assert_string_equal(creds[0].provider_name, "go-opleidingen");
	assert_int_equal(strlen(creds[0].code), CREDENTIAL_CODE_LEN);

	/* The same evidence again, by another channel: nothing new. */
	struct record_args a = {.ctx = &f->ctx,
	                        .in = {.person_id = f->ann, .module_id = f->module, .edition_id = ed,
	                               .enrolment_id = enrolment, .source = EVIDENCE_API,
	                               .completed_at = clock_value - DAY}};
	as_owner(f);
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, record_tx, &a), 0);
	assert_true(a.out.duplicate);
	assert_int_equal(a.out.points_tenths, 40);
	assert_int_equal(a.out.certificate_id, creds[0].id);
	assert_int_equal(count(f, &stmt_t_count, f->ann), 1);

	/* The results form saved again, the same or with a new grade: the
	 * completion counts once and keeps its points. */
	struct enrol_result_mark again = {.enrolment_id = enrolment, .outcome = RESULT_COMPLETED,
	                                  .grade = "8"};
	struct attendance_outcome outcome;
	const char *why = NULL;
	assert_int_equal(enrol_results_set(&f->ctx, ed, &again, 1, ATTEND_WEB, &outcome, &why), 0);
	again.grade = "9";
	assert_int_equal(enrol_results_set(&f->ctx, ed, &again, 1, ATTEND_CSV, &outcome, &why), 0);
	assert_int_equal(count(f, &stmt_t_count, f->ann), 1);
	assert_int_equal(count(f, &stmt_t_sum, f->ann), 40);

	/* The same module again this year: recorded, no new points. */
	completed(f, f->module, f->ann, NULL);
	assert_int_equal(count(f, &stmt_t_count, f->ann), 1);
	struct completion *done;
	as(f, f->ann, f->lib, ROLE_LEARNER);
	assert_int_equal(progress_completions(&f->ctx, f->ann, &done, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(done[0].points_tenths, 0);
	assert_non_null(done[0].no_points_why);
	assert_int_equal(done[0].certificate_id, 0);
	assert_string_equal(done[1].grade, "8");

	/* Next year it counts again. */
	clock_value += 60 * DAY;
	completed(f, f->module, f->ann, NULL);
	assert_int_equal(count(f, &stmt_t_sum, f->ann), 80);
}

static void unrecognised_date_earns_nothing(void **state)
{
	struct fixture *f = *state;
	/* Recognised only from next month: a completion now is not. */
	int64_t later = new_module(f, 30, T0 + 30 * DAY);
	completed(f, later, f->bob, NULL);
	assert_int_equal(count(f, &stmt_t_count, f->bob), 0);
	struct completion *done;
	size_t n;
	as(f, f->bob, f->lib, ROLE_LEARNER);
	assert_int_equal(progress_completions(&f->ctx, f->bob, &done, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(done[0].no_points_why, "De module was op die datum niet erkend: geen punten.");
	struct credential *creds;
	assert_int_equal(credential_list(&f->ctx, f->bob, &creds, &n), 0);
	assert_int_equal(n, 0);

	/* Refusals: a date in the future, no key, an unknown person. */
	struct record_args a = {.ctx = &f->ctx,
	                        .in = {.person_id = f->bob, .module_id = f->module, .enrolment_id = 999999,
	                               .source = EVIDENCE_API, .completed_at = clock_value + DAY}};
	as_owner(f);
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, record_tx, &a), CAMPUS_EINVAL);
	a.in.completed_at = clock_value - DAY;
	a.in.enrolment_id = 0;
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, record_tx, &a), CAMPUS_EINVAL);
	a.in.evidence_key = "extern:1";
	a.in.person_id = 999999;
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, record_tx, &a), CAMPUS_ENOTFOUND);
	assert_int_equal(count(f, &stmt_t_count, f->bob), 0);
	/* Outside a transaction is a bug of the caller. */
	assert_int_equal(progress_record_completion(&f->ctx, &a.in, &a.out, &a.why), CAMPUS_EINTERNAL);

	/* A claim gets the points its decider granted, as study points. */
	int64_t claim = one(f, &stmt_t_claim,
	                    (const struct db_param[]){DBP_INT(f->bob), DBP_INT(f->lib), DBP_INT(T0 - DAY), DBP_END});
	struct record_args c = {.ctx = &f->ctx,
	                        .in = {.person_id = f->bob, .claim_id = claim, .title = "Congres",
	                               .provider_name = "VOB", .points_tenths = 25, .kind = POINTS_STUDY,
	                               .domains = &f->domain, .ndomains = 1,
	                               .source = EVIDENCE_SELF_REPORT, .completed_at = T0 - DAY}};
	as(f, f->manager, f->lib, ROLE_MANAGER);
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, record_tx, &c), 0);
	assert_int_equal(c.out.points_tenths, 25);
	assert_int_equal(c.out.certificate_id, 0);
	struct points_year *years;
	struct points_domain *domains;
	size_t ny, nd;
	assert_int_equal(progress_balances(&f->ctx, f->bob, &years, &ny, &domains, &nd), 0);
	assert_int_equal(ny, 1);
	assert_int_equal(years[0].study_tenths, 25);
	assert_int_equal(years[0].pe_tenths, 0);
	assert_int_equal(nd, 0); /* domains count pe points */
}

static void corrections_are_reversal_rows(void **state)
{
	struct fixture *f = *state;
	completed(f, f->module, f->ann, NULL);
	as(f, f->ann, f->lib, ROLE_LEARNER);
	struct points_row *rows;
	size_t n;
	assert_int_equal(progress_rows(&f->ctx, f->ann, 0, &rows, &n), 0);
	int64_t row = rows[0].id, reversal = 0;
	const char *why = NULL;

	/* The database itself refuses changing or deleting a row. */
	assert_int_not_equal(db_exec(f->db, &stmt_t_change_ledger, (const struct db_param[]){DBP_END}, NULL), 0);
	assert_int_not_equal(db_exec(f->db, &stmt_t_delete_ledger, (const struct db_param[]){DBP_END}, NULL), 0);

	/* Not the learner, not another provider; a reason is required. */
	assert_int_equal(progress_reverse(&f->ctx, row, "dubbel", &reversal, &why), CAMPUS_ENOTFOUND);
	as(f, f->manager2, f->lib2, ROLE_MANAGER);
	assert_int_equal(progress_reverse(&f->ctx, row, "dubbel", &reversal, &why), CAMPUS_ENOTFOUND);
	as_owner(f);
	assert_int_equal(progress_reverse(&f->ctx, row, "", &reversal, &why), CAMPUS_EINVAL);
	assert_int_equal(progress_reverse(&f->ctx, 999999, "dubbel", &reversal, &why), CAMPUS_ENOTFOUND);
	assert_int_equal(count(f, &stmt_t_count, f->ann), 1);

	assert_int_equal(progress_reverse(&f->ctx, row, "Verkeerde deelnemer opgegeven", &reversal, &why), 0);
	assert_int_equal(count(f, &stmt_t_count, f->ann), 2);
	assert_int_equal(count(f, &stmt_t_sum, f->ann), 0);
	assert_int_equal(progress_reverse(&f->ctx, row, "nog eens", NULL, &why), CAMPUS_ECONFLICT);
	assert_int_equal(progress_reverse(&f->ctx, reversal, "terug", NULL, &why), CAMPUS_ECONFLICT);

	as(f, f->ann, f->lib, ROLE_LEARNER);
	assert_int_equal(progress_rows(&f->ctx, f->ann, 2026, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].reverses_id, row);
	assert_int_equal(rows[0].points_tenths, -40);
	assert_string_equal(rows[0].reason, "Verkeerde deelnemer opgegeven");
	assert_int_equal(rows[0].ndomains, 1);
	assert_int_equal(rows[1].reversed_by_id, reversal);
	/* Its certificate is revoked with the same reason, and says so. */
	struct credential *creds, c;
	assert_int_equal(credential_list(&f->ctx, f->ann, &creds, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(credential_by_code(&f->ctx, creds[0].code, &c), 0);
	assert_true(c.revoked_at > 0);
	assert_string_equal(c.revoke_reason, "Verkeerde deelnemer opgegeven");
	/* A revoked credential cannot be revoked again. */
	as(f, 0, f->campus, ROLE_CAMPUS_ADMIN);
	assert_int_equal(credential_revoke(&f->ctx, c.id, "nogmaals", &why), CAMPUS_ECONFLICT);
}

static void who_sees_what_after_a_move(void **state)
{
	struct fixture *f = *state;
	completed(f, f->module, f->ann, NULL); /* in Utrecht */
	/* Ann leaves Utrecht for Eindhoven. */
	int64_t moved = clock_value;
	member(f, f->ann, f->lib2, ROLE_LEARNER, moved, 0);
	DB_STMT(stmt_t_leave, "UPDATE memberships SET ended_at = $3 WHERE person_id = $1 AND org_id = $2");
	assert_int_equal(db_exec(f->db, &stmt_t_leave,
	                         (const struct db_param[]){DBP_INT(f->ann), DBP_INT(f->lib), DBP_INT(moved), DBP_END},
	                         NULL),
	                 0);
	clock_value += 200 * DAY; /* next year, so the module counts again */
	struct record_args a = {.ctx = &f->ctx,
	                        .in = {.person_id = f->ann, .module_id = f->module,
	                               .evidence_key = "extern:eindhoven:1", .org_id = f->lib2,
	                               .source = EVIDENCE_API, .completed_at = clock_value - DAY}};
	as_owner(f);
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, record_tx, &a), 0);
	assert_int_equal(a.out.points_tenths, 40);

	struct completion *done;
	size_t n;
	as(f, f->ann, f->lib2, ROLE_LEARNER);
	assert_int_equal(progress_completions(&f->ctx, f->ann, &done, &n), 0);
	assert_int_equal(n, 2);
	as(f, f->manager, f->lib, ROLE_MANAGER);
	assert_int_equal(progress_completions(&f->ctx, f->ann, &done, &n), 0);
	assert_int_equal(n, 1);
	assert_true(done[0].completed_at < moved);
	as(f, f->manager2, f->lib2, ROLE_MANAGER);
	assert_int_equal(progress_completions(&f->ctx, f->ann, &done, &n), 0);
	assert_int_equal(n, 1);
	assert_true(done[0].completed_at >= moved);
	struct credential *creds;
	assert_int_equal(credential_list(&f->ctx, f->ann, &creds, &n), 0);
	assert_int_equal(n, 1); /* the one earned in Eindhoven, not Utrecht's */
	assert_int_equal(creds[0].id, a.out.certificate_id);
	/* Bob never was in Eindhoven; a learner sees only themselves. */
	assert_int_equal(progress_completions(&f->ctx, f->bob, &done, &n), CAMPUS_EFORBIDDEN);
	as(f, f->bob, f->lib, ROLE_LEARNER);
	assert_int_equal(progress_completions(&f->ctx, f->ann, &done, &n), CAMPUS_EFORBIDDEN);
}

static void codes_as_people_type_them(void **state)
{
	struct fixture *f = *state;
	completed(f, f->module, f->ann, NULL);
	as(f, f->ann, f->lib, ROLE_LEARNER);
	struct credential *creds, c;
	size_t n;
	assert_int_equal(credential_list(&f->ctx, f->ann, &creds, &n), 0);
	char shown[CREDENTIAL_CODE_LEN + 4], typed[CREDENTIAL_CODE_LEN + 4];
	credential_code_display(creds[0].code, shown);
	assert_int_equal(strlen(shown), 19);
	assert_int_equal(shown[4], '-');
	for (size_t i = 0; i <= strlen(shown); i++) /* lower case, 0 read as O */
		typed[i] = shown[i] == '0' ? 'o' : (char)(shown[i] >= 'A' && shown[i] <= 'Z' ? shown[i] + 32 : shown[i]);
	as(f, 0, 0, 0); /* anyone */
	assert_int_equal(credential_by_code(&f->ctx, typed, &c), 0);
	assert_int_equal(c.id, creds[0].id);
	assert_int_equal(c.revoked_at, 0);
	assert_int_equal(credential_by_code(&f->ctx, "AAAA-BBBB-CCCC-DDDD", &c), CAMPUS_ENOTFOUND);
	assert_int_equal(credential_by_code(&f->ctx, "' OR 1=1 --", &c), CAMPUS_ENOTFOUND);
	assert_int_equal(credential_by_code(&f->ctx, "", &c), CAMPUS_ENOTFOUND);
	/* Another person's certificate by id is as good as absent. */
	as(f, f->bob, f->lib, ROLE_LEARNER);
	assert_int_equal(credential_get(&f->ctx, creds[0].id, &c), CAMPUS_ENOTFOUND);
	as(f, f->manager, f->lib, ROLE_MANAGER);
	assert_int_equal(credential_get(&f->ctx, creds[0].id, &c), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(result_earns_points_certificate_and_job, setup, teardown),
	    cmocka_unit_test_setup_teardown(unrecognised_date_earns_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(corrections_are_reversal_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(who_sees_what_after_a_move, setup, teardown),
	    cmocka_unit_test_setup_teardown(codes_as_people_type_them, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
