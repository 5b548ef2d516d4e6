/* The provider's planning over HTTP: the real server ($CAMPUS_BIN serve) on a
 * database filled by `campus demo`, with GO Opleidingen's administrator and
 * teacher, and the Utrecht employee and volunteer as participants. Covers
 * the plan form (every malformed or refused field: 400, its message,
 * nothing saved), planning and editing an edition with two meetings, "more
 * rows", the planning in pages (every edition once; a malformed page
 * number: 400; a page past the end links to the last), another provider's
 * edition and module (404), the teacher's planning (this provider's editions
 * in the period only, also of one module, in pages), the participant list with its CSV
 * and XLSX exports, attendance by form and by CSV upload (an unknown person
 * refuses the whole file, nothing changes), results, cancelling, the API,
 * and the QR self check-in.
 *
 * Participants enrol through the domain (enrol_self as the learner), as
 * the learner's own pages belong to another suite. Runs once per database
 * (CAMPUS_TEST_DB), from the repository root; codes carry a tag of this
 * run, so a PostgreSQL database kept from an earlier run does not disturb
 * it. The server's log goes to var/test/planning-server-<dialect>.log. */
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
#include <jansson.h>

#include "core/when.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/enrol.h"

extern char **environ;

#define PASSWORD "Campus-demo-2026"
#define PROVIDER "aanbieder@go-opleidingen.demo"
#define TEACHER "docent@go-opleidingen.demo"
#define MANAGER "manager@bibliotheek-utrecht.demo"
#define EMPLOYEE "medewerker@bibliotheek-utrecht.demo"
#define VOLUNTEER "vrijwilliger@bibliotheek-utrecht.demo"
#define GO "/b/go-opleidingen"
#define PLANNING_PER_PAGE 100 /* editions on a page of the planning (pages/planning.c) */

static const char *dialect;
static char tag[40];
static int64_t go_module, other_module, other_edition, teacher_id;
static int64_t far_edition; /* GO's, taught by the teacher, starting in 400 days */
static int64_t edition_id, meeting1, meeting2; /* planned in test_plan_edition */
static int64_t enr_employee, enr_volunteer;
static struct browser provider, teacher;

DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
DB_STMT(stmt_count_editions, "SELECT COUNT(*) FROM editions");
DB_STMT(stmt_module_of,
        "SELECT m.id FROM modules m JOIN organisations o ON o.id = m.provider_id "
        "JOIN module_versions v ON v.id = m.published_version_id "
        "WHERE o.slug = $1 AND v.format = 'classroom' ORDER BY m.id LIMIT 1");
DB_STMT(stmt_person,
        "SELECT p.id, ms.org_id, ms.roles FROM people p JOIN memberships ms ON ms.person_id = p.id "
        "WHERE p.email = $1 AND ms.ended_at IS NULL ORDER BY ms.id LIMIT 1");
DB_STMT(stmt_meetings, "SELECT id FROM edition_meetings WHERE edition_id = $1 ORDER BY starts_at");
DB_STMT(stmt_attendance_count,
        "SELECT COUNT(*) FROM attendance a JOIN edition_meetings m ON m.id = a.meeting_id "
        "WHERE m.edition_id = $1");
DB_STMT(stmt_attendance_of,
        "SELECT present, method FROM attendance WHERE enrolment_id = $1 AND meeting_id = $2");
DB_STMT(stmt_state_of, "SELECT state, grade FROM enrolments WHERE id = $1");
/* An organisation's editions: how many, and the sum of their ids (the pages hold these). */
DB_STMT(stmt_provider_editions,
        "SELECT COUNT(*), COALESCE(SUM(e.id), 0) FROM editions e "
        "JOIN organisations o ON o.id = e.provider_id WHERE o.slug = $1");
/* The latest edition a person teaches at an organisation, of another module than $3. */
DB_STMT(stmt_taught_elsewhere,
        "SELECT e.id, e.module_id FROM edition_teachers t JOIN editions e ON e.id = t.edition_id "
        "JOIN organisations o ON o.id = e.provider_id "
        "WHERE t.person_id = $1 AND o.slug = $2 AND e.module_id <> $3 "
        "ORDER BY e.starts_at DESC, e.id DESC LIMIT 1");
/* What a person teaches at an organisation, running in [$3, $4) by its
 * meetings (always open: no meetings), and the sum of the ids. */
DB_STMT(stmt_teacher_editions,
        "SELECT COUNT(*), COALESCE(SUM(e.id), 0) FROM edition_teachers t "
        "JOIN editions e ON e.id = t.edition_id JOIN organisations o ON o.id = e.provider_id "
        "WHERE t.person_id = $1 AND o.slug = $2 AND (e.always_open = $5 OR ("
        "EXISTS (SELECT 1 FROM edition_meetings m WHERE m.edition_id = e.id AND m.ends_at >= $3) "
        "AND EXISTS (SELECT 1 FROM edition_meetings m WHERE m.edition_id = e.id AND m.starts_at < $4)))");
/* A teacher may teach for more than one provider. */
DB_STMT(stmt_teach, "INSERT INTO edition_teachers (edition_id, person_id) VALUES ($1, $2)");
/* The evidence a result leaves: one completion, with the points the ledger got. */
DB_STMT(stmt_completion_of,
        "SELECT COUNT(*) FROM completions c WHERE c.enrolment_id = $1 AND c.source = 'web' "
        "AND c.evidence_key = 'enrolment:' || CAST($1 AS TEXT) AND c.points_tenths = "
        "COALESCE((SELECT SUM(l.points_tenths) FROM points_ledger l WHERE l.completion_id = c.id), 0)");

/* ---- the database and the domain */

static int64_t query_int(struct db_stmt *stmt, const struct db_param *params)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t n = -1;
	int rc = db_query_row(db, stmt, params, (const struct db_col[]){DBC_INT(&n), DBC_END}, a);
	arena_free(a);
	db_close(db);
	return rc ? -1 : n;
}

static int64_t editions_count(void)
{
	return query_int(&stmt_count_editions, (const struct db_param[]){DBP_END});
}

static int64_t attendance_count(int64_t edition)
{
	return query_int(&stmt_attendance_count, (const struct db_param[]){DBP_INT(edition), DBP_END});
}

DB_STMT(stmt_no_policy, "DELETE FROM enrol_policies WHERE org_id = $1");

/* The actor of a demo account in its (first) organisation. */
static struct actor actor_of(const char *email)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	int64_t id = 0, org = 0, roles = 0;
	int rc = db_query_row(db, &stmt_person, (const struct db_param[]){DBP_TEXT(email), DBP_END},
	                      (const struct db_col[]){DBC_INT(&id), DBC_INT(&org), DBC_INT(&roles), DBC_END},
	                      a);
	arena_free(a);
	db_close(db);
	CHECK(rc == 0, "no person %s", email);
	return (struct actor){.person_id = id, .org_id = org, .roles = (unsigned)roles};
}

/* The learner enrols themselves (what POST /uitvoeringen/:id/inschrijven does).
 * The demo gives some libraries (Utrecht among them) an approval policy;
 * approval is the manager suite's subject, so here the learner's library
 * asks none. */
static int64_t enrol_as(const char *email, int64_t edition)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_for_request(&ctx, db, a);
	ctx.actor = actor_of(email);
	CHECK(db_exec(db, &stmt_no_policy, (const struct db_param[]){DBP_INT(ctx.actor.org_id), DBP_END},
	              NULL) == 0,
	      "clearing the policy: %s", db_errmsg(db));
	struct enrol_result res;
	const char *why = NULL;
	int rc = enrol_self(&ctx, edition, &res, &why);
	CHECK(rc == 0, "%s cannot enrol in %lld: %d %s", email, (long long)edition, rc, why ? why : "");
	CHECK(res.state == ENROL_ENROLLED, "%s: state %d, expected enrolled", email, (int)res.state);
	int64_t id = res.enrolment_id;
	arena_free(a);
	db_close(db);
	return id;
}

