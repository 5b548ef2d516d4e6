/* The offering pages over HTTP: the real server ($CAMPUS_BIN serve) on a
 * database filled by `campus demo`, with the demo's provider administrator
 * (GO Opleidingen), the Utrecht manager, a Utrecht volunteer, the employee
 * who also volunteers in Eemland and a learner of Eemland only (made with the
 * CLI). Covers the module form (every refusal changes nothing and names the
 * field), publishing, the public page and its Markdown, a recognised version
 * that stays published, a library's local module and who sees it, one
 * organisation reaching another's modules, unknown ids, the image routes and
 * the audit rows.
 *
 * Runs once per database (CAMPUS_TEST_DB), from the repository root. Titles
 * and the extra account carry a tag of this run, so a PostgreSQL database
 * kept from an earlier run does not disturb it; counts are compared before
 * and after. The server's log goes to var/test/offering-server-<dialect>.log. */
#include "harness.h"

#include <stdarg.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "db/db.h"

extern char **environ;

#define PASSWORD "Campus-demo-2026"
#define PROVIDER "aanbieder@go-opleidingen.demo"
#define MANAGER "manager@bibliotheek-utrecht.demo"
#define VOLUNTEER "vrijwilliger@bibliotheek-utrecht.demo"
#define EMPLOYEE "medewerker@bibliotheek-utrecht.demo" /* also a volunteer in Eemland */
#define GO "/b/go-opleidingen/modules"
#define UTRECHT "/b/bibliotheek-utrecht/modules"

#define MSG_UNKNOWN_TAG "Een gekozen onderdeel van het beroepsprofiel bestaat niet (meer)."
#define MSG_NOT_IMAGE "De afbeelding moet een PNG- of JPEG-bestand zijn."
#define MSG_STAYS "De erkende versie blijft zichtbaar tot de commissie de nieuwe versie heeft erkend."

static const char *dialect;
static char tag[40];
static char eemland[96]; /* a learner of Bibliotheek Eemland only */
static int64_t dom_id, role_id, comp_id, retired_comp_id;

DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
DB_STMT(stmt_count_modules, "SELECT COUNT(*) FROM modules");
DB_STMT(stmt_count_versions, "SELECT COUNT(*) FROM module_versions");
DB_STMT(stmt_module_by_title,
        "SELECT m.id FROM modules m JOIN module_versions v ON v.id = m.working_version_id "
        "WHERE v.title = $1");
DB_STMT(stmt_module_ptrs,
        "SELECT working_version_id, COALESCE(published_version_id, 0), "
        "COALESCE(recognised_version_id, 0) FROM modules WHERE id = $1");
DB_STMT(stmt_version_title, "SELECT title FROM module_versions WHERE id = $1");
DB_STMT(stmt_first_tags,
        "SELECT d.id, r.id, c.id FROM tax_domains d JOIN tax_roles r ON r.domain_id = d.id "
        "JOIN tax_competencies c ON c.role_id = r.id WHERE d.retired_at IS NULL AND "
        "r.retired_at IS NULL AND c.retired_at IS NULL ORDER BY d.position, r.position, c.position "
        "LIMIT 1");
DB_STMT(stmt_retired_insert,
        "INSERT INTO tax_competencies (role_id, slug, name, position, retired_at) "
        "VALUES ($1, $2, $3, 999, 1)");
DB_STMT(stmt_competency_by_slug, "SELECT id FROM tax_competencies WHERE slug = $1");
/* What the committee does on recognition (as tests/unit/test_catalog.c). */
DB_STMT(stmt_recognise,
        "UPDATE module_versions SET state = 'recognised', points_tenths = 40, "
        "recognised_load_tenths = 40, recognised_at = 1, valid_until = 1900000000 WHERE id = $1");
DB_STMT(stmt_module_recognised,
        "UPDATE modules SET recognised_version_id = $2, published_version_id = $2 WHERE id = $1");

/* ---- the database */

static int64_t count_of(struct db_stmt *stmt)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t n = -1;
	int rc = db_query_row(db, stmt, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&n), DBC_END}, a);
	arena_free(a);
	db_close(db);
	CHECK(rc == 0, "count query failed: %d", rc);
	return n;
}

/* The module whose working version has this title; 0 when none. */
static int64_t module_id_of(const char *title)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t id = 0;
	if (db_query_row(db, &stmt_module_by_title, (const struct db_param[]){DBP_TEXT(title), DBP_END},
	                 (const struct db_col[]){DBC_INT(&id), DBC_END}, a) != 0)
		id = 0;
	arena_free(a);
	db_close(db);
	return id;
}

struct ptrs {
	int64_t working, published, recognised;
};

static struct ptrs ptrs_of(int64_t module_id)
{
	struct ptrs p = {-1, -1, -1};
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int rc = db_query_row(db, &stmt_module_ptrs,
	                      (const struct db_param[]){DBP_INT(module_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&p.working), DBC_INT(&p.published),
	                                              DBC_INT(&p.recognised), DBC_END},
	                      a);
	arena_free(a);
	db_close(db);
	CHECK(rc == 0, "module %lld not found", (long long)module_id);
	return p;
}

