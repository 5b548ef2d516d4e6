/* The providers' API (/api/v1/provider/...): keys made on the page, modules
 * placed, changed and published through the API, every refusal (no key, a
 * revoked or read-only key, another provider's module, bad JSON), on the
 * database named by CAMPUS_TEST_DB (SQLite and PostgreSQL in scripts/test.sh).
 * Two providers and a library are made with the CLI, with a fresh tag per
 * run so a PostgreSQL database may hold earlier runs. */
#include "harness.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "db/db.h"

#define PASSWORD "Api-proef-wachtwoord-2026"

static char tag[40], prov_a[64], prov_b[64], lib[64], admin_a[128], admin_b[128], manager[128];
static char token_a[128], token_b[128], token_read[128];
static int64_t module_a;

DB_STMT(stmt_domain_id, "SELECT id FROM tax_domains WHERE slug = 'informatie-dienstverlenende-bibliothecaris'");
DB_STMT(stmt_count_modules, "SELECT COUNT(*) FROM modules m JOIN organisations o ON o.id = m.provider_id WHERE o.slug = $1");
DB_STMT(stmt_recognise,
        "UPDATE module_versions SET state = 'recognised', points_tenths = 25, "
        "recognised_load_tenths = 25, recognised_at = 1790000000, valid_until = 1900000000 "
        "WHERE id = (SELECT working_version_id FROM modules WHERE id = $1)");
DB_STMT(stmt_recognised_ptr,
        "UPDATE modules SET recognised_version_id = working_version_id, "
        "published_version_id = working_version_id WHERE id = $1");

static int64_t domain_id;

/* `campus --db test_db ARGS...`; a "--password-stdin FILE" pair feeds FILE
 * on standard input (the arguments here are plain words, no quoting needed). */
static int cli(const char *const *args)
{
	char cmd[2048];
	int n = snprintf(cmd, sizeof cmd, "'%s' --db '%s'", campus_bin, test_db);
	for (size_t i = 0; args[i] && n > 0 && (size_t)n < sizeof cmd; i++) {
		if (!strcmp(args[i], "--password-stdin") && args[i + 1]) {
			n += snprintf(cmd + n, sizeof cmd - (size_t)n, " --password-stdin < '%s'", args[i + 1]);
			i++;
		} else {
			n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%s'", args[i]);
		}
	}
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
	pid_t pid;
	if (n <= 0 || (size_t)n >= sizeof cmd || start_process(argv, NULL, &pid))
		return -1;
	return wait_exit(pid);
}

static int64_t count_modules(const char *slug)
{
	struct db_conn *db = db_connect();
	struct arena *a = arena_new(0);
	int64_t n = -1;
	db_query_row(db, &stmt_count_modules, (const struct db_param[]){DBP_TEXT(slug), DBP_END},
	             (const struct db_col[]){DBC_INT(&n), DBC_END}, a);
	arena_free(a);
	db_close(db);
	return n;
}

static void login(struct browser *b, const char *email)
{
	memset(b, 0, sizeof *b);
	struct resp r;
	br_get(b, &r, "/inloggen");
	struct arena *a = arena_new(0);
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(b, &r, "/inloggen",
	        form_of(a, "csrf_token", tok, "email", email, "wachtwoord", PASSWORD, (const char *)NULL));
	expect_status(&r, 303, "log-in");
	resp_fini(&r);
	arena_free(a);
}

