/* review: the committee's state machine on the database named by
 * CAMPUS_TEST_DB (SQLite and PostgreSQL in scripts/test.sh), with a clock
 * the tests move. Modules are plain rows here (the catalogue is another
 * module); everything else goes through domain/review.h. */
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
#include "domain/ctx.h"
#include "domain/progress.h"
#include "domain/review.h"
#include "domain/settings.h"
#include "points_reset.h"
#include "record.h"

#define T0 1795000000 /* 2026-11-18 */
#define DAY 86400
static int64_t clock_value = T0;
static int64_t test_now(void) { return clock_value; }

DB_STMT(stmt_t_del_search, "DELETE FROM module_search");
DB_STMT(stmt_t_del_scores, "DELETE FROM review_scores");
DB_STMT(stmt_t_del_assign, "DELETE FROM review_assignments");
DB_STMT(stmt_t_del_history_domains, "DELETE FROM module_recognition_history_domains");
DB_STMT(stmt_t_del_history, "DELETE FROM module_recognition_history");
DB_STMT(stmt_t_ledger_domains,
        "SELECT COALESCE(SUM(domain_id), 0) FROM points_ledger_domains WHERE ledger_id = $1");
DB_STMT(stmt_t_del_reviews, "DELETE FROM reviews");
DB_STMT(stmt_t_del_trusted, "DELETE FROM trusted_providers");
DB_STMT(stmt_t_del_tags, "DELETE FROM module_version_tags");
DB_STMT(stmt_t_del_versions, "DELETE FROM module_versions");
DB_STMT(stmt_t_del_modules, "DELETE FROM modules");
DB_STMT(stmt_t_del_outbox, "DELETE FROM outbox");
DB_STMT(stmt_t_del_settings, "DELETE FROM settings");
DB_STMT(stmt_t_del_sessions, "DELETE FROM sessions");
DB_STMT(stmt_t_del_links, "DELETE FROM one_time_links");
DB_STMT(stmt_t_del_members, "DELETE FROM memberships");
DB_STMT(stmt_t_del_tokens, "DELETE FROM api_tokens");
DB_STMT(stmt_t_del_people, "DELETE FROM people");
DB_STMT(stmt_t_del_orgs, "DELETE FROM organisations");

DB_STMT(stmt_t_org,
        "INSERT INTO organisations (slug, name, kind, created_at, updated_at) VALUES ($1, $2, $3, 1, 1) "
        "RETURNING id");
DB_STMT(stmt_t_person,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ($1, $2, 1, 1) RETURNING id");
DB_STMT(stmt_t_member,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at) VALUES ($1, $2, 'employee', $3, 1)");
DB_STMT(stmt_t_module,
        "INSERT INTO modules (provider_id, created_at, updated_at) VALUES ($1, 1, 1) RETURNING id");
DB_STMT(stmt_t_version,
        "INSERT INTO module_versions (module_id, number, state, title, summary, description, goals, level, "
        "format, load_tenths, language, price_cents, vat, audience, contact_email, created_at, updated_at) "
        "VALUES ($1, $2, 'draft', $3, 'Samenvatting', 'Beschrijving', $4, 'tactisch', $5, 80, 'nl', 0, "
        "'crkbo', 'both', 'info@aanbieder.test', 1, 1) RETURNING id");
DB_STMT(stmt_t_working, "UPDATE modules SET working_version_id = $2 WHERE id = $1");
DB_STMT(stmt_t_publish, "UPDATE modules SET published_version_id = $2 WHERE id = $1");
DB_STMT(stmt_t_tag, "INSERT INTO module_version_tags (version_id, kind, tag_id) VALUES ($1, 'domain', $2)");
DB_STMT(stmt_t_domain, "SELECT id FROM tax_domains WHERE position = $1");
DB_STMT(stmt_t_pointers,
        "SELECT COALESCE(working_version_id, 0), COALESCE(published_version_id, 0), "
        "COALESCE(recognised_version_id, 0) FROM modules WHERE id = $1");
DB_STMT(stmt_t_vstate,
        "SELECT state, COALESCE(points_tenths, 0), COALESCE(recognised_load_tenths, 0), "
        "COALESCE(valid_until, 0) FROM module_versions WHERE id = $1");
DB_STMT(stmt_t_count_reviews, "SELECT COUNT(*) FROM reviews");
DB_STMT(stmt_t_count_assign, "SELECT COUNT(*) FROM review_assignments");
DB_STMT(stmt_t_count_scores, "SELECT COUNT(*) FROM review_scores");
DB_STMT(stmt_t_count_outbox_to, "SELECT COUNT(*) FROM outbox WHERE to_addr = $1");
/* The audit log is a hash chain and stays; each test counts its own rows. */
DB_STMT(stmt_t_count_audit,
        "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND result = $2 AND id > $3");
DB_STMT(stmt_t_audit_base, "SELECT COALESCE(MAX(id), 0) FROM audit_log");
DB_STMT(stmt_t_domain_tags,
        "SELECT COUNT(*) FROM module_version_tags WHERE version_id = $1 AND kind = 'domain'");
DB_STMT(stmt_t_history,
        "SELECT points_tenths, recognised_at, valid_until, review_id FROM module_recognition_history "
        "WHERE version_id = $1");
DB_STMT(stmt_t_rereview,
        "SELECT COUNT(*) FROM reviews WHERE version_id = $1 AND rereview = $2 AND state = 'submitted'");
DB_STMT(stmt_t_goals, "UPDATE module_versions SET goals = $2 WHERE id = $1");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t campus, prov, other, poi;
	int64_t admin, chair, rev1, rev2, conflicted, owner, outsider, nobody;
	int64_t dom1, dom2;
	int64_t audit_base;
};