static void meetings_of(int64_t edition, int64_t *first, int64_t *second)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	struct arena *a = arena_new(0);
	struct db_rows rows = {.arena = a, .size = sizeof(int64_t)};
	int64_t cur;
	rows.cur = &cur;
	int rc = db_query(db, &stmt_meetings, (const struct db_param[]){DBP_INT(edition), DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur), DBC_END}, a, db_rows_collect, &rows);
	CHECK(rc == 0 && rows.n >= 1, "edition %lld has no meetings", (long long)edition);
	*first = ((int64_t *)rows.data)[0];
	if (second)
		*second = rows.n > 1 ? ((int64_t *)rows.data)[1] : 0;
	arena_free(a);
	db_close(db);
}

static void attendance_of(int64_t enrolment, int64_t meeting, int64_t *present, char **method,
                          struct arena *a)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	*present = -1;
	*method = NULL;
	bool yes = false; /* BOOLEAN on PostgreSQL, 0/1 on SQLite */
	int rc = db_query_row(db, &stmt_attendance_of,
	                      (const struct db_param[]){DBP_INT(enrolment), DBP_INT(meeting), DBP_END},
	                      (const struct db_col[]){DBC_BOOL(&yes), DBC_TEXT(method), DBC_END}, a);
	*present = rc ? -1 : yes;
	db_close(db);
}

static char *state_of(int64_t enrolment, char **grade, struct arena *a)
{
	struct db_conn *db = db_connect();
	assert_non_null(db);
	char *state = NULL;
	int rc = db_query_row(db, &stmt_state_of, (const struct db_param[]){DBP_INT(enrolment), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&state), DBC_TEXT(grade), DBC_END}, a);
	db_close(db);
	CHECK(rc == 0, "no enrolment %lld", (long long)enrolment);
	return state;
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

static void expect_get(struct browser *b, const char *path, long status, const char *why)
{
	struct resp r;
	br_get(b, &r, path);
	CHECK(r.status == status, "GET %s (%s): %ld, expected %ld: %s", path, why, r.status, status,
	      summary(&r));
	resp_fini(&r);
}

/* The editions a planning page lists, by their participants links (the
 * owner's row has one, a teacher's two in a row), into ids; how many, or
 * SIZE_MAX when more than max. */
static size_t planning_ids(const struct resp *r, int64_t *ids, size_t max)
{
	static const char prefix[] = "href=\"" GO "/uitvoeringen/", suffix[] = "/deelnemers\"";
	size_t n = 0;
	for (const char *p = strstr(body(r), prefix); p; p = strstr(p, prefix)) {
		p += sizeof prefix - 1;
		int64_t id = 0;
		const char *d = p;
		while (*d >= '0' && *d <= '9')
			id = id * 10 + (*d++ - '0');
		if (d == p || strncmp(d, suffix, sizeof suffix - 1) || (n && ids[n - 1] == id))
			continue;
		if (n == max)
			return SIZE_MAX;
		ids[n++] = id;
	}
	return n;
}

/* Follows "Volgende pagina" from GO/planning?query (query "" for none).
 * Every page counts all `total` editions, says which page it is (when
 * there are several), lists PLANNING_PER_PAGE but the last, and links to
 * its neighbours keeping the query (page 1 without pagina); no edition is
 * on two pages. The ids seen, *n of them, their sum in *sum. */
static int64_t *walk_planning(struct browser *b, const char *query, int64_t total, size_t *n,
                              int64_t *sum, struct arena *a)
{
	int64_t pages = total ? (total + PLANNING_PER_PAGE - 1) / PLANNING_PER_PAGE : 1;
	int64_t *seen = arena_alloc(a, (size_t)(total + 1) * sizeof *seen);
	assert_non_null(seen);
	*n = 0;
	*sum = 0;
	const char *base = *query ? arena_printf(a, GO "/planning?%s", query) : GO "/planning";
	const char *sep = *query ? "&" : "?";
	const char *path = base;
	struct resp r;
	for (int64_t page = 1; page <= pages; page++) {
		CHECK(path != NULL, "%s: no link to page %lld of %lld", query, (long long)page,
		      (long long)pages);
		br_get(b, &r, path);
		expect_page(&r, 200, "a page of the planning");
		CHECK(has_text(&r, arena_printf(a, "%lld uitvoeringen", (long long)total)),
		      "%s page %lld does not count all %lld editions", query, (long long)page,
		      (long long)total);
		bool pager = has(&r, "<nav class=\"campus-pager\" aria-label=\"Paginering\">") &&
		             has_text(&r, arena_printf(a, "Pagina %lld van %lld", (long long)page,
		                                       (long long)pages));
		CHECK(pages > 1 ? pager : !has(&r, "campus-pager"), "%s page %lld of %lld: pager %d: %s",
		      query, (long long)page, (long long)pages, pager, summary(&r));
		int64_t ids[PLANNING_PER_PAGE];
		size_t k = planning_ids(&r, ids, PLANNING_PER_PAGE);
		CHECK(k != SIZE_MAX && (k == PLANNING_PER_PAGE || page == pages) && (size_t)*n + k <= (size_t)total,
		      "%s page %lld lists %zu editions", query, (long long)page, k);
		for (size_t i = 0; i < k; i++) {
			for (size_t j = 0; j < *n; j++)
				CHECK(seen[j] != ids[i], "edition %lld on page %lld and an earlier one",
				      (long long)ids[i], (long long)page);
			seen[(*n)++] = ids[i];
			*sum += ids[i];
		}
		const char *prev = link_rel(&r, "prev"), *next = link_rel(&r, "next");
		const char *want_prev = page == 1   ? NULL
		                        : page == 2 ? base
		                                    : arena_printf(a, "%s%spagina=%lld", base, sep,
		                                                   (long long)page - 1);
		const char *want_next =
		    page == pages ? NULL
		                  : arena_printf(a, "%s%spagina=%lld", base, sep, (long long)page + 1);
		CHECK(want_prev ? prev && !strcmp(prev, want_prev) : !prev, "%s page %lld: previous %s",
		      query, (long long)page, prev ? prev : "(none)");
		CHECK(want_next ? next && !strcmp(next, want_next) : !next, "%s page %lld: next %s",
		      query, (long long)page, next ? next : "(none)");
		path = next ? arena_strdup(a, next) : NULL;
		resp_fini(&r);
	}
	return seen;
}

