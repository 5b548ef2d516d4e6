/* Catalogue search: the Dutch analyser, and catalog_search on the database
 * named by CAMPUS_TEST_DB (SQLite and PostgreSQL in scripts/test.sh) with
 * modules inserted by plain SQL. */
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
#include "core/dutch.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/search.h"

static int64_t fixed_now(void) { return 1795000000; }

/* ---- analyser ---- */

static const char *term_of(struct dutch *d, const char *word, char *out)
{
	dutch_term(d, word, strlen(word), out);
	return out;
}

struct collect {
	char terms[16][DUTCH_WORD_MAX + 1];
	char words[16][DUTCH_WORD_MAX + 1];
	size_t n;
};

static int collect_tok(void *cls, const struct dutch_token *t)
{
	struct collect *c = cls;
	if (c->n < 16) {
		memcpy(c->terms[c->n], t->term, t->term_len + 1);
		memcpy(c->words[c->n], t->word, t->word_len + 1);
		c->n++;
	}
	return 0;
}

static void analyser_stems_and_folds(void **state)
{
	(void)state;
	struct dutch *d = dutch_new();
	char a[DUTCH_WORD_MAX + 1], b[DUTCH_WORD_MAX + 1];
	assert_string_equal(term_of(d, "voorlezen", a), "vorles");
	assert_string_equal(term_of(d, "voorleesexpert", b), "vorlesexpert");
	assert_true(strncmp(b, a, strlen(a)) == 0); /* the query term is a prefix */
	assert_string_equal(term_of(d, "vrijwilligers", a), term_of(d, "vrijwilliger", b));
	assert_string_equal(term_of(d, "lezen", a), "les");
	assert_string_equal(term_of(d, "lees", b), "les");
	assert_string_equal(term_of(d, "leesbevordering", b), "lesbevorder");
	assert_true(strncmp(b, a, strlen(a)) == 0);
	assert_string_equal(term_of(d, "geven", a), term_of(d, "geef", b)); /* v/f alternation */
	assert_string_equal(term_of(d, "digitale", a), term_of(d, "digitaal", b));
	assert_string_equal(term_of(d, "boeken", a), "boek"); /* oe is not a doubled vowel */
	assert_string_equal(term_of(d, "2026", a), "2026");   /* numbers stay */

	struct collect c = {.n = 0};
	const char *text = "Coördineren van VRIJWILLIGERS — programma’s, e-learning";
	assert_int_equal(dutch_analyse(d, text, strlen(text), 0, collect_tok, &c), 0);
	assert_int_equal(c.n, 7);
	assert_string_equal(c.words[0], "coordineren");
	assert_string_equal(c.terms[0], term_of(d, "coordineren", a));
	assert_string_equal(c.words[2], "vrijwilligers");
	assert_string_equal(c.words[3], "programma");
	assert_string_equal(c.words[4], "s");
	assert_string_equal(c.words[5], "e");
	assert_string_equal(c.words[6], "learning");
	/* Raw mode only normalises: what the FTS5 tokenizer does to a query. */
	c.n = 0;
	assert_int_equal(dutch_analyse(d, "Voorlezen Ĳsbeer", 18, 1, collect_tok, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.terms[0], "voorlezen");
	assert_string_equal(c.terms[1], "ijsbeer");
	/* Invalid UTF-8 separates words and never crashes. */
	c.n = 0;
	assert_int_equal(dutch_analyse(d, "lees\xff\xfe" "boek\xc3", 11, 0, collect_tok, &c), 0);
	assert_int_equal(c.n, 2);
	dutch_free(d);
}

/* ---- catalog_search ---- */

DB_STMT(stmt_reset_search, "DELETE FROM module_search");
DB_STMT(stmt_reset_tags, "DELETE FROM module_version_tags");
DB_STMT(stmt_reset_modules_links, "UPDATE modules SET working_version_id = NULL, "
                                  "published_version_id = NULL, recognised_version_id = NULL");
DB_STMT(stmt_reset_versions, "DELETE FROM module_versions");
DB_STMT(stmt_reset_modules, "DELETE FROM modules");
DB_STMT(stmt_reset_sessions, "DELETE FROM sessions");
DB_STMT(stmt_reset_meetings, "DELETE FROM edition_meetings");
DB_STMT(stmt_reset_editions, "DELETE FROM editions");
DB_STMT(stmt_edition,
        "INSERT INTO editions (module_id, provider_id, always_open, capacity, starts_at, ends_at, "
        "cancelled_at, created_at, updated_at) SELECT id, provider_id, $2, 12, CAST($3 AS BIGINT), "
        "CAST($3 AS BIGINT) + 3600, CAST($4 AS BIGINT), 0, 0 "
        "FROM modules WHERE id = $1");
DB_STMT(stmt_reset_memberships, "DELETE FROM memberships");
DB_STMT(stmt_reset_people, "DELETE FROM people");
DB_STMT(stmt_reset_orgs, "DELETE FROM organisations");
DB_STMT(stmt_org, "INSERT INTO organisations (slug, name, kind, created_at, updated_at) "
                  "VALUES ($1, $2, $3, 0, 0) RETURNING id");
DB_STMT(stmt_person, "INSERT INTO people (email, name, created_at, updated_at) "
                     "VALUES ($1, $1, 0, 0) RETURNING id");
DB_STMT(stmt_member, "INSERT INTO memberships (person_id, org_id, kind, roles, started_at) "
                     "VALUES ($1, $2, 'employee', $3, 0)");
DB_STMT(stmt_module, "INSERT INTO modules (provider_id, local_org_id, created_at, updated_at) "
                     "VALUES ($1, $2, 0, 0) RETURNING id");
DB_STMT(stmt_version,
        "INSERT INTO module_versions (module_id, number, state, title, summary, description, goals, "
        "level, format, load_tenths, language, price_cents, vat, audience, province, "
        "points_tenths, created_at, updated_at) VALUES ($1, 1, 'recognised', $2, $3, $4, '', $5, "
        "$6, 40, $7, $8, 'crkbo', 'both', $9, $10, 0, $11) RETURNING id");
DB_STMT(stmt_publish, "UPDATE modules SET working_version_id = $2, published_version_id = $3, "
                      "recognised_version_id = $4 WHERE id = $1");
DB_STMT(stmt_tag, "INSERT INTO module_version_tags (version_id, kind, tag_id) "
                  "SELECT $1, 'competency', id FROM tax_competencies WHERE slug = $2");
DB_STMT(stmt_tag_role, "INSERT INTO module_version_tags (version_id, kind, tag_id) "
                       "SELECT $1, 'role', role_id FROM tax_competencies WHERE slug = $2");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t provider_go, provider_nbd, lib_a, lib_b, campus;
	int64_t member_a, member_b, admin;
	int64_t m_voorlees, m_vrijwil, m_leesbev, m_local, m_hidden, m_english;
};

