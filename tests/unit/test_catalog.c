/* catalog and taxonomy: modules, versions, visibility, the taxonomy's edits,
 * on the database named by CAMPUS_TEST_DB (SQLite and PostgreSQL). */
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
#include "domain/ctx.h"
#include "domain/taxonomy.h"

static int64_t fixed_now(void) { return 1795000000; }

DB_STMT(stmt_clear_tags, "DELETE FROM module_version_tags");
DB_STMT(stmt_clear_scores, "DELETE FROM review_scores");
DB_STMT(stmt_clear_assign, "DELETE FROM review_assignments");
DB_STMT(stmt_clear_reviews, "DELETE FROM reviews");
DB_STMT(stmt_clear_modules_ptr,
        "UPDATE modules SET working_version_id = NULL, published_version_id = NULL, "
        "recognised_version_id = NULL");
DB_STMT(stmt_clear_versions, "DELETE FROM module_versions");
DB_STMT(stmt_clear_modules, "DELETE FROM modules");
DB_STMT(stmt_clear_members, "DELETE FROM memberships");
DB_STMT(stmt_clear_sessions, "DELETE FROM sessions");
DB_STMT(stmt_clear_people, "DELETE FROM people");
DB_STMT(stmt_clear_tokens, "DELETE FROM api_tokens");
DB_STMT(stmt_clear_trusted, "DELETE FROM trusted_providers");
DB_STMT(stmt_clear_orgs, "DELETE FROM organisations");
DB_STMT(stmt_org_insert,
        "INSERT INTO organisations (slug, name, kind, created_at, updated_at) "
        "VALUES ($1, $2, $3, 0, 0) RETURNING id");
DB_STMT(stmt_person_insert,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ($1, $1, 0, 0) RETURNING id");
DB_STMT(stmt_member_insert,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at) "
        "VALUES ($1, $2, 'employee', $3, 0)");
DB_STMT(stmt_domain_by_slug, "SELECT id FROM tax_domains WHERE slug = $1");
DB_STMT(stmt_role_by_slug, "SELECT id FROM tax_roles WHERE slug = $1");
DB_STMT(stmt_count_versions, "SELECT COUNT(*) FROM module_versions WHERE module_id = $1");
DB_STMT(stmt_count_modules, "SELECT COUNT(*) FROM modules");
/* What the review committee does, until review.c exists in these tests. */
DB_STMT(stmt_recognise,
        "UPDATE module_versions SET state = 'recognised', points_tenths = 40, "
        "recognised_load_tenths = 40, recognised_at = 1, valid_until = 1900000000 WHERE id = $1");
DB_STMT(stmt_module_recognised,
        "UPDATE modules SET recognised_version_id = $2, published_version_id = $2 WHERE id = $1");
DB_STMT(stmt_set_state, "UPDATE module_versions SET state = $2 WHERE id = $1");
DB_STMT(stmt_domain_restore, "UPDATE tax_domains SET retired_at = NULL, name = $2 WHERE slug = $1");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t provider, lib_a, lib_b, domain, role, person_a, person_b;
};

