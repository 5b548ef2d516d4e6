/* dossier: what each actor sees of one person's study dossier, on the
 * database named by CAMPUS_TEST_DB (SQLite and PostgreSQL in
 * scripts/test.sh). A person learns before joining any library, then at
 * library A, then moves to library B: they see everything themselves; A's
 * manager only what they learned as A's member; B's manager only what came
 * after joining B; a library they never belonged to sees nothing. A reversal
 * shows with its reason and the balances are net of it.
 *
 * The points ledger is append-only, so nothing is deleted between runs:
 * every run makes its own organisations and people (a tag in their names). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/dossier.h"
#include "record.h"

#define T0 1795000000 /* 2026-11-18 */
#define DAY 86400
static int64_t test_now(void) { return T0; }

DB_STMT(stmt_t_org,
        "INSERT INTO organisations (slug, name, kind, created_at, updated_at) VALUES ($1, $1, $2, 1, 1) "
        "RETURNING id");
DB_STMT(stmt_t_person,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ($1, $1, 1, 1) RETURNING id");
DB_STMT(stmt_t_member,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at, ended_at) "
        "VALUES ($1, $2, 'employee', $3, $4, $5)");
DB_STMT(stmt_t_domain, "SELECT id FROM tax_domains WHERE position = 1");
/* What the committee's decision leaves behind (the review pages are another area). */
DB_STMT(stmt_t_recognise_version,
        "UPDATE module_versions SET state = 'recognised', points_tenths = $2, "
        "recognised_load_tenths = load_tenths, recognised_at = 1, valid_until = 4102444800 "
        "WHERE id = (SELECT published_version_id FROM modules WHERE id = $1)");
DB_STMT(stmt_t_recognise_module,
        "UPDATE modules SET recognised_version_id = published_version_id WHERE id = $1");
DB_STMT(stmt_t_ledger_of, "SELECT id FROM points_ledger WHERE completion_id = $1");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	char tag[32];
	int64_t campus, prov, lib_a, lib_b, lib_c;
	int64_t admin, owner, manager_a, manager_b, manager_c, mover;
	int64_t modules[4];
	int64_t completions[4]; /* before any library, at A, at B, at B (reversed) */
};

static int64_t one(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t id = -1;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&id), DBC_END}, f->arena), 0);
	return id;
}

static int64_t org(struct fixture *f, const char *name, const char *kind)
{
	const char *slug = arena_printf(f->arena, "%s-%s", name, f->tag);
	return one(f, &stmt_t_org, (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(kind), DBP_END});
}

/* A member from `from` until `until` (0: still). */
static void member(struct fixture *f, int64_t person, int64_t org_id, unsigned roles, int64_t from,
                   int64_t until)
{
	struct db_param p[] = {DBP_INT(person), DBP_INT(org_id), DBP_INT(roles),
	                       DBP_INT(from),   DBP_INT(until),  DBP_END};
	if (!until)
		p[4] = (struct db_param)DBP_NULL;
	assert_int_equal(db_exec(f->db, &stmt_t_member, p, NULL), 0);
}

static int64_t person(struct fixture *f, const char *name, int64_t org_id, unsigned roles)
{
	const char *email = arena_printf(f->arena, "%s-%s@dossier.test", name, f->tag);
	int64_t id = one(f, &stmt_t_person, (const struct db_param[]){DBP_TEXT(email), DBP_END});
	if (org_id)
		member(f, id, org_id, roles, 1, 0);
	return id;
}

static void as(struct fixture *f, int64_t who, int64_t org_id, unsigned roles)
{
	f->ctx.actor = (struct actor){.person_id = who, .org_id = org_id, .roles = roles};
}

static void as_system(struct fixture *f) { f->ctx.actor = (struct actor){.flags = ACTOR_SYSTEM}; }

/* A published national module the committee recognised with `points` tenths. */
static int64_t recognised_module(struct fixture *f, const char *title, int64_t points)
{
	int64_t dom = one(f, &stmt_t_domain, (const struct db_param[]){DBP_END});
	struct module_input in = {
	    .title = title, .summary = "Samen lezen", .description = "Beschrijving.",
	    .goals = "Voorlezen", .prerequisites = "", .level = "uitvoerend", .format = "elearning",
	    .language = "nl", .vat = "crkbo", .audience = "both", .place = "",
	    .province = "", .contact_name = "Aanbod", .contact_email = "aanbod@dossier.test",
	    .load_tenths = 60, .price_cents = 0, .domains = &dom, .ndomains = 1};
	struct module_problems pr;
	int64_t id = 0;
	as(f, f->owner, f->prov, ROLE_PROVIDER_ADMIN);
	assert_int_equal(module_create(&f->ctx, f->prov, 0, &in, &id, &pr), 0);
	const char *why = NULL;
	assert_int_equal(module_publish(&f->ctx, id, &why), 0);
	const struct db_param p[] = {DBP_INT(id), DBP_INT(points), DBP_END};
	assert_int_equal(db_exec(f->db, &stmt_t_recognise_version, p, NULL), 0);
	assert_int_equal(db_exec(f->db, &stmt_t_recognise_module,
	                         (const struct db_param[]){DBP_INT(id), DBP_END}, NULL),
	                 0);
	return id;
}