static bool among(int64_t id, const int64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* GO/planning?query&pagina=page (past the end): 200, says so, no "Pagina
 * x van y" and no edition, one link: to the last page, `last`. */
static void expect_past_end(struct browser *b, const char *query, int64_t page, const char *last)
{
	struct arena *a = arena_new(0);
	struct resp r;
	br_get(b, &r, arena_printf(a, GO "/planning?%s&pagina=%lld", query, (long long)page));
	expect_page(&r, 200, "a page past the end");
	const char *to = value_before(&r, "\">Naar de laatste pagina</a>");
	CHECK(has_text(&r, "Deze pagina bestaat niet meer.") &&
	          !has_text(&r, arena_printf(a, "Pagina %lld van", (long long)page)) &&
	          to && !strcmp(to, last) && !link_rel(&r, "prev") && !link_rel(&r, "next") &&
	          !has_text(&r, "Terug naar het begin") && planning_ids(&r, (int64_t[1]){0}, 1) == 0,
	      "%s page %lld: to the last %s, not %s: %s", query, (long long)page, to ? to : "(none)",
	      last, summary(&r));
	resp_fini(&r);
	arena_free(a);
}

/* Local date and time of now + days and hours, for the form. */
static void local_at(int64_t offset, char date[11], char hm[6], struct arena *a)
{
	int64_t t = (int64_t)time(NULL) + offset;
	t -= t % 300; /* whole five minutes */
	snprintf(date, 11, "%s", when_text(a, t, "nl", WHEN_ISO_DATE));
	snprintf(hm, 6, "%s", when_text(a, t, "nl", WHEN_TIME));
}

/* A good plan form: two meetings in 10 and 11 days, with changes as
 * NULL-terminated name, value pairs (NULL value: left out). */
static char *plan_form(struct arena *a, const char *tok, const char *code, ...)
{
	char d1[11], s1[6], d2[11], s2[6];
	local_at(10 * 86400, d1, s1, a);
	local_at(11 * 86400, d2, s2, a);
	struct {
		const char *name, *value;
	} f[] = {{"csrf_token", tok},
	         {"code", code},
	         {"capaciteit", "3"},
	         {"minimum", "1"},
	         {"prijs", "95,00"},
	         {"doelgroep", ""},
	         {"aanbod_uren", "0"},
	         {"plaats", "Utrecht, Neude 11"},
	         {"online_link", ""},
	         {"notities", "Neem een prentenboek mee."},
	         {"rijen", "6"},
	         {"datum1", d1},
	         {"begin1", "09:30"},
	         {"einde1", "12:30"},
	         {"plaats1", ""},
	         {"link1", ""},
	         {"datum2", d2},
	         {"begin2", "13:00"},
	         {"einde2", "16:00"},
	         {"plaats2", "Zaal 2"},
	         {"link2", ""},
	         {"docent", arena_printf(a, "%lld", (long long)teacher_id)},
	         {"reserveringen", "3"}};
	size_t nf = sizeof f / sizeof f[0];
	struct buf extra;
	buf_init(&extra, a, 0);
	va_list ap;
	va_start(ap, code);
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

static const char *new_path(struct arena *a, int64_t module)
{
	return arena_printf(a, GO "/modules/%lld/uitvoeringen/nieuw", (long long)module);
}

/* Plans an edition through the form; its id. */
static int64_t plan(struct browser *b, const char *code, ...)
{
	struct arena *a = arena_new(0);
	const char *path = new_path(a, go_module);
	const char *tok = token(b, path, a);
	int64_t before = audit_count("edition.create", "ok");
	struct resp r;
	br_post(b, &r, path, plan_form(a, tok, code, (const char *)NULL));
	CHECK(r.status == 303, "planning %s: %ld: %s", code, r.status, summary(&r));
	const char *loc = header(&r, "Location");
	long long id = 0;
	CHECK(loc && sscanf(loc, GO "/uitvoeringen/%lld", &id) == 1, "Location %s", loc ? loc : "-");
	CHECK(audit_count("edition.create", "ok") == before + 1, "no edition.create audit row");
	resp_fini(&r);
	arena_free(a);
	return id;
}

/* ---- cases */

/* Every malformed or refused field: 400, the message, the value kept, nothing saved. */
static void test_plan_refusals(void **state)
{
	(void)state;
	login(&provider, PROVIDER);
	login(&teacher, TEACHER);
	struct arena *a = arena_new(0);
	const char *path = new_path(a, go_module);
	struct resp r;
	br_get(&provider, &r, path);
	expect_page(&r, 200, "the plan form");
	CHECK(has(&r, "name=\"datum6\"") && !has(&r, "name=\"datum7\""), "six meeting rows");
	CHECK(has(&r, "Ingrid Bosma"), "the teacher is offered: %s", summary(&r));
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	char late[11], hm[6];
	local_at(20 * 86400, late, hm, a);
	const char *late_close = arena_printf(a, "%sT10:00", late);
	struct {
		const char *name, *value, *message;
	} cases[] = {
	    {"capaciteit", "veel", "Vul het aantal plaatsen in als geheel getal, of laat het leeg als er geen grens is."},
	    {"capaciteit", "20000", "Het aantal plaatsen moet tussen 1 en 10.000 liggen, of leeg zijn."},
	    {"minimum", "5", "Het minimum kan niet hoger zijn dan het aantal plaatsen."},
	    {"prijs", "12,345", "Schrijf de prijs als een bedrag in euro, bijvoorbeeld 145 of 89,50."},
	    {"online_link", "ftp://example.nl/les", "Geef een volledige link die begint met https://."},
	    {"datum1", "2026-02-30", "Vul een geldige datum, begintijd en eindtijd in."},
	    {"einde1", "08:00", "Elke bijeenkomst heeft een datum, een begintijd en een eindtijd na de begintijd."},
	    {"inschrijven_tot", late_close, "Inschrijven sluit na het openen en uiterlijk bij de eerste bijeenkomst."},
	    {"inschrijven_vanaf", "morgen", "Vul een datum en tijd in, bijvoorbeeld 2026-09-01 09:00."},
	    {"aanbod_uren", "1000", "De reactietijd voor een aangeboden plaats ligt tussen 0 en 336 uur."},
	    {"docent", "abc", "Kies hoogstens 10 docenten uit de lijst."},
	    {"docent", "1", "Een docent moet docent zijn bij de aanbieder."},
	    {"reservering_org1", "x", "Kies een bibliotheek uit de lijst."},
	};
	int64_t before = editions_count();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *code = arena_printf(a, "F%zu-%s", i, tag);
		br_post(&provider, &r, path, plan_form(a, tok, code, cases[i].name, cases[i].value, (const char *)NULL));
		CHECK(r.status == 400, "%s=%s: %ld, expected 400: %s", cases[i].name, cases[i].value,
		      r.status, summary(&r));
		CHECK(has_text(&r, cases[i].message), "%s=%s: no message \"%s\": %s", cases[i].name,
		      cases[i].value, cases[i].message, summary(&r));
		CHECK(has_text(&r, code), "%s: the typed code is not kept", cases[i].name);
		resp_fini(&r);
	}
	/* No meetings at all for a classroom module. */
	br_post(&provider, &r, path,
	        plan_form(a, tok, "leeg", "datum1", "", "begin1", "", "einde1", "", "datum2", "", "begin2",
	                  "", "einde2", "", "plaats2", "", (const char *)NULL));
	CHECK(r.status == 400 && has_text(&r, "Plan ten minste één bijeenkomst."), "no meetings: %ld %s",
	      r.status, summary(&r));
	resp_fini(&r);
	CHECK(editions_count() == before, "a refused form saved an edition");
	/* "More rows" shows the form again with four more rows and saves nothing. */
	br_post(&provider, &r, path, plan_form(a, tok, "meer", "meer", "1", (const char *)NULL));
	expect_page(&r, 200, "more rows");
	CHECK(has(&r, "name=\"datum10\"") && !has(&r, "name=\"datum11\""), "ten rows after more");
	CHECK(input_value(&r, "datum2") && *input_value(&r, "datum2"), "the typed meeting is kept");
	resp_fini(&r);
	CHECK(editions_count() == before, "more rows saved an edition");
	/* Another provider's module, an unknown one: 404. */
	expect_get(&provider, new_path(a, other_module), 404, "another provider's module");
	expect_get(&provider, new_path(a, 99999999), 404, "an unknown module");
	br_post(&provider, &r, new_path(a, other_module), plan_form(a, tok, "x", (const char *)NULL));
	CHECK(r.status == 404, "posting for another provider's module: %ld", r.status);
	resp_fini(&r);
	CHECK(editions_count() == before, "a post for another module saved an edition");
	/* The teacher may not plan. */
	expect_get(&teacher, path, 403, "the teacher plans");
	arena_free(a);
}

static void test_plan_edition(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	const char *code = arena_printf(a, "VL-%s", tag);
	edition_id = plan(&provider, code);
	meetings_of(edition_id, &meeting1, &meeting2);
	CHECK(meeting2 > 0, "two meetings");
	const char *edit = arena_printf(a, GO "/uitvoeringen/%lld", (long long)edition_id);
	struct resp r;
	br_get(&provider, &r, edit);
	expect_page(&r, 200, "the edition");
	CHECK(has(&r, "De uitvoering is gepland."), "no flash: %s", summary(&r));
	CHECK(!strcmp(input_value(&r, "code"), code), "code %s", input_value(&r, "code"));
	CHECK(!strcmp(input_value(&r, "capaciteit"), "3"), "capacity");
	CHECK(!strcmp(input_value(&r, "prijs"), "95,00"), "price %s", input_value(&r, "prijs"));
	CHECK(!strcmp(input_value(&r, "begin1"), "09:30") && !strcmp(input_value(&r, "einde2"), "16:00"),
	      "meeting times in Dutch time: %s %s", input_value(&r, "begin1"), input_value(&r, "einde2"));
	CHECK(!strcmp(input_value(&r, "plaats2"), "Zaal 2"), "meeting place");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	/* The planning lists it, also filtered on its module. */
	br_get(&provider, &r, GO "/planning");
	expect_page(&r, 200, "the planning");
	CHECK(has_text(&r, code), "the planning lacks %s", code);
	resp_fini(&r);
	br_get(&provider, &r, arena_printf(a, GO "/planning?module=%lld&periode=alles", (long long)go_module));
	expect_page(&r, 200, "the planning of a module");
	CHECK(has_text(&r, code) && has(&r, "Nieuwe uitvoering van"), "module filter");
	resp_fini(&r);
	br_get(&provider, &r, GO "/planning?periode=gisteren");
	CHECK(r.status == 400, "an unknown period: %ld", r.status);
	resp_fini(&r);
	/* The module page links to it. */
	br_get(&provider, &r, arena_printf(a, GO "/modules/%lld", (long long)go_module));
	CHECK(has(&r, arena_printf(a, "/uitvoeringen/nieuw")), "no new-edition link on the module page");
	resp_fini(&r);
	/* A change: one more seat, the reservation for Utrecht. */
	int64_t updates = audit_count("edition.update", "ok");
	br_post(&provider, &r, edit, plan_form(a, tok, code, "capaciteit", "4", (const char *)NULL));
	expect_redirect(&r, edit, "saving the plan");
	resp_fini(&r);
	CHECK(audit_count("edition.update", "ok") == updates + 1, "no edition.update audit row");
	br_get(&provider, &r, edit);
	CHECK(!strcmp(input_value(&r, "capaciteit"), "4"), "capacity after the change");
	resp_fini(&r);
	/* The teacher sees the participants of what they teach, not the plan. */
	expect_get(&teacher, edit, 403, "the teacher's plan form");
	expect_get(&teacher, arena_printf(a, "%s/deelnemers", edit), 200, "the teacher's participants");
	br_get(&teacher, &r, GO "/planning");
	expect_page(&r, 200, "the teacher's planning");
	CHECK(has_text(&r, code), "the teacher's planning lacks %s", code);
	resp_fini(&r);
	/* The teacher's planning of one module: that module's editions only. */
	struct db_conn *db = db_connect();
	assert_non_null(db);
	int64_t elsewhere = 0, elsewhere_module = 0;
	int rc = db_query_row(db, &stmt_taught_elsewhere,
	                      (const struct db_param[]){DBP_INT(teacher_id), DBP_TEXT("go-opleidingen"),
	                                                DBP_INT(go_module), DBP_END},
	                      (const struct db_col[]){DBC_INT(&elsewhere), DBC_INT(&elsewhere_module),
	                                              DBC_END},
	                      a);
	db_close(db);
	CHECK(rc == 0, "the demo's teacher teaches no edition of another module: %d", rc);
	const char *elsewhere_link =
	    arena_printf(a, "href=\"" GO "/uitvoeringen/%lld/deelnemers\"", (long long)elsewhere);
	br_get(&teacher, &r,
	       arena_printf(a, GO "/planning?periode=alles&module=%lld", (long long)elsewhere_module));
	expect_page(&r, 200, "the teacher's planning of another module");
	CHECK(has(&r, elsewhere_link) && !has_text(&r, code),
	      "the teacher's planning of module %lld: edition %lld shown %d, %s shown %d",
	      (long long)elsewhere_module, (long long)elsewhere, has(&r, elsewhere_link), code,
	      has_text(&r, code));
	resp_fini(&r);
	br_get(&teacher, &r, arena_printf(a, GO "/planning?periode=alles&module=%lld", (long long)go_module));
	expect_page(&r, 200, "the teacher's planning of the module");
	CHECK(has_text(&r, code) && !has(&r, elsewhere_link),
	      "the teacher's planning of module %lld: %s shown %d, edition %lld shown %d",
	      (long long)go_module, code, has_text(&r, code), (long long)elsewhere,
	      has(&r, elsewhere_link));
	resp_fini(&r);
	arena_free(a);
}

/* The provider's whole planning in pages of PLANNING_PER_PAGE: following
 * "Volgende pagina" shows every edition once (the demo's provider has more
 * than two pages of them), a malformed page number is refused, and a page
 * past the end links to the last. */
static void test_planning_pages(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct db_conn *db = db_connect();
	assert_non_null(db);
	int64_t total = 0, id_sum = 0;
	int rc = db_query_row(db, &stmt_provider_editions,
	                      (const struct db_param[]){DBP_TEXT("go-opleidingen"), DBP_END},
	                      (const struct db_col[]){DBC_INT(&total), DBC_INT(&id_sum), DBC_END}, a);
	db_close(db);
	CHECK(rc == 0 && total > 2 * PLANNING_PER_PAGE, "the demo's provider has %lld editions",
	      (long long)total);
	int64_t pages = (total + PLANNING_PER_PAGE - 1) / PLANNING_PER_PAGE;
	size_t nseen;
	int64_t seen_sum;
	int64_t *seen = walk_planning(&provider, "periode=alles", total, &nseen, &seen_sum, a);
	CHECK((int64_t)nseen == total && seen_sum == id_sum,
	      "the pages show %zu editions (id sum %lld) of %lld (id sum %lld)", nseen,
	      (long long)seen_sum, (long long)total, (long long)id_sum);
	CHECK(among(edition_id, seen, nseen), "the planned edition %lld on none of the pages",
	      (long long)edition_id);
	/* A malformed page number: the usual 400 with its reason. */
	static const char *const bad[] = {"pagina=abc", "pagina=-1", "pagina=2x", "pagina=100001"};
	struct resp r;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		br_get(&provider, &r, arena_printf(a, GO "/planning?periode=alles&%s", bad[i]));
		expect_page(&r, 400, bad[i]);
		CHECK(has_text(&r, "Ongeldig paginanummer."), "%s: %s", bad[i], summary(&r));
		resp_fini(&r);
	}
	expect_past_end(&provider, "periode=alles", pages + 1,
	                arena_printf(a, GO "/planning?periode=alles&pagina=%lld", (long long)pages));
	expect_past_end(&provider, "periode=alles", pages + 7,
	                arena_printf(a, GO "/planning?periode=alles&pagina=%lld", (long long)pages));
	arena_free(a);
}

