/* claim: self-reported learning and EVC on the database named by
 * CAMPUS_TEST_DB (SQLite and PostgreSQL in scripts/test.sh), with a fixed
 * clock: evidence files are what their bytes are; every malformed claim is
 * refused with nothing written; a manager approves external learning of
 * their own library only, once, and the approval writes exactly one 'study'
 * ledger row in the same transaction; the committee decides EVC ('pe');
 * refusal needs a reason; the learner may withdraw while it waits; who
 * sees what. */
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
#include "domain/claim.h"
#include "domain/ctx.h"
#include "domain/progress.h"
#include "points_reset.h"

#define T0 1795000000 /* 2026-11-18 */
#define DAY 86400
static int64_t clock_value = T0;
static int64_t test_now(void) { return clock_value; }

/* Children before parents (after points_reset). */
DB_STMT(stmt_r0, "DELETE FROM notifications");
DB_STMT(stmt_r1, "DELETE FROM outbox");
DB_STMT(stmt_r2, "DELETE FROM memberships");
DB_STMT(stmt_r3, "DELETE FROM people");
DB_STMT(stmt_r4, "DELETE FROM organisations");
DB_STMT(stmt_r5, "DELETE FROM module_search");
DB_STMT(stmt_r6, "DELETE FROM module_version_tags");
DB_STMT(stmt_r7, "DELETE FROM meeting_reminders");
DB_STMT(stmt_r8, "DELETE FROM attendance");
DB_STMT(stmt_r9, "DELETE FROM enrolment_events");
DB_STMT(stmt_r10, "DELETE FROM enrolments");
DB_STMT(stmt_r11, "DELETE FROM edition_teachers");
DB_STMT(stmt_r12, "DELETE FROM edition_meetings");
DB_STMT(stmt_r13, "DELETE FROM editions");
DB_STMT(stmt_r14, "DELETE FROM budget_accounts");
DB_STMT(stmt_r15, "UPDATE modules SET working_version_id = NULL, published_version_id = NULL, "
                  "recognised_version_id = NULL");
DB_STMT(stmt_r16, "DELETE FROM module_versions");
DB_STMT(stmt_r17, "DELETE FROM modules");

DB_STMT(stmt_t_org,
        "INSERT INTO organisations (slug, name, kind, created_at, updated_at) VALUES ($1, $1, $2, 1, 1) "
        "RETURNING id");
DB_STMT(stmt_t_person,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ($1, $1, 1, 1) RETURNING id");
DB_STMT(stmt_t_member,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at) "
        "VALUES ($1, $2, 'employee', $3, 1)");
DB_STMT(stmt_t_domain, "SELECT id FROM tax_domains WHERE position = 1");
DB_STMT(stmt_t_claims, "SELECT COUNT(*) FROM learning_claims WHERE person_id = $1");
DB_STMT(stmt_t_files, "SELECT COUNT(*) FROM learning_claim_files");
DB_STMT(stmt_t_ledger, "SELECT COUNT(*) FROM points_ledger WHERE person_id = $1");
DB_STMT(stmt_t_ledger_row,
        "SELECT l.kind, l.points_tenths, l.source, c.claim_id, l.year, "
        "(SELECT COUNT(*) FROM points_ledger_domains d WHERE d.ledger_id = l.id) "
        "FROM points_ledger l JOIN completions c ON c.id = l.completion_id WHERE l.person_id = $1");
DB_STMT(stmt_t_state, "SELECT state, COALESCE(points_tenths, -1), reason FROM learning_claims WHERE id = $1");
DB_STMT(stmt_t_notes, "SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND kind = $2");
/* The audit log is never emptied (a hash chain): count this test's rows only. */
DB_STMT(stmt_t_audit, "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND object_id = $2 "
                      "AND result = $3 AND id > $4");
DB_STMT(stmt_t_audit_last, "SELECT COALESCE(MAX(id), 0) FROM audit_log");