static int64_t insert_id(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t id = 0;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&id), DBC_END}, f->arena), 0);
	return id;
}

static int64_t org(struct fixture *f, const char *slug, const char *kind)
{
	return insert_id(f, &stmt_t_org,
	                 (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(slug), DBP_TEXT(kind), DBP_END});
}

static int64_t person(struct fixture *f, const char *email, int64_t org_id, unsigned roles)
{
	int64_t id = insert_id(f, &stmt_t_person, (const struct db_param[]){DBP_TEXT(email), DBP_TEXT(email), DBP_END});
	assert_int_equal(db_exec(f->db, &stmt_t_member,
	                         (const struct db_param[]){DBP_INT(id), DBP_INT(org_id), DBP_INT(roles), DBP_END},
	                         NULL),
	                 0);
	return id;
}

static void add_membership(struct fixture *f, int64_t person_id, int64_t org_id, unsigned roles)
{
	assert_int_equal(db_exec(f->db, &stmt_t_member,
	                         (const struct db_param[]){DBP_INT(person_id), DBP_INT(org_id), DBP_INT(roles),
	                                                   DBP_END},
	                         NULL),
	                 0);
}

static int64_t count(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena), 0);
	return n;
}

static int64_t count0(struct fixture *f, struct db_stmt *st)
{
	return count(f, st, (const struct db_param[]){DBP_END});
}

static int64_t mails_to(struct fixture *f, const char *to)
{
	return count(f, &stmt_t_count_outbox_to, (const struct db_param[]){DBP_TEXT(to), DBP_END});
}

static int64_t audits(struct fixture *f, const char *action, const char *result)
{
	return count(f, &stmt_t_count_audit,
	             (const struct db_param[]){DBP_TEXT(action), DBP_TEXT(result), DBP_INT(f->audit_base),
	                                       DBP_END});
}

/* A new version (number) of module, complete, tagged with dom1; it becomes the working version. */
static int64_t add_version(struct fixture *f, int64_t module, int64_t number, const char *format)
{
	int64_t v = insert_id(f, &stmt_t_version,
	                      (const struct db_param[]){DBP_INT(module), DBP_INT(number),
	                                                DBP_TEXT("Samen lezen met peuters"),
	                                                DBP_TEXT("Voorlezen\nKiezen van boeken"),
	                                                DBP_TEXT(format), DBP_END});
	assert_int_equal(db_exec(f->db, &stmt_t_tag, (const struct db_param[]){DBP_INT(v), DBP_INT(f->dom1), DBP_END},
	                         NULL),
	                 0);
	assert_int_equal(db_exec(f->db, &stmt_t_working, (const struct db_param[]){DBP_INT(module), DBP_INT(v), DBP_END},
	                         NULL),
	                 0);
	return v;
}

static int64_t new_module(struct fixture *f, int64_t owner, const char *format, int64_t *version)
{
	int64_t m = insert_id(f, &stmt_t_module, (const struct db_param[]){DBP_INT(owner), DBP_END});
	*version = add_version(f, m, 1, format);
	return m;
}

static void pointers(struct fixture *f, int64_t module, int64_t *working, int64_t *published,
                     int64_t *recognised)
{
	assert_int_equal(db_query_row(f->db, &stmt_t_pointers, (const struct db_param[]){DBP_INT(module), DBP_END},
	                              (const struct db_col[]){DBC_INT(working), DBC_INT(published),
	                                                      DBC_INT(recognised), DBC_END},
	                              f->arena),
	                 0);
}

static const char *vstate(struct fixture *f, int64_t version, int64_t *points, int64_t *load,
                          int64_t *until)
{
	char *state = NULL;
	int64_t p, l, u;
	assert_int_equal(db_query_row(f->db, &stmt_t_vstate, (const struct db_param[]){DBP_INT(version), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&state), DBC_INT(&p), DBC_INT(&l),
	                                                      DBC_INT(&u), DBC_END},
	                              f->arena),
	                 0);
	if (points)
		*points = p;
	if (load)
		*load = l;
	if (until)
		*until = u;
	return state;
}

/* Acting as someone, working in org with roles. */
static void as(struct fixture *f, int64_t person, int64_t org_id, unsigned roles)
{
	f->ctx.actor = (struct actor){.person_id = person, .org_id = org_id, .roles = roles};
}

static void as_owner(struct fixture *f) { as(f, f->owner, f->prov, ROLE_PROVIDER_ADMIN); }
static void as_admin(struct fixture *f) { as(f, f->admin, f->campus, ROLE_CAMPUS_ADMIN); }
static void as_chair(struct fixture *f) { as(f, f->chair, f->campus, ROLE_COMMITTEE); }