/* The editions the teacher teaches at GO in [from, to) (always-open ones too). */
static void taught(int64_t from, int64_t to, int64_t *n, int64_t *id_sum)
{
	struct arena *a = arena_new(0);
	struct db_conn *db = db_connect();
	assert_non_null(db);
	int rc = db_query_row(db, &stmt_teacher_editions,
	                      (const struct db_param[]){DBP_INT(teacher_id), DBP_TEXT("go-opleidingen"),
	                                                DBP_INT(from), DBP_INT(to), DBP_BOOL(true),
	                                                DBP_END},
	                      (const struct db_col[]){DBC_INT(n), DBC_INT(id_sum), DBC_END}, a);
	db_close(db);
	arena_free(a);
	CHECK(rc == 0, "counting the teacher's editions: %d", rc);
}

/* The teacher's planning: only what they teach for this provider (not the
 * other provider's edition they teach too), only what runs in the period
 * (not the edition in 400 days by default), in the owner's pages. */
static void test_teacher_planning(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	/* The default period: this month and the two after it, in Dutch time. */
	struct when_local today;
	when_to_local((int64_t)time(NULL), &today);
	int64_t from = 0, to = 0;
	int month = today.month + 3, year = today.year + (month > 12);
	CHECK(when_from_local(today.year, today.month, 1, 0, 0, &from) &&
	          when_from_local(year, month > 12 ? month - 12 : month, 1, 0, 0, &to),
	      "the period's bounds");
	int64_t total, id_sum;
	taught(from, to, &total, &id_sum);
	size_t nseen;
	int64_t seen_sum;
	int64_t *seen = walk_planning(&teacher, "", total, &nseen, &seen_sum, a);
	CHECK((int64_t)nseen == total && seen_sum == id_sum,
	      "this quarter's pages show %zu editions (id sum %lld) of %lld (id sum %lld)", nseen,
	      (long long)seen_sum, (long long)total, (long long)id_sum);
	CHECK(among(edition_id, seen, nseen) && !among(far_edition, seen, nseen) &&
	          !among(other_edition, seen, nseen),
	      "this quarter: planned %d, in 400 days %d, the other provider's %d",
	      among(edition_id, seen, nseen), among(far_edition, seen, nseen),
	      among(other_edition, seen, nseen));

	/* Everything: more than a page (the demo's teacher teaches hundreds). */
	taught(0, INT64_MAX, &total, &id_sum);
	CHECK(total > PLANNING_PER_PAGE, "the demo's teacher teaches %lld editions at GO",
	      (long long)total);
	seen = walk_planning(&teacher, "periode=alles", total, &nseen, &seen_sum, a);
	CHECK((int64_t)nseen == total && seen_sum == id_sum,
	      "all pages show %zu editions (id sum %lld) of %lld (id sum %lld)", nseen,
	      (long long)seen_sum, (long long)total, (long long)id_sum);
	CHECK(among(far_edition, seen, nseen) && !among(other_edition, seen, nseen),
	      "all: in 400 days %d, the other provider's %d", among(far_edition, seen, nseen),
	      among(other_edition, seen, nseen));
	int64_t pages = (total + PLANNING_PER_PAGE - 1) / PLANNING_PER_PAGE;

	/* A malformed page number is refused; past the end links to the last page. */
	struct resp r;
	br_get(&teacher, &r, GO "/planning?periode=alles&pagina=0x2");
	expect_page(&r, 400, "the teacher's malformed page number");
	CHECK(has_text(&r, "Ongeldig paginanummer."), "%s", summary(&r));
	resp_fini(&r);
	expect_past_end(&teacher, "periode=alles", pages + 1,
	                arena_printf(a, GO "/planning?periode=alles&pagina=%lld", (long long)pages));
	/* One page of one module: past it, the link is the list without pagina. */
	expect_past_end(&teacher, arena_printf(a, "periode=komend&module=%lld", (long long)go_module), 3,
	                arena_printf(a, GO "/planning?periode=komend&module=%lld", (long long)go_module));
	arena_free(a);
}