/* A whole (tiny) PDF, a 1x1 PNG and a JPEG as their bytes really begin and end. */
static const char pdf[] = "%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n";
static const unsigned char png[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
static const unsigned char jpeg[] = {
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',  'F',  0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22,
    0x33, 0x44, 0xFF, 0xD9};
static const char exe[] = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 This program cannot be run in DOS mode";

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t campus, lib, lib2, prov;
	int64_t manager, manager2, committee, ann, bob;
	int64_t domain;
	int64_t audit_base;
};

static int64_t one(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t v = -1;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&v), DBC_END}, f->arena), 0);
	return v;
}

static int64_t count(struct fixture *f, struct db_stmt *st, int64_t who)
{
	return one(f, st, (const struct db_param[]){DBP_INT(who), DBP_END});
}

static int64_t org(struct fixture *f, const char *slug, const char *kind)
{
	return one(f, &stmt_t_org, (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(kind), DBP_END});
}

static int64_t person(struct fixture *f, const char *email, int64_t org_id, unsigned roles)
{
	int64_t id = one(f, &stmt_t_person, (const struct db_param[]){DBP_TEXT(email), DBP_END});
	assert_int_equal(db_exec(f->db, &stmt_t_member,
	                         (const struct db_param[]){DBP_INT(id), DBP_INT(org_id), DBP_INT(roles),
	                                                   DBP_END},
	                         NULL),
	                 0);
	return id;
}

static void as(struct fixture *f, int64_t who, int64_t org_id, unsigned roles)
{
	f->ctx.actor = (struct actor){.person_id = who, .org_id = org_id, .roles = roles};
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *url = getenv("CAMPUS_TEST_DB");
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(url ? url : "sqlite:/tmp/campus-test-claim.db", DB_OPEN_CREATE, &f->db, &err) ||
	    db_migrate(f->db, &err)) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	if (points_reset(f->db) != 0)
		return -1;
	struct db_stmt *r[] = {&stmt_r5,  &stmt_r6,  &stmt_r7,  &stmt_r8,  &stmt_r9,  &stmt_r10,
	                       &stmt_r11, &stmt_r12, &stmt_r13, &stmt_r14, &stmt_r15, &stmt_r16,
	                       &stmt_r17, &stmt_r0,  &stmt_r1,  &stmt_r2,  &stmt_r3,  &stmt_r4};
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
	f->lib = org(f, "bibliotheek-utrecht", "library");
	f->lib2 = org(f, "bibliotheek-eindhoven", "library");
	f->prov = org(f, "go-opleidingen", "provider");
	f->manager = person(f, "manager@utrecht.test", f->lib, ROLE_LEARNER | ROLE_MANAGER);
	f->manager2 = person(f, "manager@eindhoven.test", f->lib2, ROLE_MANAGER);
	f->committee = person(f, "commissie@campus.test", f->campus, ROLE_COMMITTEE);
	f->ann = person(f, "ann@utrecht.test", f->lib, ROLE_LEARNER);
	f->bob = person(f, "bob@utrecht.test", f->lib, ROLE_LEARNER);
	/* Bob also works for a provider: claims are for a library only. */
	assert_int_equal(db_exec(f->db, &stmt_t_member,
	                         (const struct db_param[]){DBP_INT(f->bob), DBP_INT(f->prov),
	                                                   DBP_INT(ROLE_LEARNER), DBP_END},
	                         NULL),
	                 0);
	f->domain = one(f, &stmt_t_domain, (const struct db_param[]){DBP_END});
	f->audit_base = one(f, &stmt_t_audit_last, (const struct db_param[]){DBP_END});
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

static struct claim_in external(const struct claim_file_in *files, size_t n)
{
	return (struct claim_in){.kind = CLAIM_EXTERNAL, .title = "Congres Bibliotheek 2026",
	                         .provider_name = "KNVB", .description = "", .hours_tenths = 75,
	                         .learned_at = T0 - 10 * DAY, .files = files, .nfiles = n};
}

static int64_t submit_ok(struct fixture *f, const struct claim_in *in)
{
	int64_t id = 0;
	int bad = -2;
	const char *why = NULL;
	int rc = claim_submit(&f->ctx, in, &id, &bad, &why);
	if (rc)
		fprintf(stderr, "claim_submit: %d %s (file %d)\n", rc, why ? why : "", bad);
	assert_int_equal(rc, 0);
	assert_true(id > 0);
	assert_int_equal(bad, -1);
	return id;
}