static char *version_title(struct arena *a, int64_t version_id)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	char *title = NULL;
	int rc = db_query_row(db, &stmt_version_title,
	                      (const struct db_param[]){DBP_INT(version_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&title), DBC_END}, a);
	db_close(db);
	CHECK(rc == 0, "version %lld not found", (long long)version_id);
	return title;
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

/* A good module form for title, with changes: NULL-terminated name, value
 * pairs; each name's value is replaced by value (NULL: left out), or added
 * when the form has no such field. */
static char *module_form(struct arena *a, const char *tok, const char *title, ...)
{
	struct {
		const char *name, *value;
	} f[] = {{"csrf_token", tok},
	         {"titel", title},
	         {"samenvatting", "Kinderen enthousiast maken voor boeken."},
	         {"beschrijving", "Een **praktische** training.\n\n- voorlezen\n- vertellen\n"},
	         {"leerdoelen", "Je kiest een prentenboek.\nJe leest interactief voor."},
	         {"voorkennis", ""},
	         {"niveau", "uitvoerend"},
	         {"vorm", "classroom"},
	         {"taal", "nl"},
	         {"btw", "crkbo"},
	         {"doelgroep", "both"},
	         {"studielast", "2,5"},
	         {"prijs", "89,50"},
	         {"plaats", "Utrecht"},
	         {"provincie", "Utrecht"},
	         {"contactpersoon", "Pim Jansen"},
	         {"contactemail", "pim@example.nl"},
	         {"domein", arena_printf(a, "%lld", (long long)dom_id)},
	         {"rol", arena_printf(a, "%lld", (long long)role_id)},
	         {"competentie", arena_printf(a, "%lld", (long long)comp_id)}};
	size_t nf = sizeof f / sizeof f[0];
	struct buf extra;
	buf_init(&extra, a, 0);
	va_list ap;
	va_start(ap, title);
	for (const char *name; (name = va_arg(ap, const char *));) {
		const char *value = va_arg(ap, const char *);
		size_t i = 0;
		while (i < nf && strcmp(f[i].name, name))
			i++;
		if (i < nf)
			f[i].value = value;
		else if (value)
			buf_printf(&extra, "&%s=%s", name, enc(a, value));
	}
	va_end(ap);
	struct buf out;
	buf_init(&out, a, 0);
	for (size_t i = 0; i < nf; i++) {
		if (!f[i].value)
			continue;
		if (out.len)
			buf_putc(&out, '&');
		buf_printf(&out, "%s=%s", f[i].name, enc(a, f[i].value));
	}
	buf_append(&out, extra.data, extra.len);
	return (char *)buf_cstr(&out);
}

/* Creates a module through the form; its id. */
static int64_t create_module(struct browser *b, const char *list, const char *title)
{
	struct arena *a = arena_new(0);
	const char *path = arena_printf(a, "%s/nieuw", list);
	const char *tok = token(b, path, a);
	int64_t before = audit_count("module.create", "ok");
	struct resp r;
	br_post(b, &r, path, module_form(a, tok, title, (const char *)NULL));
	int64_t id = module_id_of(title);
	CHECK(id > 0, "%s: no module titled %s (status %ld): %s", r.what, title, r.status, summary(&r));
	expect_redirect(&r, arena_printf(a, "%s/%lld", list, (long long)id), "a good module");
	CHECK(audit_count("module.create", "ok") == before + 1, "no module.create audit row");
	resp_fini(&r);
	arena_free(a);
	return id;
}

/* POST /publiceren with actie; the reply in *r. */
static void post_action(struct browser *b, struct resp *r, const char *list, int64_t id,
                        const char *action)
{
	struct arena *a = arena_new(0);
	const char *tok = token(b, "/mijn", a);
	br_post(b, r, arena_printf(a, "%s/%lld/publiceren", list, (long long)id),
	        form_of(a, "csrf_token", tok, "actie", action, (const char *)NULL));
	arena_free(a);
}

static void publish(struct browser *b, const char *list, int64_t id)
{
	int64_t before = audit_count("module.publish", "ok");
	struct resp r;
	post_action(b, &r, list, id, "publiceren");
	struct arena *a = arena_new(0);
	expect_redirect(&r, arena_printf(a, "%s/%lld", list, (long long)id), "publishing");
	arena_free(a);
	resp_fini(&r);
	CHECK(audit_count("module.publish", "ok") == before + 1, "no module.publish audit row");
}

static void expect_get(struct browser *b, const char *path, long status, const char *why)
{
	struct resp r;
	if (b)
		br_get(b, &r, path);
	else
		fetch(&r, NULL, path, NULL, NULL);
	CHECK(r.status == status, "GET %s (%s): %ld, expected %ld: %s", path, why, r.status, status,
	      summary(&r));
	resp_fini(&r);
}

