/* diploma + jobs: diploma rules and the background jobs that issue them, on
 * the database named by CAMPUS_TEST_DB (SQLite and PostgreSQL in
 * scripts/test.sh), with a clock the tests move. Points come in through
 * progress_record_completion (EVC decisions with chosen points and domains,
 * module completions), whose ledger rows queue the jobs; the jobs run
 * through jobs_run_due as the server's ticker runs them. Cases: the seeded
 * sector rules; each kind of condition met and not met (total, period,
 * kind of member, per-domain minimum, mandatory module); never twice; a
 * reversal below the threshold leaves an issued diploma valid; a rule
 * change re-evaluates everyone and agrees with the per-person judgement;
 * bad rules refused and nothing changed; revocation; the job runner's
 * retries and back-off, payloads it gives up on, and two connections
 * claiming at once never taking one job twice. */
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
#include "domain/catalog.h"
#include "domain/credential.h"
#include "domain/ctx.h"
#include "domain/diploma.h"
#include "domain/jobs.h"
#include "domain/progress.h"
#include "points_reset.h"

#define T0 1795000000 /* 2026-11-18 */
#define DAY 86400
#define MONTH (30 * DAY)
static _Atomic int64_t clock_value = T0;
static int64_t test_now(void) { return clock_value; }

/* Children before parents. */
DB_STMT(stmt_r0, "DELETE FROM notifications");
DB_STMT(stmt_r1, "DELETE FROM module_search");
DB_STMT(stmt_r2, "DELETE FROM module_version_tags");
DB_STMT(stmt_r3, "UPDATE modules SET working_version_id = NULL, published_version_id = NULL, recognised_version_id = NULL");
DB_STMT(stmt_r4, "DELETE FROM diploma_rule_modules");
DB_STMT(stmt_r5, "DELETE FROM module_versions");
DB_STMT(stmt_r6, "DELETE FROM modules");
DB_STMT(stmt_r7, "DELETE FROM outbox");
DB_STMT(stmt_r8, "DELETE FROM memberships");
DB_STMT(stmt_r9, "DELETE FROM people");
DB_STMT(stmt_r10, "DELETE FROM organisations");
/* Rules other than the five the migration seeded, and the seeded ones as
 * they were. */
DB_STMT(stmt_r11, "DELETE FROM diploma_rule_domains WHERE rule_id NOT IN (SELECT id FROM diploma_rules WHERE id <= 5)");
DB_STMT(stmt_r12, "DELETE FROM diploma_rules WHERE id > 5");
DB_STMT(stmt_r13, "UPDATE diploma_rules SET active = (1 = 1), revision = 1");
/* The one seeded rule a test changes, back as migration 0012 has it. */
DB_STMT(stmt_r14,
        "UPDATE diploma_rules SET min_points_tenths = 400, period_months = 24, for_kind = 'employee' "
        "WHERE slug = 'nascholing-bibliothecaris'");

DB_STMT(stmt_t_org,
        "INSERT INTO organisations (slug, name, kind, created_at, updated_at) VALUES ($1, $1, $2, 1, 1) "
        "RETURNING id");
DB_STMT(stmt_t_person,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ($1, $1, 1, 1) RETURNING id");
DB_STMT(stmt_t_member,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at) VALUES ($1, $2, $3, $4, 1)");
DB_STMT(stmt_t_domain, "SELECT id FROM tax_domains WHERE slug = $1");
DB_STMT(stmt_t_rule, "SELECT id FROM diploma_rules WHERE slug = $1");
DB_STMT(stmt_t_claim,
        "INSERT INTO learning_claims (person_id, org_id, kind, title, hours_tenths, learned_at, "
        "state, created_at, updated_at) VALUES ($1, $2, 'evc', 'Ervaring', 10, $3, 'approved', $3, $3) "
        "RETURNING id");
DB_STMT(stmt_t_diplomas,
        "SELECT COUNT(*) FROM credentials WHERE person_id = $1 AND rule_id = $2");
DB_STMT(stmt_t_diplomas_valid,
        "SELECT COUNT(*) FROM credentials WHERE person_id = $1 AND rule_id = $2 AND revoked_at IS NULL");
DB_STMT(stmt_t_diploma_id,
        "SELECT id FROM credentials WHERE person_id = $1 AND rule_id = $2");
DB_STMT(stmt_t_lines, "SELECT COUNT(*) FROM credential_completions WHERE credential_id = $1");
DB_STMT(stmt_t_cred_points, "SELECT points_tenths FROM credentials WHERE id = $1");
DB_STMT(stmt_t_mail,
        "SELECT COUNT(*) FROM outbox o JOIN people p ON p.email = o.to_addr WHERE p.id = $1 "
        "AND o.subject LIKE '%diploma%'");
/* The diploma's PDF rides along: its type and its first bytes. */
DB_STMT(stmt_t_mail_pdf,
        "SELECT COUNT(*) FROM outbox o JOIN people p ON p.email = o.to_addr WHERE p.id = $1 "
        "AND o.attachment_type = 'application/pdf' AND o.attachment_name LIKE 'diploma-%.pdf' "
        "AND substr(o.attachment, 1, 4) = $2");
DB_STMT(stmt_t_note,
        "SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND kind = 'diploma.issued'");
DB_STMT(stmt_t_rule_jobs,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'diploma.evaluate' AND payload LIKE '%rule_id%' "
        "AND done_at IS NULL");
DB_STMT(stmt_t_revision, "SELECT revision FROM diploma_rules WHERE id = $1");
DB_STMT(stmt_t_rules, "SELECT COUNT(*) FROM diploma_rules");
DB_STMT(stmt_t_job_state,
        "SELECT attempts, COALESCE(last_error, ''), run_at, done_at IS NOT NULL FROM jobs WHERE id = $1");
DB_STMT(stmt_t_jobs_done, "SELECT COUNT(*) FROM jobs WHERE done_at IS NOT NULL");
DB_STMT(stmt_t_locked, "SELECT COUNT(*) FROM jobs WHERE locked_by IS NOT NULL");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t campus, prov, lib;
	int64_t owner, emp, emp2, vol, other;
	int64_t meb, idb, cl; /* the three domains */
	int64_t nascholing, branche, meb_rule;
	int evidence;
};