/* A completion from a provider's system, as the API registers it. */
static int64_t complete(struct fixture *f, int64_t module_id, int64_t org_id, int64_t at)
{
	as_system(f);
	struct record_args a = {
	    .ctx = &f->ctx,
	    .in = {.person_id = f->mover, .module_id = module_id, .org_id = org_id,
	           .source = EVIDENCE_CONNECTOR, .completed_at = at,
	           .evidence_key = arena_printf(f->arena, "dossier-test:%s:%lld", f->tag,
	                                        (long long)module_id)}};
	int rc = db_tx_run(f->db, DB_TX_WRITE, record_tx, &a);
	if (rc)
		fprintf(stderr, "progress_record_completion: %d %s\n", rc, a.why ? a.why : "");
	assert_int_equal(rc, 0);
	assert_true(a.out.ledger_id > 0);
	return a.out.completion_id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *url = getenv("CAMPUS_TEST_DB");
	if (!url)
		url = "sqlite:/tmp/campus-test-dossier.db";
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(url, DB_OPEN_CREATE, &f->db, &err) != 0 || db_migrate(f->db, &err) != 0) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(f->tag, sizeof f->tag, "%lx%lx", (unsigned long)ts.tv_sec,
	         (unsigned long)(ts.tv_nsec ^ (long)getpid()));
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = test_now};
	*state = f;
	f->campus = org(f, "campus", "library"); /* a stand-in: only the admin's role counts */
	f->prov = org(f, "aanbieder", "provider");
	f->lib_a = org(f, "bibliotheek-a", "library");
	f->lib_b = org(f, "bibliotheek-b", "library");
	f->lib_c = org(f, "bibliotheek-c", "library");
	f->admin = person(f, "beheer", f->campus, ROLE_CAMPUS_ADMIN);
	f->owner = person(f, "aanbod", f->prov, ROLE_PROVIDER_ADMIN);
	f->manager_a = person(f, "manager-a", f->lib_a, ROLE_MANAGER);
	f->manager_b = person(f, "manager-b", f->lib_b, ROLE_MANAGER);
	f->manager_c = person(f, "manager-c", f->lib_c, ROLE_MANAGER);
	/* The mover: at A from 400 days ago until 100 days ago, at B since. */
	f->mover = person(f, "verhuisd", 0, 0);
	member(f, f->mover, f->lib_a, ROLE_LEARNER, T0 - 400 * DAY, T0 - 100 * DAY);
	member(f, f->mover, f->lib_b, ROLE_LEARNER, T0 - 100 * DAY, 0);
	static const char *const titles[] = {"Voor de bibliotheek", "Bij A", "Bij B", "Bij B, dubbel"};
	static const int64_t points[] = {20, 30, 45, 10};
	for (int i = 0; i < 4; i++)
		f->modules[i] = recognised_module(f, titles[i], points[i]);
	f->completions[0] = complete(f, f->modules[0], 0, T0 - 500 * DAY);
	f->completions[1] = complete(f, f->modules[1], f->lib_a, T0 - 300 * DAY);
	f->completions[2] = complete(f, f->modules[2], f->lib_b, T0 - 50 * DAY);
	f->completions[3] = complete(f, f->modules[3], f->lib_b, T0 - 40 * DAY);
	/* The fourth was registered twice: the administrator takes it back (its own transaction). */
	int64_t row = one(f, &stmt_t_ledger_of,
	                  (const struct db_param[]){DBP_INT(f->completions[3]), DBP_END});
	as(f, f->admin, f->campus, ROLE_CAMPUS_ADMIN);
	int64_t reversal = 0;
	const char *why = NULL;
	int rc = progress_reverse(&f->ctx, row, "Dubbel geregistreerd door de aanbieder", &reversal, &why);
	if (rc)
		fprintf(stderr, "progress_reverse: %d %s\n", rc, why ? why : "");
	assert_int_equal(rc, 0);
	assert_true(reversal > 0);
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