static int64_t insert_id(struct fixture *f, struct db_stmt *stmt, const struct db_param *params)
{
	int64_t id = 0;
	assert_int_equal(db_query_row(f->db, stmt, params, (const struct db_col[]){DBC_INT(&id), DBC_END},
	                              f->arena),
	                 0);
	return id;
}

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
	struct db_stmt *clears[] = {&stmt_clear_tags,     &stmt_clear_scores,    &stmt_clear_assign,
	                            &stmt_clear_reviews,  &stmt_clear_modules_ptr, &stmt_clear_versions,
	                            &stmt_clear_modules,  &stmt_clear_members,   &stmt_clear_sessions,
	                            &stmt_clear_tokens,   &stmt_clear_trusted,   &stmt_clear_people,
	                            &stmt_clear_orgs};
	for (size_t i = 0; i < sizeof clears / sizeof clears[0]; i++)
		if (db_exec(f->db, clears[i], (const struct db_param[]){DBP_END}, NULL) != 0) {
			fprintf(stderr, "setup: %s\n", db_errmsg(f->db));
			return -1;
		}
	db_exec(f->db, &stmt_domain_restore,
	        (const struct db_param[]){DBP_TEXT("community-librarian"), DBP_TEXT("Community librarian"),
	                                  DBP_END},
	        NULL);
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = fixed_now};
	f->ctx.actor.flags = ACTOR_SYSTEM;
	f->provider = insert_id(f, &stmt_org_insert,
	                        (const struct db_param[]){DBP_TEXT("go"), DBP_TEXT("GO Opleidingen"),
	                                                  DBP_TEXT("provider"), DBP_END});
	f->lib_a = insert_id(f, &stmt_org_insert,
	                     (const struct db_param[]){DBP_TEXT("bieb-a"), DBP_TEXT("Bibliotheek A"),
	                                               DBP_TEXT("library"), DBP_END});
	f->lib_b = insert_id(f, &stmt_org_insert,
	                     (const struct db_param[]){DBP_TEXT("bieb-b"), DBP_TEXT("Bibliotheek B"),
	                                               DBP_TEXT("library"), DBP_END});
	f->person_a = insert_id(f, &stmt_person_insert,
	                        (const struct db_param[]){DBP_TEXT("a@a.demo"), DBP_END});
	f->person_b = insert_id(f, &stmt_person_insert,
	                        (const struct db_param[]){DBP_TEXT("b@b.demo"), DBP_END});
	db_exec(f->db, &stmt_member_insert,
	        (const struct db_param[]){DBP_INT(f->person_a), DBP_INT(f->lib_a), DBP_INT(1), DBP_END},
	        NULL);
	db_exec(f->db, &stmt_member_insert,
	        (const struct db_param[]){DBP_INT(f->person_b), DBP_INT(f->lib_b), DBP_INT(1), DBP_END},
	        NULL);
	f->domain = insert_id(f, &stmt_domain_by_slug,
	                      (const struct db_param[]){DBP_TEXT("maatschappelijk-educatieve-bibliothecaris"),
	                                                DBP_END});
	f->role = insert_id(f, &stmt_role_by_slug,
	                    (const struct db_param[]){DBP_TEXT("boekstart-voorleesexpress"), DBP_END});
	*state = f;
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

static struct module_input sample(struct fixture *f)
{
	static int64_t domains[1], roles[1];
	domains[0] = f->domain;
	roles[0] = f->role;
	return (struct module_input){
	    .title = "Voorleesexpert worden",
	    .summary = "Interactief voorlezen aan peuters en hun ouders.",
	    .description = "Je leert **interactief voorlezen**.\n\n- prentenboeken kiezen\n- vragen stellen",
	    .goals = "Je kiest een prentenboek dat past.\nJe betrekt ouders bij het voorlezen.",
	    .level = "uitvoerend", .format = "classroom", .language = "nl", .vat = "crkbo",
	    .audience = "both", .place = "Utrecht", .province = "Utrecht",
	    .contact_name = "Sanne de Vries", .contact_email = "Sanne@GO-opleidingen.demo",
	    .load_tenths = 60, .price_cents = 14500,
	    .domains = domains, .ndomains = 1, .roles = roles, .nroles = 1};
}

static int64_t count(struct fixture *f, struct db_stmt *stmt, const struct db_param *params)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, stmt, params, (const struct db_col[]){DBC_INT(&n), DBC_END},
	                              f->arena),
	                 0);
	return n;
}

static bool has_problem(const struct module_problems *pr, const char *field)
{
	for (size_t i = 0; i < pr->n; i++)
		if (!strcmp(pr->items[i].field, field))
			return true;
	return false;
}