static int64_t one(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t v = -1;
	int rc = db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&v), DBC_END}, f->arena);
	if (rc)
		fprintf(stderr, "%s: %s\n", st->name, db_errmsg(f->db));
	assert_int_equal(rc, 0);
	return v;
}

static int64_t org(struct fixture *f, const char *slug, const char *kind)
{
	return one(f, &stmt_t_org, (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(kind), DBP_END});
}

static int64_t person(struct fixture *f, const char *email, int64_t org_id, const char *kind,
                      unsigned roles)
{
	int64_t id = one(f, &stmt_t_person, (const struct db_param[]){DBP_TEXT(email), DBP_END});
	assert_int_equal(db_exec(f->db, &stmt_t_member,
	                         (const struct db_param[]){DBP_INT(id), DBP_INT(org_id), DBP_TEXT(kind),
	                                                   DBP_INT(roles), DBP_END},
	                         NULL),
	                 0);
	return id;
}

static int64_t by_slug(struct fixture *f, struct db_stmt *st, const char *slug)
{
	return one(f, st, (const struct db_param[]){DBP_TEXT(slug), DBP_END});
}

static int64_t count2(struct fixture *f, struct db_stmt *st, int64_t a, int64_t b)
{
	return one(f, st, (const struct db_param[]){DBP_INT(a), DBP_INT(b), DBP_END});
}

static int64_t count1(struct fixture *f, struct db_stmt *st, int64_t a)
{
	return one(f, st, (const struct db_param[]){DBP_INT(a), DBP_END});
}

static int64_t count0(struct fixture *f, struct db_stmt *st)
{
	return one(f, st, (const struct db_param[]){DBP_END});
}

static void as_system(struct fixture *f)
{
	f->ctx.actor = (struct actor){.flags = ACTOR_SYSTEM};
}

static void as_admin(struct fixture *f)
{
	f->ctx.actor = (struct actor){.person_id = f->other, .org_id = f->campus,
	                              .roles = ROLE_CAMPUS_ADMIN};
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *url = getenv("CAMPUS_TEST_DB");
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(url ? url : "sqlite:/tmp/campus-test-diploma.db", DB_OPEN_CREATE, &f->db, &err) ||
	    db_migrate(f->db, &err)) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	if (points_reset(f->db) != 0)
		return -1;
	struct db_stmt *r[] = {&stmt_r0, &stmt_r1, &stmt_r2,  &stmt_r3,  &stmt_r4,  &stmt_r5, &stmt_r6,
	                       &stmt_r7, &stmt_r8, &stmt_r9,  &stmt_r10, &stmt_r11, &stmt_r12, &stmt_r13,
	                       &stmt_r14};
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
	f->owner = person(f, "aanbod@go.test", f->prov, "employee", ROLE_PROVIDER_ADMIN);
	f->emp = person(f, "emma@utrecht.test", f->lib, "employee", ROLE_LEARNER);
	f->emp2 = person(f, "eric@utrecht.test", f->lib, "employee", ROLE_LEARNER);
	f->vol = person(f, "vera@utrecht.test", f->lib, "volunteer", ROLE_LEARNER);
	f->other = person(f, "beheer@campus.test", f->campus, "employee", ROLE_CAMPUS_ADMIN);
	f->meb = by_slug(f, &stmt_t_domain, "maatschappelijk-educatieve-bibliothecaris");
	f->idb = by_slug(f, &stmt_t_domain, "informatie-dienstverlenende-bibliothecaris");
	f->cl = by_slug(f, &stmt_t_domain, "community-librarian");
	f->nascholing = by_slug(f, &stmt_t_rule, "nascholing-bibliothecaris");
	f->branche = by_slug(f, &stmt_t_rule, "branche-opleiding-bibliothecaris");
	f->meb_rule = by_slug(f, &stmt_t_rule, "maatschappelijk-educatieve-bibliothecaris");
	as_system(f);
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

/* ---- earning points ---- */

struct record_args {
	struct fixture *f;
	struct completion_in in;
	struct completion_out out;
	const char *why;
};

static int record_tx(struct db_conn *db, void *cls)
{
	struct record_args *a = cls;
	a->in.claim_id = 0;
	if (!a->in.module_id) {
		int rc = db_query_row(db, &stmt_t_claim,
		                      (const struct db_param[]){DBP_INT(a->in.person_id), DBP_INT(a->f->lib),
		                                                DBP_INT(a->in.completed_at), DBP_END},
		                      (const struct db_col[]){DBC_INT(&a->in.claim_id), DBC_END},
		                      a->f->arena);
		if (rc)
			return rc;
	}
	return progress_record_completion(&a->f->ctx, &a->in, &a->out, &a->why);
}