static void test_other_provider(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	const char *other = arena_printf(a, GO "/uitvoeringen/%lld", (long long)other_edition);
	const char *suffixes[] = {"", "/deelnemers", "/deelnemers.csv", "/deelnemers.xlsx",
	                          "/aanwezigheid", "/resultaten"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		expect_get(&provider, arena_printf(a, "%s%s", other, suffixes[i]), 404,
		           "another provider's edition");
	expect_get(&provider, GO "/uitvoeringen/99999999/deelnemers", 404, "an unknown edition");
	expect_get(&provider, GO "/uitvoeringen/abc", 404, "a malformed id");
	struct browser manager;
	login(&manager, MANAGER);
	expect_get(&manager, GO "/planning", 403, "a library's manager at the provider's planning");
	expect_get(&manager, arena_printf(a, GO "/uitvoeringen/%lld/deelnemers", (long long)edition_id),
	           403, "a library's manager at the participants");
	arena_free(a);
}

static void test_participants_exports(void **state)
{
	(void)state;
	enr_employee = enrol_as(EMPLOYEE, edition_id);
	enr_volunteer = enrol_as(VOLUNTEER, edition_id);
	struct arena *a = arena_new(0);
	const char *base = arena_printf(a, GO "/uitvoeringen/%lld", (long long)edition_id);
	struct resp r;
	br_get(&provider, &r, arena_printf(a, "%s/deelnemers", base));
	expect_page(&r, 200, "participants");
	CHECK(has(&r, EMPLOYEE) && has(&r, VOLUNTEER), "both participants: %s", summary(&r));
	resp_fini(&r);
	br_get(&provider, &r, arena_printf(a, "%s/deelnemers.csv", base));
	expect_status(&r, 200, "CSV");
	CHECK(!strncmp(header(&r, "Content-Type"), "text/csv", 8), "CSV type %s", header(&r, "Content-Type"));
	CHECK(!strncmp(body(&r), "\xEF\xBB\xBF\"Naam\";\"E-mailadres\";", 24), "BOM and ; header: %.40s", body(&r));
	CHECK(has(&r, "\"" EMPLOYEE "\";") && has(&r, "\"" VOLUNTEER "\";"), "CSV rows");
	CHECK(strstr(header(&r, "Content-Disposition"), "attachment"), "a download");
	resp_fini(&r);
	br_get(&provider, &r, arena_printf(a, "%s/deelnemers.xlsx", base));
	expect_status(&r, 200, "XLSX");
	CHECK(r.body.len > 100 && !memcmp(body(&r), "PK", 2), "an XLSX is a ZIP");
	char path[256];
	snprintf(path, sizeof path, "var/test/planning-%s.xlsx", dialect);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(r.body.data, 1, r.body.len, f);
	fclose(f);
	resp_fini(&r);
	/* The sheet and its strings (libxlsxwriter keeps text in sharedStrings.xml). */
	char out[256];
	snprintf(out, sizeof out, "var/test/planning-%s.xml", dialect);
	char *argv[] = {(char *)"/usr/bin/unzip", (char *)"-p", path, (char *)"xl/worksheets/sheet1.xml",
	                (char *)"xl/sharedStrings.xml", NULL};
	pid_t pid;
	CHECK(start_process(argv, out, &pid) == 0 && wait_exit(pid) == 0, "unzip -p %s failed", path);
	char *xml = slurp(out);
	CHECK(strstr(xml, "<sheetData>") && strstr(xml, EMPLOYEE) && strstr(xml, VOLUNTEER) &&
	          strstr(xml, "E-mailadres"),
	      "the workbook lacks the participants");
	free(xml);
	/* The teacher may export too. */
	expect_get(&teacher, arena_printf(a, "%s/deelnemers.csv", base), 200, "the teacher's CSV");
	arena_free(a);
}

static void post_csv(struct browser *b, struct resp *r, const char *base, const char *tok,
                     int64_t meeting, const char *csv, struct arena *a)
{
	const struct part parts[] = {
	    {.name = "csrf_token", .value = tok},
	    {.name = "bijeenkomst", .value = arena_printf(a, "%lld", (long long)meeting)},
	    {.name = "bestand", .value = csv, .filename = "aanwezig.csv", .type = "text/csv", .len = strlen(csv)},
	};
	br_post_parts(b, r, arena_printf(a, "%s/aanwezigheid/csv", base), parts, 3);
}

static void test_attendance(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	const char *base = arena_printf(a, GO "/uitvoeringen/%lld", (long long)edition_id);
	const char *page = arena_printf(a, "%s/aanwezigheid?bijeenkomst=%lld", base, (long long)meeting1);
	struct resp r;
	br_get(&teacher, &r, page);
	expect_page(&r, 200, "the attendance form");
	CHECK(has(&r, arena_printf(a, "name=\"p%lld\"", (long long)enr_employee)), "a row per participant");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	/* The teacher marks meeting 1 on the web. */
	br_post(&teacher, &r, arena_printf(a, "%s/aanwezigheid", base),
	        form_of(a, "csrf_token", tok, "bijeenkomst", arena_printf(a, "%lld", (long long)meeting1),
	                arena_printf(a, "p%lld", (long long)enr_employee), "ja",
	                arena_printf(a, "p%lld", (long long)enr_volunteer), "nee", (const char *)NULL));
	expect_redirect(&r, page, "saving attendance");
	resp_fini(&r);
	int64_t present;
	char *method;
	attendance_of(enr_employee, meeting1, &present, &method, a);
	CHECK(present == 1 && method && !strcmp(method, "web"), "employee present by web: %lld",
	      (long long)present);
	attendance_of(enr_volunteer, meeting1, &present, &method, a);
	CHECK(present == 0, "volunteer absent");
	/* A meeting of another edition: 404. */
	br_post(&teacher, &r, arena_printf(a, "%s/aanwezigheid", base),
	        form_of(a, "csrf_token", tok, "bijeenkomst", "99999999", (const char *)NULL));
	CHECK(r.status == 404, "another meeting: %ld", r.status);
	resp_fini(&r);
	/* A CSV with someone unknown and someone not booked: refused whole, nothing changed. */
	tok = token(&provider, page, a);
	int64_t before = attendance_count(edition_id);
	post_csv(&provider, &r, base, tok, meeting2,
	         "e-mailadres;aanwezig\n" EMPLOYEE ";ja\nonbekend@example.nl;ja\nmanager@bibliotheek-utrecht.demo;nee\n" VOLUNTEER ";misschien\n",
	         a);
	CHECK(r.status == 422, "a CSV with bad rows: %ld: %s", r.status, summary(&r));
	CHECK(has_text(&r, "Schrijf in de tweede kolom ja of nee."), "the bad cell: %s", summary(&r));
	resp_fini(&r);
	post_csv(&provider, &r, base, tok, meeting2,
	         "e-mailadres;aanwezig\n" EMPLOYEE ";ja\nonbekend@example.nl;ja\nmanager@bibliotheek-utrecht.demo;nee\n",
	         a);
	CHECK(r.status == 422, "a CSV with unknown people: %ld: %s", r.status, summary(&r));
	CHECK(has_text(&r, "Regel 3: Deze persoon is niet ingeschreven voor deze uitvoering.") &&
	          has_text(&r, "Regel 4: Deze persoon is niet ingeschreven voor deze uitvoering."),
	      "line numbers and reasons: %s", summary(&r));
	CHECK(!has_text(&r, "Regel 2:"), "a good line is not blamed");
	resp_fini(&r);
	CHECK(attendance_count(edition_id) == before, "a refused CSV changed attendance");
	/* A good CSV (comma separated, capitals in the address). */
	post_csv(&provider, &r, base, tok, meeting2, "Medewerker@Bibliotheek-Utrecht.demo,ja\n" VOLUNTEER ",nee\n", a);
	expect_redirect(&r, arena_printf(a, "%s/aanwezigheid?bijeenkomst=%lld", base, (long long)meeting2),
	                "a good CSV");
	resp_fini(&r);
	attendance_of(enr_employee, meeting2, &present, &method, a);
	CHECK(present == 1 && !strcmp(method, "csv"), "employee present by CSV");
	CHECK(attendance_count(edition_id) == before + 2, "two marks from the CSV");
	post_csv(&provider, &r, base, tok, meeting2, "", a);
	CHECK(r.status == 422, "no file: %ld", r.status);
	resp_fini(&r);
	arena_free(a);
}

static void test_results(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	const char *path = arena_printf(a, GO "/uitvoeringen/%lld/resultaten", (long long)edition_id);
	const char *tok = token(&teacher, path, a);
	const char *re = arena_printf(a, "r%lld", (long long)enr_employee);
	const char *ce = arena_printf(a, "c%lld", (long long)enr_employee);
	const char *rv = arena_printf(a, "r%lld", (long long)enr_volunteer);
	struct resp r;
	br_post(&teacher, &r, path,
	        form_of(a, "csrf_token", tok, re, "behaald", ce, "123456789012345678901", rv,
	                "niet_verschenen", (const char *)NULL));
	CHECK(r.status == 422 && has_text(&r, "Het cijfer is te lang (hoogstens 20 tekens)."),
	      "a long grade: %ld %s", r.status, summary(&r));
	resp_fini(&r);
	char *grade;
	CHECK(!strcmp(state_of(enr_employee, &grade, a), "attended"), "nothing saved after a refusal");
	br_post(&teacher, &r, path,
	        form_of(a, "csrf_token", tok, re, "behaald", ce, "8,5", rv, "niet_verschenen",
	                (const char *)NULL));
	expect_redirect(&r, path, "saving results");
	resp_fini(&r);
	CHECK(!strcmp(state_of(enr_employee, &grade, a), "completed") && !strcmp(grade, "8,5"),
	      "employee completed with 8,5");
	CHECK(!strcmp(state_of(enr_volunteer, &grade, a), "no_show"), "volunteer no-show");
	CHECK(query_int(&stmt_completion_of, (const struct db_param[]){DBP_INT(enr_employee), DBP_END}) == 1,
	      "the completion is recorded once, with the ledger's points");
	CHECK(query_int(&stmt_completion_of, (const struct db_param[]){DBP_INT(enr_volunteer), DBP_END}) == 0,
	      "a no-show records no completion");
	br_get(&teacher, &r, path);
	CHECK(has(&r, "value=\"8,5\""), "the grade is shown");
	resp_fini(&r);
	arena_free(a);
}

static void test_cancel(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	const char *code = arena_printf(a, "ANN-%s", tag);
	int64_t id = plan(&provider, code);
	int64_t enr = enrol_as(EMPLOYEE, id);
	const char *edit = arena_printf(a, GO "/uitvoeringen/%lld", (long long)id);
	const char *tok = token(&provider, edit, a);
	struct resp r;
	br_post(&provider, &r, arena_printf(a, "%s/annuleren", edit),
	        form_of(a, "csrf_token", tok, "reden", "", (const char *)NULL));
	CHECK(r.status == 422 && has_text(&r, "Geef een reden op voor het annuleren."), "no reason: %ld",
	      r.status);
	resp_fini(&r);
	char *grade;
	CHECK(!strcmp(state_of(enr, &grade, a), "enrolled"), "still enrolled after a refusal");
	expect_get(&teacher, edit, 403, "the teacher");
	br_post(&teacher, &r, arena_printf(a, "%s/annuleren", edit),
	        form_of(a, "csrf_token", tok, "reden", "Ziek", (const char *)NULL));
	CHECK(r.status == 403, "the teacher cancels: %ld", r.status);
	resp_fini(&r);
	br_post(&provider, &r, arena_printf(a, "%s/annuleren", edit),
	        form_of(a, "csrf_token", tok, "reden", "De docent is ziek.", (const char *)NULL));
	expect_redirect(&r, edit, "cancelling");
	resp_fini(&r);
	CHECK(!strcmp(state_of(enr, &grade, a), "cancelled"), "the booking is cancelled");
	br_get(&provider, &r, edit);
	CHECK(has_text(&r, "Deze uitvoering is geannuleerd.") && has_text(&r, "De docent is ziek."),
	      "the edition says it is cancelled");
	resp_fini(&r);
	br_get(&provider, &r, GO "/planning");
	CHECK(has(&r, "campus-cancelled"), "the planning marks it");
	resp_fini(&r);
	arena_free(a);
}

/* Makes an API key on the page; the key is in the reply, once. */
static void make_key(char *out, size_t size)
{
	struct resp r;
	br_get(&provider, &r, GO "/api-sleutels");
	expect_page(&r, 200, "the key page");
	struct arena *a = arena_new(0);
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(&provider, &r, GO "/api-sleutels",
	        form_of(a, "csrf_token", tok, "naam", arena_printf(a, "planning %s", tag), "lezen", "1",
	                "wijzigen", "1", (const char *)NULL));
	expect_page(&r, 201, "a new key");
	const char *k = strstr(body(&r), "campus_");
	CHECK(k, "no key on the page");
	size_t n = strspn(k, "campus_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
	CHECK(n < size, "key too long");
	memcpy(out, k, n);
	out[n] = 0;
	resp_fini(&r);
	arena_free(a);
}

static void test_api(void **state)
{
	(void)state;
	char key[128];
	make_key(key, sizeof key);
	struct arena *a = arena_new(0);
	char d1[11], hm[6];
	local_at(12 * 86400, d1, hm, a);
	const char *code = arena_printf(a, "API-%s", tag);
	const char *body_json = arena_printf(
	    a,
	    "{\"module_id\": %lld, \"code\": \"%s\", \"capacity\": 10, \"price_cents\": 5000,"
	    " \"meetings\": [{\"starts_at\": \"%sT10:00\", \"ends_at\": \"%sT12:00\"}]}",
	    (long long)go_module, code, d1, d1);
	struct resp r;
	fetch_api(&r, "POST", "/api/v1/provider/editions", key, body_json);
	CHECK(r.status == 201, "API create: %ld %s", r.status, body(&r));
	json_error_t err;
	json_t *doc = json_loads(body(&r), 0, &err);
	int64_t id = json_integer_value(json_object_get(doc, "id"));
	json_t *m0 = json_array_get(json_object_get(doc, "meetings"), 0);
	int64_t meeting = json_integer_value(json_object_get(m0, "id"));
	CHECK(id > 0 && meeting > 0, "id and meeting in the answer");
	CHECK(!strcmp(json_string_value(json_object_get(doc, "code")), code), "code");
	/* 10:00 Dutch time is 08:00 or 09:00 UTC. */
	const char *starts = json_string_value(json_object_get(m0, "starts_at"));
	CHECK(starts && (strstr(starts, "T08:00:00Z") || strstr(starts, "T09:00:00Z")), "UTC %s", starts);
	json_decref(doc);
	resp_fini(&r);
	const char *path = arena_printf(a, "/api/v1/provider/editions/%lld", (long long)id);
	fetch_api(&r, NULL, path, key, NULL);
	CHECK(r.status == 200 && has(&r, code), "API get: %ld", r.status);
	resp_fini(&r);
	/* The list in pages (the demo's provider has more editions than one
	 * page holds): following "next" finds the new one. */
	const char *list = "/api/v1/provider/editions?from=2000-01-01";
	bool found = false;
	for (int pages = 0; list && !found && pages < 20; pages++) {
		fetch_api(&r, NULL, list, key, NULL);
		CHECK(r.status == 200, "API list %s: %ld", list, r.status);
		json_t *page = json_loads(body(&r), 0, &err);
		CHECK(page && json_array_size(json_object_get(page, "editions")) ==
		                  (size_t)json_integer_value(json_object_get(page, "count")),
		      "API list: count and editions");
		found = has(&r, code);
		const char *next = json_string_value(json_object_get(page, "next"));
		/* The next page: the same query, page last. */
		CHECK(pages > 0 || (next && !strcmp(next, "/api/v1/provider/editions?from=2000-01-01&page=2")),
		      "API list: next %s", next ? next : "null");
		list = next ? arena_strdup(a, next) : NULL;
		json_decref(page);
		resp_fini(&r);
	}
	CHECK(found, "API list: the new edition on none of the pages");
	fetch_api(&r, NULL, "/api/v1/provider/editions?page=0", key, NULL);
	expect_status(&r, 400, "API list: page 0");
	resp_fini(&r);
	/* Bad input: the field and the message; nothing changed. */
	fetch_api(&r, "PUT", path, key, "{\"capacity\": -1, \"colour\": \"red\"}");
	CHECK(r.status == 400 && has(&r, "\"field\":\"colour\""), "unknown field: %ld %s", r.status, body(&r));
	resp_fini(&r);
	fetch_api(&r, "PUT", path, key,
	          arena_printf(a, "{\"code\": \"%s\", \"capacity\": 20000, \"meetings\": [{\"starts_at\": \"%sT10:00\", \"ends_at\": \"%sT12:00\"}]}",
	                       code, d1, d1));
	CHECK(r.status == 400 && has(&r, "\"field\":\"capacity\""), "capacity: %ld %s", r.status, body(&r));
	resp_fini(&r);
	fetch_api(&r, "PUT", path, key,
	          arena_printf(a, "{\"code\": \"%s\", \"capacity\": 12, \"meetings\": [{\"starts_at\": \"%sT10:00+01:00\", \"ends_at\": \"%sT12:00+01:00\"}]}",
	                       code, d1, d1));
	CHECK(r.status == 200 && has(&r, "\"capacity\":12"), "API update: %ld %s", r.status, body(&r));
	resp_fini(&r);
	fetch_api(&r, NULL, arena_printf(a, "/api/v1/provider/editions/%lld", (long long)other_edition), key, NULL);
	CHECK(r.status == 404, "another provider's edition by API: %ld", r.status);
	resp_fini(&r);
	/* Participants, attendance (all or nothing), results. */
	int64_t enr = enrol_as(EMPLOYEE, id);
	meetings_of(id, &meeting, NULL);
	fetch_api(&r, NULL, arena_printf(a, "%s/participants", path), key, NULL);
	CHECK(r.status == 200 && has(&r, EMPLOYEE) && has(&r, "\"state\":\"enrolled\""),
	      "API participants: %ld %s", r.status, body(&r));
	resp_fini(&r);
	int64_t before = attendance_count(id);
	fetch_api(&r, "POST", arena_printf(a, "%s/attendance", path), key,
	          arena_printf(a, "{\"meeting_id\": %lld, \"marks\": [{\"email\": \"%s\", \"present\": true},"
	                          " {\"email\": \"onbekend@example.nl\", \"present\": true}]}",
	                       (long long)meeting, EMPLOYEE));
	CHECK(r.status == 422 && has(&r, "\"row\":1") && has(&r, "niet ingeschreven"),
	      "API attendance with an unknown person: %ld %s", r.status, body(&r));
	resp_fini(&r);
	CHECK(attendance_count(id) == before, "a refused API batch changed attendance");
	fetch_api(&r, "POST", arena_printf(a, "%s/attendance", path), key,
	          arena_printf(a, "{\"meeting_id\": %lld, \"marks\": [{\"email\": \"%s\", \"present\": true}]}",
	                       (long long)meeting, EMPLOYEE));
	CHECK(r.status == 200 && has(&r, "\"saved\":true"), "API attendance: %ld %s", r.status, body(&r));
	resp_fini(&r);
	int64_t present;
	char *method;
	attendance_of(enr, meeting, &present, &method, a);
	CHECK(present == 1 && !strcmp(method, "api"), "present by API");
	fetch_api(&r, "POST", arena_printf(a, "%s/results", path), key,
	          arena_printf(a, "{\"results\": [{\"email\": \"%s\", \"outcome\": \"geslaagd\"}]}", EMPLOYEE));
	CHECK(r.status == 400, "an unknown outcome: %ld %s", r.status, body(&r));
	resp_fini(&r);
	fetch_api(&r, "POST", arena_printf(a, "%s/results", path), key,
	          arena_printf(a, "{\"results\": [{\"email\": \"%s\", \"outcome\": \"completed\", \"grade\": \"goed\"}]}",
	                       EMPLOYEE));
	CHECK(r.status == 200, "API results: %ld %s", r.status, body(&r));
	resp_fini(&r);
	char *grade;
	CHECK(!strcmp(state_of(enr, &grade, a), "completed") && !strcmp(grade, "goed"), "completed by API");
	/* Without a key, or reading only: no changes. */
	fetch_api(&r, NULL, path, NULL, NULL);
	CHECK(r.status == 401, "no key: %ld", r.status);
	resp_fini(&r);
	arena_free(a);
}

static void test_qr_checkin(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	/* A meeting starting in about half an hour: enrolment still open, check-in already. */
	char d[11], s[6], de[11], e[6];
	local_at(40 * 60, d, s, a);
	local_at(3 * 3600, de, e, a);
	if (strcmp(d, de) != 0)
		snprintf(e, sizeof e, "23:59"); /* near midnight: end the same day */
	const char *code = arena_printf(a, "QR-%s", tag);
	const char *path = new_path(a, go_module);
	const char *tok = token(&provider, path, a);
	struct resp r;
	br_post(&provider, &r, path,
	        plan_form(a, tok, code, "datum1", d, "begin1", s, "einde1", e, "datum2", "", "begin2", "",
	                  "einde2", "", "plaats2", "", (const char *)NULL));
	CHECK(r.status == 303, "planning a meeting today: %ld %s", r.status, summary(&r));
	long long id = 0;
	sscanf(header(&r, "Location"), GO "/uitvoeringen/%lld", &id);
	resp_fini(&r);
	int64_t meeting;
	meetings_of(id, &meeting, NULL);
	int64_t enr = enrol_as(EMPLOYEE, id);
	br_post(&provider, &r, arena_printf(a, GO "/bijeenkomsten/%lld/qr", (long long)meeting),
	        form_of(a, "csrf_token", tok, "uitvoering", arena_printf(a, "%lld", id), (const char *)NULL));
	expect_page(&r, 200, "the QR page");
	CHECK(has(&r, "<svg"), "a QR code");
	const char *u = strstr(body(&r), "/inchecken/");
	CHECK(u, "the check-in address is shown");
	char qr_token[64];
	size_t n = strspn(u + 11, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
	CHECK(n == ENROL_CHECKIN_TOKEN_LEN, "token length %zu", n);
	memcpy(qr_token, u + 11, n);
	qr_token[n] = 0;
	resp_fini(&r);
	/* The meeting under another edition's number: 404. */
	br_post(&provider, &r, arena_printf(a, GO "/bijeenkomsten/%lld/qr", (long long)meeting),
	        form_of(a, "csrf_token", tok, "uitvoering", arena_printf(a, "%lld", (long long)edition_id),
	                (const char *)NULL));
	CHECK(r.status == 404, "a meeting of another edition: %ld", r.status);
	resp_fini(&r);
	const char *checkin = arena_printf(a, "/inchecken/%s", qr_token);
	struct browser volunteer;
	login(&volunteer, VOLUNTEER);
	const char *vtok = token(&volunteer, checkin, a);
	br_post(&volunteer, &r, checkin, form_of(a, "csrf_token", vtok, (const char *)NULL));
	CHECK(r.status == 409 && has_text(&r, "Je bent niet ingeschreven voor deze bijeenkomst."),
	      "someone not booked: %ld %s", r.status, summary(&r));
	resp_fini(&r);
	struct browser employee;
	login(&employee, EMPLOYEE);
	br_get(&employee, &r, checkin);
	expect_page(&r, 200, "the check-in question");
	const char *etok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	int64_t present;
	char *method;
	attendance_of(enr, meeting, &present, &method, a);
	CHECK(present == -1, "GET does not check in");
	br_post(&employee, &r, checkin, form_of(a, "csrf_token", etok, (const char *)NULL));
	expect_page(&r, 200, "checked in");
	CHECK(has_text(&r, "U bent ingecheckt."), "%s", summary(&r));
	resp_fini(&r);
	attendance_of(enr, meeting, &present, &method, a);
	CHECK(present == 1 && !strcmp(method, "qr"), "present by QR");
	/* The teacher shows it too, from the attendance page (a new code: the old one lapses). */
	const char *attend = arena_printf(a, GO "/uitvoeringen/%lld/aanwezigheid", id);
	const char *ttok = token(&teacher, attend, a);
	br_post(&teacher, &r, arena_printf(a, GO "/bijeenkomsten/%lld/qr", (long long)meeting),
	        form_of(a, "csrf_token", ttok, "uitvoering", arena_printf(a, "%lld", id), (const char *)NULL));
	CHECK(r.status == 200 && has(&r, "<svg"), "the teacher's QR page: %ld", r.status);
	resp_fini(&r);
	br_post(&employee, &r, checkin, form_of(a, "csrf_token", etok, (const char *)NULL));
	CHECK(r.status == 404, "the old code after a new one: %ld", r.status);
	resp_fini(&r);
	br_post(&employee, &r, "/inchecken/bestaat-niet-bestaat-niet-bestaat-niet-bestaat-n",
	        form_of(a, "csrf_token", etok, (const char *)NULL));
	CHECK(r.status == 404, "an unknown token: %ld", r.status);
	resp_fini(&r);
	arena_free(a);
}

/* ---- the server */

static bool fresh_sqlite_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return strstr(path, "var/test/") != NULL || strncmp(base, "planning-test", 13) == 0;
}

static int campus_cli(char *const args[])
{
	char *argv[16] = {(char *)campus_bin, (char *)"--db", (char *)test_db};
	size_t n = 3;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc ? -1 : wait_exit(pid);
}

/* GO's first published classroom module, another provider's, GO's teacher,
 * an edition of the other provider's module (planned as the system) that
 * GO's teacher teaches too, and one of GO's far ahead that they teach. */
static int fixture(void)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	teacher_id = actor_of(TEACHER).person_id;
	struct arena *a = arena_new(0);
	int rc = db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	if (!rc)
		rc = db_query_row(db, &stmt_module_of, (const struct db_param[]){DBP_TEXT("go-opleidingen"), DBP_END},
		                  (const struct db_col[]){DBC_INT(&go_module), DBC_END}, a);
	if (!rc)
		rc = db_query_row(db, &stmt_module_of, (const struct db_param[]){DBP_TEXT("avans-plus"), DBP_END},
		                  (const struct db_col[]){DBC_INT(&other_module), DBC_END}, a);
	struct ctx ctx;
	ctx_init_system(&ctx, db, a);
	char d[11], hm[6];
	local_at(30 * 86400, d, hm, a);
	int64_t start = 0;
	when_parse(d, "10:00", &start);
	struct edition_meeting_input m = {.starts_at = start, .ends_at = start + 7200};
	struct edition_input in = {.code = "ANDER", .capacity = 5, .price_cents = -1, .meetings = &m,
	                           .nmeetings = 1};
	struct edition_problems pr = {0};
	if (!rc)
		rc = edition_create(&ctx, other_module, &in, &other_edition, &pr);
	/* GO's teacher teaches the other provider's edition too, and one of GO's in 400 days. */
	if (!rc)
		rc = db_exec(db, &stmt_teach,
		             (const struct db_param[]){DBP_INT(other_edition), DBP_INT(teacher_id), DBP_END},
		             NULL);
	local_at(400 * 86400, d, hm, a);
	when_parse(d, "10:00", &start);
	struct edition_meeting_input far = {.starts_at = start, .ends_at = start + 7200};
	struct edition_input later = {.code = arena_printf(a, "VER-%s", tag), .capacity = 5,
	                              .price_cents = -1, .meetings = &far, .nmeetings = 1,
	                              .teachers = &teacher_id, .nteachers = 1};
	if (!rc)
		rc = edition_create(&ctx, go_module, &later, &far_edition, &pr);
	if (rc)
		fprintf(stderr, "# fixture: %d (%s)\n", rc, pr.meetings ? pr.meetings : "");
	arena_free(a);
	db_close(db);
	return rc;
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_planning";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/planning.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_HSTS");
	unsetenv("CAMPUS_TRUST_PROXY");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/planning-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/planning.html", R_OK) != 0) {
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
	int rc = campus_cli((char *[]){(char *)"demo", NULL});
	if (rc != 0) {
		fprintf(stderr, "# campus demo exited %d on %s; see %s\n", rc, test_db, log_path);
		return -1;
	}
	if (fixture()) {
		fprintf(stderr, "# cannot find the demo's modules or plan the other provider's edition\n");
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
	    cmocka_unit_test(test_plan_refusals),
	    cmocka_unit_test(test_plan_edition),
	    cmocka_unit_test(test_planning_pages),
	    cmocka_unit_test(test_teacher_planning),
	    cmocka_unit_test(test_other_provider),
	    cmocka_unit_test(test_participants_exports),
	    cmocka_unit_test(test_attendance),
	    cmocka_unit_test(test_results),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_api),
	    cmocka_unit_test(test_qr_checkin),
	};
	return cmocka_run_group_tests_name("planning", tests, group_setup, group_teardown);
}