static int64_t insert_id(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t id = 0;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&id), DBC_END},
	                              f->arena),
	                 0);
	return id;
}

struct mod {
	int64_t provider, local;
	const char *title, *summary, *description, *level, *format, *language, *province;
	int64_t price, points; /* points < 0: not recognised */
	const char *competency;
	bool published;
	int64_t updated;
};

struct index_call {
	struct fixture *f;
	int64_t id;
};

static int index_tx(struct db_conn *db, void *cls)
{
	struct index_call *c = cls;
	struct ctx ctx = c->f->ctx;
	ctx.db = db;
	return catalog_search_index(&ctx, c->id);
}

static void reindex(struct fixture *f, int64_t id)
{
	struct index_call c = {f, id};
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, index_tx, &c), 0);
}

static int64_t add_module(struct fixture *f, const struct mod *m)
{
	int64_t id = insert_id(f, &stmt_module,
	                       (const struct db_param[]){DBP_INT(m->provider),
	                                                 m->local ? (struct db_param)DBP_INT(m->local)
	                                                          : (struct db_param)DBP_NULL,
	                                                 DBP_END});
	int64_t v = insert_id(
	    f, &stmt_version,
	    (const struct db_param[]){DBP_INT(id), DBP_TEXT(m->title), DBP_TEXT(m->summary),
	                              DBP_TEXT(m->description), DBP_TEXT(m->level), DBP_TEXT(m->format),
	                              DBP_TEXT(m->language), DBP_INT(m->price), DBP_TEXT(m->province),
	                              m->points >= 0 ? (struct db_param)DBP_INT(m->points)
	                                             : (struct db_param)DBP_NULL,
	                              DBP_INT(m->updated), DBP_END});
	if (m->competency) {
		assert_int_equal(db_exec(f->db, &stmt_tag,
		                         (const struct db_param[]){DBP_INT(v), DBP_TEXT(m->competency), DBP_END},
		                         NULL),
		                 0);
		assert_int_equal(db_exec(f->db, &stmt_tag_role,
		                         (const struct db_param[]){DBP_INT(v), DBP_TEXT(m->competency), DBP_END},
		                         NULL),
		                 0);
	}
	assert_int_equal(db_exec(f->db, &stmt_publish,
	                         (const struct db_param[]){
	                             DBP_INT(id), DBP_INT(v),
	                             m->published ? (struct db_param)DBP_INT(v) : (struct db_param)DBP_NULL,
	                             m->points >= 0 ? (struct db_param)DBP_INT(v) : (struct db_param)DBP_NULL,
	                             DBP_END},
	                         NULL),
	                 0);
	reindex(f, id);
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
	struct db_stmt *resets[] = {&stmt_reset_meetings, &stmt_reset_editions, &stmt_reset_search,   &stmt_reset_tags,     &stmt_reset_modules_links,
	                            &stmt_reset_versions, &stmt_reset_modules,  &stmt_reset_sessions,
	                            &stmt_reset_memberships, &stmt_reset_people, &stmt_reset_orgs};
	for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++)
		if (db_exec(f->db, resets[i], (const struct db_param[]){DBP_END}, NULL) != 0) {
			fprintf(stderr, "reset %zu: %s\n", i, db_errmsg(f->db));
			return -1;
		}
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = fixed_now};
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