/* The text of a PDF, read back with pdftotext (poppler-utils). */
static const char *pdf_text(struct fixture *f, const struct buf *pdf)
{
	char path[] = "/tmp/campus-test-dossier-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pdf->data, pdf->len), (ssize_t)pdf->len);
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "pdftotext -layout %s -", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	struct buf text;
	buf_init(&text, f->arena, 1024 * 1024);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		assert_int_equal(buf_append(&text, chunk, n), 0);
	assert_int_equal(pclose(p), 0);
	unlink(path);
	return buf_cstr(&text);
}

static bool has_completion(const struct dossier *d, int64_t id)
{
	for (size_t i = 0; i < d->ncompletions; i++)
		if (d->completions[i].id == id)
			return true;
	return false;
}

static size_t rows_of(const struct dossier *d, int64_t completion_id)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nrows; i++)
		n += d->rows[i].completion_id == completion_id;
	return n;
}

static int64_t row_sum(const struct dossier *d)
{
	int64_t sum = 0;
	for (size_t i = 0; i < d->nrows; i++)
		sum += d->rows[i].kind == POINTS_PE ? d->rows[i].points_tenths : 0;
	return sum;
}

static void own_view_sees_everything(void **state)
{
	struct fixture *f = *state;
	as(f, f->mover, f->lib_b, ROLE_LEARNER);
	struct dossier d;
	assert_int_equal(dossier_get(&f->ctx, f->mover, &d), 0);
	assert_true(d.whole);
	assert_string_equal(d.email, arena_printf(f->arena, "verhuisd-%s@dossier.test", f->tag));
	assert_int_equal(d.ncompletions, 4);
	for (int i = 0; i < 4; i++)
		assert_true(has_completion(&d, f->completions[i]));
	/* Five rows: four earned, one reversal carrying its reason. */
	assert_int_equal(d.nrows, 5);
	size_t reversals = 0;
	for (size_t i = 0; i < d.nrows; i++)
		if (d.rows[i].reverses_id) {
			reversals++;
			assert_int_equal(d.rows[i].points_tenths, -10);
			assert_string_equal(d.rows[i].reason, "Dubbel geregistreerd door de aanbieder");
		}
	assert_int_equal(reversals, 1);
	/* The balances are the rows' sum: 2 + 3 + 4,5 + 1 - 1. */
	assert_int_equal(d.total_pe_tenths, 95);
	assert_int_equal(row_sum(&d), d.total_pe_tenths);
	/* 2026 holds what was earned at A in January and at B since (the
	 * reversal counts in its original's year); 2025 the rest. */
	assert_int_equal(d.year, 2026);
	assert_int_equal(d.year_pe_tenths, 75);
	assert_int_equal(d.nyears, 2);
	assert_int_equal(d.years[0].year, 2026);
	assert_int_equal(d.years[1].year, 2025);
	assert_int_equal(d.years[1].pe_tenths, 20);
	/* Every earned row credits the module's domain. */
	assert_true(d.ndomains >= 1);
	assert_int_equal(d.domains[0].pe_tenths, 95);
	/* A certificate for each completion with points; the reversed one revoked. */
	assert_int_equal(d.ncredentials, 4);
	size_t revoked = 0;
	for (size_t i = 0; i < d.ncredentials; i++)
		revoked += d.credentials[i].revoked_at != 0;
	assert_int_equal(revoked, 1);
}

/* The PDF holds what the page holds: every row, the correction's reason,
 * the modules and the certificates' codes. */
static void the_pdf_explains_every_point(void **state)
{
	struct fixture *f = *state;
	as(f, f->mover, f->lib_b, ROLE_LEARNER);
	struct dossier d;
	assert_int_equal(dossier_get(&f->ctx, f->mover, &d), 0);
	/* One code with a pair Open Sans kerns apart ("AJ"): still one word. */
	assert_true(d.ncredentials > 0);
	memcpy(d.credentials[0].code, "7VX7E6AJC4YKKEHX", sizeof d.credentials[0].code);
	struct buf pdf;
	buf_init(&pdf, f->arena, 8 * 1024 * 1024);
	assert_int_equal(dossier_pdf(&f->ctx, &d, &pdf), 0);
	assert_true(pdf.len > 1000);
	assert_memory_equal(pdf.data, "%PDF-", 5);
	const char *text = pdf_text(f, &pdf);
	assert_non_null(strstr(text, "Studiedossier"));
	static const char *const want[] = {"Voor de bibliotheek", "Bij A", "Bij B", "Bij B, dubbel",
	                                   "Dubbel geregistreerd door de aanbieder", "Alle puntenregels",
	                                   "Gevolgde modules", "9,5"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(text, want[i]))
			fail_msg("the PDF lacks \"%s\":\n%s", want[i], text);
	for (size_t i = 0; i < d.ncredentials; i++) {
		char code[CREDENTIAL_CODE_LEN + 4];
		credential_code_display(d.credentials[i].code, code);
		/* Group by group: -layout puts a cell that wraps beside its neighbours. */
		for (size_t g = 0; g < CREDENTIAL_CODE_LEN / 4; g++)
			if (!strstr(text, (char[5]){code[g * 5], code[g * 5 + 1], code[g * 5 + 2],
			                             code[g * 5 + 3], '\0'}))
				fail_msg("the PDF lacks the code %s", code);
	}
}