static const char *title_of(struct arena *a, const char *what)
{
	return arena_printf(a, "%s %s", what, tag);
}

/* ---- cases */

/* Every malformed field: 400, the message next to the field, the value
 * kept, nothing written. */
static void test_form_refusals(void **state)
{
	(void)state;
	struct browser b;
	login(&b, PROVIDER);
	struct arena *a = arena_new(0);
	const char *tok = token(&b, GO "/nieuw", a);
	const char *title = title_of(a, "Geweigerd");
	const char *retired = arena_printf(a, "%lld", (long long)retired_comp_id);
	struct {
		const char *name, *value, *field_error_id, *message;
	} cases[] = {
	    {"titel", "", "titel-fout", "Vul een titel in."},
	    {"titel", NULL, "titel-fout", "Vul een titel in."},
	    {"vorm", "hoorcollege", "vorm-fout", "Kies een vorm."},
	    {"beschrijving", "Lees <script>alert(1)</script> voor.", "beschrijving-fout",
	     "De beschrijving mag geen HTML of scripts bevatten; gebruik Markdown."},
	    {"beschrijving", "<img src=x onerror=alert(1)>", "beschrijving-fout",
	     "De beschrijving mag geen HTML of scripts bevatten; gebruik Markdown."},
	    {"beschrijving", "Zie [de site](javascript:alert(1)).", "beschrijving-fout",
	     "De beschrijving mag geen HTML of scripts bevatten; gebruik Markdown."},
	    {"studielast", "abc", "studielast-fout", "Schrijf de studielast in uren, bijvoorbeeld 4 of 2,5."},
	    {"studielast", "", "studielast-fout", "Schrijf de studielast in uren, bijvoorbeeld 4 of 2,5."},
	    {"studielast", "0", "studielast-fout", "Vul een studielast in tussen 0,1 en 1000 uur."},
	    {"prijs", "12,345", "prijs-fout", "Schrijf de prijs als een bedrag in euro, bijvoorbeeld 145 of 89,50."},
	    {"prijs", "-5", "prijs-fout", "Schrijf de prijs als een bedrag in euro, bijvoorbeeld 145 of 89,50."},
	    {"contactemail", "geen-adres", "contactemail-fout", "Vul een geldig e-mailadres in."},
	    {"niveau", "expert", "niveau-fout", "Kies een bestaand niveau."},
	    {"domein", NULL, "beroepsprofiel-fout", "Kies ten minste één domein."},
	    {"domein", "99999999", "beroepsprofiel-fout", MSG_UNKNOWN_TAG},
	    {"rol", "99999999", "beroepsprofiel-fout", MSG_UNKNOWN_TAG},
	    {"competentie", retired, "beroepsprofiel-fout", MSG_UNKNOWN_TAG},
	    {"domein", "abc", "beroepsprofiel-fout",
	     "De keuze uit het beroepsprofiel is ongeldig of te groot (hoogstens 24 per soort)."},
	    {"competentie", "12x", "beroepsprofiel-fout",
	     "De keuze uit het beroepsprofiel is ongeldig of te groot (hoogstens 24 per soort)."},
	};
	int64_t modules0 = count_of(&stmt_count_modules);
	int64_t versions0 = count_of(&stmt_count_versions);
	int64_t audit0 = audit_count("module.create", "ok");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct resp r;
		br_post(&b, &r, GO "/nieuw", module_form(a, tok, title, cases[i].name, cases[i].value, (const char *)NULL));
		const char *why = arena_printf(a, "%s=%s", cases[i].name,
		                               cases[i].value ? cases[i].value : "(absent)");
		expect_page(&r, 400, why);
		CHECK(has(&r, "role=\"alert\"") && has_text(&r, "De module is niet opgeslagen."),
		      "%s: no alert saying nothing was saved", why);
		/* The message sits next to its field, which points at it. */
		const char *next_to = arena_printf(a, "id=\"%s\">", cases[i].field_error_id);
		const char *p = strstr(body(&r), next_to);
		CHECK(p, "%s: no %s on the page", why, next_to);
		const char *m = strstr(p, cases[i].message);
		CHECK(m && m - p < 300, "%s: the message next to the field is not \"%s\": %.300s", why,
		      cases[i].message, p);
		CHECK(has(&r, arena_printf(a, "aria-describedby=\"%s", cases[i].field_error_id)),
		      "%s: the field does not point at its message", why);
		/* What was typed stays; markup comes back escaped, never as markup. */
		if (strcmp(cases[i].name, "titel"))
			CHECK(input_value(&r, "titel") && !strcmp(input_value(&r, "titel"), title),
			      "%s: the title is not kept", why);
		CHECK(!has(&r, "<script>alert") && !has(&r, "<img src=x"), "%s: markup echoed raw", why);
		resp_fini(&r);
	}
	/* Two problems at once: both are named (not only the malformed number). */
	struct resp r;
	char *form = module_form(a, tok, "", "studielast", "abc", (const char *)NULL);
	br_post(&b, &r, GO "/nieuw", form);
	expect_page(&r, 400, "no title and a bad study load");
	CHECK(has(&r, "id=\"titel-fout\">Vul een titel in.") && has(&r, "id=\"studielast-fout\""),
	      "not every problem is named: %s", summary(&r));
	resp_fini(&r);

	/* Without the CSRF token, or with another one: refused, nothing written. */
	br_post(&b, &r, GO "/nieuw", module_form(a, NULL, title, (const char *)NULL));
	expect_page(&r, 403, "no csrf_token");
	resp_fini(&r);
	br_post(&b, &r, GO "/nieuw", module_form(a, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", title, (const char *)NULL));
	expect_page(&r, 403, "a wrong csrf_token");
	resp_fini(&r);

	CHECK(count_of(&stmt_count_modules) == modules0, "a refused form created a module");
	CHECK(count_of(&stmt_count_versions) == versions0, "a refused form created a version");
	CHECK(audit_count("module.create", "ok") == audit0, "a refused form wrote module.create");
	CHECK(module_id_of(title) == 0, "a module titled %s exists", title);
	arena_free(a);
}

/* A good module: its edit page, hidden until published, then public with
 * its Markdown; edits and hiding are audited. */
static void test_create_publish_view(void **state)
{
	(void)state;
	struct browser b;
	login(&b, PROVIDER);
	struct arena *a = arena_new(0);
	const char *title = title_of(a, "Voorlezen <met> & plezier");
	int64_t id = create_module(&b, GO, title);
	const char *edit = arena_printf(a, GO "/%lld", (long long)id);
	const char *pub = arena_printf(a, "/aanbod/%lld", (long long)id);

	struct resp r;
	br_get(&b, &r, edit);
	expect_page(&r, 200, "the edit page");
	CHECK(input_value(&r, "titel") && !strcmp(input_value(&r, "titel"), title),
	      "the edit form does not hold the title");
	CHECK(has(&r, "<h1 class=\"utrecht-heading-1\">") && has_text(&r, title), "no heading");
	CHECK(!has(&r, "<met>"), "the title is not escaped");
	CHECK(input_value(&r, "studielast") && !strcmp(input_value(&r, "studielast"), "2,5"),
	      "study load as typed");
	CHECK(has(&r, "value=\"publiceren\""), "no publish button");
	resp_fini(&r);
	br_get(&b, &r, GO);
	expect_page(&r, 200, "the list");
	CHECK(has_text(&r, title) && has(&r, edit), "the list does not link the module");
	resp_fini(&r);

	/* A draft is nobody's to see at /aanbod, not even its provider's. */
	expect_get(NULL, pub, 404, "a draft, anonymous");
	expect_get(&b, pub, 404, "a draft, its provider");
	expect_get(NULL, arena_printf(a, "%s/afbeelding", pub), 404, "a draft's image");

	publish(&b, GO, id);
	fetch(&r, NULL, pub, NULL, NULL);
	expect_page(&r, 200, "the published module, anonymous");
	CHECK(has_text(&r, title) && !has(&r, "<met>"), "the module page misses the escaped title");
	CHECK(has(&r, "<strong>praktische</strong>"), "the Markdown bold is not rendered");
	CHECK(has(&r, "<li>voorlezen</li>") && has(&r, "<li>vertellen</li>"), "no Markdown list");
	CHECK(has(&r, "Je kiest een prentenboek."), "no learning goals");
	CHECK(!has(&r, "campus-recognition"), "a recognition note on a module never recognised");
	CHECK(has_text(&r, "(nog) niet erkend"), "no word that the module is not recognised");
	CHECK(has_text(&r, "€ 89,50") && has(&r, "2,5 uur"), "price or study load missing");
	CHECK(has(&r, "href=\"mailto:pim%40example.nl\"") && has(&r, ">pim@example.nl</a>"), "no contact link");
	CHECK(!has(&r, "Deze module beheren"), "anonymous visitors get the manage link");
	resp_fini(&r);
	br_get(&b, &r, pub);
	expect_page(&r, 200, "the published module, its provider");
	CHECK(has(&r, edit), "its provider has no link to manage it");
	resp_fini(&r);

	/* A change without place and contact: no empty facts on the page. */
	const char *tok = token(&b, edit, a);
	int64_t upd0 = audit_count("module.update", "ok");
	br_post(&b, &r, edit,
	        module_form(a, tok, title, "plaats", "", "provincie", "", "contactpersoon", "",
	                    "contactemail", "", (const char *)NULL));
	expect_redirect(&r, edit, "a change of details");
	resp_fini(&r);
	CHECK(audit_count("module.update", "ok") == upd0 + 1, "no module.update audit row");
	fetch(&r, NULL, pub, NULL, NULL);
	expect_page(&r, 200, "the module without place and contact");
	CHECK(!has(&r, "mailto:") && !has(&r, "<dt>Contact</dt>") && !has(&r, "<dt>Plaats</dt>"),
	      "empty facts are shown: %s", summary(&r));
	resp_fini(&r);

	/* Hidden again: 404 for everyone, and audited. */
	int64_t unpub0 = audit_count("module.unpublish", "ok");
	post_action(&b, &r, GO, id, "verbergen");
	expect_redirect(&r, edit, "hiding");
	resp_fini(&r);
	CHECK(audit_count("module.unpublish", "ok") == unpub0 + 1, "no module.unpublish audit row");
	expect_get(NULL, pub, 404, "a hidden module");
	/* An unknown action changes nothing. */
	post_action(&b, &r, GO, id, "wissen");
	expect_page(&r, 400, "an unknown action");
	resp_fini(&r);
	CHECK(ptrs_of(id).published == 0, "an unknown action published the module");
	arena_free(a);
}

/* A recognised version stays what learners see while the provider works on
 * a new one; publishing the new one is refused with the reason. */
static void test_recognised_stays_published(void **state)
{
	(void)state;
	struct browser b;
	login(&b, PROVIDER);
	struct arena *a = arena_new(0);
	const char *title = title_of(a, "Erkend");
	int64_t id = create_module(&b, GO, title);
	publish(&b, GO, id);
	struct ptrs p = ptrs_of(id);
	struct db_conn *db = db_connect();
	assert_non_null(db);
	assert_int_equal(db_exec(db, &stmt_recognise, (const struct db_param[]){DBP_INT(p.working), DBP_END}, NULL), 0);
	assert_int_equal(db_exec(db, &stmt_module_recognised,
	                         (const struct db_param[]){DBP_INT(id), DBP_INT(p.working), DBP_END}, NULL),
	                 0);
	db_close(db);

	/* A substantive change (the learning goals) starts version 2. */
	const char *edit = arena_printf(a, GO "/%lld", (long long)id);
	const char *tok = token(&b, edit, a);
	int64_t nv0 = audit_count("module.new_version", "ok");
	struct resp r;
	br_post(&b, &r, edit, module_form(a, tok, title, "leerdoelen", "Een heel nieuw leerdoel.", (const char *)NULL));
	expect_redirect(&r, edit, "a substantive change");
	resp_fini(&r);
	CHECK(audit_count("module.new_version", "ok") == nv0 + 1, "no module.new_version audit row");
	struct ptrs q = ptrs_of(id);
	CHECK(q.working != p.working && q.published == p.working && q.recognised == p.working,
	      "after the change: working %lld published %lld recognised %lld (v1 %lld)",
	      (long long)q.working, (long long)q.published, (long long)q.recognised,
	      (long long)p.working);
	br_get(&b, &r, edit);
	expect_page(&r, 200, "the edit page of version 2");
	CHECK(has_text(&r, "De erkende versie blijft in het aanbod"), "no word about the recognised version");
	resp_fini(&r);

	int64_t pub0 = audit_count("module.publish", "ok");
	post_action(&b, &r, GO, id, "publiceren");
	expect_page(&r, 409, "publishing over a recognised version");
	CHECK(has(&r, "role=\"alert\"") && has_text(&r, MSG_STAYS), "no reason given: %s", summary(&r));
	resp_fini(&r);
	CHECK(audit_count("module.publish", "ok") == pub0, "a refused publish was audited as done");
	q = ptrs_of(id);
	CHECK(q.published == p.working, "the refused publish changed the published version");

	fetch(&r, NULL, arena_printf(a, "/aanbod/%lld", (long long)id), NULL, NULL);
	expect_page(&r, 200, "the recognised module");
	CHECK(has(&r, "class=\"campus-recognition\"") && has_text(&r, "4 studiepunten"),
	      "no recognition note on a recognised module");
	CHECK(has(&r, "Je leest interactief voor.") && !has(&r, "Een heel nieuw leerdoel."),
	      "the public page does not show the recognised version");
	resp_fini(&r);
	arena_free(a);
}

/* A library's local module: seen by its own people only. */
static void test_local_module(void **state)
{
	(void)state;
	struct browser mgr, vol, emp, prov, other;
	login(&mgr, MANAGER);
	struct arena *a = arena_new(0);
	const char *title = title_of(a, "Lokaal");
	int64_t id = create_module(&mgr, UTRECHT, title);
	struct resp r;
	br_get(&mgr, &r, UTRECHT);
	expect_page(&r, 200, "the library's own offering");
	CHECK(has_text(&r, title) && has_text(&r, "lokaal aanbod"), "the list does not show it as local");
	resp_fini(&r);
	publish(&mgr, UTRECHT, id);
	const char *pub = arena_printf(a, "/aanbod/%lld", (long long)id);

	login(&vol, VOLUNTEER);
	br_get(&vol, &r, pub);
	expect_page(&r, 200, "a volunteer of the library");
	CHECK(has_text(&r, title) && has_text(&r, "Lokaal aanbod van"), "not shown as local");
	resp_fini(&r);
	login(&emp, EMPLOYEE);
	expect_get(&emp, pub, 200, "an employee of the library");
	expect_get(NULL, pub, 404, "anonymous");
	login(&prov, PROVIDER);
	expect_get(&prov, pub, 404, "a provider administrator");
	login(&other, eemland);
	expect_get(&other, pub, 404, "a learner of another library");
	fetch(&r, NULL, pub, NULL, NULL);
	CHECK(!has_text(&r, title), "the 404 page names the module");
	resp_fini(&r);
	arena_free(a);
}

/* Nobody reaches another organisation's modules by changing the URL. */
static void test_tenant_isolation(void **state)
{
	(void)state;
	struct browser prov, mgr, vol;
	login(&prov, PROVIDER);
	login(&mgr, MANAGER);
	login(&vol, VOLUNTEER);
	struct arena *a = arena_new(0);
	expect_get(&prov, UTRECHT, 403, "a provider on a library's offering");
	expect_get(&mgr, GO, 403, "a manager on a provider's offering");
	expect_get(&mgr, GO "/nieuw", 403, "a manager on a provider's form");
	expect_get(&vol, UTRECHT, 403, "a learner on the library's offering");
	expect_get(&vol, UTRECHT "/nieuw", 403, "a learner on the form");
	expect_get(NULL, UTRECHT, 303, "anonymous");
	/* The taxonomy is the campus administrators' alone. */
	expect_get(&prov, "/beheer/taxonomie", 403, "a provider on the taxonomy");
	expect_get(&mgr, "/beheer/taxonomie", 403, "a manager on the taxonomy");
	expect_get(&vol, "/beheer/taxonomie", 403, "a learner on the taxonomy");
	int64_t tax0 = audit_count("taxonomy.add", "ok");
	const char *mtok = token(&mgr, UTRECHT, a);
	struct resp t;
	br_post(&mgr, &t, "/beheer/taxonomie",
	        form_of(a, "csrf_token", mtok, "actie", "toevoegen", "soort", "domein", "naam",
	                title_of(a, "Domein"), (const char *)NULL));
	expect_page(&t, 403, "a manager adding a domain");
	resp_fini(&t);
	CHECK(audit_count("taxonomy.add", "ok") == tax0, "a refused taxonomy change was audited");

	const char *title = title_of(a, "Van Utrecht");
	int64_t id = create_module(&mgr, UTRECHT, title);
	int64_t modules0 = count_of(&stmt_count_modules);
	struct resp r;
	/* The manager posting a module to the provider's form. */
	const char *tok = token(&mgr, UTRECHT "/nieuw", a);
	br_post(&mgr, &r, GO "/nieuw", module_form(a, tok, title_of(a, "Ingebroken"), (const char *)NULL));
	expect_page(&r, 403, "a manager posting to a provider's form");
	resp_fini(&r);

	/* The provider naming Utrecht's module under its own organisation. */
	const char *theirs = arena_printf(a, GO "/%lld", (long long)id);
	expect_get(&prov, theirs, 404, "another organisation's module");
	expect_get(&prov, arena_printf(a, "%s/afbeelding", theirs), 404, "another's image");
	tok = token(&prov, GO, a);
	br_post(&prov, &r, theirs, module_form(a, tok, title_of(a, "Overgenomen"), (const char *)NULL));
	expect_page(&r, 404, "editing another organisation's module");
	resp_fini(&r);
	post_action(&prov, &r, GO, id, "publiceren");
	expect_page(&r, 404, "publishing another organisation's module");
	resp_fini(&r);
	struct ptrs p = ptrs_of(id);
	CHECK(p.published == 0, "another organisation published the module");
	CHECK(!strcmp(version_title(a, p.working), title), "another organisation changed the title");
	CHECK(count_of(&stmt_count_modules) == modules0, "a refused request created a module");

	/* Unknown and malformed ids. */
	static const char *const unknown[] = {GO "/99999999", GO "/abc", GO "/0", GO "/-1",
	                                      GO "/99999999/afbeelding", "/aanbod/99999999",
	                                      "/aanbod/abc", "/aanbod/99999999/afbeelding"};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		expect_get(&prov, unknown[i], 404, "an unknown id");
	post_action(&prov, &r, GO, 99999999, "publiceren");
	expect_page(&r, 404, "publishing an unknown module");
	resp_fini(&r);
	arena_free(a);
}

/* ---- images */

static unsigned char *png_bytes(size_t *len, size_t padding)
{
	/* A 1×1 PNG; padding goes into a private ancillary chunk. */
	static const unsigned char head[] = {
	    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1,
	    0,    0,   0,   1,   8,    2,    0,    0,    0, 0x90, 0x77, 0x53, 0xde};
	static const unsigned char tail[] = {0, 0, 0, 12, 'I', 'D', 'A', 'T', 0x08, 0xd7, 0x63, 0xf8,
	                                     0xcf, 0xc0, 0, 0, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd,
	                                     0x8d, 0xb0, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42,
	                                     0x60, 0x82};
	size_t n = sizeof head + (padding ? 12 + padding : 0) + sizeof tail;
	unsigned char *p = calloc(1, n), *q = p;
	memcpy(q, head, sizeof head), q += sizeof head;
	if (padding) {
		q[0] = (unsigned char)(padding >> 24), q[1] = (unsigned char)(padding >> 16);
		q[2] = (unsigned char)(padding >> 8), q[3] = (unsigned char)padding;
		memcpy(q + 4, "prVt", 4);
		q += 8 + padding + 4; /* data zeros; the CRC is not checked by the sniffer */
	}
	memcpy(q, tail, sizeof tail);
	*len = n;
	return p;
}

/* A minimal baseline JPEG header (SOI, SOF0 of 1×1, EOI): what the sniffer reads. */
static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0,
                                     0, 1, 0, 1, 0, 0, 0xff, 0xc0, 0, 11, 8, 0, 1, 0, 1, 1, 1,
                                     0x11, 0, 0xff, 0xd9};