/* An EVC decision: points (tenths) earned at `when` in one domain (0: none). */
static int64_t earn(struct fixture *f, int64_t who, int64_t tenths, int64_t when, int64_t domain)
{
	struct record_args a = {.f = f,
	                        .in = {.person_id = who, .title = "Erkende ervaring",
	                               .points_tenths = tenths, .kind = POINTS_PE,
	                               .domains = domain ? &domain : NULL, .ndomains = domain ? 1 : 0,
	                               .org_id = f->lib, .source = EVIDENCE_EVC, .completed_at = when}};
	as_system(f);
	int rc = db_tx_run(f->db, DB_TX_WRITE, record_tx, &a);
	if (rc)
		fprintf(stderr, "earn: %d %s %s\n", rc, a.why ? a.why : "", db_errmsg(f->db));
	assert_int_equal(rc, 0);
	assert_true(a.out.ledger_id > 0);
	return a.out.ledger_id;
}

/* A completion of module (recognised or not) at `when`. */
static int64_t complete_module(struct fixture *f, int64_t who, int64_t module, int64_t when)
{
	char key[40];
	snprintf(key, sizeof key, "test:%d", ++f->evidence);
	struct record_args a = {.f = f,
	                        .in = {.person_id = who, .module_id = module, .org_id = f->lib,
	                               .source = EVIDENCE_DEMO, .evidence_key = key,
	                               .completed_at = when}};
	as_system(f);
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, record_tx, &a), 0);
	return a.out.completion_id;
}

static struct jobs_counts run_jobs(struct fixture *f)
{
	struct jobs_counts total = {0}, c;
	as_system(f);
	do {
		assert_int_equal(jobs_run_due(&f->ctx, "test", 100, &c), 0);
		total.done += c.done;
		total.failed += c.failed;
		total.gave_up += c.gave_up;
	} while (c.done + c.failed + c.gave_up);
	return total;
}

static int64_t new_module(struct fixture *f)
{
	struct module_input in = {
	    .title = "Privacy in de bibliotheek", .summary = "AVG", .description = "Beschrijving.",
	    .goals = "Privacy", .prerequisites = "", .level = "uitvoerend", .format = "classroom",
	    .language = "nl", .vat = "crkbo", .audience = "both", .place = "Utrecht",
	    .province = "Utrecht", .contact_name = "Aanbod", .contact_email = "aanbod@go.test",
	    .load_tenths = 60, .price_cents = 0, .domains = &f->idb, .ndomains = 1};
	struct module_problems pr;
	int64_t id = 0;
	const char *why = NULL;
	f->ctx.actor = (struct actor){.person_id = f->owner, .org_id = f->prov,
	                              .roles = ROLE_PROVIDER_ADMIN};
	assert_int_equal(module_create(&f->ctx, f->prov, 0, &in, &id, &pr), 0);
	assert_int_equal(module_publish(&f->ctx, id, &why), 0);
	as_system(f);
	return id;
}

static struct diploma_progress *progress_of(struct fixture *f, int64_t who, int64_t rule)
{
	struct diploma_progress *p;
	size_t n;
	assert_int_equal(diploma_progress_for(&f->ctx, who, &p, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (p[i].rule_id == rule)
			return &p[i];
	return NULL;
}

/* ---- cases ---- */

static void sector_rules_seeded(void **state)
{
	struct fixture *f = *state;
	struct diploma_rule *rules;
	size_t n;
	assert_int_equal(diploma_rules_list(&f->ctx, &rules, &n), 0);
	assert_int_equal(n, 5);
	struct diploma_rule r;
	assert_int_equal(diploma_rule_get(&f->ctx, f->nascholing, &r), 0);
	assert_string_equal(r.for_kind, "employee");
	assert_true(r.min_points_tenths < 1000);
	assert_int_equal(r.ndomains, 0);
	assert_int_equal(diploma_rule_get(&f->ctx, f->branche, &r), 0);
	assert_int_equal(r.min_points_tenths, 1000);
	assert_int_equal(r.ndomains, 3);
	assert_int_equal(diploma_rule_get(&f->ctx, f->meb_rule, &r), 0);
	assert_int_equal(r.ndomains, 1);
	assert_int_equal(r.domains[0].domain_id, f->meb);
	assert_int_equal(diploma_rule_get(&f->ctx, 999999, &r), CAMPUS_ENOTFOUND);
}

/* 40 points within two years: an employee gets Nascholing by job (once, by
 * e-mail and on screen); a volunteer with the same points does not; 39.9
 * is not enough. */
static void total_points_and_kind_of_member(void **state)
{
	struct fixture *f = *state;
	earn(f, f->emp, 250, T0 - 10 * DAY, 0);
	earn(f, f->emp, 150, T0 - 5 * DAY, 0);
	earn(f, f->vol, 400, T0 - 5 * DAY, 0);
	earn(f, f->emp2, 399, T0 - 5 * DAY, 0);
	struct jobs_counts c = run_jobs(f);
	assert_int_equal(c.done, 5); /* four evaluations, one e-mail */
	assert_int_equal(c.failed + c.gave_up, 0);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, f->nascholing), 1);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->vol, f->nascholing), 0);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp2, f->nascholing), 0);
	int64_t cid = count2(f, &stmt_t_diploma_id, f->emp, f->nascholing);
	assert_int_equal(count1(f, &stmt_t_lines, cid), 2);
	assert_int_equal(count1(f, &stmt_t_cred_points, cid), 400);
	assert_int_equal(count1(f, &stmt_t_mail, f->emp), 1);
	assert_int_equal(one(f, &stmt_t_mail_pdf,
	                     (const struct db_param[]){DBP_INT(f->emp), DBP_BLOB("%PDF", 4), DBP_END}),
	                 1);
	assert_int_equal(count1(f, &stmt_t_note, f->emp), 1);

	/* The dossier's view: met and held for Emma; Eric 0.1 short; the
	 * volunteer does not see the employees' diploma. */
	struct diploma_progress *p = progress_of(f, f->emp, f->nascholing);
	assert_non_null(p);
	assert_true(p->met);
	assert_int_equal(p->credential_id, cid);
	p = progress_of(f, f->emp2, f->nascholing);
	assert_non_null(p);
	assert_false(p->met);
	assert_int_equal(p->points_tenths, 399);
	assert_int_equal(p->credential_id, 0);
	assert_null(progress_of(f, f->vol, f->nascholing));

	/* Never twice: more points, more jobs, the diploma stays one. */
	earn(f, f->emp, 100, T0 - DAY, 0);
	assert_int_equal(run_jobs(f).done, 1);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, f->nascholing), 1);
	assert_int_equal(count1(f, &stmt_t_mail, f->emp), 1);
}