/* Makes a key on the page; the key is in the reply, once. */
static void make_key(struct browser *b, const char *slug, const char *name, bool write, char *out,
                     size_t size)
{
	struct resp r;
	char path[128];
	snprintf(path, sizeof path, "/b/%s/api-sleutels", slug);
	br_get(b, &r, path);
	expect_page(&r, 200, "the key page");
	struct arena *a = arena_new(0);
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(b, &r, path,
	        form_of(a, "csrf_token", tok, "naam", name, "lezen", "1", "wijzigen", write ? "1" : NULL,
	                (const char *)NULL));
	expect_page(&r, 201, "a new key");
	const char *k = strstr(body(&r), "campus_");
	CHECK(k, "no key on the page: %s", summary(&r));
	size_t n = strspn(k, "campus_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
	CHECK(n < size, "key too long");
	memcpy(out, k, n);
	out[n] = 0;
	resp_fini(&r);
	/* The key is not shown again. */
	br_get(b, &r, path);
	CHECK(!strstr(body(&r), out), "the key is shown a second time");
	resp_fini(&r);
	arena_free(a);
}

static char *module_json(struct arena *a, const char *title, const char *extra)
{
	return arena_printf(a,
	                    "{\"title\": \"%s\", \"summary\": \"Burgers helpen met DigiD en de "
	                    "berichtenbox.\", \"description\": \"## Opzet\\n\\nJe oefent **met casussen**.\","
	                    " \"goals\": [\"Je legt DigiD uit\", \"Je verwijst door\"], \"format\": "
	                    "\"online_live\", \"language\": \"nl\", \"vat\": \"crkbo\", \"audience\": "
	                    "\"both\", \"study_load_hours\": 2.5, \"price_cents\": 4500, \"contact\": "
	                    "{\"name\": \"Iris Bos\", \"email\": \"iris@example.nl\"}, \"domains\": [%lld]%s}",
	                    title, (long long)domain_id, extra ? extra : "");
}

static json_t *json_of(const struct resp *r)
{
	const char *ct = header(r, "Content-Type");
	CHECK(ct && !strncmp(ct, "application/json", 16), "%s: Content-Type %s", r->what, ct ? ct : "-");
	json_error_t err;
	json_t *j = json_loads(body(r), 0, &err);
	CHECK(j, "%s: not JSON: %s", r->what, err.text);
	return j;
}

static bool has_problem(json_t *j, const char *field)
{
	json_t *list = json_object_get(json_object_get(j, "error"), "problems");
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p) {
		if (!strcmp(json_string_value(json_object_get(p, "field")), field))
			return true;
	}
	return false;
}

static void keys_and_refusals_without_one(void **state)
{
	(void)state;
	struct browser b;
	login(&b, admin_a);
	make_key(&b, prov_a, "Planningssysteem", true, token_a, sizeof token_a);
	make_key(&b, prov_a, "Rapportage", false, token_read, sizeof token_read);
	struct browser bb;
	login(&bb, admin_b);
	make_key(&bb, prov_b, "Systeem B", true, token_b, sizeof token_b);
	/* Another provider's key page is not theirs. */
	struct resp r;
	char path[128];
	snprintf(path, sizeof path, "/b/%s/api-sleutels", prov_b);
	br_get(&b, &r, path);
	expect_status(&r, 403, "another provider's keys");
	resp_fini(&r);

	fetch_api(&r, NULL, "/api/v1/provider/modules", NULL, NULL);
	expect_status(&r, 401, "no key");
	CHECK(header(&r, "WWW-Authenticate"), "401 without WWW-Authenticate");
	resp_fini(&r);
	fetch_api(&r, NULL, "/api/v1/provider/modules", "campus_not-a-real-key", NULL);
	expect_status(&r, 401, "a malformed key");
	resp_fini(&r);
	char forged[128];
	snprintf(forged, sizeof forged, "%s", token_a);
	forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ? 'B' : 'A';
	fetch_api(&r, NULL, "/api/v1/provider/modules", forged, NULL);
	expect_status(&r, 401, "a key with one character changed");
	resp_fini(&r);
	CHECK(audit_count("api.auth", "failed") >= 2, "refused keys are not audited");
	fetch_api(&r, NULL, "/api/v1/provider/modules", token_a, NULL);
	expect_status(&r, 200, "the own list");
	resp_fini(&r);
}