static const char *state_of(struct fixture *f, int64_t id, int64_t *points, const char **reason)
{
	const char *st = NULL, *rs = NULL;
	int64_t p = 0;
	assert_int_equal(db_query_row(f->db, &stmt_t_state, (const struct db_param[]){DBP_INT(id), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&st), DBC_INT(&p), DBC_TEXT(&rs),
	                                                      DBC_END},
	                              f->arena),
	                 0);
	if (points)
		*points = p;
	if (reason)
		*reason = rs;
	return st;
}

static int64_t audits(struct fixture *f, const char *action, int64_t id, const char *result)
{
	char idt[24];
	snprintf(idt, sizeof idt, "%lld", (long long)id);
	return one(f, &stmt_t_audit,
	           (const struct db_param[]){DBP_TEXT(action), DBP_TEXT(idt), DBP_TEXT(result),
	                                     DBP_INT(f->audit_base), DBP_END});
}

/* ---- cases */

static void files_are_what_their_bytes_are(void **state)
{
	struct fixture *f = *state;
	const char *type, *name, *why;
	assert_int_equal(claim_file_check(&f->ctx, "../../etc/Mijn certificaat (1).PDF",
	                                  (const unsigned char *)pdf, sizeof pdf - 1, &type, &name, &why),
	                 0);
	assert_string_equal(type, "application/pdf");
	assert_string_equal(name, "Mijn_certificaat_1.pdf");
	assert_int_equal(claim_file_check(&f->ctx, "foto.jpeg", jpeg, sizeof jpeg, &type, &name, &why), 0);
	assert_string_equal(type, "image/jpeg");
	assert_string_equal(name, "foto.jpg");
	assert_int_equal(claim_file_check(&f->ctx, "scan", png, sizeof png, &type, &name, &why), 0);
	assert_string_equal(type, "image/png");
	assert_string_equal(name, "scan.png");
	assert_int_equal(claim_file_check(&f->ctx, ".htaccess", png, sizeof png, &type, &name, &why), 0);
	assert_string_equal(name, "htaccess.png");

	/* A PNG called .pdf, an executable called .pdf, a cut-off PDF, a PDF
	 * called .exe, nothing at all. */
	assert_int_equal(claim_file_check(&f->ctx, "bewijs.pdf", png, sizeof png, &type, &name, &why),
	                 CAMPUS_EINVAL);
	assert_non_null(strstr(why, "afbeelding"));
	assert_int_equal(claim_file_check(&f->ctx, "bewijs.pdf", (const unsigned char *)exe,
	                                  sizeof exe - 1, &type, &name, &why),
	                 CAMPUS_EINVAL);
	assert_non_null(strstr(why, "programma"));
	assert_int_equal(claim_file_check(&f->ctx, "half.pdf", (const unsigned char *)pdf, 30, &type,
	                                  &name, &why),
	                 CAMPUS_EINVAL);
	assert_int_equal(claim_file_check(&f->ctx, "bewijs.exe", (const unsigned char *)pdf,
	                                  sizeof pdf - 1, &type, &name, &why),
	                 CAMPUS_EINVAL);
	assert_int_equal(claim_file_check(&f->ctx, "leeg.pdf", (const unsigned char *)"", 0, &type,
	                                  &name, &why),
	                 CAMPUS_EINVAL);
	/* Over the cap: refused for its size, whatever it is. */
	size_t big = CLAIM_FILE_MAX_BYTES + 1;
	unsigned char *huge = arena_alloc(f->arena, big);
	assert_non_null(huge);
	memset(huge, ' ', big);
	memcpy(huge, pdf, sizeof pdf - 1);
	memcpy(huge + big - 6, "%%EOF\n", 6);
	assert_int_equal(claim_file_check(&f->ctx, "groot.pdf", huge, big, &type, &name, &why),
	                 CAMPUS_ETOOBIG);
	assert_int_equal(claim_file_check(&f->ctx, "groot.pdf", huge, big - 1, &type, &name, &why), 0);
	assert_null(claim_file_sniff(huge, 5));
}