static void fill(struct fixture *f)
{
#define ORG(slug, name, kind) \
	insert_id(f, &stmt_org, (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(name), DBP_TEXT(kind), DBP_END})
	f->campus = ORG("campus", "Campus", "campus");
	f->provider_go = ORG("go-opleidingen", "GO Opleidingen", "provider");
	f->provider_nbd = ORG("nbd-biblion", "NBD Biblion", "provider");
	f->lib_a = ORG("bieb-a", "Bibliotheek A", "library");
	f->lib_b = ORG("bieb-b", "Bibliotheek B", "library");
#undef ORG
	f->member_a = insert_id(f, &stmt_person, (const struct db_param[]){DBP_TEXT("a@example.org"), DBP_END});
	f->member_b = insert_id(f, &stmt_person, (const struct db_param[]){DBP_TEXT("b@example.org"), DBP_END});
	f->admin = insert_id(f, &stmt_person, (const struct db_param[]){DBP_TEXT("c@example.org"), DBP_END});
	assert_int_equal(db_exec(f->db, &stmt_member,
	                         (const struct db_param[]){DBP_INT(f->member_a), DBP_INT(f->lib_a), DBP_INT(1), DBP_END},
	                         NULL), 0);
	assert_int_equal(db_exec(f->db, &stmt_member,
	                         (const struct db_param[]){DBP_INT(f->member_b), DBP_INT(f->lib_b), DBP_INT(1), DBP_END},
	                         NULL), 0);
	assert_int_equal(db_exec(f->db, &stmt_member,
	                         (const struct db_param[]){DBP_INT(f->admin), DBP_INT(f->campus), DBP_INT(32), DBP_END},
	                         NULL), 0);
	f->m_voorlees = add_module(f, &(struct mod){f->provider_go, 0, "Voorleesexpert worden",
	                                            "Leer kinderen en ouders enthousiast maken.",
	                                            "Praktijkgerichte training.", "uitvoerend", "classroom",
	                                            "nl", "Utrecht", 0, 20, "taalontwikkeling-0-6-jaar", true, 100});
	f->m_vrijwil = add_module(f, &(struct mod){f->provider_nbd, 0, "Werken met vrijwilligers",
	                                           "Vrijwilligers werven en begeleiden.", "Online cursus.",
	                                           "tactisch", "elearning", "nl", "", 5000, -1,
	                                           "vrijwilligers-coordineren", true, 300});
	f->m_leesbev = add_module(f, &(struct mod){f->provider_go, 0, "Leesbevordering in de klas",
	                                           "Samen met de school aan de slag.", "Twee dagdelen.",
	                                           "tactisch", "classroom", "nl", "Noord-Brabant", 12500, 60,
	                                           "leesbevordering", true, 200});
	f->m_local = add_module(f, &(struct mod){f->lib_a, f->lib_a, "Voorlezen op de middag",
	                                         "Alleen voor onze eigen vrijwilligers.", "Lokaal.",
	                                         "uitvoerend", "classroom", "nl", "Utrecht", 0, -1, NULL,
	                                         true, 400});
	f->m_hidden = add_module(f, &(struct mod){f->provider_go, 0, "Voorlezen in concept",
	                                          "Nog niet gepubliceerd.", "", "uitvoerend", "classroom",
	                                          "nl", "", 0, -1, NULL, false, 500});
	f->m_english = add_module(f, &(struct mod){f->provider_nbd, 0, "Digital skills for staff",
	                                           "Working safely online.", "", "strategisch",
	                                           "online_live", "en", "", 0, 110, NULL, true, 600});
}