static int setup(void **state)
{
	const char *url = getenv("CAMPUS_TEST_DB");
	struct fixture *f = calloc(1, sizeof *f);
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(url ? url : "sqlite::memory:", DB_OPEN_CREATE, &f->db, &err) != 0 ||
	    db_migrate(f->db, &err) != 0) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	if (points_reset(f->db) != 0)
		return -1;
	struct db_stmt *resets[] = {&stmt_t_del_search, &stmt_t_del_scores, &stmt_t_del_assign, &stmt_t_del_history_domains, &stmt_t_del_history, &stmt_t_del_reviews,
	                            &stmt_t_del_trusted,  &stmt_t_del_tags,    &stmt_t_del_versions,
	                            &stmt_t_del_modules,  &stmt_t_del_outbox,  &stmt_t_del_settings,
	                            &stmt_t_del_sessions, &stmt_t_del_links,   &stmt_t_del_members,
	                            &stmt_t_del_tokens,   &stmt_t_del_people,  &stmt_t_del_orgs};
	for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++)
		if (db_exec(f->db, resets[i], (const struct db_param[]){DBP_END}, NULL) != 0) {
			fprintf(stderr, "reset %zu: %s\n", i, db_errmsg(f->db));
			return -1;
		}
	clock_value = T0;
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = test_now};
	*state = f;
	f->audit_base = count0(f, &stmt_t_audit_base);
	f->campus = org(f, "campus", "campus");
	f->prov = org(f, "go-opleidingen", "provider");
	f->other = org(f, "andere-opleider", "provider");
	f->poi = org(f, "probiblio", "poi");
	f->admin = person(f, "beheer@campus.test", f->campus, ROLE_CAMPUS_ADMIN);
	f->chair = person(f, "voorzitter@campus.test", f->campus, ROLE_COMMITTEE);
	f->rev1 = person(f, "lid1@campus.test", f->campus, ROLE_COMMITTEE);
	f->rev2 = person(f, "lid2@probiblio.test", f->poi, ROLE_COMMITTEE);
	f->conflicted = person(f, "lid3@probiblio.test", f->poi, ROLE_COMMITTEE);
	add_membership(f, f->conflicted, f->prov, ROLE_TEACHER); /* also teaches for the provider */
	f->owner = person(f, "aanbod@go.test", f->prov, ROLE_PROVIDER_ADMIN);
	f->outsider = person(f, "aanbod@andere.test", f->other, ROLE_PROVIDER_ADMIN);
	f->nobody = person(f, "lezer@campus.test", f->campus, ROLE_LEARNER);
	assert_int_equal(db_query_row(f->db, &stmt_t_domain, (const struct db_param[]){DBP_INT(1), DBP_END},
	                              (const struct db_col[]){DBC_INT(&f->dom1), DBC_END}, f->arena),
	                 0);
	assert_int_equal(db_query_row(f->db, &stmt_t_domain, (const struct db_param[]){DBP_INT(2), DBP_END},
	                              (const struct db_col[]){DBC_INT(&f->dom2), DBC_END}, f->arena),
	                 0);
	char chair[24];
	snprintf(chair, sizeof chair, "%lld", (long long)f->chair);
	assert_int_equal(settings_set(&f->ctx, SETTING_REVIEW_CHAIR, chair), 0);
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

/* Every current criterion scored `score` by the acting reviewer. */
static int score_all(struct fixture *f, int64_t review, int64_t score, const char **why)
{
	struct review_criterion *c;
	size_t n;
	assert_int_equal(review_criteria(&f->ctx, &c, &n), 0);
	assert_true(n >= 4);
	int64_t ids[16], scores[16];
	const char *comments[16];
	for (size_t i = 0; i < n; i++) {
		ids[i] = c[i].id;
		scores[i] = score;
		comments[i] = "Goed onderbouwd.";
	}
	return review_score(&f->ctx, review, ids, scores, comments, n, why);
}

/* Submitted, checked, assigned to rev1 and rev2, both scored. */
static int64_t ready_review(struct fixture *f, int64_t module)
{
	const char *why;
	int64_t id = 0;
	as_owner(f);
	assert_int_equal(review_submit(&f->ctx, module, &id, &why), 0);
	as_admin(f);
	assert_int_equal(review_check(&f->ctx, id, true, "", &why), 0);
	as_chair(f);
	int64_t reviewers[] = {f->rev1, f->rev2};
	assert_int_equal(review_assign(&f->ctx, id, reviewers, 2, &why), 0);
	as(f, f->rev1, f->campus, ROLE_COMMITTEE);
	assert_int_equal(score_all(f, id, 4, &why), 0);
	as(f, f->rev2, f->poi, ROLE_COMMITTEE);
	assert_int_equal(score_all(f, id, 3, &why), 0);
	return id;
}

static struct review_decision recognition(struct fixture *f, int64_t points)
{
	static int64_t domains[2];
	domains[0] = f->dom1;
	domains[1] = f->dom2;
	return (struct review_decision){.outcome = REVIEW_RECOGNISED, .points_tenths = points,
	                                .load_tenths = 60, .domains = domains, .ndomains = 2};
}