static void bad_modules_are_refused_and_nothing_is_saved(void **state)
{
	struct fixture *f = *state;
	struct module_problems pr;
	int64_t id;
	struct module_input in = sample(f);
	in.title = "  ";
	in.format = "zeppelin";
	in.description = "Kijk <script>alert(1)</script>";
	in.load_tenths = 0;
	in.contact_email = "geen adres";
	static const unsigned char not_png[] = "GIF89a not an image we take";
	in.image = not_png;
	in.image_len = sizeof not_png;
	int64_t bogus[] = {999999};
	in.competencies = bogus;
	in.ncompetencies = 1;
	assert_int_equal(module_create(&f->ctx, f->provider, 0, &in, &id, &pr), CAMPUS_EINVAL);
	const char *fields[] = {"titel", "vorm", "beschrijving", "studielast", "contactemail",
	                        "afbeelding", "competentie"};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		assert_true(has_problem(&pr, fields[i]));
	struct module_input no_domain = sample(f);
	no_domain.ndomains = 0;
	assert_int_equal(module_create(&f->ctx, f->provider, 0, &no_domain, &id, &pr), CAMPUS_EINVAL);
	assert_true(has_problem(&pr, "domein"));
	struct module_input link = sample(f);
	link.description = "[klik](javascript:alert(1))";
	assert_int_equal(module_create(&f->ctx, f->provider, 0, &link, &id, &pr), CAMPUS_EINVAL);
	/* A local module belongs to the library that places it. */
	struct module_input ok = sample(f);
	assert_int_equal(module_create(&f->ctx, f->lib_a, f->lib_b, &ok, &id, &pr), CAMPUS_EINVAL);
	assert_int_equal(count(f, &stmt_count_modules, (const struct db_param[]){DBP_END}), 0);
}