static void search(struct fixture *f, int64_t person, const struct search_query *q,
                   struct search_result *r)
{
	f->ctx.actor = (struct actor){.person_id = person};
	assert_int_equal(catalog_search(&f->ctx, q, r), 0);
}

static bool has_hit(const struct search_result *r, int64_t id)
{
	for (size_t i = 0; i < r->nhits; i++)
		if (r->hits[i].id == id)
			return true;
	return false;
}

static int64_t count_of(const struct search_result *r, enum search_facet f, const char *key)
{
	for (size_t i = 0; i < r->facets[f].n; i++)
		if (strcmp(r->facets[f].values[i].key, key) == 0)
			return r->facets[f].values[i].count;
	return 0;
}

static void dutch_word_forms_and_visibility(void **state)
{
	struct fixture *f = *state;
	fill(f);
	struct search_result r;
	/* "voorlezen" finds "Voorleesexpert"; the local module only for its library. */
	search(f, 0, &(struct search_query){.text = "voorlezen"}, &r);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, f->m_voorlees);
	assert_null(r.corrected);
	search(f, f->member_b, &(struct search_query){.text = "voorlezen"}, &r);
	assert_int_equal(r.total, 1);
	search(f, f->member_a, &(struct search_query){.text = "voorlezen"}, &r);
	assert_int_equal(r.total, 2);
	assert_true(has_hit(&r, f->m_local));
	assert_string_equal(r.hits[1].id == f->m_local ? r.hits[1].local_org_name : r.hits[0].local_org_name,
	                    "Bibliotheek A");
	search(f, f->admin, &(struct search_query){.text = "voorlezen"}, &r);
	assert_int_equal(r.total, 2);
	/* The anonymous API never shows local modules, even to a member. */
	search(f, f->member_a, &(struct search_query){.text = "voorlezen", .national_only = true}, &r);
	assert_int_equal(r.total, 1);
	/* Without a query: every visible published module; library A is no provider facet for B. */
	search(f, f->member_b, &(struct search_query){0}, &r);
	assert_int_equal(r.total, 4);
	assert_false(has_hit(&r, f->m_hidden));
	assert_int_equal(count_of(&r, SF_PROVIDER, "bieb-a"), 0);
	assert_int_equal(count_of(&r, SF_PROVIDER, "go-opleidingen"), 2);
	/* Word forms and prefixes. */
	search(f, 0, &(struct search_query){.text = "vrijwilliger"}, &r);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, f->m_vrijwil);
	search(f, 0, &(struct search_query){.text = "vrijwil"}, &r);
	assert_int_equal(r.total, 1);
	search(f, 0, &(struct search_query){.text = "lezen"}, &r); /* lezen ~ lees(bevordering), voorlees.. no */
	assert_true(has_hit(&r, f->m_leesbev));
	search(f, 0, &(struct search_query){.text = "LEESBEVORDERING klas"}, &r);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, f->m_leesbev);
	/* Taxonomy names and the provider are searchable too. */
	search(f, 0, &(struct search_query){.text = "taalontwikkeling"}, &r);
	assert_int_equal(r.total, 1);
	search(f, 0, &(struct search_query){.text = "biblion"}, &r);
	assert_int_equal(r.total, 2);
	/* Stop words alone still search; with others they are dropped. */
	search(f, 0, &(struct search_query){.text = "werken met de vrijwilligers"}, &r);
	assert_int_equal(r.total, 1);
	search(f, 0, &(struct search_query){.text = "zzyzx"}, &r);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.nhits, 0);
}