static void whole_path_to_recognition(void **state)
{
	struct fixture *f = *state;
	int64_t v1, m = new_module(f, f->prov, "classroom", &v1);
	const char *why;
	int64_t id = 0;
	as_owner(f);
	assert_int_equal(review_submit(&f->ctx, m, &id, &why), 0);
	assert_null(why);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "submitted");
	assert_int_equal(mails_to(f, "aanbod@go.test"), 1);

	struct review *box;
	size_t n;
	as_admin(f);
	assert_int_equal(review_inbox(&f->ctx, REVIEW_BOX_CHECK, &box, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(box[0].id, id);
	assert_int_equal(review_check(&f->ctx, id, true, "", &why), 0);

	as_chair(f);
	assert_int_equal(review_inbox(&f->ctx, REVIEW_BOX_ASSIGN, &box, &n), 0);
	assert_int_equal(n, 1);
	int64_t reviewers[] = {f->rev1, f->rev2};
	assert_int_equal(review_assign(&f->ctx, id, reviewers, 2, &why), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "in_review");
	assert_int_equal(mails_to(f, "lid1@campus.test"), 1);
	assert_int_equal(mails_to(f, "lid2@probiblio.test"), 1);

	as(f, f->rev1, f->campus, ROLE_COMMITTEE);
	assert_int_equal(review_inbox(&f->ctx, REVIEW_BOX_MINE, &box, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(score_all(f, id, 4, &why), 0);
	assert_int_equal(score_all(f, id, 5, &why), 0); /* revised before the decision */
	assert_int_equal(mails_to(f, "voorzitter@campus.test"), 0);
	as(f, f->rev2, f->poi, ROLE_COMMITTEE);
	assert_int_equal(score_all(f, id, 3, &why), 0);
	assert_int_equal(mails_to(f, "voorzitter@campus.test"), 1); /* all scores in */
	assert_int_equal(review_inbox(&f->ctx, REVIEW_BOX_READY, &box, &n), 0);
	assert_int_equal(n, 1);

	as_chair(f);
	struct review_decision d = recognition(f, 35);
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), 0);
	int64_t points, load, until, w, p, r;
	assert_string_equal(vstate(f, v1, &points, &load, &until), "recognised");
	assert_int_equal(points, 35);
	assert_int_equal(load, 60);
	assert_int_equal(until, T0 + 365 * DAY);
	pointers(f, m, &w, &p, &r);
	assert_int_equal(p, v1);
	assert_int_equal(r, v1);
	assert_int_equal(count(f, &stmt_t_domain_tags, (const struct db_param[]){DBP_INT(v1), DBP_END}), 2);
	assert_int_equal(mails_to(f, "aanbod@go.test"), 2);

	struct review got;
	assert_int_equal(review_get(&f->ctx, id, &got), 0);
	assert_string_equal(got.state, "recognised");
	assert_int_equal(got.nreviewers, 2);
	assert_int_equal(got.nscores, 8);
	assert_string_equal(got.decided_by_name, "voorzitter@campus.test");
	assert_int_equal(audits(f, "review.submit", "ok"), 1);
	assert_int_equal(audits(f, "review.check", "ok"), 1);
	assert_int_equal(audits(f, "review.assign", "ok"), 2);
	assert_int_equal(audits(f, "review.score", "ok"), 3);
	assert_int_equal(audits(f, "review.decide", "ok"), 1);

	struct review_register_row *rows;
	int64_t total;
	assert_int_equal(review_register(&f->ctx, "PEUTERS", 0, 20, &rows, &n, &total), 0);
	assert_int_equal(total, 1);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].points_tenths, 35);
	assert_string_equal(rows[0].provider, "go-opleidingen");
	assert_non_null(strstr(rows[0].domains, ", "));
	assert_int_equal(review_register(&f->ctx, "go-opl", 0, 20, &rows, &n, &total), 0);
	assert_int_equal(total, 1);
	assert_int_equal(review_register(&f->ctx, "niets dergelijks", 0, 20, &rows, &n, &total), 0);
	assert_int_equal(total, 0);
	assert_int_equal(review_register(&f->ctx, "100%_", 0, 20, &rows, &n, &total), 0);
	assert_int_equal(total, 0);
}

static void submit_refusals(void **state)
{
	struct fixture *f = *state;
	int64_t v1, m = new_module(f, f->prov, "classroom", &v1);
	const char *why;
	int64_t id;
	/* another organisation's provider administrator */
	as(f, f->outsider, f->other, ROLE_PROVIDER_ADMIN);
	assert_int_equal(review_submit(&f->ctx, m, &id, &why), CAMPUS_EFORBIDDEN);
	assert_non_null(why);
	/* the owner's teacher has no say either */
	as(f, f->conflicted, f->prov, ROLE_TEACHER);
	assert_int_equal(review_submit(&f->ctx, m, &id, &why), CAMPUS_EFORBIDDEN);
	assert_int_equal(audits(f, "review.submit", "denied"), 2);
	/* incomplete: no learning goals */
	assert_int_equal(db_exec(f->db, &stmt_t_goals, (const struct db_param[]){DBP_INT(v1), DBP_TEXT(" "), DBP_END},
	                         NULL),
	                 0);
	as_owner(f);
	assert_int_equal(review_submit(&f->ctx, m, &id, &why), CAMPUS_EINVAL);
	assert_non_null(strstr(why, "leerdoelen"));
	assert_int_equal(review_submit(&f->ctx, 999999, &id, &why), CAMPUS_ENOTFOUND);
	assert_int_equal(count0(f, &stmt_t_count_reviews), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "draft");
	assert_int_equal(mails_to(f, "aanbod@go.test"), 0);
	/* complete: once, not twice */
	assert_int_equal(db_exec(f->db, &stmt_t_goals, (const struct db_param[]){DBP_INT(v1), DBP_TEXT("Voorlezen"), DBP_END},
	                         NULL),
	                 0);
	assert_int_equal(review_submit(&f->ctx, m, &id, &why), 0);
	assert_int_equal(review_submit(&f->ctx, m, &id, &why), CAMPUS_ECONFLICT);
	assert_non_null(why);
	assert_int_equal(count0(f, &stmt_t_count_reviews), 1);
}