struct eval_args {
	struct fixture *f;
	int64_t person, rule;
	unsigned issued;
};

static int eval_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct eval_args *a = cls;
	return a->person ? diploma_evaluate_person(&a->f->ctx, a->person, &a->issued)
	                 : diploma_evaluate_rule(&a->f->ctx, a->rule, &a->issued);
}

static unsigned evaluate(struct fixture *f, int64_t person_id, int64_t rule_id)
{
	struct eval_args a = {.f = f, .person = person_id, .rule = rule_id};
	as_system(f);
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, eval_tx, &a), 0);
	return a.issued;
}

static void never_twice(void **state)
{
	struct fixture *f = *state;
	earn(f, f->emp, 400, T0 - DAY, 0);
	assert_int_equal(evaluate(f, f->emp, 0), 1);
	assert_int_equal(evaluate(f, f->emp, 0), 0);
	assert_int_equal(evaluate(f, 0, f->nascholing), 0);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, f->nascholing), 1);
	/* Outside a transaction the evaluation refuses to run. */
	assert_int_equal(diploma_evaluate_person(&f->ctx, f->emp, NULL), CAMPUS_EINTERNAL);
}

/* Nascholing counts 24 months back; Branche-opleiding counts ever. */
static void period_window(void **state)
{
	struct fixture *f = *state;
	earn(f, f->emp, 300, T0 - 25 * MONTH, 0);
	earn(f, f->emp, 200, T0 - 2 * MONTH, 0);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, f->nascholing), 0);
	struct diploma_progress *p = progress_of(f, f->emp, f->nascholing);
	assert_int_equal(p->points_tenths, 200);
	/* Time passes: the old row is further away, a new one comes in. */
	earn(f, f->emp, 200, T0 - DAY, 0);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, f->nascholing), 1);
	/* Ever: 700 of 1000 for the Branche-opleiding. */
	p = progress_of(f, f->emp, f->branche);
	assert_int_equal(p->points_tenths, 700);
	assert_false(p->met);
}

/* The domain diploma wants 60 points of which 40 in its domain; the Branche
 * one 100 with 15 in each domain. */
static void domain_minimums(void **state)
{
	struct fixture *f = *state;
	earn(f, f->vol, 300, T0 - 3 * MONTH, f->meb);
	earn(f, f->vol, 300, T0 - 2 * MONTH, f->idb);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->vol, f->meb_rule), 0);
	struct diploma_progress *p = progress_of(f, f->vol, f->meb_rule);
	assert_int_equal(p->points_tenths, 600);
	assert_int_equal(p->ndomains, 1);
	assert_int_equal(p->domains[0].points_tenths, 300);
	assert_int_equal(p->domains[0].min_points_tenths, 400);
	assert_false(p->met);
	earn(f, f->vol, 100, T0 - MONTH, f->meb);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->vol, f->meb_rule), 1);
	/* Branche: 700 of 1000, and nothing in Community librarian yet. */
	assert_int_equal(count2(f, &stmt_t_diplomas, f->vol, f->branche), 0);
	earn(f, f->vol, 300, T0 - DAY, f->idb);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->vol, f->branche), 0);
	earn(f, f->vol, 150, T0 - DAY, f->cl);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->vol, f->branche), 1);
}

struct save_args {
	const char *name;
	int64_t min, period;
	const char *kind;
	int64_t domain, domain_min, module;
};

static int save(struct fixture *f, int64_t id, const struct save_args *s, int64_t *out,
                const char **why)
{
	struct diploma_rule_in in = {.name = s->name,
	                             .description = "Test",
	                             .min_points_tenths = s->min,
	                             .period_months = s->period,
	                             .for_kind = s->kind ? s->kind : "all",
	                             .active = true,
	                             .domain_ids = &s->domain,
	                             .domain_min_tenths = &s->domain_min,
	                             .ndomains = s->domain ? 1 : 0,
	                             .module_ids = &s->module,
	                             .nmodules = s->module ? 1 : 0};
	as_admin(f);
	return diploma_rule_save(&f->ctx, id, &in, out, why);
}