static void malformed_claims_change_nothing(void **state)
{
	struct fixture *f = *state;
	as(f, f->ann, f->lib, ROLE_LEARNER);
	struct claim_file_in good = {"certificaat.pdf", (const unsigned char *)pdf, sizeof pdf - 1};
	struct claim_file_in forged[2] = {good, {"diploma.pdf", png, sizeof png}};
	struct claim_file_in six[6] = {good, good, good, good, good, good};
	struct {
		const char *what;
		struct claim_in in;
		int rc;
		int bad;
	} cases[] = {
	    {"no title", external(NULL, 0), CAMPUS_EINVAL, -1},
	    {"0 hours", external(NULL, 0), CAMPUS_EINVAL, -1},
	    {"absurd hours", external(NULL, 0), CAMPUS_EINVAL, -1},
	    {"in the future", external(NULL, 0), CAMPUS_EINVAL, -1},
	    {"a forged second file", external(forged, 2), CAMPUS_EINVAL, 1},
	    {"six files", external(six, 6), CAMPUS_EINVAL, -1},
	    {"an unknown domain", external(NULL, 0), CAMPUS_EINVAL, -1},
	    {"EVC without a description", external(&good, 1), CAMPUS_EINVAL, -1},
	    {"EVC without a file", external(NULL, 0), CAMPUS_EINVAL, -1},
	    {"a title of 201 bytes", external(NULL, 0), CAMPUS_EINVAL, -1},
	};
	cases[0].in.title = "  ";
	cases[1].in.hours_tenths = 0;
	cases[2].in.hours_tenths = CLAIM_HOURS_MAX_TENTHS + 1;
	cases[3].in.learned_at = T0 + DAY;
	cases[6].in.domain_id = 999999;
	cases[7].in.kind = CLAIM_EVC;
	cases[8].in.kind = CLAIM_EVC;
	cases[8].in.description = "Tien jaar leesbevordering op scholen.";
	char long_title[202];
	memset(long_title, 'x', 201);
	long_title[201] = '\0';
	cases[9].in.title = long_title;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t id = 0;
		int bad = -2;
		const char *why = NULL;
		int rc = claim_submit(&f->ctx, &cases[i].in, &id, &bad, &why);
		if (rc != cases[i].rc || bad != cases[i].bad || !why)
			fail_msg("%s: rc %d, bad file %d, why %s", cases[i].what, rc, bad, why ? why : "-");
		assert_int_equal(id, 0);
	}
	/* Working for a provider now, or for no organisation: no claim. */
	struct claim_in ok = external(&good, 1);
	as(f, f->bob, f->prov, ROLE_LEARNER);
	int64_t id = 0;
	int bad;
	const char *why;
	assert_int_equal(claim_submit(&f->ctx, &ok, &id, &bad, &why), CAMPUS_EFORBIDDEN);
	as(f, f->bob, f->lib2, ROLE_LEARNER); /* not a member there */
	assert_int_equal(claim_submit(&f->ctx, &ok, &id, &bad, &why), CAMPUS_EFORBIDDEN);
	assert_int_equal(count(f, &stmt_t_claims, f->ann), 0);
	assert_int_equal(count(f, &stmt_t_claims, f->bob), 0);
	assert_int_equal(one(f, &stmt_t_files, (const struct db_param[]){DBP_END}), 0);

	/* The good claim: stored with the type the bytes prove and a safe name. */
	as(f, f->ann, f->lib, ROLE_LEARNER);
	struct claim_file_in two[2] = {{"C:\\Users\\ann\\bewijs.PDF", (const unsigned char *)pdf, sizeof pdf - 1},
	                               {"foto.JPG", jpeg, sizeof jpeg}};
	struct claim_in in = external(two, 2);
	in.domain_id = f->domain;
	int64_t cid = submit_ok(f, &in);
	assert_int_equal(count(f, &stmt_t_claims, f->ann), 1);
	assert_string_equal(state_of(f, cid, NULL, NULL), "submitted");
	struct claim c;
	assert_int_equal(claim_get(&f->ctx, cid, &c), 0);
	assert_int_equal(c.nfiles, 2);
	assert_string_equal(c.files[0].name, "bewijs.pdf");
	assert_string_equal(c.files[0].content_type, "application/pdf");
	assert_int_equal(c.files[0].size, sizeof pdf - 1);
	assert_string_equal(c.files[1].name, "foto.jpg");
	assert_string_equal(c.files[1].content_type, "image/jpeg");
	assert_int_equal(c.domain_id, f->domain);
	assert_int_equal(c.points_tenths, -1);
	assert_int_equal(audits(f, "claim.submit", cid, "ok"), 1);
}

