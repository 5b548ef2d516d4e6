/* The enrolment storm's preparation (bench/enrol.sh, not timed): on a fresh
 * database, a provider with one published module and one edition of SEATS
 * seats (no approval policy, no budget, free), libraries, and LEARNERS
 * learners, each an employee of one library with a logged-in session.
 *
 *   enrol_prepare DB-URL OUT [LEARNERS [SEATS]]     (defaults 5000, 500)
 *
 * Everything goes through the domain functions the server uses (people,
 * memberships, modules, editions, sessions), not SQL of its own: logging in
 * 5,000 times through argon2id would take minutes, so the sessions are
 * opened directly with auth_session_open(), as a log-in does after the
 * password check. Commits are not flushed to disk while preparing
 * (synchronous_commit off / synchronous OFF on this connection only).
 *
 * OUT gets one line per learner: "session-cookie-value csrf-token person-id".
 * Prints: enrol_prepare: edition=ID module=ID learners=N seats=S */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/auth.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/enrol.h"
#include "domain/people.h"
#include "domain/taxonomy.h"

#define LIBRARIES 20
#define SESSIONS_PER_TX 250

DB_STMT2(stmt_prepare_unflushed, "SET synchronous_commit = off", "PRAGMA synchronous = OFF");

static int die(const char *what, int rc, struct ctx *ctx)
{
	fprintf(stderr, "enrol_prepare: %s failed: %s (%s)\n", what, campus_err_code(rc),
	        ctx ? db_errmsg(ctx->db) : "");
	return 1;
}

struct session_batch {
	struct ctx *ctx;
	const int64_t *person, *org;
	size_t from, to;
	struct auth_session *out;
};