static void check_and_assign_refusals(void **state)
{
	struct fixture *f = *state;
	int64_t v1, m = new_module(f, f->prov, "classroom", &v1);
	const char *why;
	int64_t id;
	as_owner(f);
	assert_int_equal(review_submit(&f->ctx, m, &id, &why), 0);
	int64_t one[] = {f->rev1};
	/* not checked yet */
	as_chair(f);
	assert_int_equal(review_assign(&f->ctx, id, one, 1, &why), CAMPUS_ECONFLICT);
	/* only a campus administrator checks */
	assert_int_equal(review_check(&f->ctx, id, true, "", &why), CAMPUS_EFORBIDDEN);
	as_admin(f);
	assert_int_equal(review_check(&f->ctx, id, false, "  ", &why), CAMPUS_EINVAL);
	assert_int_equal(review_check(&f->ctx, id, true, "", &why), 0);
	assert_int_equal(review_check(&f->ctx, id, true, "", &why), CAMPUS_ECONFLICT);
	/* a reviewer who is not the chair */
	as(f, f->rev1, f->campus, ROLE_COMMITTEE);
	assert_int_equal(review_assign(&f->ctx, id, one, 1, &why), CAMPUS_EFORBIDDEN);
	/* a conflicted reviewer, after a fine one: nothing half-saved */
	as_chair(f);
	int64_t mixed[] = {f->rev1, f->conflicted};
	assert_int_equal(review_assign(&f->ctx, id, mixed, 2, &why), CAMPUS_EINVAL);
	assert_non_null(strstr(why, "belangenverstrengeling"));
	int64_t learner[] = {f->nobody};
	assert_int_equal(review_assign(&f->ctx, id, learner, 1, &why), CAMPUS_EINVAL);
	assert_int_equal(review_assign(&f->ctx, id, NULL, 0, &why), CAMPUS_EINVAL);
	assert_int_equal(count0(f, &stmt_t_count_assign), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "submitted");
	assert_int_equal(mails_to(f, "lid1@campus.test"), 0);
	/* the chair's conflict list says the same */
	struct review_member *members;
	size_t n;
	assert_int_equal(review_committee(&f->ctx, f->prov, &members, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(members[i].conflict, members[i].person_id == f->conflicted);
	/* a campus administrator may assign too */
	as_admin(f);
	assert_int_equal(review_assign(&f->ctx, id, one, 1, &why), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "in_review");
}

static void score_and_decide_refusals(void **state)
{
	struct fixture *f = *state;
	int64_t v1, m = new_module(f, f->prov, "classroom", &v1);
	const char *why;
	int64_t id;
	as_owner(f);
	assert_int_equal(review_submit(&f->ctx, m, &id, &why), 0);
	as_admin(f);
	assert_int_equal(review_check(&f->ctx, id, true, "", &why), 0);
	as_chair(f);
	struct review_decision d = recognition(f, 20);
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), CAMPUS_ECONFLICT); /* nobody assigned */
	int64_t two[] = {f->rev1, f->rev2};
	assert_int_equal(review_assign(&f->ctx, id, two, 2, &why), 0);

	/* scoring: only assigned reviewers, every criterion, 1..5 */
	as_chair(f);
	assert_int_equal(score_all(f, id, 4, &why), CAMPUS_EFORBIDDEN);
	as(f, f->rev1, f->campus, ROLE_COMMITTEE);
	assert_int_equal(score_all(f, id, 6, &why), CAMPUS_EINVAL);
	assert_int_equal(score_all(f, id, 0, &why), CAMPUS_EINVAL);
	struct review_criterion *c;
	size_t nc;
	assert_int_equal(review_criteria(&f->ctx, &c, &nc), 0);
	int64_t ids[] = {c[0].id, c[0].id, c[1].id, c[2].id}, sc[] = {3, 3, 3, 3};
	assert_int_equal(review_score(&f->ctx, id, ids, sc, NULL, 4, &why), CAMPUS_EINVAL); /* twice, one missing */
	assert_int_equal(review_score(&f->ctx, id, ids, sc, NULL, 1, &why), CAMPUS_EINVAL);
	assert_int_equal(count0(f, &stmt_t_count_scores), 0);
	assert_int_equal(score_all(f, id, 4, &why), 0);

	/* deciding before every score is in */
	as_chair(f);
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), CAMPUS_ECONFLICT);
	assert_non_null(why);
	as(f, f->rev2, f->poi, ROLE_COMMITTEE);
	assert_int_equal(score_all(f, id, 4, &why), 0);

	/* not on the committee: a campus administrator */
	as_admin(f);
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), CAMPUS_EFORBIDDEN);
	assert_non_null(why);
	/* a committee member who works for the provider */
	as(f, f->conflicted, f->poi, ROLE_COMMITTEE);
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), CAMPUS_EFORBIDDEN);
	assert_non_null(strstr(why, "belangenverstrengeling"));
	assert_int_equal(audits(f, "review.decide", "denied"), 2);
	/* points out of range, bad load, no domains, unknown domain, validity */
	as_chair(f);
	struct review_decision bad = recognition(f, 4);
	assert_int_equal(review_decide(&f->ctx, id, &bad, &why), CAMPUS_EINVAL);
	assert_non_null(strstr(why, "punten"));
	bad = recognition(f, 1001);
	assert_int_equal(review_decide(&f->ctx, id, &bad, &why), CAMPUS_EINVAL);
	bad = recognition(f, 20);
	bad.load_tenths = 0;
	assert_int_equal(review_decide(&f->ctx, id, &bad, &why), CAMPUS_EINVAL);
	bad = recognition(f, 20);
	bad.ndomains = 0;
	assert_int_equal(review_decide(&f->ctx, id, &bad, &why), CAMPUS_EINVAL);
	int64_t unknown[] = {987654};
	bad.domains = unknown;
	bad.ndomains = 1;
	assert_int_equal(review_decide(&f->ctx, id, &bad, &why), CAMPUS_EINVAL);
	bad = recognition(f, 20);
	bad.valid_until = T0 - 1;
	assert_int_equal(review_decide(&f->ctx, id, &bad, &why), CAMPUS_EINVAL);
	struct review_decision ret = {.outcome = REVIEW_RETURNED, .reasons = ""};
	assert_int_equal(review_decide(&f->ctx, id, &ret, &why), CAMPUS_EINVAL);
	int64_t w, p, r;
	pointers(f, m, &w, &p, &r);
	assert_int_equal(r, 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "in_review");
	assert_int_equal(audits(f, "review.decide", "ok"), 0);

	/* a narrower range from the settings */
	assert_int_equal(settings_set(&f->ctx, SETTING_REVIEW_POINTS_MAX, "1,5"), 0);
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, SETTING_REVIEW_POINTS_MAX, "abc"), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, SETTING_REVIEW_POINTS_MAX, "100"), 0);
	assert_int_equal(settings_set(&f->ctx, SETTING_REVIEW_CHAIR, "x1"), CAMPUS_EINVAL);

	/* rejected with reasons; then nothing more */
	struct review_decision rej = {.outcome = REVIEW_REJECTED, .reasons = "Geen toetsing van de leerdoelen."};
	assert_int_equal(review_decide(&f->ctx, id, &rej, &why), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "rejected");
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), CAMPUS_ECONFLICT);
	as(f, f->rev1, f->campus, ROLE_COMMITTEE);
	assert_int_equal(score_all(f, id, 2, &why), CAMPUS_ECONFLICT);
	as_owner(f);
	assert_int_equal(review_withdraw(&f->ctx, id, &why), CAMPUS_ECONFLICT);
	struct review got;
	assert_int_equal(review_get(&f->ctx, id, &got), 0);
	assert_string_equal(got.reason, "Geen toetsing van de leerdoelen.");
}