static void approval_writes_one_ledger_row(void **state)
{
	struct fixture *f = *state;
	as(f, f->ann, f->lib, ROLE_LEARNER);
	struct claim_file_in good = {"certificaat.pdf", (const unsigned char *)pdf, sizeof pdf - 1};
	struct claim_in in = external(&good, 1);
	in.domain_id = f->domain;
	int64_t id = submit_ok(f, &in);
	const char *why;

	/* Points out of range, refusal without reason: refused, nothing changed. */
	as(f, f->manager, f->lib, ROLE_LEARNER | ROLE_MANAGER);
	assert_int_equal(claim_decide(&f->ctx, id, true, 0, NULL, &why), CAMPUS_EINVAL);
	assert_int_equal(claim_decide(&f->ctx, id, true, PROGRESS_POINTS_MAX_TENTHS + 1, NULL, &why),
	                 CAMPUS_EINVAL);
	assert_int_equal(claim_decide(&f->ctx, id, false, 0, " ", &why), CAMPUS_EINVAL);
	assert_non_null(why);
	/* Another library's manager and the committee do not decide external learning. */
	as(f, f->manager2, f->lib2, ROLE_MANAGER);
	assert_int_equal(claim_decide(&f->ctx, id, true, 75, NULL, &why), CAMPUS_ENOTFOUND);
	as(f, f->committee, f->campus, ROLE_COMMITTEE);
	assert_int_equal(claim_decide(&f->ctx, id, true, 75, NULL, &why), CAMPUS_ENOTFOUND);
	assert_string_equal(state_of(f, id, NULL, NULL), "submitted");
	assert_int_equal(count(f, &stmt_t_ledger, f->ann), 0);

	/* The manager grants 9 points for 7.5 hours: one 'study' row, as set. */
	as(f, f->manager, f->lib, ROLE_LEARNER | ROLE_MANAGER);
	assert_int_equal(claim_decide(&f->ctx, id, true, 90, NULL, &why), 0);
	assert_int_equal(count(f, &stmt_t_ledger, f->ann), 1);
	const char *kind, *source;
	int64_t points, claim_id, year, ndomains;
	assert_int_equal(db_query_row(f->db, &stmt_t_ledger_row,
	                              (const struct db_param[]){DBP_INT(f->ann), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&kind), DBC_INT(&points),
	                                                      DBC_TEXT(&source), DBC_INT(&claim_id),
	                                                      DBC_INT(&year), DBC_INT(&ndomains), DBC_END},
	                              f->arena),
	                 0);
	assert_string_equal(kind, "study");
	assert_int_equal(points, 90);
	assert_string_equal(source, "self_report");
	assert_int_equal(claim_id, id);
	assert_int_equal(year, 2026);
	assert_int_equal(ndomains, 1);
	int64_t granted;
	assert_string_equal(state_of(f, id, &granted, NULL), "approved");
	assert_int_equal(granted, 90);
	assert_int_equal(one(f, &stmt_t_notes, (const struct db_param[]){DBP_INT(f->ann),
	                                                                 DBP_TEXT("claim.approved"), DBP_END}),
	                 1);
	assert_int_equal(audits(f, "claim.decide", id, "ok"), 1);

	/* Deciding twice: refused, still one row. */
	assert_int_equal(claim_decide(&f->ctx, id, true, 90, NULL, &why), CAMPUS_ECONFLICT);
	assert_int_equal(claim_decide(&f->ctx, id, false, 0, "Toch niet", &why), CAMPUS_ECONFLICT);
	assert_int_equal(count(f, &stmt_t_ledger, f->ann), 1);
	assert_string_equal(state_of(f, id, NULL, NULL), "approved");
	/* Withdrawing a decided claim: refused. */
	as(f, f->ann, f->lib, ROLE_LEARNER);
	assert_int_equal(claim_withdraw(&f->ctx, id, &why), CAMPUS_ECONFLICT);
}

