/* The points benchmark's preparation (bench/points.sh, not timed): on a
 * fresh database, a provider with MODULES modules recognised by the review
 * committee (submitted, checked, assigned, scored and decided through the
 * domain), editions of up to SEATS seats that took place a month ago, and
 * PEOPLE learners of 20 libraries, each enrolled on one edition; and an API
 * key of the provider (modules:read, modules:write).
 *
 *   points_prepare DB-URL OUT [PEOPLE [MODULES [SEATS]]]   (30000, 10, 250)
 *
 * Everything goes through the domain functions the server uses, with a
 * clock set 40 days back, so that the editions lie in the past when the
 * results come in (the present clock). Commits are not flushed while
 * preparing (this connection only).
 *
 * OUT gets one line per enrolment: "edition-id enrolment-id YYYY-MM-DD"
 * (the day of the edition, Amsterdam). Prints:
 *   points_prepare: token=campus_... people=N modules=M editions=E */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/apitoken.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/enrol.h"
#include "domain/people.h"
#include "domain/review.h"
#include "domain/taxonomy.h"

#define LIBRARIES 20
#define DAY 86400

DB_STMT2(stmt_prepare_unflushed, "SET synchronous_commit = off", "PRAGMA synchronous = OFF");

static int64_t clock_value;
static int64_t bench_now(void) { return clock_value; }

static int die(const char *what, int rc, const char *why, struct ctx *ctx)
{
	fprintf(stderr, "points_prepare: %s failed: %s %s (%s)\n", what, campus_err_code(rc),
	        why ? why : "", ctx ? db_errmsg(ctx->db) : "");
	return 1;
}

static void as(struct ctx *ctx, int64_t person, int64_t org, unsigned roles)
{
	ctx->actor = (struct actor){.person_id = person, .org_id = org, .roles = roles};
}