static void returned_then_resubmitted_and_withdrawn(void **state)
{
	struct fixture *f = *state;
	int64_t v1, m = new_module(f, f->prov, "classroom", &v1);
	const char *why;
	int64_t id = ready_review(f, m), id2, id3;
	as_chair(f);
	struct review_decision ret = {.outcome = REVIEW_RETURNED, .reasons = "Beschrijf de werkvormen."};
	assert_int_equal(review_decide(&f->ctx, id, &ret, &why), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "returned");
	assert_int_equal(mails_to(f, "aanbod@go.test"), 2); /* submitted, returned */
	as_owner(f);
	assert_int_equal(review_submit(&f->ctx, m, &id2, &why), 0);
	assert_true(id2 != id);
	/* the completeness check can return it too */
	as_admin(f);
	assert_int_equal(review_check(&f->ctx, id2, false, "Het programma ontbreekt.", &why), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "returned");
	as_owner(f);
	assert_int_equal(review_submit(&f->ctx, m, &id3, &why), 0);
	/* someone else cannot withdraw it; the owner can */
	as(f, f->outsider, f->other, ROLE_PROVIDER_ADMIN);
	assert_int_equal(review_withdraw(&f->ctx, id3, &why), CAMPUS_EFORBIDDEN);
	as_owner(f);
	assert_int_equal(review_withdraw(&f->ctx, id3, &why), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "draft");
	assert_int_equal(review_withdraw(&f->ctx, id3, &why), CAMPUS_ECONFLICT);
	struct review *hist;
	size_t n;
	assert_int_equal(review_history(&f->ctx, m, &hist, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(hist[0].state, "withdrawn");
	assert_string_equal(hist[2].reason, "Beschrijf de werkvormen.");
}

static void new_version_while_recognised(void **state)
{
	struct fixture *f = *state;
	int64_t v1, m = new_module(f, f->prov, "elearning", &v1);
	const char *why;
	int64_t id = ready_review(f, m);
	as_chair(f);
	struct review_decision d = recognition(f, 20);
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), 0);
	int64_t until;
	vstate(f, v1, NULL, NULL, &until);
	assert_int_equal(until, T0 + 730 * DAY); /* e-learning: two years */

	/* a substantive change: version 2 goes to the committee, version 1 stays what learners see */
	clock_value += 10 * DAY;
	int64_t v2 = add_version(f, m, 2, "elearning");
	int64_t id2 = ready_review(f, m);
	int64_t w, p, r;
	pointers(f, m, &w, &p, &r);
	assert_int_equal(w, v2);
	assert_int_equal(p, v1);
	assert_int_equal(r, v1);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "recognised");
	assert_string_equal(vstate(f, v2, NULL, NULL, NULL), "in_review");
	as_chair(f);
	d = recognition(f, 25);
	d.valid_until = T0 + 400 * DAY;
	assert_int_equal(review_decide(&f->ctx, id2, &d, &why), 0);
	pointers(f, m, &w, &p, &r);
	assert_int_equal(p, v2);
	assert_int_equal(r, v2);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "superseded");
	int64_t points;
	assert_string_equal(vstate(f, v2, &points, NULL, &until), "recognised");
	assert_int_equal(points, 25);
	assert_int_equal(until, T0 + 400 * DAY);
}

/* The points a provider's late registration of a completion on a date
 * earns; *domains (when not NULL): the sum of the ids of the domains they
 * count in, each once. */
static int64_t earned(struct fixture *f, int64_t person_id, int64_t module_id, int64_t completed_at,
                      int64_t *domains)
{
	struct record_args a = {.ctx = &f->ctx,
	                        .in = {.person_id = person_id, .module_id = module_id, .source = EVIDENCE_API,
	                               .evidence_key = arena_printf(f->arena, "test:%lld", (long long)person_id),
	                               .completed_at = completed_at}};
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, record_tx, &a), 0);
	if (domains)
		*domains = count(f, &stmt_t_ledger_domains, (const struct db_param[]){DBP_INT(a.out.ledger_id), DBP_END});
	return a.out.points_tenths;
}