static void committee_decides_evc(void **state)
{
	struct fixture *f = *state;
	as(f, f->ann, f->lib, ROLE_LEARNER);
	struct claim_file_in good = {"portfolio.pdf", (const unsigned char *)pdf, sizeof pdf - 1};
	struct claim_in in = external(&good, 1);
	in.kind = CLAIM_EVC;
	in.title = "Leesbevordering in het onderwijs";
	in.description = "Tien jaar leesconsulent op basisscholen.";
	in.hours_tenths = 400;
	int64_t evc = submit_ok(f, &in);
	in.kind = CLAIM_EXTERNAL;
	in.title = "Studiedag mediawijsheid";
	int64_t ext = submit_ok(f, &in);
	const char *why;

	/* The deciders heard of them on screen: the library's manager of the
	 * external claim, the committee of EVC; nobody else. */
	struct {
		int64_t who;
		const char *kind;
		int64_t n;
	} heard[] = {{f->manager, "claim.submitted", 1},      {f->manager2, "claim.submitted", 0},
	             {f->committee, "claim.evc_submitted", 1}, {f->manager, "claim.evc_submitted", 0},
	             {f->ann, "claim.submitted", 0}};
	for (size_t i = 0; i < sizeof heard / sizeof heard[0]; i++)
		assert_int_equal(one(f, &stmt_t_notes, (const struct db_param[]){DBP_INT(heard[i].who),
		                                                                 DBP_TEXT(heard[i].kind), DBP_END}),
		                 heard[i].n);

	/* The manager does not decide EVC, nor sees it; the committee does. */
	as(f, f->manager, f->lib, ROLE_LEARNER | ROLE_MANAGER);
	assert_int_equal(claim_decide(&f->ctx, evc, true, 400, NULL, &why), CAMPUS_ENOTFOUND);
	struct claim c;
	assert_int_equal(claim_get(&f->ctx, evc, &c), CAMPUS_ENOTFOUND);
	struct claim_file_info info;
	const unsigned char *bytes;
	assert_int_equal(claim_file(&f->ctx, evc, 1, &info, &bytes), CAMPUS_ENOTFOUND);
	assert_int_equal(claim_get(&f->ctx, ext, &c), 0);
	struct claim *rows;
	size_t n;
	assert_int_equal(claim_inbox(&f->ctx, CLAIM_EXTERNAL, f->lib, 10, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, ext);
	assert_int_equal(claim_inbox(&f->ctx, CLAIM_EVC, 0, 10, &rows, &n), CAMPUS_EFORBIDDEN);
	assert_int_equal(claim_inbox(&f->ctx, CLAIM_EXTERNAL, f->lib2, 10, &rows, &n), CAMPUS_EFORBIDDEN);

	as(f, f->committee, f->campus, ROLE_COMMITTEE);
	assert_int_equal(claim_inbox(&f->ctx, CLAIM_EVC, 0, 10, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, evc);
	assert_int_equal(claim_get(&f->ctx, evc, &c), 0);
	assert_int_equal(c.nfiles, 1);
	assert_int_equal(claim_file(&f->ctx, evc, c.files[0].id, &info, &bytes), 0);
	assert_int_equal(info.size, sizeof pdf - 1);
	assert_memory_equal(bytes, pdf, sizeof pdf - 1);
	assert_string_equal(info.content_type, "application/pdf");
	/* A file id of another claim does not come through this one. */
	struct claim other;
	as(f, f->ann, f->lib, ROLE_LEARNER);
	assert_int_equal(claim_get(&f->ctx, ext, &other), 0);
	as(f, f->committee, f->campus, ROLE_COMMITTEE);
	assert_int_equal(claim_file(&f->ctx, evc, other.files[0].id, &info, &bytes), CAMPUS_ENOTFOUND);

	assert_int_equal(claim_decide(&f->ctx, evc, true, 400, NULL, &why), 0);
	const char *kind, *source;
	int64_t points, claim_id, year, ndomains;
	assert_int_equal(db_query_row(f->db, &stmt_t_ledger_row,
	                              (const struct db_param[]){DBP_INT(f->ann), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&kind), DBC_INT(&points),
	                                                      DBC_TEXT(&source), DBC_INT(&claim_id),
	                                                      DBC_INT(&year), DBC_INT(&ndomains), DBC_END},
	                              f->arena),
	                 0);
	assert_string_equal(kind, "pe");
	assert_int_equal(points, 400);
	assert_string_equal(source, "evc");
	assert_int_equal(claim_id, evc);
	assert_int_equal(ndomains, 0);

	/* Refusal: needs a reason, which the learner sees; no ledger row. */
	as(f, f->manager, f->lib, ROLE_LEARNER | ROLE_MANAGER);
	assert_int_equal(claim_decide(&f->ctx, ext, false, 0, "Geen bewijs van deelname.", &why), 0);
	const char *reason;
	assert_string_equal(state_of(f, ext, NULL, &reason), "refused");
	assert_string_equal(reason, "Geen bewijs van deelname.");
	assert_int_equal(count(f, &stmt_t_ledger, f->ann), 1);
	assert_int_equal(one(f, &stmt_t_notes, (const struct db_param[]){DBP_INT(f->ann),
	                                                                 DBP_TEXT("claim.refused"), DBP_END}),
	                 1);
}

static void withdraw_and_who_sees_what(void **state)
{
	struct fixture *f = *state;
	as(f, f->manager, f->lib, ROLE_LEARNER | ROLE_MANAGER);
	struct claim_in in = external(NULL, 0);
	int64_t own = submit_ok(f, &in);
	as(f, f->ann, f->lib, ROLE_LEARNER);
	int64_t id = submit_ok(f, &in);
	const char *why;

	/* A manager does not decide their own claim. */
	as(f, f->manager, f->lib, ROLE_LEARNER | ROLE_MANAGER);
	assert_int_equal(claim_decide(&f->ctx, own, true, 75, NULL, &why), CAMPUS_EFORBIDDEN);
	assert_int_equal(audits(f, "claim.decide", own, "denied"), 1);
	assert_string_equal(state_of(f, own, NULL, NULL), "submitted");

	/* Another learner of the same library sees nothing, withdraws nothing. */
	struct claim c;
	as(f, f->bob, f->lib, ROLE_LEARNER);
	assert_int_equal(claim_get(&f->ctx, id, &c), CAMPUS_ENOTFOUND);
	assert_int_equal(claim_withdraw(&f->ctx, id, &why), CAMPUS_ENOTFOUND);
	struct claim *rows;
	size_t n;
	assert_int_equal(claim_list_mine(&f->ctx, &rows, &n), 0);
	assert_int_equal(n, 0);
	as(f, f->manager2, f->lib2, ROLE_MANAGER);
	assert_int_equal(claim_get(&f->ctx, id, &c), CAMPUS_ENOTFOUND);

	as(f, f->ann, f->lib, ROLE_LEARNER);
	assert_int_equal(claim_list_mine(&f->ctx, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(claim_withdraw(&f->ctx, id, &why), 0);
	assert_string_equal(state_of(f, id, NULL, NULL), "withdrawn");
	assert_int_equal(claim_withdraw(&f->ctx, id, &why), CAMPUS_ECONFLICT);
	assert_int_equal(audits(f, "claim.withdraw", id, "ok"), 1);
	as(f, f->manager, f->lib, ROLE_LEARNER | ROLE_MANAGER);
	assert_int_equal(claim_decide(&f->ctx, id, true, 75, NULL, &why), CAMPUS_ECONFLICT);
	assert_int_equal(count(f, &stmt_t_ledger, f->ann), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(files_are_what_their_bytes_are, setup, teardown),
	    cmocka_unit_test_setup_teardown(malformed_claims_change_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(approval_writes_one_ledger_row, setup, teardown),
	    cmocka_unit_test_setup_teardown(committee_decides_evc, setup, teardown),
	    cmocka_unit_test_setup_teardown(withdraw_and_who_sees_what, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