static void post_with_image(struct browser *b, struct resp *r, const char *path, const char *tok,
                            const char *title, const void *image, size_t len, const char *type,
                            bool remove)
{
	struct arena *a = arena_new(0);
	const char *n = arena_printf(a, "%lld", (long long)dom_id);
	struct part parts[] = {
	    {"csrf_token", tok, NULL, NULL, 0},
	    {"titel", title, NULL, NULL, 0},
	    {"samenvatting", "Met een afbeelding.", NULL, NULL, 0},
	    {"beschrijving", "Beschrijving.", NULL, NULL, 0},
	    {"leerdoelen", "Een doel.", NULL, NULL, 0},
	    {"vorm", "elearning", NULL, NULL, 0},
	    {"taal", "nl", NULL, NULL, 0},
	    {"btw", "21", NULL, NULL, 0},
	    {"doelgroep", "employees", NULL, NULL, 0},
	    {"studielast", "1", NULL, NULL, 0},
	    {"domein", n, NULL, NULL, 0},
	    {"afbeelding", image ? image : "", image ? "beeld" : "", type, image ? len : 0},
	    {remove ? "afbeelding_weg" : "prijs", remove ? "1" : "", NULL, NULL, 0},
	};
	br_post_parts(b, r, path, parts, sizeof parts / sizeof parts[0]);
	arena_free(a);
}

