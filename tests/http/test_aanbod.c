/* The offering over HTTP: /aanbod (whole page and the htmx fragment), a
 * library's /b/<slug>/aanbod, /api/v1/modules, and bad parameters. Modules
 * are inserted with plain SQL and indexed with catalog_search_index; a
 * library's local module must stay invisible to anonymous visitors and to
 * the API. Runs once per database (CAMPUS_TEST_DB), from the repository root. */
#include "harness.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/search.h"

static char lib_slug[64];
static int64_t m_voorlees;

DB_STMT(stmt_org, "INSERT INTO organisations (slug, name, kind, created_at, updated_at) "
                  "VALUES ($1, $2, $3, 0, 0) RETURNING id");
DB_STMT(stmt_module, "INSERT INTO modules (provider_id, local_org_id, created_at, updated_at) "
                     "VALUES ($1, $2, 0, 0) RETURNING id");
DB_STMT(stmt_version,
        "INSERT INTO module_versions (module_id, number, state, title, summary, description, goals, "
        "level, format, load_tenths, language, price_cents, vat, audience, province, "
        "points_tenths, created_at, updated_at) VALUES ($1, 1, 'recognised', $2, $3, '', '', "
        "'tactisch', $4, 40, 'nl', $5, 'crkbo', 'both', 'Utrecht', 20, 0, 0) RETURNING id");
DB_STMT(stmt_publish, "UPDATE modules SET working_version_id = $2, published_version_id = $2, "
                      "recognised_version_id = $2 WHERE id = $1");

struct fill {
	int64_t provider, library;
	struct arena *a;
};

static int64_t row_id(struct db_conn *db, struct db_stmt *st, const struct db_param *p, struct arena *a)
{
	int64_t id = -1;
	if (db_query_row(db, st, p, (const struct db_col[]){DBC_INT(&id), DBC_END}, a) != 0)
		fprintf(stderr, "# %s\n", db_errmsg(db));
	return id;
}

static int64_t add(struct db_conn *db, struct fill *f, int64_t provider, int64_t local,
                   const char *title, const char *format, int64_t price)
{
	int64_t id = row_id(db, &stmt_module,
	                    (const struct db_param[]){DBP_INT(provider),
	                                              local ? (struct db_param)DBP_INT(local)
	                                                    : (struct db_param)DBP_NULL,
	                                              DBP_END},
	                    f->a);
	int64_t v = row_id(db, &stmt_version,
	                   (const struct db_param[]){DBP_INT(id), DBP_TEXT(title),
	                                             DBP_TEXT("Een module voor de bibliotheek."),
	                                             DBP_TEXT(format), DBP_INT(price), DBP_END},
	                   f->a);
	if (id < 0 || v < 0 ||
	    db_exec(db, &stmt_publish, (const struct db_param[]){DBP_INT(id), DBP_INT(v), DBP_END}, NULL))
		return -1;
	struct ctx ctx = {.db = db, .arena = f->a, .now = clock_now_real};
	return catalog_search_index(&ctx, id) == 0 ? id : -1;
}