static void typos_are_corrected(void **state)
{
	struct fixture *f = *state;
	fill(f);
	struct search_result r;
	search(f, 0, &(struct search_query){.text = "voorleesexpret"}, &r);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, f->m_voorlees);
	assert_non_null(r.corrected);
	assert_string_equal(r.corrected, "voorleesexpert");
	search(f, 0, &(struct search_query){.text = "vrijwiligers"}, &r); /* one l missing */
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, f->m_vrijwil);
	assert_non_null(r.corrected);
	/* Too short to correct, too far to guess. */
	search(f, 0, &(struct search_query){.text = "klaz"}, &r);
	assert_int_equal(r.total, 1); /* klaz -> klas (final z folds to s) */
	search(f, 0, &(struct search_query){.text = "xyz"}, &r);
	assert_int_equal(r.total, 0);
	assert_null(r.corrected);
	/* A correction towards a word only a local module has is not shown to others. */
	search(f, f->member_b, &(struct search_query){.text = "middg"}, &r);
	assert_int_equal(r.total, 0);
	assert_null(r.corrected);
	search(f, f->member_a, &(struct search_query){.text = "middg"}, &r);
	assert_int_equal(r.total, 1);
}

static void facets_filters_and_sorting(void **state)
{
	struct fixture *f = *state;
	fill(f);
	struct search_result r;
	struct search_query q = {0};
	q.values[SF_FORMAT][0] = "klassikaal";
	q.nvalues[SF_FORMAT] = 1;
	search(f, 0, &q, &r);
	assert_int_equal(r.total, 2);
	/* The chosen facet counts as if it were not chosen; the others are narrowed. */
	assert_int_equal(count_of(&r, SF_FORMAT, "klassikaal"), 2);
	assert_int_equal(count_of(&r, SF_FORMAT, "e-learning"), 1);
	assert_int_equal(count_of(&r, SF_FORMAT, "online-live"), 1);
	assert_int_equal(count_of(&r, SF_PRICE, "gratis"), 1);
	assert_int_equal(count_of(&r, SF_PRICE, "betaald"), 1);
	assert_int_equal(count_of(&r, SF_LANGUAGE, "en"), 0);
	assert_int_equal(count_of(&r, SF_PROVINCE, "Utrecht"), 1);
	assert_int_equal(count_of(&r, SF_COMPETENCY, "leesbevordering"), 1);
	assert_int_equal(count_of(&r, SF_ROLE, "boekstart-voorleesexpress"), 1);
	q.values[SF_PRICE][0] = "gratis";
	q.nvalues[SF_PRICE] = 1;
	search(f, 0, &q, &r);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, f->m_voorlees);
	assert_int_equal(count_of(&r, SF_FORMAT, "klassikaal"), 1);
	assert_int_equal(count_of(&r, SF_FORMAT, "online-live"), 1);
	assert_int_equal(count_of(&r, SF_FORMAT, "e-learning"), 0); /* not free */
	/* Several values in one facet: any of them. */
	q = (struct search_query){0};
	q.values[SF_FORMAT][0] = "klassikaal";
	q.values[SF_FORMAT][1] = "e-learning";
	q.nvalues[SF_FORMAT] = 2;
	q.values[SF_RECOGNISED][0] = "ja";
	q.nvalues[SF_RECOGNISED] = 1;
	q.sort = SEARCH_SORT_POINTS;
	search(f, 0, &q, &r);
	assert_int_equal(r.total, 2);
	assert_int_equal(r.hits[0].id, f->m_leesbev); /* 6 points before 2 */
	assert_int_equal(r.hits[1].id, f->m_voorlees);
	assert_int_equal(count_of(&r, SF_RECOGNISED, "nee"), 1);
	/* Points buckets and level. */
	q = (struct search_query){0};
	q.values[SF_POINTS][0] = "10-plus";
	q.values[SF_POINTS][1] = "5-10";
	q.nvalues[SF_POINTS] = 2;
	search(f, 0, &q, &r);
	assert_int_equal(r.total, 2);
	assert_int_equal(count_of(&r, SF_POINTS, "0-2"), 1);
	q.values[SF_LEVEL][0] = "strategisch";
	q.nvalues[SF_LEVEL] = 1;
	search(f, 0, &q, &r);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, f->m_english);
	/* Unknown values are ignored and reported. */
	q = (struct search_query){0};
	q.values[SF_PROVIDER][0] = "bestaat-niet";
	q.nvalues[SF_PROVIDER] = 1;
	search(f, 0, &q, &r);
	assert_int_equal(r.total, 4);
	assert_int_equal(r.nignored, 1);
	assert_string_equal(r.ignored[0], "aanbieder=bestaat-niet");
	/* A local module's provider (the library) is unknown to others, known to members. */
	q.values[SF_PROVIDER][0] = "bieb-a";
	search(f, f->member_a, &q, &r);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, f->m_local);
	/* Sorting and paging. */
	q = (struct search_query){.sort = SEARCH_SORT_NEWEST, .limit = 2};
	search(f, 0, &q, &r);
	assert_int_equal(r.total, 4);
	assert_int_equal(r.nhits, 2);
	assert_int_equal(r.hits[0].id, f->m_english);
	assert_int_equal(r.hits[1].id, f->m_vrijwil);
	q.offset = 2;
	search(f, 0, &q, &r);
	assert_int_equal(r.nhits, 2);
	assert_int_equal(r.hits[0].id, f->m_leesbev);
	q = (struct search_query){.sort = SEARCH_SORT_TITLE};
	search(f, 0, &q, &r);
	assert_int_equal(r.hits[0].id, f->m_english); /* Digital < Leesbevordering < Voorlees < Werken */
	assert_int_equal(r.hits[3].id, f->m_vrijwil);
	q.offset = 99;
	search(f, 0, &q, &r);
	assert_int_equal(r.nhits, 0);
	assert_int_equal(r.total, 4);
}