static void expect_image(struct browser *b, const char *path, const char *type, size_t len)
{
	struct resp r;
	if (b)
		br_get(b, &r, path);
	else
		fetch(&r, NULL, path, NULL, NULL);
	CHECK(r.status == 200, "GET %s: %ld", path, r.status);
	const char *ct = header(&r, "Content-Type");
	CHECK(ct && !strcmp(ct, type), "GET %s: Content-Type %s, expected %s", path, ct ? ct : "-", type);
	CHECK(r.body.len == len, "GET %s: %zu bytes, expected %zu", path, r.body.len, len);
	const char *nosniff = header(&r, "X-Content-Type-Options");
	CHECK(nosniff && !strcmp(nosniff, "nosniff"), "GET %s: not nosniff", path);
	resp_fini(&r);
}

static void test_images(void **state)
{
	(void)state;
	struct browser b;
	login(&b, PROVIDER);
	struct arena *a = arena_new(0);
	size_t png_len;
	unsigned char *png = png_bytes(&png_len, 0);
	const char *title = title_of(a, "Met beeld");
	const char *tok = token(&b, GO "/nieuw", a);
	struct resp r;
	post_with_image(&b, &r, GO "/nieuw", tok, title, png, png_len, "image/png", false);
	int64_t id = module_id_of(title);
	CHECK(id > 0, "no module with an image (%ld): %s", r.status, summary(&r));
	const char *edit = arena_printf(a, GO "/%lld", (long long)id);
	expect_redirect(&r, edit, "a module with a PNG");
	resp_fini(&r);
	const char *own = arena_printf(a, "%s/afbeelding", edit);
	const char *pub = arena_printf(a, "/aanbod/%lld/afbeelding", (long long)id);
	expect_image(&b, own, "image/png", png_len);
	expect_get(NULL, pub, 404, "the image of a draft");
	publish(&b, GO, id);
	expect_image(NULL, pub, "image/png", png_len);

	/* Not an image (a GIF, text called .png): refused, the PNG stays. */
	static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!"
	                                   "\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
	static const char text[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
	const void *bad[] = {gif, text};
	size_t bad_len[] = {sizeof gif - 1, sizeof text - 1};
	int64_t upd0 = audit_count("module.update", "ok");
	for (size_t i = 0; i < 2; i++) {
		post_with_image(&b, &r, edit, tok, title, bad[i], bad_len[i], "image/png", false);
		expect_page(&r, 400, "not a PNG or JPEG");
		CHECK(has(&r, "id=\"afbeelding-fout\">" MSG_NOT_IMAGE), "no message next to the file field");
		resp_fini(&r);
	}
	CHECK(audit_count("module.update", "ok") == upd0, "a refused image was audited");
	expect_image(NULL, pub, "image/png", png_len);

	/* A PNG larger than a logo but within the module limit of 1 MB. */
	size_t big_len;
	unsigned char *big = png_bytes(&big_len, 700 * 1024);
	post_with_image(&b, &r, edit, tok, title, big, big_len, "image/png", false);
	expect_redirect(&r, edit, "a PNG of 700 kB");
	resp_fini(&r);
	expect_image(NULL, pub, "image/png", big_len);
	free(big);
	/* Over 1 MB: refused. */
	big = png_bytes(&big_len, 1024 * 1024 + 1);
	post_with_image(&b, &r, edit, tok, title, big, big_len, "image/png", false);
	expect_page(&r, 400, "an image over 1 MB");
	CHECK(has(&r, "id=\"afbeelding-fout\">De afbeelding is te groot (hoogstens 1 MB)."),
	      "no message for an image that is too large");
	resp_fini(&r);
	free(big);

	/* A JPEG replaces it, with its own type. */
	post_with_image(&b, &r, edit, tok, title, jpeg, sizeof jpeg, "image/jpeg", false);
	expect_redirect(&r, edit, "a JPEG");
	resp_fini(&r);
	CHECK(audit_count("module.update", "ok") == upd0 + 2, "image changes are not audited");
	expect_image(NULL, pub, "image/jpeg", sizeof jpeg);
	expect_image(&b, own, "image/jpeg", sizeof jpeg);
	fetch(&r, NULL, arena_printf(a, "/aanbod/%lld", (long long)id), NULL, NULL);
	CHECK(has(&r, "class=\"campus-module-image\"") && has(&r, pub), "the page does not show the image");
	resp_fini(&r);

	/* Removed: 404, and the page shows none. */
	post_with_image(&b, &r, edit, tok, title, NULL, 0, NULL, true);
	expect_redirect(&r, edit, "removing the image");
	resp_fini(&r);
	expect_get(NULL, pub, 404, "a removed image");
	expect_get(&b, own, 404, "a removed image, its owner");
	fetch(&r, NULL, arena_printf(a, "/aanbod/%lld", (long long)id), NULL, NULL);
	CHECK(!has(&r, "campus-module-image"), "the page shows an image that is gone");
	resp_fini(&r);
	free(png);
	arena_free(a);
}

/* ---- the suite */

static bool fresh_sqlite_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return strstr(path, "var/test/") != NULL || strncmp(base, "offering-test", 13) == 0;
}