static void expiry_and_rereview(void **state)
{
	struct fixture *f = *state;
	int64_t v1, m = new_module(f, f->prov, "classroom", &v1);
	assert_int_equal(db_exec(f->db, &stmt_t_publish, (const struct db_param[]){DBP_INT(m), DBP_INT(v1), DBP_END}, NULL),
	                 0);
	const char *why;
	int64_t id = ready_review(f, m);
	as_chair(f);
	struct review_decision d = recognition(f, 20);
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), 0);
	unsigned started, expired;
	/* only the system or a campus administrator runs it */
	assert_int_equal(review_expire_due(&f->ctx, T0, &started, &expired), CAMPUS_EFORBIDDEN);
	as_admin(f);
	assert_int_equal(review_expire_due(&f->ctx, T0 + 200 * DAY, &started, &expired), 0);
	assert_int_equal(started, 0);
	assert_int_equal(expired, 0);
	/* 40 days before the end: a re-review starts, once */
	assert_int_equal(review_expire_due(&f->ctx, T0 + 325 * DAY, &started, &expired), 0);
	assert_int_equal(started, 1);
	assert_int_equal(count(f, &stmt_t_rereview, (const struct db_param[]){DBP_INT(v1), DBP_BOOL(true), DBP_END}), 1);
	assert_int_equal(review_expire_due(&f->ctx, T0 + 326 * DAY, &started, &expired), 0);
	assert_int_equal(started, 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "recognised");
	/* the end date passes before the committee decides */
	assert_int_equal(review_expire_due(&f->ctx, T0 + 366 * DAY, &started, &expired), 0);
	assert_int_equal(expired, 1);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "expired");
	int64_t w, p, r;
	pointers(f, m, &w, &p, &r);
	assert_int_equal(r, 0);
	assert_int_equal(p, v1); /* still published, not recognised */
	assert_int_equal(audits(f, "review.expire", "ok"), 1);
	struct review_register_row *rows;
	size_t n;
	int64_t total;
	clock_value = T0 + 366 * DAY;
	assert_int_equal(review_register(&f->ctx, NULL, 0, 20, &rows, &n, &total), 0);
	assert_int_equal(total, 0);

	/* the re-review goes the usual way and recognises the same version again */
	struct review *box;
	assert_int_equal(review_inbox(&f->ctx, REVIEW_BOX_CHECK, &box, &n), 0);
	assert_int_equal(n, 1);
	assert_true(box[0].rereview);
	int64_t rid = box[0].id;
	assert_int_equal(review_check(&f->ctx, rid, true, "", &why), 0);
	as_chair(f);
	int64_t one[] = {f->rev1};
	assert_int_equal(review_assign(&f->ctx, rid, one, 1, &why), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "expired");
	as(f, f->rev1, f->campus, ROLE_COMMITTEE);
	assert_int_equal(score_all(f, rid, 4, &why), 0);
	as_chair(f);
	/* ... under one of its two domains only */
	struct review_decision again = recognition(f, 30);
	again.domains = &f->dom2;
	again.ndomains = 1;
	assert_int_equal(review_decide(&f->ctx, rid, &again, &why), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "recognised");
	pointers(f, m, &w, &p, &r);
	assert_int_equal(r, v1);
	assert_int_equal(review_register(&f->ctx, NULL, 0, 20, &rows, &n, &total), 0);
	assert_int_equal(total, 1);

	/* The first recognition is kept, ended where it expired, so results
	 * registered late still earn what was recognised on their date. */
	int64_t hp = 0, hfrom = 0, huntil = 0, hreview = 0;
	assert_int_equal(db_query_row(f->db, &stmt_t_history, (const struct db_param[]){DBP_INT(v1), DBP_END},
	                              (const struct db_col[]){DBC_INT(&hp), DBC_INT(&hfrom), DBC_INT(&huntil),
	                                                      DBC_INT(&hreview), DBC_END},
	                              f->arena),
	                 0);
	assert_int_equal(hp, 20);
	assert_int_equal(hfrom, T0);
	assert_int_equal(huntil, T0 + 365 * DAY);
	assert_int_equal(hreview, rid);
	/* ... in the domains recognised then. */
	int64_t doms = 0;
	assert_int_equal(earned(f, f->rev1, m, T0 + 100 * DAY, &doms), 20); /* the first period */
	assert_int_equal(doms, f->dom1 + f->dom2);
	assert_int_equal(earned(f, f->rev2, m, T0 + 365 * DAY + DAY / 2, NULL), 0); /* expired, not yet again */
	assert_int_equal(earned(f, f->outsider, m, T0 + 366 * DAY, &doms), 30); /* the second */
	assert_int_equal(doms, f->dom2);
}