static void create_read_update_publish(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct resp r;
	int64_t before = count_modules(prov_a);
	fetch_api(&r, NULL, "/api/v1/provider/modules", token_read,
	          module_json(a, "Digitale overheid: helpen met DigiD", NULL));
	expect_status(&r, 403, "a read-only key writes");
	resp_fini(&r);
	CHECK(count_modules(prov_a) == before, "a refused write created a module");

	fetch_api(&r, NULL, "/api/v1/provider/modules", token_a,
	          module_json(a, "Digitale overheid: helpen met DigiD", NULL));
	expect_status(&r, 201, "create");
	json_t *j = json_of(&r);
	module_a = json_integer_value(json_object_get(j, "id"));
	CHECK(module_a > 0, "no id");
	CHECK(header(&r, "Location") && strstr(header(&r, "Location"), "/api/v1/provider/modules/"),
	      "no Location");
	json_t *v = json_object_get(j, "working_version");
	CHECK(!strcmp(json_string_value(json_object_get(v, "state")), "draft"), "not a draft");
	CHECK(json_real_value(json_object_get(v, "study_load_hours")) == 2.5, "study load");
	CHECK(json_array_size(json_object_get(v, "goals")) == 2, "goals");
	CHECK(!json_is_true(json_object_get(j, "published")), "published at once");
	json_decref(j);
	resp_fini(&r);
	CHECK(audit_count("module.create", "ok") >= 1, "no audit row");

	/* Not public until published. */
	char page[64];
	snprintf(page, sizeof page, "/aanbod/%lld", (long long)module_a);
	fetch(&r, NULL, page, NULL, NULL);
	expect_status(&r, 404, "unpublished module page");
	resp_fini(&r);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/provider/modules/%lld/publish", (long long)module_a);
	fetch_api(&r, "POST", path, token_a, NULL);
	expect_status(&r, 200, "publish");
	resp_fini(&r);
	fetch(&r, NULL, page, NULL, NULL);
	expect_page(&r, 200, "published module page");
	CHECK(has_text(&r, "Digitale overheid: helpen met DigiD"), "title missing");
	CHECK(has(&r, "<strong>met casussen</strong>"), "Markdown not rendered");
	resp_fini(&r);

	/* Recognised (as the committee would), then a substantive change: a new
	 * version, the recognised one stays published. */
	struct db_conn *db = db_connect();
	db_exec(db, &stmt_recognise, (const struct db_param[]){DBP_INT(module_a), DBP_END}, NULL);
	db_exec(db, &stmt_recognised_ptr, (const struct db_param[]){DBP_INT(module_a), DBP_END}, NULL);
	db_close(db);
	snprintf(path, sizeof path, "/api/v1/provider/modules/%lld", (long long)module_a);
	fetch_api(&r, "PUT", path, token_a, module_json(a, "Digitale overheid voor iedereen", NULL));
	expect_status(&r, 200, "update");
	j = json_of(&r);
	v = json_object_get(j, "working_version");
	CHECK(json_integer_value(json_object_get(v, "number")) == 2, "no new version");
	json_t *pub = json_object_get(j, "published_version");
	CHECK(pub && !strcmp(json_string_value(json_object_get(pub, "title")),
	                     "Digitale overheid: helpen met DigiD"),
	      "the recognised version is not what is published");
	CHECK(json_object_get(pub, "recognition"), "recognition missing");
	json_decref(j);
	resp_fini(&r);
	snprintf(path, sizeof path, "/api/v1/provider/modules/%lld/publish", (long long)module_a);
	fetch_api(&r, "POST", path, token_a, NULL);
	expect_status(&r, 409, "publishing over a recognised version");
	resp_fini(&r);
	arena_free(a);
}