/* A rule with a mandatory module: points alone are not enough; a completion
 * of the module, even one without points, is. */
static void mandatory_module(void **state)
{
	struct fixture *f = *state;
	int64_t module = new_module(f);
	int64_t rule;
	const char *why;
	struct save_args s = {.name = "Privacy-coach", .min = 100, .module = module};
	assert_int_equal(save(f, 0, &s, &rule, &why), 0);
	earn(f, f->emp, 200, T0 - DAY, 0);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, rule), 0);
	struct diploma_progress *p = progress_of(f, f->emp, rule);
	assert_int_equal(p->nmodules, 1);
	assert_false(p->modules[0].done);
	/* A module no rule asks for, not recognised: no ledger row, no job. */
	int64_t pending, dead;
	assert_int_equal(jobs_pending(&f->ctx, &pending, &dead), 0);
	assert_int_equal(pending, 0);
	assert_true(complete_module(f, f->emp, new_module(f), T0 - DAY) > 0);
	assert_int_equal(jobs_pending(&f->ctx, &pending, &dead), 0);
	assert_int_equal(pending, 0);
	/* Followed three times (a yearly refresher): each completion is listed.
	 * Not recognised either, so no points; but the rule asks for it, so
	 * each completion queues her evaluation and the first one issues. */
	for (int i = 3; i >= 1; i--)
		assert_true(complete_module(f, f->emp, module, T0 - i * DAY) > 0);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, rule), 0);
	assert_int_equal(run_jobs(f).done, 4); /* her three, and the e-mail */
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, rule), 1);
	assert_int_equal(evaluate(f, 0, rule), 0); /* a rule run finds nobody new */
	p = progress_of(f, f->emp, rule);
	assert_true(p->modules[0].done);
	assert_true(p->met);
	int64_t cid = count2(f, &stmt_t_diploma_id, f->emp, rule);
	assert_int_equal(count1(f, &stmt_t_lines, cid), 4); /* the points and the module thrice */
}

/* A reversal takes the points away: before issue the diploma does not come;
 * after issue it stays valid (revocation is a human act). */
static void reversal(void **state)
{
	struct fixture *f = *state;
	int64_t row = earn(f, f->emp2, 400, T0 - DAY, 0);
	int64_t reversal_id;
	const char *why;
	as_system(f);
	assert_int_equal(progress_reverse(&f->ctx, row, "dubbel geregistreerd", &reversal_id, &why), 0);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp2, f->nascholing), 0);
	assert_int_equal(progress_of(f, f->emp2, f->nascholing)->points_tenths, 0);

	int64_t a = earn(f, f->emp, 250, T0 - 2 * DAY, 0);
	earn(f, f->emp, 150, T0 - DAY, 0);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas_valid, f->emp, f->nascholing), 1);
	as_system(f);
	assert_int_equal(progress_reverse(&f->ctx, a, "verkeerde module", &reversal_id, &why), 0);
	run_jobs(f);
	assert_int_equal(evaluate(f, 0, f->nascholing), 0);
	struct diploma_progress *p = progress_of(f, f->emp, f->nascholing);
	assert_int_equal(p->points_tenths, 150);
	assert_false(p->met);
	assert_true(p->credential_id > 0);
	assert_int_equal(count2(f, &stmt_t_diplomas_valid, f->emp, f->nascholing), 1);
}

/* A change re-evaluates everyone through a job; the grouped query finds
 * exactly the people the per-person judgement says meet it. */
static void rule_change_reevaluates_everyone(void **state)
{
	struct fixture *f = *state;
	earn(f, f->emp, 300, T0 - DAY, f->meb);
	earn(f, f->emp2, 350, T0 - DAY, f->idb);
	earn(f, f->vol, 100, T0 - DAY, f->meb);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, f->nascholing), 0);
	struct diploma_rule r;
	assert_int_equal(diploma_rule_get(&f->ctx, f->nascholing, &r), 0);
	struct save_args s = {.name = r.name, .min = 300, .period = 24, .kind = "employee"};
	const char *why;
	assert_int_equal(save(f, f->nascholing, &s, NULL, &why), 0);
	assert_int_equal(count1(f, &stmt_t_revision, f->nascholing), 2);
	assert_int_equal(count0(f, &stmt_t_rule_jobs), 1);
	run_jobs(f);
	assert_int_equal(count0(f, &stmt_t_rule_jobs), 0);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, f->nascholing), 1);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp2, f->nascholing), 1);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->vol, f->nascholing), 0);
	/* Saving the same again changes nothing: no new revision, no job. */
	assert_int_equal(save(f, f->nascholing, &s, NULL, &why), 0);
	assert_int_equal(count1(f, &stmt_t_revision, f->nascholing), 2);
	assert_int_equal(count0(f, &stmt_t_rule_jobs), 0);
	/* Raising it again leaves both diplomas. */
	s.min = 1000;
	assert_int_equal(save(f, f->nascholing, &s, NULL, &why), 0);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas_valid, f->emp, f->nascholing), 1);
	assert_int_equal(count2(f, &stmt_t_diplomas_valid, f->emp2, f->nascholing), 1);

	/* A domain rule for everyone: the grouped query and the per-person
	 * judgement agree for each person. */
	int64_t rule;
	struct save_args d = {.name = "Leesbevorderaar", .min = 100, .domain = f->meb,
	                      .domain_min = 100};
	assert_int_equal(save(f, 0, &d, &rule, &why), 0);
	run_jobs(f);
	int64_t people[] = {f->emp, f->emp2, f->vol};
	for (size_t i = 0; i < 3; i++) {
		struct diploma_progress *p = progress_of(f, people[i], rule);
		assert_non_null(p);
		assert_int_equal(count2(f, &stmt_t_diplomas, people[i], rule), p->met ? 1 : 0);
	}
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, rule), 1);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp2, rule), 0);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->vol, rule), 1);
}