static int fill_tx(struct db_conn *db, void *cls)
{
	struct fill *f = cls;
	char tag[32], slug[64];
	snprintf(tag, sizeof tag, "%ld", (long)getpid());
	snprintf(slug, sizeof slug, "aanbieder-%s", tag);
	f->provider = row_id(db, &stmt_org,
	                     (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT("Leesacademie"),
	                                               DBP_TEXT("provider"), DBP_END},
	                     f->a);
	f->library = row_id(db, &stmt_org,
	                    (const struct db_param[]){DBP_TEXT(lib_slug), DBP_TEXT("Bibliotheek Zoekstad"),
	                                              DBP_TEXT("library"), DBP_END},
	                    f->a);
	if (f->provider < 0 || f->library < 0)
		return CAMPUS_EDB;
	m_voorlees = add(db, f, f->provider, 0, "Voorleesexpert worden", "classroom", 0);
	if (m_voorlees < 0 || add(db, f, f->provider, 0, "Werken met vrijwilligers", "elearning", 9500) < 0 ||
	    add(db, f, f->library, f->library, "Geheime voorleesmiddag", "classroom", 0) < 0)
		return CAMPUS_EDB;
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_aanbod";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/aanbod.db";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/aanbod-server-%s.log",
	         strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres");
	FILE *lf = fopen(log_path, "w");
	if (lf)
		fclose(lf);
	snprintf(lib_slug, sizeof lib_slug, "zoekstad-%ld", (long)getpid());
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db = NULL;
	if (db_open(test_db, DB_OPEN_CREATE, &db, &err) != 0 || db_migrate(db, &err) != 0) {
		fprintf(stderr, "# %s: %s\n", test_db, buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	struct fill f = {.a = arena_new(0)};
	int rc = db_tx_run(db, DB_TX_WRITE, fill_tx, &f);
	arena_free(f.a);
	db_close(db);
	if (rc) {
		fprintf(stderr, "# cannot insert the modules: %d\n", rc);
		return -1;
	}
	return server_start(0);
}

static int group_teardown(void **state)
{
	(void)state;
	int status = server_stop();
	curl_global_cleanup();
	return status == 0 ? 0 : -1;
}

static void page_lists_national_modules_only(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, NULL, "/aanbod", NULL, NULL);
	expect_page(&r, 200, "the offering");
	CHECK(has_text(&r, "Voorleesexpert worden"), "%s", summary(&r));
	CHECK(has_text(&r, "Werken met vrijwilligers"), "%s", summary(&r));
	CHECK(!has_text(&r, "Geheime voorleesmiddag"), "a library's own module shows to anonymous visitors");
	CHECK(has(&r, "role=\"search\""), "no search landmark");
	CHECK(has(&r, "hx-get=\"/aanbod\""), "no htmx enhancement");
	char link[64];
	snprintf(link, sizeof link, "href=\"/aanbod/%lld\"", (long long)m_voorlees);
	CHECK(has(&r, link), "no card link %s", link);
	resp_fini(&r);

	/* A Dutch word form finds the module; the URL is the search. */
	fetch(&r, NULL, "/aanbod?q=voorlezen", NULL, NULL);
	expect_page(&r, 200, "search");
	CHECK(has_text(&r, "1 module gevonden"), "%s", summary(&r));
	CHECK(has_text(&r, "Voorleesexpert worden"), "%s", summary(&r));
	CHECK(has(&r, "value=\"voorlezen\""), "the query is not kept in the form");
	resp_fini(&r);

	/* A typo is corrected and said. */
	fetch(&r, NULL, "/aanbod?q=vrijwiligers", NULL, NULL);
	expect_page(&r, 200, "typo");
	CHECK(has_text(&r, "Resultaten voor"), "%s", summary(&r));
	CHECK(has_text(&r, "Werken met vrijwilligers"), "%s", summary(&r));
	resp_fini(&r);

	/* Filters: checkboxes stay ticked, counts show, the library's environment too. */
	fetch(&r, NULL, "/aanbod?vorm=klassikaal&prijs=gratis&sortering=titel", NULL, NULL);
	expect_page(&r, 200, "filters");
	CHECK(has_text(&r, "1 module gevonden"), "%s", summary(&r));
	CHECK(has(&r, "value=\"klassikaal\" checked"), "the chosen format is not ticked");
	CHECK(has_text(&r, "Alle filters wissen"), "no way to clear the filters");
	resp_fini(&r);

	char path[128];
	snprintf(path, sizeof path, "/b/%s/aanbod?q=voorlezen", lib_slug);
	fetch(&r, NULL, path, NULL, NULL);
	expect_page(&r, 200, "the library's environment");
	CHECK(has_text(&r, "Bibliotheek Zoekstad"), "no branding");
	CHECK(!has_text(&r, "Geheime voorleesmiddag"), "a library's own module shows to anonymous visitors");
	resp_fini(&r);

	fetch(&r, NULL, "/aanbod?q=zzqqxx", NULL, NULL);
	expect_page(&r, 200, "nothing found");
	CHECK(has_text(&r, "Geen modules gevonden"), "%s", summary(&r));
	resp_fini(&r);
}

static size_t on_data(char *p, size_t size, size_t n, void *cls)
{
	buf_append(cls, p, size * n);
	return size * n;
}

static void htmx_gets_the_search_area(void **state)
{
	(void)state;
	CURL *c = curl_easy_init();
	char url[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/aanbod?q=voorlezen&vorm=klassikaal", srv_port);
	struct buf b;
	buf_init(&b, NULL, 0);
	struct curl_slist *hl = curl_slist_append(NULL, "HX-Request: true");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	assert_int_equal(status, 200);
	const char *s = buf_cstr(&b);
	CHECK(strncmp(s, "<div id=\"zoeken\"", 16) == 0, "not the fragment: %.80s", s);
	CHECK(!strstr(s, "<html"), "the whole page came back");
	CHECK(strstr(s, "Voorleesexpert worden") != NULL, "no result in the fragment");
	buf_fini(&b);
}

static void api_and_bad_parameters(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, NULL, "/api/v1/modules?q=voorlezen", NULL, NULL);
	expect_status(&r, 200, "api");
	CHECK(has(&r, "\"total\":1"), "%s", body(&r));
	CHECK(has(&r, "\"facets\":{\"domein\""), "%s", body(&r));
	CHECK(!has(&r, "Geheime"), "the API shows a library's own module");
	resp_fini(&r);

	char path[160];
	snprintf(path, sizeof path, "/api/v1/modules?aanbieder=%s", lib_slug);
	fetch(&r, NULL, path, NULL, NULL);
	expect_status(&r, 200, "api, a library as provider");
	CHECK(has(&r, "\"ignored\":[\"aanbieder="), "%s", body(&r));
	CHECK(!has(&r, "Geheime"), "the API shows a library's own module");
	resp_fini(&r);

	static const char *const bad[] = {"/aanbod?pagina=-1", "/aanbod?pagina=abc",
	                                  "/aanbod?sortering=prijs", "/api/v1/modules?pagina=0x10"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fetch(&r, NULL, bad[i], NULL, NULL);
		expect_status(&r, 400, bad[i]);
		resp_fini(&r);
	}
	char longq[300] = "/aanbod?q=";
	memset(longq + 10, 'a', 210);
	longq[220] = '\0';
	fetch(&r, NULL, longq, NULL, NULL);
	expect_page(&r, 400, "a long query");
	CHECK(has_text(&r, "De zoekvraag is te lang"), "%s", summary(&r));
	resp_fini(&r);

	/* An unknown filter value is skipped with a note, not an error. */
	fetch(&r, NULL, "/aanbod?vorm=podcast&domein=bestaat-niet", NULL, NULL);
	expect_page(&r, 200, "unknown values");
	CHECK(has_text(&r, "zijn overgeslagen"), "%s", summary(&r));
	CHECK(has_text(&r, "2 modules gevonden"), "%s", summary(&r));
	resp_fini(&r);

	/* A page past the end says so and links to the last page there is,
	 * without "Pagina 9 van 1" or a previous page that is past the end too. */
	fetch(&r, NULL, "/aanbod?pagina=9", NULL, NULL);
	expect_page(&r, 200, "past the end");
	CHECK(has_text(&r, "Deze pagina bestaat niet meer"), "%s", summary(&r));
	CHECK(has(&r, "href=\"/aanbod\">Naar de laatste pagina</a>"),
	      "a link to the last page: %s", summary(&r));
	CHECK(!has_text(&r, "Pagina 9") && !has(&r, "rel=\"prev\""), "no page 9 of 1: %s", summary(&r));
	resp_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(page_lists_national_modules_only),
	    cmocka_unit_test(htmx_gets_the_search_area),
	    cmocka_unit_test(api_and_bad_parameters),
	};
	return cmocka_run_group_tests_name("aanbod", tests, group_setup, group_teardown);
}