DB_STMT(stmt_unpublish, "UPDATE modules SET published_version_id = NULL WHERE id = $1");
DB_STMT(stmt_retitle, "UPDATE module_versions SET title = $2 WHERE module_id = $1");

static void index_follows_changes(void **state)
{
	struct fixture *f = *state;
	fill(f);
	struct search_result r;
	search(f, 0, &(struct search_query){.text = "voorleesexpert"}, &r);
	assert_int_equal(r.total, 1);
	assert_int_equal(db_exec(f->db, &stmt_retitle,
	                         (const struct db_param[]){DBP_INT(f->m_voorlees), DBP_TEXT("Prentenboeken delen"), DBP_END},
	                         NULL), 0);
	reindex(f, f->m_voorlees);
	/* Gone as a word; only the role's "VoorleesExpress" is near enough now. */
	search(f, 0, &(struct search_query){.text = "voorleesexpert"}, &r);
	assert_non_null(r.corrected);
	assert_string_equal(r.corrected, "voorleesexpress");
	search(f, 0, &(struct search_query){.text = "prentenboek"}, &r);
	assert_int_equal(r.total, 1);
	assert_string_equal(r.hits[0].title, "Prentenboeken delen");
	assert_int_equal(db_exec(f->db, &stmt_unpublish,
	                         (const struct db_param[]){DBP_INT(f->m_voorlees), DBP_END}, NULL), 0);
	reindex(f, f->m_voorlees);
	search(f, 0, &(struct search_query){.text = "prentenboek"}, &r);
	assert_int_equal(r.total, 0);
	search(f, 0, &(struct search_query){0}, &r);
	assert_int_equal(r.total, 3);
	/* Rebuilding everything gives the same answers. */
	f->ctx.actor = (struct actor){.flags = ACTOR_SYSTEM};
	assert_int_equal(catalog_search_reindex_all(&f->ctx), 0);
	search(f, 0, &(struct search_query){.text = "vrijwilligers"}, &r);
	assert_int_equal(r.total, 1);
	struct index_call c = {f, 999999};
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, index_tx, &c), CAMPUS_ENOTFOUND);
}