static void create_publish_and_read(void **state)
{
	struct fixture *f = *state;
	struct module_problems pr;
	struct module_input in = sample(f);
	int64_t id;
	assert_int_equal(module_create(&f->ctx, f->provider, 0, &in, &id, &pr), 0);
	struct module m;
	assert_int_equal(module_get(&f->ctx, id, MODULE_PUBLISHED, &m), CAMPUS_ENOTFOUND);
	assert_int_equal(module_get(&f->ctx, id, MODULE_WORKING, &m), 0);
	assert_string_equal(m.v.title, "Voorleesexpert worden");
	assert_string_equal(m.v.state, "draft");
	assert_string_equal(m.v.contact_email, "sanne@go-opleidingen.demo");
	assert_string_equal(m.provider_name, "GO Opleidingen");
	assert_int_equal(m.v.ntags, 2);
	assert_int_equal(m.v.tags[0].kind, 'd');
	assert_false(m.v.has_points);
	const char *why;
	assert_int_equal(module_publish(&f->ctx, id, &why), 0);
	assert_int_equal(module_get(&f->ctx, id, MODULE_PUBLISHED, &m), 0);
	assert_int_equal(m.published_version_id, m.working_version_id);
	struct module_summary *list;
	size_t n;
	assert_int_equal(module_list_by_owner(&f->ctx, f->provider, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_true(list[0].published);
	assert_false(list[0].recognised);
	assert_int_equal(module_unpublish(&f->ctx, id), 0);
	assert_int_equal(module_get(&f->ctx, id, MODULE_PUBLISHED, &m), CAMPUS_ENOTFOUND);
}

static void local_modules_only_for_their_library(void **state)
{
	struct fixture *f = *state;
	struct module_problems pr;
	struct module_input in = sample(f);
	int64_t id;
	const char *why;
	assert_int_equal(module_create(&f->ctx, f->lib_a, f->lib_a, &in, &id, &pr), 0);
	assert_int_equal(module_publish(&f->ctx, id, &why), 0);
	struct module m;
	assert_int_equal(module_get(&f->ctx, id, MODULE_PUBLISHED, &m), 0);
	assert_int_equal(m.local_org_id, f->lib_a);
	bool may;
	struct ctx as = f->ctx;
	as.actor = (struct actor){f->person_a, f->lib_a, ROLE_LEARNER, 0};
	assert_int_equal(catalog_may_see(&as, &m, &may), 0);
	assert_true(may);
	as.actor = (struct actor){f->person_b, f->lib_b, ROLE_LEARNER, 0};
	assert_int_equal(catalog_may_see(&as, &m, &may), 0);
	assert_false(may);
	as.actor = (struct actor){0, 0, 0, 0};
	assert_int_equal(catalog_may_see(&as, &m, &may), 0);
	assert_false(may);
	/* Editing: the library's managers, not its learners nor another library's managers. */
	assert_true(catalog_may_edit(&(struct actor){f->person_a, f->lib_a, ROLE_MANAGER, 0}, &m));
	assert_false(catalog_may_edit(&(struct actor){f->person_a, f->lib_a, ROLE_LEARNER, 0}, &m));
	assert_false(catalog_may_edit(&(struct actor){f->person_b, f->lib_b, ROLE_MANAGER, 0}, &m));
}

static void recognised_version_stays_published_while_the_new_one_is_reviewed(void **state)
{
	struct fixture *f = *state;
	struct module_problems pr;
	struct module_input in = sample(f);
	int64_t id;
	const char *why;
	assert_int_equal(module_create(&f->ctx, f->provider, 0, &in, &id, &pr), 0);
	struct module m;
	assert_int_equal(module_get(&f->ctx, id, MODULE_WORKING, &m), 0);
	int64_t v1 = m.v.id;
	db_exec(f->db, &stmt_recognise, (const struct db_param[]){DBP_INT(v1), DBP_END}, NULL);
	db_exec(f->db, &stmt_module_recognised,
	        (const struct db_param[]){DBP_INT(id), DBP_INT(v1), DBP_END}, NULL);

	/* A practical detail changes in place. */
	bool new_version;
	in.price_cents = 9900;
	in.contact_name = "Pim Jansen";
	assert_int_equal(module_update(&f->ctx, id, &in, &new_version, &pr), 0);
	assert_false(new_version);
	assert_int_equal(count(f, &stmt_count_versions, (const struct db_param[]){DBP_INT(id), DBP_END}), 1);
	assert_int_equal(module_get(&f->ctx, id, MODULE_PUBLISHED, &m), 0);
	assert_int_equal(m.v.price_cents, 9900);
	assert_true(m.v.has_points);
	assert_int_equal(m.v.points_tenths, 40);

	/* A substantive change starts version 2; version 1 stays what learners see. */
	in.goals = "Je kiest een prentenboek.\nJe leest interactief voor.\nJe evalueert.";
	assert_int_equal(module_update(&f->ctx, id, &in, &new_version, &pr), 0);
	assert_true(new_version);
	assert_int_equal(module_get(&f->ctx, id, MODULE_PUBLISHED, &m), 0);
	assert_int_equal(m.v.id, v1);
	assert_string_equal(m.v.state, "recognised");
	assert_int_equal(module_get(&f->ctx, id, MODULE_WORKING, &m), 0);
	assert_int_equal(m.v.number, 2);
	assert_string_equal(m.v.state, "draft");
	assert_int_equal(module_publish(&f->ctx, id, &why), CAMPUS_ECONFLICT);
	assert_non_null(why);

	/* Price changes reach both versions. */
	in.price_cents = 12000;
	assert_int_equal(module_update(&f->ctx, id, &in, &new_version, &pr), 0);
	assert_false(new_version);
	assert_int_equal(module_get(&f->ctx, id, MODULE_PUBLISHED, &m), 0);
	assert_int_equal(m.v.price_cents, 12000);

	/* With the committee, the working version is locked. */
	assert_int_equal(module_get(&f->ctx, id, MODULE_WORKING, &m), 0);
	db_exec(f->db, &stmt_set_state,
	        (const struct db_param[]){DBP_INT(m.v.id), DBP_TEXT("in_review"), DBP_END}, NULL);
	in.title = "Een andere titel";
	assert_int_equal(module_update(&f->ctx, id, &in, &new_version, &pr), CAMPUS_ECONFLICT);
	assert_int_equal(module_get(&f->ctx, id, MODULE_WORKING, &m), 0);
	assert_string_equal(m.v.title, "Voorleesexpert worden");
}

static void taxonomy_edits(void **state)
{
	struct fixture *f = *state;
	struct tax_entry *all;
	size_t n;
	assert_int_equal(taxonomy_list(&f->ctx, false, &all, &n), 0);
	assert_true(n >= 40);
	assert_int_equal(all[0].kind, TAX_DOMAIN);
	assert_string_equal(all[0].name, "Maatschappelijk-educatieve bibliothecaris");
	int64_t community = 0, first_role_of_community = 0;
	for (size_t i = 0; i < n; i++) {
		if (all[i].kind == TAX_DOMAIN && !strcmp(all[i].slug, "community-librarian"))
			community = all[i].id;
		if (all[i].kind == TAX_ROLE && all[i].parent_id == community && !first_role_of_community)
			first_role_of_community = all[i].id;
	}
	assert_true(community > 0);
	const char *why;
	int64_t id;
	assert_int_equal(taxonomy_add(&f->ctx, TAX_ROLE, community, "  ", &id, &why), CAMPUS_EINVAL);
	assert_non_null(why);
	assert_int_equal(taxonomy_add(&f->ctx, TAX_ROLE, 987654, "Wijkverbinder", &id, &why),
	                 CAMPUS_ENOTFOUND);
	assert_int_equal(taxonomy_add(&f->ctx, TAX_ROLE, community, "Wijkverbinder", &id, &why), 0);
	struct tax_entry e;
	assert_int_equal(taxonomy_get(&f->ctx, TAX_ROLE, id, &e), 0);
	assert_memory_equal(e.slug, "wijkverbinder", 13);
	assert_int_equal(taxonomy_move(&f->ctx, TAX_ROLE, id, -1), 0);
	struct tax_entry moved;
	assert_int_equal(taxonomy_get(&f->ctx, TAX_ROLE, id, &moved), 0);
	assert_true(moved.position < e.position);

	/* Retiring a domain keeps its modules' tags but offers it no more. */
	struct module_problems pr;
	struct module_input in = sample(f);
	int64_t cd[] = {community};
	in.domains = cd;
	in.nroles = 0;
	int64_t mid;
	assert_int_equal(module_create(&f->ctx, f->provider, 0, &in, &mid, &pr), 0);
	assert_int_equal(taxonomy_rename(&f->ctx, TAX_DOMAIN, community, "Community-bibliothecaris", &why), 0);
	assert_int_equal(taxonomy_retire(&f->ctx, TAX_DOMAIN, community, true), 0);
	struct tax_entry *active;
	size_t nactive;
	assert_int_equal(taxonomy_list(&f->ctx, false, &active, &nactive), 0);
	for (size_t i = 0; i < nactive; i++)
		assert_false(active[i].id == community && active[i].kind == TAX_DOMAIN);
	struct module m;
	assert_int_equal(module_get(&f->ctx, mid, MODULE_WORKING, &m), 0);
	assert_string_equal(m.v.tags[0].name, "Community-bibliothecaris");
	assert_int_equal(module_create(&f->ctx, f->provider, 0, &in, &mid, &pr), CAMPUS_EINVAL);
	assert_true(has_problem(&pr, "domein"));
	assert_int_equal(taxonomy_retire(&f->ctx, TAX_DOMAIN, community, false), 0);
}

static void tenths(void **state)
{
	(void)state;
	int64_t t;
	assert_true(tenths_parse("1,5", &t));
	assert_int_equal(t, 15);
	assert_true(tenths_parse("2", &t));
	assert_int_equal(t, 20);
	assert_true(tenths_parse("0.5", &t));
	assert_int_equal(t, 5);
	assert_false(tenths_parse("", &t));
	assert_false(tenths_parse("1,55", &t));
	assert_false(tenths_parse("-1", &t));
	assert_false(tenths_parse("12345678", &t));
	char buf[24];
	assert_string_equal(tenths_format(15, buf, sizeof buf), "1,5");
	assert_string_equal(tenths_format(120, buf, sizeof buf), "12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(bad_modules_are_refused_and_nothing_is_saved, setup, teardown),
	    cmocka_unit_test_setup_teardown(create_publish_and_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(local_modules_only_for_their_library, setup, teardown),
	    cmocka_unit_test_setup_teardown(recognised_version_stays_published_while_the_new_one_is_reviewed,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(taxonomy_edits, setup, teardown),
	    cmocka_unit_test(tenths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