static void bad_input_changes_nothing(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	int64_t before = count_modules(prov_a);
	struct resp r;
	static const struct {
		const char *json, *field;
	} cases[] = {
	    {"[1, 2]", ""},
	    {"{\"titel\": \"x\"}", "titel"},
	    {"{\"title\": 7, \"study_load_hours\": 2}", "title"},
	    {"{\"title\": \"x\", \"study_load_hours\": \"2\"}", "study_load_hours"},
	    {"{\"title\": \"x\", \"study_load_hours\": 2.55}", "study_load_hours"},
	    {"{\"title\": \"x\", \"study_load_hours\": 2, \"domains\": [\"een\"]}", "domains"},
	    {"{\"title\": \"x\", \"study_load_hours\": 2, \"goals\": \"een\"}", "goals"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fetch_api(&r, NULL, "/api/v1/provider/modules", token_a, cases[i].json);
		expect_status(&r, 400, cases[i].json);
		json_t *j = json_of(&r);
		if (*cases[i].field)
			CHECK(has_problem(j, cases[i].field), "%s: no problem for %s: %s", cases[i].json,
			      cases[i].field, body(&r));
		json_decref(j);
		resp_fini(&r);
	}
	/* Domain rules: each field named, in English with Accept-Language... Dutch here. */
	fetch_api(&r, NULL, "/api/v1/provider/modules", token_a,
	          module_json(a, "", ", \"format\": \"zeppelin\""));
	expect_status(&r, 400, "an empty title and duplicate format");
	resp_fini(&r);
	fetch_api(&r, NULL, "/api/v1/provider/modules", token_a,
	          "{\"title\": \"Kijk\", \"summary\": \"s\", \"description\": \"<script>alert(1)</script>\", "
	          "\"goals\": [\"g\"], \"format\": \"elearning\", \"language\": \"nl\", \"vat\": \"21\", "
	          "\"audience\": \"both\", \"study_load_hours\": 1, \"domains\": [999999]}");
	expect_status(&r, 400, "script and an unknown domain");
	json_t *j = json_of(&r);
	CHECK(has_problem(j, "description") && has_problem(j, "domains"), "%s", body(&r));
	json_decref(j);
	resp_fini(&r);
	fetch_api(&r, NULL, "/api/v1/provider/modules", token_a, "{\"title\": ");
	expect_status(&r, 400, "malformed JSON");
	resp_fini(&r);
	CHECK(count_modules(prov_a) == before, "a refused request created a module");
	arena_free(a);
}

static const char *review_state(const struct resp *r)
{
	json_t *j = json_of(r);
	static char state[32];
	const char *s = json_string_value(json_object_get(json_object_get(j, "review"), "state"));
	snprintf(state, sizeof state, "%s", s ? s : "(none)");
	json_decref(j);
	return state;
}

static void submit_and_withdraw_through_the_api(void **state)
{
	(void)state;
	char path[128];
	struct resp r;
	snprintf(path, sizeof path, "/api/v1/provider/modules/%lld/submit", (long long)module_a);
	fetch_api(&r, "POST", path, token_read, NULL);
	expect_status(&r, 403, "a read-only key submits");
	resp_fini(&r);
	/* Incomplete (no level): refused with the reason. */
	fetch_api(&r, "POST", path, token_a, NULL);
	expect_status(&r, 400, "submitting an incomplete module");
	CHECK(strstr(body(&r), "niveau"), "no reason: %s", body(&r));
	resp_fini(&r);
	struct arena *a = arena_new(0);
	char put[128];
	snprintf(put, sizeof put, "/api/v1/provider/modules/%lld", (long long)module_a);
	fetch_api(&r, "PUT", put, token_a,
	          module_json(a, "Digitale overheid voor iedereen", ", \"level\": \"tactisch\""));
	expect_status(&r, 200, "adding the level");
	resp_fini(&r);
	arena_free(a);
	fetch_api(&r, "POST", path, token_a, NULL);
	expect_status(&r, 200, "submit");
	CHECK(!strcmp(review_state(&r), "submitted"), "review state %s", review_state(&r));
	resp_fini(&r);
	fetch_api(&r, "POST", path, token_a, NULL);
	expect_status(&r, 409, "submitting twice");
	json_t *j = json_of(&r);
	CHECK(json_object_get(json_object_get(j, "error"), "detail"), "no reason: %s", body(&r));
	json_decref(j);
	resp_fini(&r);
	snprintf(path, sizeof path, "/api/v1/provider/modules/%lld/withdraw", (long long)module_a);
	fetch_api(&r, "POST", path, token_a, NULL);
	expect_status(&r, 200, "withdraw");
	CHECK(!strcmp(review_state(&r), "withdrawn"), "review state %s", review_state(&r));
	resp_fini(&r);
	fetch_api(&r, "POST", path, token_a, NULL);
	CHECK(r.status == 409 || r.status == 400, "withdrawing twice: %ld", r.status);
	resp_fini(&r);
	snprintf(path, sizeof path, "/api/v1/provider/modules/%lld/erase", (long long)module_a);
	fetch_api(&r, "POST", path, token_a, NULL);
	expect_status(&r, 404, "an unknown action");
	resp_fini(&r);
}

static void another_providers_module_is_not_there(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/provider/modules/%lld", (long long)module_a);
	struct resp r;
	fetch_api(&r, NULL, path, token_b, NULL);
	expect_status(&r, 404, "B reads A's module");
	resp_fini(&r);
	fetch_api(&r, "PUT", path, token_b, module_json(a, "Overgenomen door B", NULL));
	expect_status(&r, 404, "B changes A's module");
	resp_fini(&r);
	snprintf(path, sizeof path, "/api/v1/provider/modules/%lld/unpublish", (long long)module_a);
	fetch_api(&r, "POST", path, token_b, NULL);
	expect_status(&r, 404, "B unpublishes A's module");
	resp_fini(&r);
	fetch_api(&r, NULL, "/api/v1/provider/modules", token_b, NULL);
	expect_status(&r, 200, "B's list");
	CHECK(!strstr(body(&r), "Digitale overheid"), "B's list shows A's module");
	resp_fini(&r);
	/* A's module is still published and unchanged. */
	char page[64];
	snprintf(page, sizeof page, "/aanbod/%lld", (long long)module_a);
	fetch(&r, NULL, page, NULL, NULL);
	expect_page(&r, 200, "A's module page");
	resp_fini(&r);
	arena_free(a);
}

static void revoked_keys_stop_working_and_libraries_place_local_modules(void **state)
{
	(void)state;
	struct browser b;
	login(&b, admin_b);
	struct resp r;
	char path[128];
	snprintf(path, sizeof path, "/b/%s/api-sleutels", prov_b);
	br_get(&b, &r, path);
	const char *form = strstr(body(&r), "/intrekken\"");
	CHECK(form, "no revoke button");
	const char *start = form;
	while (start > body(&r) && *start != '"')
		start--;
	struct arena *a = arena_new(0);
	char *action = arena_strndup(a, start + 1, (size_t)(form - start - 1) + strlen("/intrekken"));
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(&b, &r, action, form_of(a, "csrf_token", tok, (const char *)NULL));
	expect_status(&r, 303, "revoke");
	resp_fini(&r);
	fetch_api(&r, NULL, "/api/v1/provider/modules", token_b, NULL);
	expect_status(&r, 401, "a revoked key");
	resp_fini(&r);

	struct browser m;
	login(&m, manager);
	char key[128];
	make_key(&m, lib, "Bibliotheeksysteem", true, key, sizeof key);
	fetch_api(&r, NULL, "/api/v1/provider/modules", key, module_json(a, "Lokaal: DigiD-spreekuur", NULL));
	expect_status(&r, 201, "a library's module");
	json_t *j = json_of(&r);
	CHECK(json_is_true(json_object_get(j, "local")), "a library's module is not local");
	json_decref(j);
	resp_fini(&r);
	arena_free(a);
}

static void taxonomy_and_description(void **state)
{
	(void)state;
	struct resp r;
	fetch_api(&r, NULL, "/api/v1/taxonomy", NULL, NULL);
	expect_status(&r, 200, "taxonomy");
	json_t *j = json_of(&r);
	CHECK(json_array_size(json_object_get(j, "domains")) >= 4, "domains");
	json_decref(j);
	resp_fini(&r);
	fetch_api(&r, NULL, "/api/v1/openapi.json", NULL, NULL);
	expect_status(&r, 200, "openapi");
	j = json_of(&r);
	CHECK(json_object_get(json_object_get(j, "paths"), "/provider/modules"), "paths");
	json_decref(j);
	resp_fini(&r);
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_api";
	campus_bin = getenv("CAMPUS_BIN") && *getenv("CAMPUS_BIN") ? getenv("CAMPUS_BIN") : "build/campus";
	test_db = getenv("CAMPUS_TEST_DB") && *getenv("CAMPUS_TEST_DB") ? getenv("CAMPUS_TEST_DB")
	                                                                  : "sqlite:var/test/api.db";
	const char *dialect = strncmp(test_db, "postgres", 8) == 0 ? "postgres" : "sqlite";
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	snprintf(log_path, sizeof log_path, "var/test/api-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	snprintf(tag, sizeof tag, "api%lx%x", (long)time(NULL), (unsigned)getpid() & 0xffff);
	snprintf(prov_a, sizeof prov_a, "%s-aanbieder-a", tag);
	snprintf(prov_b, sizeof prov_b, "%s-aanbieder-b", tag);
	snprintf(lib, sizeof lib, "%s-bieb", tag);
	snprintf(admin_a, sizeof admin_a, "beheer-a@%s.example.nl", tag);
	snprintf(admin_b, sizeof admin_b, "beheer-b@%s.example.nl", tag);
	snprintf(manager, sizeof manager, "manager@%s.example.nl", tag);
	const char *pw = "var/test/api-password.txt";
	f = fopen(pw, "w");
	if (!f)
		return -1;
	fputs(PASSWORD "\n", f);
	fclose(f);
	const char *steps[][12] = {
	    {"migrate", NULL},
	    {"org", "add", prov_a, "Aanbieder A", "--kind", "provider", NULL},
	    {"org", "add", prov_b, "Aanbieder B", "--kind", "provider", NULL},
	    {"org", "add", lib, "Bibliotheek Proef", "--kind", "library", NULL},
	    {"user", "add", admin_a, "Beheerder A", "--org", prov_a, "--roles", "provider_admin",
	     "--password-stdin", pw, NULL},
	    {"user", "add", admin_b, "Beheerder B", "--org", prov_b, "--roles", "provider_admin",
	     "--password-stdin", pw, NULL},
	    {"user", "add", manager, "Manager", "--org", lib, "--roles", "learner,manager",
	     "--password-stdin", pw, NULL},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (cli(steps[i]) != 0) {
			fprintf(stderr, "# set-up step %zu failed; see %s\n", i, log_path);
			return -1;
		}
	struct db_conn *db = db_connect();
	struct arena *a = arena_new(0);
	int rc = db ? db_query_row(db, &stmt_domain_id, (const struct db_param[]){DBP_END},
	                           (const struct db_col[]){DBC_INT(&domain_id), DBC_END}, a)
	            : -1;
	arena_free(a);
	if (db)
		db_close(db);
	if (rc)
		return -1;
	return server_start(0);
}

static int group_teardown(void **state)
{
	(void)state;
	int rc = server_stop();
	curl_global_cleanup();
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(keys_and_refusals_without_one),
	    cmocka_unit_test(create_read_update_publish),
	    cmocka_unit_test(bad_input_changes_nothing),
	    cmocka_unit_test(submit_and_withdraw_through_the_api),
	    cmocka_unit_test(another_providers_module_is_not_there),
	    cmocka_unit_test(revoked_keys_stop_working_and_libraries_place_local_modules),
	    cmocka_unit_test(taxonomy_and_description),
	};
	return cmocka_run_group_tests_name("api", tests, group_setup, group_teardown);
}