static void edition(struct fixture *f, int64_t module, bool always, int64_t days, bool cancelled)
{
	int64_t starts = always ? 0 : fixed_now() + days * 86400;
	assert_int_equal(db_exec(f->db, &stmt_edition,
	                         (const struct db_param[]){DBP_INT(module), DBP_BOOL(always),
	                                                   starts ? (struct db_param)DBP_INT(starts)
	                                                          : (struct db_param)DBP_NULL,
	                                                   cancelled ? (struct db_param)DBP_INT(1)
	                                                             : (struct db_param)DBP_NULL,
	                                                   DBP_END},
	                         NULL),
	                 0);
}

/* "Start": soonest edition within a month or three, or always open; past
 * and cancelled editions do not count. */
static void start_facet_follows_editions(void **state)
{
	struct fixture *f = *state;
	fill(f);
	edition(f, f->m_voorlees, false, 10, false);
	edition(f, f->m_voorlees, false, -10, false);
	edition(f, f->m_leesbev, false, 60, false);
	edition(f, f->m_vrijwil, true, 0, false);
	edition(f, f->m_english, false, 5, true);
	reindex(f, f->m_voorlees); /* bumps the generation, as edition.c does */
	struct search_result r;
	search(f, 0, &(struct search_query){0}, &r);
	assert_int_equal(count_of(&r, SF_START, "binnen-een-maand"), 1);
	assert_int_equal(count_of(&r, SF_START, "binnen-drie-maanden"), 2);
	assert_int_equal(count_of(&r, SF_START, "altijd"), 1);
	struct search_query q = {0};
	q.values[SF_START][0] = "binnen-drie-maanden";
	q.nvalues[SF_START] = 1;
	search(f, 0, &q, &r);
	assert_int_equal(r.total, 2);
	assert_true(has_hit(&r, f->m_voorlees));
	assert_true(has_hit(&r, f->m_leesbev));
	q.values[SF_START][1] = "altijd";
	q.nvalues[SF_START] = 2;
	search(f, 0, &q, &r);
	assert_int_equal(r.total, 3);
}

static void bad_queries(void **state)
{
	struct fixture *f = *state;
	char longq[SEARCH_TEXT_MAX + 2];
	memset(longq, 'a', sizeof longq - 1);
	longq[sizeof longq - 1] = '\0';
	struct search_result r;
	f->ctx.actor = (struct actor){0};
	assert_int_equal(catalog_search(&f->ctx, &(struct search_query){.text = longq}, &r), CAMPUS_EINVAL);
	assert_int_equal(catalog_search(&f->ctx, &(struct search_query){.text = "a\xff"}, &r), CAMPUS_EINVAL);
	assert_int_equal(catalog_search(&f->ctx, &(struct search_query){.limit = SEARCH_LIMIT_MAX + 1}, &r),
	                 CAMPUS_EINVAL);
	/* Punctuation only, quotes and FTS syntax are just text. */
	const char *odd[] = {"\"", "* OR NOT", "a:* & !b", "(", "NEAR(a b)", "’", "--"};
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
		assert_int_equal(catalog_search(&f->ctx, &(struct search_query){.text = odd[i]}, &r), 0);
	enum search_sort s;
	assert_true(search_sort_parse("punten", &s));
	assert_int_equal(s, SEARCH_SORT_POINTS);
	assert_false(search_sort_parse("prijs", &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(analyser_stems_and_folds),
	    cmocka_unit_test_setup_teardown(dutch_word_forms_and_visibility, setup, teardown),
	    cmocka_unit_test_setup_teardown(typos_are_corrected, setup, teardown),
	    cmocka_unit_test_setup_teardown(facets_filters_and_sorting, setup, teardown),
	    cmocka_unit_test_setup_teardown(index_follows_changes, setup, teardown),
	    cmocka_unit_test_setup_teardown(start_facet_follows_editions, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_queries, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