/* Bad rules: a clear reason, nothing written, no job. */
static void bad_rules_refused(void **state)
{
	struct fixture *f = *state;
	int64_t rules = count0(f, &stmt_t_rules);
	const char *why;
	int64_t id;
	struct save_args s = {.name = "Nul punten", .min = 0};
	assert_int_equal(save(f, 0, &s, &id, &why), CAMPUS_EINVAL);
	assert_non_null(why);
	s = (struct save_args){.name = "", .min = 100};
	assert_int_equal(save(f, 0, &s, &id, &why), CAMPUS_EINVAL);
	s = (struct save_args){.name = "Te veel", .min = PROGRESS_POINTS_MAX_TENTHS + 1};
	assert_int_equal(save(f, 0, &s, &id, &why), CAMPUS_EINVAL);
	s = (struct save_args){.name = "Periode", .min = 100, .period = -1};
	assert_int_equal(save(f, 0, &s, &id, &why), CAMPUS_EINVAL);
	s = (struct save_args){.name = "Soort", .min = 100, .kind = "external"};
	assert_int_equal(save(f, 0, &s, &id, &why), CAMPUS_EINVAL);
	s = (struct save_args){.name = "Domein", .min = 100, .domain = 999999, .domain_min = 50};
	assert_int_equal(save(f, 0, &s, &id, &why), CAMPUS_EINVAL);
	assert_string_equal(why, "Dat domein bestaat niet (meer).");
	s = (struct save_args){.name = "Domein", .min = 100, .domain = f->meb, .domain_min = 0};
	assert_int_equal(save(f, 0, &s, &id, &why), CAMPUS_EINVAL);
	s = (struct save_args){.name = "Module", .min = 100, .module = 999999};
	assert_int_equal(save(f, 0, &s, &id, &why), CAMPUS_EINVAL);
	s = (struct save_args){.name = "nascholing bibliothecaris", .min = 100};
	assert_int_equal(save(f, 0, &s, &id, &why), CAMPUS_ECONFLICT);
	/* Not a campus administrator. */
	s = (struct save_args){.name = "Goed", .min = 100};
	struct diploma_rule_in in = {.name = "Goed", .description = "", .min_points_tenths = 100,
	                             .for_kind = "all", .active = true};
	f->ctx.actor = (struct actor){.person_id = f->emp, .org_id = f->lib, .roles = ROLE_MANAGER};
	assert_int_equal(diploma_rule_save(&f->ctx, 0, &in, &id, &why), CAMPUS_EFORBIDDEN);
	/* A change of a seeded rule refused keeps its revision. */
	s = (struct save_args){.name = "Nascholing Bibliothecaris", .min = 0};
	assert_int_equal(save(f, f->nascholing, &s, &id, &why), CAMPUS_EINVAL);
	assert_int_equal(count1(f, &stmt_t_revision, f->nascholing), 1);
	assert_int_equal(count0(f, &stmt_t_rules), rules);
	assert_int_equal(count0(f, &stmt_t_rule_jobs), 0);
}

static void revocation(void **state)
{
	struct fixture *f = *state;
	earn(f, f->emp, 400, T0 - DAY, 0);
	run_jobs(f);
	int64_t cid = count2(f, &stmt_t_diploma_id, f->emp, f->nascholing);
	const char *why;
	as_admin(f);
	assert_int_equal(diploma_revoke(&f->ctx, f->branche, cid, "fraude", &why), CAMPUS_ENOTFOUND);
	assert_int_equal(count2(f, &stmt_t_diplomas_valid, f->emp, f->nascholing), 1);
	f->ctx.actor = (struct actor){.person_id = f->emp, .org_id = f->lib, .roles = ROLE_MANAGER};
	assert_int_equal(diploma_revoke(&f->ctx, f->nascholing, cid, "fraude", &why), CAMPUS_EFORBIDDEN);
	as_admin(f);
	assert_int_equal(diploma_revoke(&f->ctx, f->nascholing, cid, "fraude", &why), 0);
	assert_int_equal(count2(f, &stmt_t_diplomas_valid, f->emp, f->nascholing), 0);
	assert_int_not_equal(diploma_revoke(&f->ctx, f->nascholing, cid, "fraude", &why), 0);
	/* Revoked is not "never had it": no second diploma. */
	earn(f, f->emp, 100, T0 - DAY, 0);
	run_jobs(f);
	assert_int_equal(count2(f, &stmt_t_diplomas, f->emp, f->nascholing), 1);
	struct diploma_issued *list;
	size_t n;
	int64_t total;
	assert_int_equal(diploma_issued_list(&f->ctx, f->nascholing, 0, 10, &list, &n, &total), 0);
	assert_int_equal(total, 1);
	assert_true(list[0].revoked_at > 0);
	assert_string_equal(list[0].revoke_reason, "fraude");

	/* Revoked before its e-mail went: the e-mail job sends nothing. */
	earn(f, f->emp2, 400, T0 - DAY, 0);
	assert_int_equal(evaluate(f, f->emp2, 0), 1);
	cid = count2(f, &stmt_t_diploma_id, f->emp2, f->nascholing);
	as_admin(f);
	assert_int_equal(diploma_revoke(&f->ctx, f->nascholing, cid, "vergissing", &why), 0);
	assert_int_equal(run_jobs(f).done, 2); /* the evaluation the points queued, the e-mail */
	assert_int_equal(count1(f, &stmt_t_mail, f->emp2), 0);
	assert_int_equal(count1(f, &stmt_t_note, f->emp2), 1);
}