static int sessions_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct session_batch *b = cls;
	for (size_t i = b->from; i < b->to; i++) {
		int rc = auth_session_open(b->ctx, b->person[i], b->org[i], ROLE_LEARNER,
		                           &b->out[i - b->from]);
		if (rc)
			return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: %s DB-URL OUT [LEARNERS [SEATS]]\n", argv[0]);
		return 2;
	}
	long learners = argc > 3 ? strtol(argv[3], NULL, 10) : 5000;
	long seats = argc > 4 ? strtol(argv[4], NULL, 10) : 500;
	if (learners < 1 || learners > 1000000 || seats < 1 || seats > EDITION_CAPACITY_MAX) {
		fprintf(stderr, "enrol_prepare: LEARNERS 1..1000000, SEATS 1..%d\n", EDITION_CAPACITY_MAX);
		return 2;
	}
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db;
	if (db_open(argv[1], DB_OPEN_CREATE, &db, &err) != 0 || db_migrate(db, &err) != 0) {
		fprintf(stderr, "enrol_prepare: %s\n", buf_cstr(&err));
		return 1;
	}
	buf_fini(&err);
	struct arena *arena = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, arena);
	int rc = db_exec(db, &stmt_prepare_unflushed, (const struct db_param[]){DBP_END}, NULL);
	if (rc)
		return die("unflushed commits", rc, &ctx);

	/* The provider, its module and the edition. */
	int64_t provider;
	struct org po = {.slug = "bench-aanbieder", .name = "Bench Opleidingen", .kind = "provider",
	                 .place = "Utrecht", .province = "Utrecht"};
	if ((rc = org_create(&ctx, &po, &provider)))
		return die("org_create (provider)", rc, &ctx);
	struct tax_entry *tax;
	size_t ntax;
	if ((rc = taxonomy_list(&ctx, false, &tax, &ntax)))
		return die("taxonomy_list", rc, &ctx);
	int64_t domain = 0;
	for (size_t i = 0; i < ntax && !domain; i++)
		if (tax[i].kind == TAX_DOMAIN)
			domain = tax[i].id;
	if (!domain) {
		fprintf(stderr, "enrol_prepare: the taxonomy has no domain\n");
		return 1;
	}
	struct module_input mi = {
	    .title = "Voorlezen aan groepen", .summary = "Een klassikale training voor de storm.",
	    .description = "Je leert voorlezen aan een groep.", .goals = "Je leest voor aan een groep.",
	    .level = "uitvoerend", .format = "classroom", .language = "nl", .vat = "crkbo",
	    .audience = "both", .place = "Utrecht", .province = "Utrecht",
	    .contact_name = "Bench", .contact_email = "bench@bench.demo", .load_tenths = 30,
	    .price_cents = 0, .domains = &domain, .ndomains = 1};
	struct module_problems mpr;
	int64_t module;
	if ((rc = module_create(&ctx, provider, 0, &mi, &module, &mpr))) {
		for (size_t i = 0; i < mpr.n; i++)
			fprintf(stderr, "enrol_prepare: module %s: %s\n", mpr.items[i].field,
			        mpr.items[i].msgid);
		return die("module_create", rc, &ctx);
	}
	const char *why = NULL;
	if ((rc = module_publish(&ctx, module, &why)))
		return die(why ? why : "module_publish", rc, &ctx);
	int64_t start = ctx.now() + 30 * 86400;
	struct edition_meeting_input meeting = {.starts_at = start, .ends_at = start + 3 * 3600};
	struct edition_input ei = {.code = "STORM-1", .capacity = seats, .price_cents = -1,
	                           .place = "Utrecht", .meetings = &meeting, .nmeetings = 1};
	struct edition_problems epr = {0};
	int64_t edition;
	if ((rc = edition_create(&ctx, module, &ei, &edition, &epr)))
		return die("edition_create", rc, &ctx);

	/* Libraries and learners. */
	int64_t libs[LIBRARIES];
	for (int i = 0; i < LIBRARIES; i++) {
		char slug[40], name[60];
		snprintf(slug, sizeof slug, "bench-bieb-%02d", i + 1);
		snprintf(name, sizeof name, "Bibliotheek Bench %02d", i + 1);
		struct org lo = {.slug = slug, .name = name, .kind = "library"};
		if ((rc = org_create(&ctx, &lo, &libs[i])))
			return die("org_create (library)", rc, &ctx);
	}
	size_t n = (size_t)learners;
	int64_t *person = calloc(n, sizeof *person), *org = calloc(n, sizeof *org);
	struct auth_session *s = calloc(SESSIONS_PER_TX, sizeof *s);
	if (!person || !org || !s)
		return 1;
	for (size_t i = 0; i < n; i++) {
		arena_reset(arena);
		char email[64], name[64];
		snprintf(email, sizeof email, "leerling-%06zu@bench.demo", i + 1);
		snprintf(name, sizeof name, "Leerling %06zu", i + 1);
		org[i] = libs[i % LIBRARIES];
		if ((rc = person_create(&ctx, email, name, &person[i])))
			return die("person_create", rc, &ctx);
		if ((rc = membership_set(&ctx, person[i], org[i], "employee", ROLE_LEARNER)))
			return die("membership_set", rc, &ctx);
	}
	FILE *out = fopen(argv[2], "w");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	for (size_t from = 0; from < n; from += SESSIONS_PER_TX) {
		arena_reset(arena);
		struct session_batch b = {&ctx, person, org, from,
		                          from + SESSIONS_PER_TX < n ? from + SESSIONS_PER_TX : n, s};
		if ((rc = db_tx_run(db, DB_TX_WRITE, sessions_tx, &b)))
			return die("auth_session_open", rc, &ctx);
		for (size_t i = b.from; i < b.to; i++)
			fprintf(out, "%s %s %" PRId64 "\n", s[i - from].token, s[i - from].csrf_token,
			        person[i]);
	}
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	printf("enrol_prepare: edition=%" PRId64 " module=%" PRId64 " learners=%zu seats=%ld\n",
	       edition, module, n, seats);
	free(person);
	free(org);
	free(s);
	arena_free(arena);
	db_close(db);
	return 0;
}