static void old_library_sees_only_its_membership(void **state)
{
	struct fixture *f = *state;
	as(f, f->manager_a, f->lib_a, ROLE_MANAGER);
	struct dossier d;
	assert_int_equal(dossier_member_get(&f->ctx, f->lib_a, f->mover, &d), 0);
	assert_false(d.whole);
	assert_int_equal(d.since, T0 - 400 * DAY);
	assert_int_equal(d.until, T0 - 100 * DAY);
	assert_int_equal(d.ncompletions, 1);
	assert_true(has_completion(&d, f->completions[1]));
	assert_int_equal(d.nrows, 1);
	assert_int_equal(rows_of(&d, f->completions[1]), 1);
	assert_int_equal(d.total_pe_tenths, 30);
	assert_int_equal(d.ncredentials, 1);
	/* Diploma progress counts every period: not in a limited view. */
	assert_int_equal(d.ndiplomas, 0);
	assert_int_equal(d.nsuggestions, 0);
	for (size_t i = 0; i < d.nnorms; i++)
		assert_int_equal(d.norms[i].org_id, f->lib_a);
}

static void new_library_sees_from_joining(void **state)
{
	struct fixture *f = *state;
	as(f, f->manager_b, f->lib_b, ROLE_MANAGER);
	struct dossier d;
	assert_int_equal(dossier_member_get(&f->ctx, f->lib_b, f->mover, &d), 0);
	assert_false(d.whole);
	assert_int_equal(d.since, T0 - 100 * DAY);
	assert_int_equal(d.ncompletions, 2);
	assert_true(has_completion(&d, f->completions[2]));
	assert_true(has_completion(&d, f->completions[3]));
	assert_false(has_completion(&d, f->completions[0]));
	assert_false(has_completion(&d, f->completions[1]));
	/* The reversal of a row B sees is B's to see, with its reason. */
	assert_int_equal(rows_of(&d, f->completions[3]), 2);
	assert_int_equal(d.total_pe_tenths, 45);
	assert_int_equal(row_sum(&d), 45);
	for (size_t i = 0; i < d.nnorms; i++)
		assert_int_equal(d.norms[i].org_id, f->lib_b);
}

static void strangers_see_nothing(void **state)
{
	struct fixture *f = *state;
	struct dossier d;
	/* A manager of a library the person never belonged to. */
	as(f, f->manager_c, f->lib_c, ROLE_MANAGER);
	assert_int_equal(dossier_member_get(&f->ctx, f->lib_c, f->mover, &d), CAMPUS_ENOTFOUND);
	assert_int_equal(dossier_get(&f->ctx, f->mover, &d), CAMPUS_EFORBIDDEN);
	/* A's manager asking through C's page (the route checks that too). */
	as(f, f->manager_a, f->lib_a, ROLE_MANAGER);
	assert_int_equal(dossier_member_get(&f->ctx, f->lib_c, f->mover, &d), CAMPUS_ENOTFOUND);
	/* Another learner. */
	as(f, f->owner, f->prov, ROLE_LEARNER);
	assert_int_equal(dossier_get(&f->ctx, f->mover, &d), CAMPUS_EFORBIDDEN);
	/* Nobody at all: an unknown id. */
	as(f, f->admin, f->campus, ROLE_CAMPUS_ADMIN);
	assert_int_equal(dossier_get(&f->ctx, INT64_C(9000000000000), &d), CAMPUS_ENOTFOUND);
}

static void campus_admin_sees_everything(void **state)
{
	struct fixture *f = *state;
	as(f, f->admin, f->campus, ROLE_CAMPUS_ADMIN);
	struct dossier d;
	assert_int_equal(dossier_member_get(&f->ctx, f->lib_a, f->mover, &d), 0);
	assert_true(d.whole);
	assert_int_equal(d.ncompletions, 4);
	assert_int_equal(d.nrows, 5);
	/* Suggestions are the person's own. */
	assert_int_equal(d.nsuggestions, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(own_view_sees_everything),
	    cmocka_unit_test(the_pdf_explains_every_point),
	    cmocka_unit_test(old_library_sees_only_its_membership),
	    cmocka_unit_test(new_library_sees_from_joining),
	    cmocka_unit_test(strangers_see_nothing),
	    cmocka_unit_test(campus_admin_sees_everything),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