/* ---- the job runner ---- */

static int flaky_calls;
static int flaky(struct ctx *ctx, const char *payload, const char **why)
{
	(void)ctx;
	(void)payload;
	if (++flaky_calls <= 2) {
		*why = "not yet";
		return CAMPUS_EUNAVAIL;
	}
	return 0;
}

static int always_fails(struct ctx *ctx, const char *payload, const char **why)
{
	(void)ctx;
	(void)payload;
	*why = "broken";
	return CAMPUS_EIO;
}

struct enqueue_args {
	struct fixture *f;
	const char *kind, *payload;
	int64_t id;
	int rc;
};

static int enqueue_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct enqueue_args *a = cls;
	a->rc = jobs_enqueue(&a->f->ctx, a->kind, a->payload, 0, &a->id);
	return a->rc;
}

static int64_t enqueue(struct fixture *f, const char *kind, const char *payload, int expect)
{
	struct enqueue_args a = {.f = f, .kind = kind, .payload = payload};
	db_tx_run(f->db, DB_TX_WRITE, enqueue_tx, &a);
	assert_int_equal(a.rc, expect);
	return a.id;
}

struct job_state {
	int64_t attempts, run_at;
	const char *error;
	bool done;
};

static struct job_state job_state(struct fixture *f, int64_t id)
{
	struct job_state s;
	assert_int_equal(db_query_row(f->db, &stmt_t_job_state,
	                              (const struct db_param[]){DBP_INT(id), DBP_END},
	                              (const struct db_col[]){DBC_INT(&s.attempts), DBC_TEXT(&s.error),
	                                                      DBC_INT(&s.run_at), DBC_BOOL(&s.done),
	                                                      DBC_END},
	                              f->arena),
	                 0);
	return s;
}

static void jobs_retry_with_backoff(void **state)
{
	struct fixture *f = *state;
	flaky_calls = 0;
	int64_t id = enqueue(f, "test.flaky", "{}", 0);
	struct jobs_counts c = run_jobs(f);
	assert_int_equal(c.failed, 1);
	struct job_state s = job_state(f, id);
	assert_int_equal(s.attempts, 1);
	assert_false(s.done);
	assert_int_equal(s.run_at, T0 + JOBS_BACKOFF_FIRST);
	assert_non_null(strstr(s.error, "not yet"));
	/* Not due yet: nothing runs. */
	c = run_jobs(f);
	assert_int_equal(c.done + c.failed, 0);
	clock_value += JOBS_BACKOFF_FIRST;
	c = run_jobs(f);
	assert_int_equal(c.failed, 1);
	s = job_state(f, id);
	assert_int_equal(s.run_at, clock_value + 2 * JOBS_BACKOFF_FIRST); /* doubled */
	clock_value += 2 * JOBS_BACKOFF_FIRST;
	c = run_jobs(f);
	assert_int_equal(c.done, 1);
	s = job_state(f, id);
	assert_true(s.done);
	assert_int_equal(s.attempts, 3);

	/* One that always fails is given up after JOBS_MAX_ATTEMPTS. */
	id = enqueue(f, "test.broken", "{}", 0);
	unsigned gave_up = 0;
	for (int i = 0; i < JOBS_MAX_ATTEMPTS + 2; i++) {
		gave_up += run_jobs(f).gave_up;
		clock_value += JOBS_BACKOFF_MAX;
	}
	assert_int_equal(gave_up, 1);
	s = job_state(f, id);
	assert_int_equal(s.attempts, JOBS_MAX_ATTEMPTS);
	assert_false(s.done);
	int64_t pending, dead;
	assert_int_equal(jobs_pending(&f->ctx, &pending, &dead), 0);
	assert_int_equal(dead, 1);

	/* A payload that is not a person or a rule is given up at once, and an
	 * unknown kind or a payload that is not a JSON object is refused. */
	id = enqueue(f, DIPLOMA_JOB_KIND, "{\"person_id\": \"x\"}", 0);
	c = run_jobs(f);
	assert_int_equal(c.gave_up, 1);
	assert_non_null(strstr(job_state(f, id).error, "payload"));
	id = enqueue(f, DIPLOMA_JOB_KIND, "{\"person_id\": 999999}", 0);
	assert_int_equal(run_jobs(f).gave_up, 1);
	enqueue(f, DIPLOMA_JOB_KIND, "{\"rule_id\": 1, \"people\": []}", 0);
	enqueue(f, DIPLOMA_JOB_KIND, "{\"rule_id\": 1, \"people\": [\"x\"]}", 0);
	enqueue(f, DIPLOMA_JOB_KIND, "{\"person_id\": 1, \"people\": [1]}", 0);
	assert_int_equal(run_jobs(f).gave_up, 3);
	enqueue(f, "no.such.kind", "{}", CAMPUS_EINVAL);
	enqueue(f, DIPLOMA_JOB_KIND, "[1]", CAMPUS_EINVAL);
	enqueue(f, DIPLOMA_JOB_KIND, "{", CAMPUS_EINVAL);
	assert_int_equal(jobs_enqueue(&f->ctx, DIPLOMA_JOB_KIND, "{}", 0, NULL), CAMPUS_EINTERNAL);
	assert_int_equal(jobs_register("test.flaky", flaky), CAMPUS_EINVAL);
}