static int64_t new_person(struct ctx *ctx, const char *email, const char *name, int64_t org,
                          const char *kind, unsigned roles)
{
	int64_t id = 0;
	int rc = person_create(ctx, email, name, &id);
	if (!rc)
		rc = membership_set(ctx, id, org, kind, roles);
	if (rc) {
		die(email, rc, NULL, ctx);
		exit(1);
	}
	return id;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 6) {
		fprintf(stderr, "usage: %s DB-URL OUT [PEOPLE [MODULES [SEATS]]]\n", argv[0]);
		return 2;
	}
	long people = argc > 3 ? strtol(argv[3], NULL, 10) : 30000;
	long modules = argc > 4 ? strtol(argv[4], NULL, 10) : 10;
	long seats = argc > 5 ? strtol(argv[5], NULL, 10) : 250;
	if (people < 1 || people > 1000000 || modules < 1 || modules > 1000 || seats < 1 ||
	    seats > EDITION_CAPACITY_MAX) {
		fprintf(stderr, "points_prepare: PEOPLE 1..1000000, MODULES 1..1000, SEATS 1..%d\n",
		        EDITION_CAPACITY_MAX);
		return 2;
	}
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db;
	if (db_open(argv[1], DB_OPEN_CREATE, &db, &err) != 0 || db_migrate(db, &err) != 0) {
		fprintf(stderr, "points_prepare: %s\n", buf_cstr(&err));
		return 1;
	}
	buf_fini(&err);
	struct arena *arena = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, arena);
	int64_t now = ctx.now();
	clock_value = now - 40 * DAY;
	ctx.now = bench_now;
	const char *why = NULL;
	int rc = db_exec(db, &stmt_prepare_unflushed, (const struct db_param[]){DBP_END}, NULL);
	if (rc)
		return die("unflushed commits", rc, NULL, &ctx);

	/* The campus with its administrator and two committee members; the provider. */
	int64_t campus, provider;
	struct org co = {.slug = "bench-campus", .name = "Bench Campus", .kind = "campus"};
	struct org po = {.slug = "bench-aanbieder", .name = "Bench Opleidingen", .kind = "provider",
	                 .place = "Utrecht", .province = "Utrecht"};
	if ((rc = org_create(&ctx, &co, &campus)) || (rc = org_create(&ctx, &po, &provider)))
		return die("org_create", rc, NULL, &ctx);
	int64_t admin = new_person(&ctx, "beheer@bench.demo", "Beheer Bench", campus, "employee",
	                           ROLE_CAMPUS_ADMIN);
	int64_t rev[2] = {
	    new_person(&ctx, "lid1@bench.demo", "Commissielid Een", campus, "employee", ROLE_COMMITTEE),
	    new_person(&ctx, "lid2@bench.demo", "Commissielid Twee", campus, "employee", ROLE_COMMITTEE)};
	int64_t owner = new_person(&ctx, "aanbod@bench.demo", "Aanbod Bench", provider, "employee",
	                           ROLE_PROVIDER_ADMIN);

	struct tax_entry *tax;
	size_t ntax;
	if ((rc = taxonomy_list(&ctx, false, &tax, &ntax)))
		return die("taxonomy_list", rc, NULL, &ctx);
	int64_t domains[4];
	size_t ndomains = 0;
	for (size_t i = 0; i < ntax && ndomains < 4; i++)
		if (tax[i].kind == TAX_DOMAIN)
			domains[ndomains++] = tax[i].id;
	if (!ndomains) {
		fprintf(stderr, "points_prepare: the taxonomy has no domain\n");
		return 1;
	}
	struct review_criterion *crit;
	size_t ncrit;
	if ((rc = review_criteria(&ctx, &crit, &ncrit)) || ncrit > 32)
		return die("review_criteria", rc ? rc : CAMPUS_EINVAL, NULL, &ctx);
	int64_t crit_ids[32], scores[32];
	const char *comments[32];
	for (size_t i = 0; i < ncrit; i++) {
		crit_ids[i] = crit[i].id;
		scores[i] = 4;
		comments[i] = "Goed onderbouwd.";
	}

	/* The modules, each through the whole review to recognition. */
	int64_t *module = calloc((size_t)modules, sizeof *module);
	if (!module)
		return 1;
	for (long m = 0; m < modules; m++) {
		char title[80];
		snprintf(title, sizeof title, "Voorlezen aan groepen, deel %ld", m + 1);
		int64_t dom = domains[m % (long)ndomains];
		struct module_input mi = {
		    .title = title, .summary = "Een klassikale training voor de puntenbench.",
		    .description = "Je leert voorlezen aan een groep kinderen en volwassenen.",
		    .goals = "Je leest voor aan een groep.", .level = "uitvoerend", .format = "classroom",
		    .language = "nl", .vat = "crkbo", .audience = "both", .place = "Utrecht",
		    .province = "Utrecht", .contact_name = "Bench", .contact_email = "bench@bench.demo",
		    .load_tenths = 30, .price_cents = 0, .domains = &dom, .ndomains = 1};
		struct module_problems mpr;
		as(&ctx, owner, provider, ROLE_PROVIDER_ADMIN);
		if ((rc = module_create(&ctx, provider, 0, &mi, &module[m], &mpr))) {
			for (size_t i = 0; i < mpr.n; i++)
				fprintf(stderr, "points_prepare: module %s: %s\n", mpr.items[i].field,
				        mpr.items[i].msgid);
			return die("module_create", rc, NULL, &ctx);
		}
		int64_t review;
		if ((rc = review_submit(&ctx, module[m], &review, &why)))
			return die("review_submit", rc, why, &ctx);
		as(&ctx, admin, campus, ROLE_CAMPUS_ADMIN);
		if ((rc = review_check(&ctx, review, true, "", &why)))
			return die("review_check", rc, why, &ctx);
		if ((rc = review_assign(&ctx, review, rev, 2, &why)))
			return die("review_assign", rc, why, &ctx);
		for (int r = 0; r < 2; r++) {
			as(&ctx, rev[r], campus, ROLE_COMMITTEE);
			if ((rc = review_score(&ctx, review, crit_ids, scores, comments, ncrit, &why)))
				return die("review_score", rc, why, &ctx);
		}
		struct review_decision d = {.outcome = REVIEW_RECOGNISED,
		                            .points_tenths = 10 + 5 * (m % 8), /* 1 to 4.5 points */
		                            .load_tenths = 30, .domains = &dom, .ndomains = 1};
		if ((rc = review_decide(&ctx, review, &d, &why)))
			return die("review_decide", rc, why, &ctx);
		as(&ctx, owner, provider, ROLE_PROVIDER_ADMIN);
		rc = module_publish(&ctx, module[m], &why);
		if (rc && rc != CAMPUS_ECONFLICT)
			return die("module_publish", rc, why, &ctx);
		arena_reset(arena);
	}

	/* Editions a few days after the clock, round the modules. */
	size_t n = (size_t)people;
	size_t neditions = (n + (size_t)seats - 1) / (size_t)seats;
	int64_t *edition = calloc(neditions, sizeof *edition);
	char(*day)[11] = calloc(neditions, sizeof *day);
	if (!edition || !day)
		return 1;
	as(&ctx, owner, provider, ROLE_PROVIDER_ADMIN);
	for (size_t e = 0; e < neditions; e++) {
		int64_t start = clock_value + 5 * DAY + (int64_t)(e % 8) * 3600;
		start -= start % 3600;
		struct edition_meeting_input meeting = {.starts_at = start, .ends_at = start + 3 * 3600};
		char code[32];
		snprintf(code, sizeof code, "PUNT-%zu", e + 1);
		struct edition_input ei = {.code = code, .capacity = seats, .price_cents = -1,
		                           .place = "Utrecht", .meetings = &meeting, .nmeetings = 1};
		struct edition_problems epr = {0};
		if ((rc = edition_create(&ctx, module[e % (size_t)modules], &ei, &edition[e], &epr)))
			return die("edition_create", rc, epr.meetings, &ctx);
		snprintf(day[e], sizeof day[e], "%s", when_text(arena, start, "nl", WHEN_ISO_DATE));
		arena_reset(arena);
	}

	/* Libraries and learners, each enrolled on one edition. */
	int64_t libs[LIBRARIES];
	ctx.actor = (struct actor){.flags = ACTOR_SYSTEM};
	for (int i = 0; i < LIBRARIES; i++) {
		char slug[40], name[60];
		snprintf(slug, sizeof slug, "bench-bieb-%02d", i + 1);
		snprintf(name, sizeof name, "Bibliotheek Bench %02d", i + 1);
		struct org lo = {.slug = slug, .name = name, .kind = "library"};
		if ((rc = org_create(&ctx, &lo, &libs[i])))
			return die("org_create (library)", rc, NULL, &ctx);
	}
	FILE *out = fopen(argv[2], "w");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		arena_reset(arena);
		char email[64], name[64];
		snprintf(email, sizeof email, "leerling-%06zu@bench.demo", i + 1);
		snprintf(name, sizeof name, "Leerling %06zu", i + 1);
		int64_t org = libs[i % LIBRARIES];
		ctx.actor = (struct actor){.flags = ACTOR_SYSTEM};
		int64_t person = new_person(&ctx, email, name, org, "employee", ROLE_LEARNER);
		size_t e = i / (size_t)seats;
		as(&ctx, person, org, ROLE_LEARNER);
		struct enrol_result res;
		if ((rc = enrol_self(&ctx, edition[e], &res, &why)))
			return die("enrol_self", rc, why, &ctx);
		if (res.state != ENROL_ENROLLED) {
			fprintf(stderr, "points_prepare: %s is %d, not enrolled\n", email, (int)res.state);
			return 1;
		}
		fprintf(out, "%" PRId64 " %" PRId64 " %s\n", edition[e], res.enrolment_id, day[e]);
	}
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	ctx.now = clock_now_real;
	as(&ctx, owner, provider, ROLE_PROVIDER_ADMIN);
	int64_t token_id;
	const char *token;
	if ((rc = apitoken_create(&ctx, provider, "puntenbench", API_SCOPES_ALL, &token_id, &token, &why)))
		return die("apitoken_create", rc, why, &ctx);
	printf("points_prepare: token=%s people=%zu modules=%ld editions=%zu\n", token, n, modules,
	       neditions);
	free(module);
	free(edition);
	free(day);
	arena_free(arena);
	db_close(db);
	return 0;
}