/* `campus --db DB args...` with stdin from a file; its exit status. */
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

static int taxonomy_fixture(void)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	int rc = db_query_row(db, &stmt_first_tags, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&dom_id), DBC_INT(&role_id),
	                                              DBC_INT(&comp_id), DBC_END},
	                      a);
	const char *slug = arena_printf(a, "ingetrokken-%s", tag);
	if (!rc)
		rc = db_exec(db, &stmt_retired_insert,
		             (const struct db_param[]){DBP_INT(role_id), DBP_TEXT(slug),
		                                       DBP_TEXT("Ingetrokken competentie"), DBP_END},
		             NULL);
	if (!rc)
		rc = db_query_row(db, &stmt_competency_by_slug, (const struct db_param[]){DBP_TEXT(slug), DBP_END},
		                  (const struct db_col[]){DBC_INT(&retired_comp_id), DBC_END}, a);
	if (!rc)
		rc = db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	arena_free(a);
	db_close(db);
	return rc;
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_offering";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/offering.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_HSTS");
	unsetenv("CAMPUS_TRUST_PROXY");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/offering-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/module.html", R_OK) != 0) {
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
	/* A learner of Eemland only: a library's people other than Utrecht's. */
	snprintf(eemland, sizeof eemland, "lezer-%s@example.nl", tag);
	char pw_path[300];
	snprintf(pw_path, sizeof pw_path, "var/test/offering-pw-%s", dialect);
	f = fopen(pw_path, "w");
	if (!f)
		return -1;
	fputs(PASSWORD "\n", f);
	fclose(f);
	rc = campus_cli((char *[]){(char *)"user", (char *)"add", eemland, (char *)"Lezer Eemland",
	                           (char *)"--org", (char *)"bibliotheek-eemland", (char *)"--kind",
	                           (char *)"volunteer", (char *)"--roles", (char *)"learner",
	                           (char *)"--password-stdin", NULL},
	                pw_path);
	unlink(pw_path);
	if (rc != 0) {
		fprintf(stderr, "# campus user add exited %d; see %s\n", rc, log_path);
		return -1;
	}
	if (taxonomy_fixture()) {
		fprintf(stderr, "# cannot read or extend the taxonomy\n");
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
	    cmocka_unit_test(test_form_refusals),
	    cmocka_unit_test(test_create_publish_view),
	    cmocka_unit_test(test_recognised_stays_published),
	    cmocka_unit_test(test_local_module),
	    cmocka_unit_test(test_tenant_isolation),
	    cmocka_unit_test(test_images),
	};
	return cmocka_run_group_tests_name("offering", tests, group_setup, group_teardown);
}