/* Jobs run JOBS_GROUP to a transaction: one that fails among them undoes
 * the group, and its jobs run again one by one, so only that one fails. */
static void jobs_group_with_a_failure(void **state)
{
	struct fixture *f = *state;
	char payload[2][48];
	snprintf(payload[0], sizeof payload[0], "{\"person_id\": %lld}", (long long)f->emp);
	snprintf(payload[1], sizeof payload[1], "{\"person_id\": %lld}", (long long)f->emp2);
	int64_t first = enqueue(f, DIPLOMA_JOB_KIND, payload[0], 0);
	int64_t broken = enqueue(f, "test.broken", "{}", 0);
	int64_t last = enqueue(f, DIPLOMA_JOB_KIND, payload[1], 0);
	struct jobs_counts c;
	as_system(f);
	assert_int_equal(jobs_run_due(&f->ctx, "test", 100, &c), 0);
	assert_int_equal(c.done, 2);
	assert_int_equal(c.failed, 1);
	assert_true(job_state(f, first).done);
	assert_true(job_state(f, last).done);
	struct job_state s = job_state(f, broken);
	assert_false(s.done);
	assert_int_equal(s.attempts, 1);
	assert_non_null(strstr(s.error, "broken"));
}

/* Two connections claim at the same time, again and again: every job is
 * taken exactly once. */
#define RACE_JOBS 200
struct racer {
	const char *url;
	const char *name;
	int64_t ids[RACE_JOBS];
	size_t n;
	int rc;
};

static void *race(void *cls)
{
	struct racer *r = cls;
	struct db_conn *db;
	struct buf err;
	buf_init(&err, NULL, 0);
	if ((r->rc = db_open(r->url, 0, &db, &err)) != 0) {
		buf_fini(&err);
		return NULL;
	}
	buf_fini(&err);
	struct arena *a = arena_new(0);
	struct ctx ctx = {.db = db, .arena = a, .now = test_now, .actor = {.flags = ACTOR_SYSTEM}};
	for (;;) {
		int64_t *ids;
		size_t n;
		if ((r->rc = jobs_claim(&ctx, r->name, 3, &ids, &n)) != 0 || n == 0)
			break;
		for (size_t i = 0; i < n && r->n < RACE_JOBS; i++)
			r->ids[r->n++] = ids[i];
		arena_reset(a);
	}
	arena_free(a);
	db_close(db);
	return NULL;
}

static void jobs_claimed_once_across_connections(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < RACE_JOBS; i++)
		enqueue(f, "test.flaky", "{}", 0);
	const char *url = getenv("CAMPUS_TEST_DB");
	struct racer a = {.url = url ? url : "sqlite:/tmp/campus-test-diploma.db", .name = "a"};
	struct racer b = {.url = a.url, .name = "b"};
	pthread_t ta, tb;
	pthread_create(&ta, NULL, race, &a);
	pthread_create(&tb, NULL, race, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_int_equal(a.n + b.n, RACE_JOBS);
	for (size_t i = 0; i < a.n; i++)
		for (size_t k = 0; k < b.n; k++)
			assert_true(a.ids[i] != b.ids[k]);
	assert_int_equal(count0(f, &stmt_t_locked), RACE_JOBS);
	/* A claim that is older than the lease belongs to a process that died:
	 * the jobs are taken again and run. */
	flaky_calls = 10;
	clock_value += JOBS_LEASE_SECONDS + 1;
	struct jobs_counts c = run_jobs(f);
	assert_int_equal(c.done, RACE_JOBS);
	assert_int_equal(count0(f, &stmt_t_jobs_done), RACE_JOBS);
}

int main(void)
{
	if (jobs_register("test.flaky", flaky) || jobs_register("test.broken", always_fails))
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(sector_rules_seeded, setup, teardown),
	    cmocka_unit_test_setup_teardown(total_points_and_kind_of_member, setup, teardown),
	    cmocka_unit_test_setup_teardown(never_twice, setup, teardown),
	    cmocka_unit_test_setup_teardown(period_window, setup, teardown),
	    cmocka_unit_test_setup_teardown(domain_minimums, setup, teardown),
	    cmocka_unit_test_setup_teardown(mandatory_module, setup, teardown),
	    cmocka_unit_test_setup_teardown(reversal, setup, teardown),
	    cmocka_unit_test_setup_teardown(rule_change_reevaluates_everyone, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_rules_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(revocation, setup, teardown),
	    cmocka_unit_test_setup_teardown(jobs_retry_with_backoff, setup, teardown),
	    cmocka_unit_test_setup_teardown(jobs_group_with_a_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(jobs_claimed_once_across_connections, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