static void trusted_provider_light_path(void **state)
{
	struct fixture *f = *state;
	const char *why;
	/* who may, and which dates */
	as(f, f->outsider, f->other, ROLE_PROVIDER_ADMIN);
	assert_int_equal(review_trust_set(&f->ctx, f->prov, T0 + 365 * DAY, &why), CAMPUS_EFORBIDDEN);
	as_chair(f);
	assert_int_equal(review_trust_set(&f->ctx, f->prov, T0 - 1, &why), CAMPUS_EINVAL);
	assert_int_equal(review_trust_set(&f->ctx, f->prov, T0 + 3000 * DAY, &why), CAMPUS_EINVAL);
	assert_int_equal(review_trust_set(&f->ctx, f->campus, T0 + 365 * DAY, &why), CAMPUS_EINVAL);
	assert_int_equal(review_trust_end(&f->ctx, f->prov, &why), CAMPUS_ECONFLICT);
	assert_false(review_is_trusted(&f->ctx, f->prov));
	assert_int_equal(review_trust_set(&f->ctx, f->prov, T0 + 365 * DAY, &why), 0);
	assert_true(review_is_trusted(&f->ctx, f->prov));
	struct review_trusted *list;
	size_t n;
	assert_int_equal(review_trusted_list(&f->ctx, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].valid_until, T0 + 365 * DAY);

	/* light: no completeness check (incomplete is fine), one reviewer is enough */
	int64_t v1, m = new_module(f, f->prov, "classroom", &v1), id;
	assert_int_equal(db_exec(f->db, &stmt_t_goals, (const struct db_param[]){DBP_INT(v1), DBP_TEXT(""), DBP_END}, NULL),
	                 0);
	as_owner(f);
	assert_int_equal(review_submit(&f->ctx, m, &id, &why), 0);
	struct review got;
	assert_int_equal(review_get(&f->ctx, id, &got), 0);
	assert_true(got.light);
	as_admin(f);
	assert_int_equal(review_check(&f->ctx, id, true, "", &why), CAMPUS_ECONFLICT);
	as_chair(f);
	struct review *box;
	assert_int_equal(review_inbox(&f->ctx, REVIEW_BOX_ASSIGN, &box, &n), 0);
	assert_int_equal(n, 1);
	int64_t two[] = {f->rev1, f->rev2};
	assert_int_equal(review_assign(&f->ctx, id, two, 2, &why), 0);
	as(f, f->rev2, f->poi, ROLE_COMMITTEE);
	assert_int_equal(score_all(f, id, 4, &why), 0);
	as_chair(f);
	struct review_decision d = recognition(f, 10);
	assert_int_equal(review_decide(&f->ctx, id, &d, &why), 0);
	assert_string_equal(vstate(f, v1, NULL, NULL, NULL), "recognised");

	/* the trust ends: the next submission takes the full path */
	assert_int_equal(review_trust_end(&f->ctx, f->prov, &why), 0);
	assert_false(review_is_trusted(&f->ctx, f->prov));
	assert_int_equal(audits(f, "provider.trust", "ok"), 1);
	assert_int_equal(audits(f, "provider.trust_end", "ok"), 1);
	int64_t w2, m2 = new_module(f, f->prov, "classroom", &w2);
	assert_int_equal(db_exec(f->db, &stmt_t_goals, (const struct db_param[]){DBP_INT(w2), DBP_TEXT(""), DBP_END}, NULL),
	                 0);
	as_owner(f);
	assert_int_equal(review_submit(&f->ctx, m2, &id, &why), CAMPUS_EINVAL);
}

/* The published criteria: only campus administrators change them; a new one
 * must be scored too; a retired one no longer; the last one stays. */
static void criteria_are_kept_by_campus_administrators(void **state)
{
	struct fixture *f = *state;
	struct review_criterion *cur;
	size_t before, n;
	assert_int_equal(review_criteria(&f->ctx, &cur, &before), 0);
	const char *why;
	int64_t id;
	as_chair(f);
	assert_int_equal(review_criterion_add(&f->ctx, "Toegankelijkheid", "Is het materiaal toegankelijk?", &id, &why),
	                 CAMPUS_EFORBIDDEN);
	as_admin(f);
	assert_int_equal(review_criterion_add(&f->ctx, "  ", "x", &id, &why), CAMPUS_EINVAL);
	assert_non_null(why);
	assert_int_equal(review_criterion_add(&f->ctx, "Toegankelijkheid", "", &id, &why), CAMPUS_EINVAL);
	assert_int_equal(review_criterion_add(&f->ctx, "Toegankelijkheid",
	                                      "Materiaal en werkvormen zijn toegankelijk (WCAG).", &id, &why),
	                 0);
	assert_int_equal(review_criteria(&f->ctx, &cur, &n), 0);
	assert_int_equal(n, before + 1);
	assert_string_equal(cur[n - 1].name, "Toegankelijkheid");
	assert_int_equal(review_criterion_update(&f->ctx, id, "Toegankelijkheid voor iedereen",
	                                         "Materiaal en werkvormen zijn toegankelijk.", &why),
	                 0);
	assert_int_equal(review_criterion_update(&f->ctx, 987654, "x", "y", &why), CAMPUS_ENOTFOUND);
	assert_int_equal(review_criterion_retire(&f->ctx, id, true, &why), 0);
	assert_int_equal(review_criteria(&f->ctx, &cur, &n), 0);
	assert_int_equal(n, before);
	struct review_criterion_row *all;
	size_t nall;
	assert_int_equal(review_criteria_all(&f->ctx, &all, &nall), 0);
	bool found = false;
	for (size_t i = 0; i < nall; i++)
		found |= all[i].id == id && all[i].retired && !strcmp(all[i].name, "Toegankelijkheid voor iedereen");
	assert_true(found);
	/* Retire all but one; the last stays. */
	assert_int_equal(review_criteria(&f->ctx, &cur, &n), 0);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(review_criterion_retire(&f->ctx, cur[i].id, true, &why), 0);
	assert_int_equal(review_criterion_retire(&f->ctx, cur[0].id, true, &why), CAMPUS_ECONFLICT);
	assert_non_null(why);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(review_criterion_retire(&f->ctx, cur[i].id, false, &why), 0);
	assert_int_equal(review_criteria(&f->ctx, &cur, &n), 0);
	assert_int_equal(n, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(whole_path_to_recognition, setup, teardown),
	    cmocka_unit_test_setup_teardown(submit_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(check_and_assign_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(score_and_decide_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(returned_then_resubmitted_and_withdrawn, setup, teardown),
	    cmocka_unit_test_setup_teardown(new_version_while_recognised, setup, teardown),
	    cmocka_unit_test_setup_teardown(expiry_and_rereview, setup, teardown),
	    cmocka_unit_test_setup_teardown(trusted_provider_light_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(criteria_are_kept_by_campus_administrators, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
