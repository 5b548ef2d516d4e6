/* campus: one program for the web server, migrations, demo data and the
 * administrators' tools. Exit codes: 0 done, 1 failed while working,
 * 2 wrong usage or unreachable database (nothing was changed). */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/ctx.h"
#include "domain/demo.h"
#include "domain/seal.h"
#include "domain/totp.h"
#include "domain/mail.h"
#include "domain/people.h"
#include "domain/enrol.h"
#include "domain/jobs.h"
#include "domain/norm.h"
#include "domain/review.h"
#include "domain/search.h"
#include "domain/settings.h"
#include "http/router.h"
#include "http/server.h"
#include "mail/sender.h"
#include "web/ticker.h"
#include "http/static.h"
#include "view/i18n.h"
#include "view/tmpl.h"
#include "web/web.h"

#ifndef CAMPUS_VERSION
#define CAMPUS_VERSION "0.1.0"
#endif

enum { EXIT_USAGE = 2 };

static const char usage_text[] =
    "Usage: campus [--config FILE] [--db URL] COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  serve [--listen ADDR:PORT] [--threads N]\n"
    "                     serve the web application (default 127.0.0.1:8080)\n"
    "  migrate            bring the database schema up to date\n"
    "  demo [--seed N]    fill the database with the demo sector\n"
    "  template render FILE --data DATA.json [--partials DIR]\n"
    "                     render a Mustache template (e-mail, certificate) to stdout\n"
    "  user add EMAIL NAME [--org SLUG] [--kind employee|volunteer|external]\n"
    "           [--roles learner,manager,provider_admin,teacher,committee,campus_admin]\n"
    "           [--password-stdin]\n"
    "  user passwd EMAIL  set a password, read from standard input\n"
    "  user invite EMAIL  e-mail an invitation link (14 days) to choose a password\n"
    "  user roles EMAIL ORG ROLES [--kind KIND]\n"
    "  org add SLUG NAME --kind campus|library|poi|provider [--place P] [--province P]\n"
    "  backup FILE        consistent copy of a SQLite database (PostgreSQL: pg_dump)\n"
    "  review expire      start re-reviews of recognitions ending within 60 days, end expired ones\n"
    "  enrol tick         lapse offers, remind or expire requests, remind before meetings\n"
    "                     (the server does this every minute)\n"
    "  norm tick          PE-norm reminders (from 1 October and 1 December, once each)\n"
    "  norm report [YEAR] the sector's PE-norm report per library, with its time\n"
    "  jobs run [--kind KIND]\n"
    "                     run the background jobs that are due (the server does this\n"
    "                     every few seconds); prints what ran and what is left\n"
    "  audit verify       check the audit log's hash chain; names the first broken row\n"
    "  search reindex     rebuild the catalogue's search index (after bulk loads)\n"
    "  template check DIR check every template under DIR\n"
    "  template msgids DIR\n"
    "                     list the translatable texts of the templates (.pot)\n"
    "  --help, --version\n"
    "\n"
    "Database: --db sqlite:PATH or --db postgres://USER@HOST/NAME (or CAMPUS_DB).\n"
    "Settings: a config file with \"key = value\" lines (--config or CAMPUS_CONFIG),\n"
    "then CAMPUS_<KEY> environment variables, then flags. Keys: db, listen,\n"
    "templates_dir, static_dir, locale_dir, tmp_dir, threads, db_pool, log_level,\n"
    "hsts, trust_proxy, smtp_url, mail_from, base_url.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("campus: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'campus --help'.\n", stderr);
	return EXIT_USAGE;
}

/* Options every command takes; getopt stops at the command word. */
static int parse_global(int argc, char **argv, struct config *cfg, int *next)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0}};
	const char *config_path = getenv("CAMPUS_CONFIG");
	const char *db = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'd': db = optarg; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'V': printf("campus %s\n", CAMPUS_VERSION); exit(0);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	struct buf err;
	buf_init(&err, NULL, 4096);
	int rc = 0;
	if (config_path)
		rc = config_load_file(cfg, config_path, &err);
	if (!rc)
		rc = config_load_env(cfg, &err);
	if (!rc && db)
		rc = config_set(cfg, "db", db, &err);
	if (rc)
		fprintf(stderr, "campus: %s\n", buf_cstr(&err));
	buf_fini(&err);
	log_set_level((enum log_level)cfg->log_level);
	*next = optind;
	return rc ? EXIT_USAGE : 0;
}

/* Open the database; an unreachable one is exit code 2 and creates nothing. */
static int open_db(const struct config *cfg, bool create, struct db_conn **out)
{
	struct buf err;
	buf_init(&err, NULL, 4096);
	int rc = db_open(cfg->db, create ? DB_OPEN_CREATE : 0, out, &err);
	if (rc)
		fprintf(stderr, "campus: database: %s\n", buf_cstr(&err));
	buf_fini(&err);
	return rc ? EXIT_USAGE : 0;
}

static int migrate(struct db_conn *db)
{
	struct buf log;
	buf_init(&log, NULL, 0);
	int rc = db_migrate(db, &log); /* it logs each migration it applies */
	if (rc)
		fprintf(stderr, "campus: migration failed: %s\n", db_errmsg(db));
	buf_fini(&log);
	return rc ? EXIT_FAILURE : 0;
}

static int cmd_migrate(const struct config *cfg)
{
	struct db_conn *db;
	int rc = open_db(cfg, true, &db);
	if (rc)
		return rc;
	rc = migrate(db);
	db_close(db);
	return rc;
}

/* Each log-in once, with the organisation a log-in starts in (as
 * auth.c's stmt_first_membership picks it). */
DB_STMT(stmt_demo_logins,
        "SELECT p.email, p.name, COALESCE((SELECT o.name FROM memberships m "
        "JOIN organisations o ON o.id = m.org_id WHERE m.person_id = p.id AND m.ended_at IS NULL "
        "ORDER BY CASE o.kind WHEN 'campus' THEN 0 ELSE 1 END, "
        "CASE m.kind WHEN 'employee' THEN 0 WHEN 'volunteer' THEN 1 ELSE 2 END, m.started_at, m.id "
        "LIMIT 1), '') FROM people p "
        "WHERE p.password_hash IS NOT NULL AND p.email LIKE '%.demo' ORDER BY p.id");

struct login_print {
	char *email, *name, *org;
};

static int print_login_row(void *cls)
{
	struct login_print *l = cls;
	printf("  %-44s %s, %s\n", l->email, l->name, l->org);
	return 0;
}

/* campus demo: the demo sector (deterministic from --seed). On a database
 * that has it already, it prints the log-ins again and changes nothing. */
static int cmd_demo(const struct config *cfg, int argc, char **argv)
{
	unsigned long seed = 2021;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			if (!str_to_uint(argv[i + 1], strlen(argv[i + 1]), 0xffffffffUL, &seed))
				return usage_error("--seed needs a whole number, not '%s'", argv[i + 1]);
			i++;
		} else {
			return usage_error("demo: unknown argument '%s'", argv[i]);
		}
	}
	struct db_conn *db;
	int rc = open_db(cfg, true, &db);
	if (rc)
		return rc;
	rc = migrate(db);
	struct arena *a = arena_new(0);
	if (!rc) {
		struct ctx ctx;
		ctx_init_system(&ctx, db, a);
		struct demo_result res;
		int err = demo_build(&ctx, seed, &res);
		if (!err) {
			printf("Demo sector ready (seed %lu): %u organisations, %u people, %u memberships.\n",
			       seed, res.organisations, res.people, res.memberships);
			printf("Demo catalogue: %u modules (%u local to a library), %u reviews.\n",
			       res.modules, res.local_modules, res.reviews);
			printf("Demo history: %u editions, %u enrolments, %u completions (%u with points), "
			       "%u certificates, %u diplomas, %u claims, %u reversals.\n",
			       res.editions, res.enrolments, res.completions, res.completions_with_points,
			       res.certificates, res.diplomas, res.claims, res.reversals);
		} else if (err == CAMPUS_ECONFLICT) {
			printf("The database already holds people; the demo sector is not built again.\n");
		} else {
			fprintf(stderr, "campus: demo: %s\n", db_errmsg(db));
			rc = EXIT_FAILURE;
		}
	}
	if (!rc) {
		struct login_print l;
		struct db_col cols[] = {DBC_TEXT(&l.email), DBC_TEXT(&l.name), DBC_TEXT(&l.org), DBC_END};
		printf("Demo log-ins (password %s):\n", DEMO_PASSWORD);
		if (db_query(db, &stmt_demo_logins, (const struct db_param[]){DBP_END}, cols, a,
		             print_login_row, &l) != 0)
			rc = EXIT_FAILURE;
	}
	if (!rc) {
		/* Their roles require two-step log-in: a known secret, so that anyone
		 * can add it to an authenticator app (and the tests can compute codes). */
		static const char *const two_step[] = {"beheerder@campus.demo", "commissie@campus.demo"};
		struct ctx ctx;
		ctx_init_system(&ctx, db, a);
		unsigned changed;
		if (totp_demo_enrol(&ctx, two_step, 2, &changed) != 0) {
			fprintf(stderr, "campus: demo: %s\n", db_errmsg(db));
			rc = EXIT_FAILURE;
		} else {
			printf("Two-step log-in for %s and %s: add secret %s to an authenticator app\n"
			       "  (or %s)\n",
			       two_step[0], two_step[1], DEMO_TOTP_SECRET,
			       totp_uri(&ctx, "demo", DEMO_TOTP_SECRET));
		}
	}
	arena_free(a);
	db_close(db);
	return rc;
}

/* ---- administration verbs: each opens the database, acts as the system, and
 * says what it did; every change is audited by the domain. ---- */

struct admin {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
};

static int admin_open(const struct config *cfg, struct admin *a)
{
	int rc = open_db(cfg, false, &a->db);
	if (rc)
		return rc;
	struct buf err;
	buf_init(&err, NULL, 1024);
	if (db_migrate_check(a->db, &err) != 0) {
		fprintf(stderr, "campus: %s\n", buf_cstr(&err));
		buf_fini(&err);
		db_close(a->db);
		return EXIT_FAILURE;
	}
	buf_fini(&err);
	a->arena = arena_new(0);
	ctx_init_system(&a->ctx, a->db, a->arena);
	return 0;
}

static void admin_close(struct admin *a)
{
	arena_free(a->arena);
	db_close(a->db);
}

static int admin_fail(const char *what, int err)
{
	const char *why = err == CAMPUS_ECONFLICT  ? "it already exists"
	                  : err == CAMPUS_EINVAL   ? "invalid value (see campus --help)"
	                  : err == CAMPUS_ENOTFOUND ? "not found"
	                                           : "database error";
	fprintf(stderr, "campus: %s: %s\n", what, why);
	return err == CAMPUS_EINVAL ? EXIT_USAGE : EXIT_FAILURE;
}

/* The value after a --flag, or NULL when the flag is last. */
static const char *flag_value(int argc, char **argv, int *i)
{
	return *i + 1 < argc ? argv[++*i] : NULL;
}

/* A password from standard input (first line); never from the command line,
 * where it would land in the shell history and the process list. */
static int read_password(char *out, size_t size)
{
	if (isatty(STDIN_FILENO))
		fputs("New password (input is not hidden; better pipe it in): ", stderr);
	if (!fgets(out, (int)size, stdin))
		return CAMPUS_EINVAL;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int set_password(struct admin *a, int64_t person_id, const char *email)
{
	char pw[AUTH_PASSWORD_MAX + 2], hash[AUTH_HASH_MAX];
	const char *why;
	why = NULL;
	if (read_password(pw, sizeof pw) != 0 || auth_password_policy(pw, email, &why) != 0) {
		fprintf(stderr, "campus: password refused: %s\n",
		        why ? why : "no password on standard input");
		sodium_memzero(pw, sizeof pw);
		return EXIT_USAGE;
	}
	int rc = auth_password_hash(pw, hash);
	sodium_memzero(pw, sizeof pw);
	if (!rc)
		rc = person_set_password_hash(&a->ctx, person_id, hash);
	return rc ? admin_fail("password", rc) : 0;
}

/* E-mail in the recipient's language (the catalogues under locale_dir). */
static const char *mail_translate(const char *lang, const char *msgid)
{
	int l = i18n_lang_from_code(lang);
	return l < 0 ? NULL : i18n_gettext((enum lang)l, msgid);
}

static void mail_init(const struct config *cfg)
{
	mail_setup(cfg->base_url, mail_translate);
	mail_set_from(cfg->mail_from);
}

static int cmd_user(const struct config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage_error("user: expected 'add EMAIL NAME', 'passwd EMAIL' or 'roles EMAIL ORG ROLES'");
	const char *verb = argv[0];
	struct admin a;
	int rc;
	if (strcmp(verb, "add") == 0) {
		if (argc < 3)
			return usage_error("user add: expected EMAIL NAME");
		const char *org = NULL, *kind = "employee", *roles_text = "learner";
		bool with_password = false;
		for (int i = 3; i < argc; i++) {
			const char *v = NULL;
			if (!strcmp(argv[i], "--password-stdin"))
				with_password = true;
			else if (!strcmp(argv[i], "--org") && (v = flag_value(argc, argv, &i)))
				org = v;
			else if (!strcmp(argv[i], "--kind") && (v = flag_value(argc, argv, &i)))
				kind = v;
			else if (!strcmp(argv[i], "--roles") && (v = flag_value(argc, argv, &i)))
				roles_text = v;
			else
				return usage_error("user add: unexpected argument '%s'", argv[i]);
		}
		unsigned roles;
		if (roles_parse(roles_text, &roles) != 0)
			return usage_error("user add: unknown role in '%s'", roles_text);
		if ((rc = admin_open(cfg, &a)) != 0)
			return rc;
		struct org o = {0};
		int64_t id = 0;
		rc = org ? org_get_by_slug(&a.ctx, org, &o) : 0;
		if (rc)
			rc = admin_fail("organisation", rc);
		else if ((rc = person_create(&a.ctx, argv[1], argv[2], &id)) != 0)
			rc = admin_fail("user add", rc);
		else if (org && (rc = membership_set(&a.ctx, id, o.id, kind, roles)) != 0)
			rc = admin_fail("membership", rc);
		else if (with_password)
			rc = set_password(&a, id, argv[1]);
		if (!rc)
			printf("person %lld added%s%s\n", (long long)id, org ? " to " : "", org ? o.name : "");
		admin_close(&a);
		return rc;
	}
	if ((rc = admin_open(cfg, &a)) != 0)
		return rc;
	struct person p;
	rc = person_find_by_email(&a.ctx, argv[1], &p);
	if (rc) {
		rc = admin_fail(argv[1], rc);
	} else if (strcmp(verb, "invite") == 0 && argc == 2) {
		struct buf err;
		buf_init(&err, NULL, 1024);
		if (i18n_load(cfg->locale_dir, &err) != 0) /* then the e-mail is Dutch */
			fprintf(stderr, "campus: %s (e-mail in Dutch only)\n", buf_cstr(&err));
		buf_fini(&err);
		mail_init(cfg);
		rc = auth_invite(&a.ctx, p.id);
		if (rc)
			rc = admin_fail("user invite", rc);
		else
			printf("invitation for %s queued (valid 14 days); `campus serve` with smtp_url "
			       "sends it\n", p.email);
	} else if (strcmp(verb, "passwd") == 0 && argc == 2) {
		rc = set_password(&a, p.id, p.email);
		if (!rc)
			printf("password of %s set; their sessions have ended\n", p.email);
	} else if (strcmp(verb, "roles") == 0 && (argc == 4 || (argc == 6 && !strcmp(argv[4], "--kind")))) {
		unsigned roles;
		struct org o;
		if (roles_parse(argv[3], &roles) != 0) {
			rc = usage_error("user roles: unknown role in '%s'", argv[3]);
		} else if ((rc = org_get_by_slug(&a.ctx, argv[2], &o)) != 0) {
			rc = admin_fail(argv[2], rc);
		} else if ((rc = membership_set(&a.ctx, p.id, o.id, argc == 6 ? argv[5] : "employee",
		                                roles)) != 0) {
			rc = admin_fail("user roles", rc);
		} else {
			printf("%s in %s: roles %s\n", p.email, o.name, argv[3]);
		}
	} else {
		rc = usage_error("user: unknown use of '%s'", verb);
	}
	admin_close(&a);
	return rc;
}

static int cmd_org(const struct config *cfg, int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[0], "add") != 0)
		return usage_error("org: expected 'add SLUG NAME --kind KIND [--place P] [--province P]'");
	struct org o = {.slug = argv[1], .name = argv[2]};
	for (int i = 3; i < argc; i++) {
		const char *v = NULL;
		if (!strcmp(argv[i], "--kind") && (v = flag_value(argc, argv, &i)))
			o.kind = v;
		else if (!strcmp(argv[i], "--place") && (v = flag_value(argc, argv, &i)))
			o.place = v;
		else if (!strcmp(argv[i], "--province") && (v = flag_value(argc, argv, &i)))
			o.province = v;
		else
			return usage_error("org add: unexpected argument '%s'", argv[i]);
	}
	if (!o.kind)
		return usage_error("org add: --kind campus|library|poi|provider is required");
	struct admin a;
	int rc = admin_open(cfg, &a);
	if (rc)
		return rc;
	int64_t id;
	rc = org_create(&a.ctx, &o, &id);
	if (rc)
		rc = admin_fail("org add", rc);
	else
		printf("organisation %lld added: /b/%s/\n", (long long)id, o.slug);
	admin_close(&a);
	return rc;
}

static int cmd_backup(const struct config *cfg, int argc, char **argv)
{
	if (argc != 1)
		return usage_error("backup: expected one FILE");
	struct db_conn *db;
	int rc = open_db(cfg, false, &db);
	if (rc)
		return rc;
	struct buf err;
	buf_init(&err, NULL, 1024);
	rc = db_backup(db, argv[0], &err);
	if (rc)
		fprintf(stderr, "campus: backup: %s\n", buf_cstr(&err));
	else
		printf("backup written to %s\n", argv[0]);
	buf_fini(&err);
	db_close(db);
	return rc == CAMPUS_EINVAL ? EXIT_USAGE : rc ? EXIT_FAILURE : 0;
}

/* campus review expire: what a daily job runs (re-reviews and expiry). */
static int cmd_review(const struct config *cfg, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "expire") != 0)
		return usage_error("review: expected 'expire'");
	struct admin a;
	int rc = admin_open(cfg, &a);
	if (rc)
		return rc;
	unsigned started = 0, expired = 0;
	rc = review_expire_due(&a.ctx, a.ctx.now(), &started, &expired);
	if (rc)
		rc = admin_fail("review expire", rc);
	else
		printf("re-reviews started: %u, recognitions expired: %u\n", started, expired);
	admin_close(&a);
	return rc;
}

/* campus enrol tick: what the server does every minute, for a cron job or a test. */
static int cmd_enrol(const struct config *cfg, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "tick") != 0)
		return usage_error("enrol: expected 'tick'");
	struct admin a;
	int rc = admin_open(cfg, &a);
	if (rc)
		return rc;
	struct enrol_tick_counts c;
	rc = enrol_tick(&a.ctx, &c);
	if (rc)
		rc = admin_fail("enrol tick", rc);
	else
		printf("offers lapsed: %u, requests reminded: %u, requests expired: %u, "
		       "start reminders: %u\n",
		       c.offers_lapsed, c.requests_reminded, c.requests_expired, c.start_reminders);
	admin_close(&a);
	return rc;
}

/* campus norm tick: the PE-norm reminders the server sends (every 15
 * minutes); campus norm report [YEAR]: the sector report, timed (for
 * `make bench-points`). */
static int cmd_norm(const struct config *cfg, int argc, char **argv)
{
	bool tick = argc == 1 && strcmp(argv[0], "tick") == 0;
	bool report = (argc == 1 || argc == 2) && strcmp(argv[0], "report") == 0;
	if (!tick && !report)
		return usage_error("norm: expected 'tick' or 'report [YEAR]'");
	unsigned long year = 0;
	if (report && argc == 2 && (!str_to_uint(argv[1], strlen(argv[1]), 2100, &year) || year < 2000))
		return usage_error("norm report: YEAR is 2000..2100");
	struct admin a;
	int rc = admin_open(cfg, &a);
	if (rc)
		return rc;
	if (tick) {
		struct norm_tick_counts c;
		rc = norm_tick(&a.ctx, &c);
		if (rc)
			rc = admin_fail("norm tick", rc);
		else
			printf("learners reminded: %u, manager summaries: %u\n", c.learners, c.managers);
	} else {
		if (!year) {
			struct when_local l;
			when_to_local(a.ctx.now(), &l);
			year = (unsigned long)l.year;
		}
		struct timespec t0, t1, c0, c1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		struct norm_org_counts *orgs;
		size_t n;
		struct norm_counts total;
		rc = norm_sector_report(&a.ctx, (int)year, &orgs, &n, &total);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
		if (rc) {
			rc = admin_fail("norm report", rc);
		} else {
			double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
			double cpu = (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6;
			printf("year %lu: %zu organisations, %lld people: %lld met, %lld on track, %lld behind, "
			       "%lld without a norm; %.1f ms (this process's CPU: %.1f ms)\n",
			       year, n, (long long)total.members, (long long)total.met, (long long)total.on_track,
			       (long long)total.behind, (long long)total.none, ms, cpu);
		}
	}
	admin_close(&a);
	return rc;
}

/* campus jobs run: the due background jobs, batch after batch until none is
 * due (a cron job, a test, or a server-less import). */
static int cmd_jobs(const struct config *cfg, int argc, char **argv)
{
	const char *kind = NULL;
	if (argc == 3 && !strcmp(argv[1], "--kind"))
		kind = argv[2];
	else if (argc != 1)
		return usage_error("jobs: expected 'run [--kind KIND]'");
	if (strcmp(argv[0], "run") != 0)
		return usage_error("jobs: expected 'run [--kind KIND]'");
	struct admin a;
	int rc = admin_open(cfg, &a);
	if (rc)
		return rc;
	mail_init(cfg);
	char worker[40];
	snprintf(worker, sizeof worker, "cli:%ld", (long)getpid());
	struct jobs_counts total = {0}, c;
	do {
		arena_reset(a.arena);
		rc = jobs_run_kind(&a.ctx, worker, kind, 100, &c);
		total.done += c.done;
		total.failed += c.failed;
		total.gave_up += c.gave_up;
	} while (!rc && c.done + c.failed + c.gave_up > 0);
	int64_t pending = 0, dead = 0;
	if (!rc)
		rc = jobs_pending(&a.ctx, &pending, &dead);
	if (rc)
		rc = admin_fail("jobs run", rc);
	else
		printf("jobs done: %u, failed (will retry): %u, given up: %u; waiting: %lld, "
		       "given up in all: %lld\n",
		       total.done, total.failed, total.gave_up, (long long)pending, (long long)dead);
	admin_close(&a);
	return rc;
}

/* campus search reindex: every module's published version into the index again. */
static int cmd_search(const struct config *cfg, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "reindex") != 0)
		return usage_error("search: expected 'reindex'");
	struct db_conn *db;
	int rc = open_db(cfg, false, &db);
	if (rc)
		return rc;
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, a);
	rc = catalog_search_reindex_all(&ctx);
	if (rc)
		fprintf(stderr, "campus: search reindex: %s\n", db_errmsg(db));
	else
		printf("search index rebuilt\n");
	arena_free(a);
	db_close(db);
	return rc ? EXIT_FAILURE : 0;
}

/* campus audit verify: walk the hash chain; name the first broken row. */
static int cmd_audit(const struct config *cfg, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "verify") != 0)
		return usage_error("audit: expected 'verify'");
	struct db_conn *db;
	int rc = open_db(cfg, false, &db);
	if (rc)
		return rc;
	struct arena *a = arena_new(0);
	struct audit_verify_result res;
	rc = audit_verify(db, a, &res);
	if (rc) {
		fprintf(stderr, "campus: audit verify: %s\n", db_errmsg(db));
		rc = EXIT_FAILURE;
	} else if (res.reason) {
		printf("audit log BROKEN at row %lld: %s (%lld rows checked)\n",
		       (long long)res.first_broken, res.reason, (long long)res.rows);
		rc = EXIT_FAILURE;
	} else {
		/* The newest hash is the anchor to write down elsewhere: with it, even
		 * rows cut off the end of the chain are noticed later. */
		printf("audit log intact: %lld rows, chain verified", (long long)res.rows);
		if (res.rows)
			printf("; last row %lld, hash %s", (long long)res.last_id, res.last_hash);
		putchar('\n');
	}
	arena_free(a);
	db_close(db);
	return rc;
}

static char *read_file(const char *path, size_t max, size_t *len, struct buf *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b, NULL, max);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad || b.overflow) {
		buf_printf(err, "%s: %s", path, bad ? "read error" : "file too large");
		buf_fini(&b);
		return NULL;
	}
	*len = b.len;
	return b.data ? b.data : xstrdup("");
}

/* One entry of a .pot file, for scripts/po.sh. */
static void print_pot_entry(void *cls, const char *msgid, const char *file, int line)
{
	(void)cls;
	printf("#: %s:%d\nmsgid \"", file, line);
	for (const char *p = msgid; *p; p++) {
		if (*p == '"' || *p == '\\')
			putchar('\\');
		if (*p == '\n')
			fputs("\\n", stdout);
		else
			putchar(*p);
	}
	fputs("\"\nmsgstr \"\"\n\n", stdout);
}

static int cmd_template(int argc, char **argv)
{
	if (argc < 1)
		return usage_error("template: expected 'render FILE --data DATA.json' or 'check DIR'");
	struct buf err;
	buf_init(&err, NULL, 8192);
	int rc = 0;
	if (strcmp(argv[0], "check") == 0) {
		if (argc != 2)
			return usage_error("template check: expected one directory");
		struct tmpl_set *set = tmpl_set_new(0);
		rc = tmpl_set_load_dir(set, argv[1], &err);
		if (!rc)
			rc = tmpl_set_link(set, &err);
		tmpl_set_free(set);
		if (rc)
			fprintf(stderr, "%s\n", buf_cstr(&err));
		buf_fini(&err);
		return rc ? EXIT_FAILURE : 0;
	}
	if (strcmp(argv[0], "msgids") == 0) {
		if (argc != 2)
			return usage_error("template msgids: expected one directory");
		struct tmpl_set *set = tmpl_set_new(0);
		rc = tmpl_set_load_dir(set, argv[1], &err);
		if (!rc) {
			fputs("msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n", stdout);
			rc = tmpl_collect_msgids(set, print_pot_entry, NULL);
		}
		tmpl_set_free(set);
		if (rc)
			fprintf(stderr, "%s\n", buf_cstr(&err));
		buf_fini(&err);
		return rc ? EXIT_FAILURE : 0;
	}
	if (strcmp(argv[0], "render") != 0)
		return usage_error("template: unknown subcommand '%s'", argv[0]);
	const char *file = NULL, *data_path = NULL, *partials = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			data_path = argv[++i];
		else if (strcmp(argv[i], "--partials") == 0 && i + 1 < argc)
			partials = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else
			return usage_error("template render: unexpected argument '%s'", argv[i]);
	}
	if (!file || !data_path)
		return usage_error("template render: needs FILE and --data DATA.json");

	json_error_t jerr;
	json_t *data = json_load_file(data_path, JSON_REJECT_DUPLICATES, &jerr);
	if (!data) {
		fprintf(stderr, "%s:%d:%d: %s\n", data_path, jerr.line, jerr.column, jerr.text);
		return EXIT_FAILURE;
	}
	size_t len;
	char *src = read_file(file, (size_t)4 << 20, &len, &err);
	struct tmpl_set *set = tmpl_set_new(TMPL_PLAIN);
	rc = src ? 0 : CAMPUS_EIO;
	if (!rc && partials)
		rc = tmpl_set_load_dir(set, partials, &err);
	if (!rc)
		rc = tmpl_set_add(set, "main", src, len, file, &err);
	if (!rc)
		rc = tmpl_set_link(set, &err);
	struct buf out;
	buf_init(&out, NULL, 0);
	if (!rc)
		rc = tmpl_render(set, "main", data, NULL, &out, &err);
	if (!rc)
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
	else
		fprintf(stderr, "%s\n", buf_cstr(&err));
	buf_fini(&out);
	tmpl_set_free(set);
	free(src);
	json_decref(data);
	buf_fini(&err);
	return rc ? EXIT_FAILURE : 0;
}

/* serve's own flags, through config_set() like every other source. */
static int serve_args(struct config *cfg, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *key = NULL;
		if (strcmp(argv[i], "--listen") == 0)
			key = "listen";
		else if (strcmp(argv[i], "--threads") == 0)
			key = "threads";
		else
			return usage_error("serve: unknown argument '%s'", argv[i]);
		if (i + 1 == argc)
			return usage_error("serve: %s needs a value", argv[i]);
		struct buf err;
		buf_init(&err, NULL, 1024);
		int rc = config_set(cfg, key, argv[++i], &err);
		if (rc)
			fprintf(stderr, "campus: %s\n", buf_cstr(&err));
		buf_fini(&err);
		if (rc)
			return EXIT_USAGE;
	}
	return 0;
}

/* SQLite migrates at start; PostgreSQL is migrated once, by `campus migrate`,
 * not by each of the N web processes racing at start. */
static int serve_schema(const struct config *cfg, struct buf *err)
{
	bool sqlite = strncmp(cfg->db, "sqlite:", 7) == 0;
	struct db_conn *db;
	int rc = open_db(cfg, sqlite, &db);
	if (rc)
		return rc;
	if (sqlite) {
		rc = migrate(db);
	} else if (db_migrate_check(db, err) != 0) {
		fprintf(stderr, "campus: %s\n", buf_cstr(err));
		rc = EXIT_FAILURE;
	}
	db_close(db);
	return rc;
}

static int cmd_serve(struct config *cfg, int argc, char **argv)
{
	int rc = serve_args(cfg, argc, argv);
	if (rc)
		return rc;
	struct buf err;
	buf_init(&err, NULL, 8192);
	struct app app = {.cfg = cfg, .routes = web_routes, .nroutes = web_routes_count,
	                  .version = CAMPUS_VERSION};
	struct mail_sender *sender = NULL;
	struct ticker *ticker = NULL;
	if (router_check(web_routes, web_routes_count, &err) != 0) {
		fprintf(stderr, "campus: routes: %s\n", buf_cstr(&err));
		rc = EXIT_FAILURE;
		goto done;
	}
	if ((rc = serve_schema(cfg, &err)) != 0)
		goto done;
	unsigned threads = cfg->threads ? cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	app.db = db_pool_open(cfg->db, cfg->db_pool ? cfg->db_pool : threads + 2, 0, &err);
	if (!app.db) {
		fprintf(stderr, "campus: database: %s\n", buf_cstr(&err));
		rc = EXIT_USAGE;
		goto done;
	}
	app.tmpl = tmpl_set_new(0);
	rc = tmpl_set_load_dir(app.tmpl, cfg->templates_dir, &err);
	if (!rc)
		rc = tmpl_set_link(app.tmpl, &err);
	if (!rc)
		rc = i18n_load(cfg->locale_dir, &err);
	mail_init(cfg);
	if (!rc)
		rc = mail_sender_start(app.db, &(struct mail_sender_opts){cfg->smtp_url, cfg->mail_from},
		                       &sender);
	if (!rc)
		rc = ticker_start(app.db, &ticker);
	if (!rc)
		rc = static_load(cfg->static_dir, &app.statics, &err);
	if (!rc)
		rc = server_run(&app, &err);
	if (rc) {
		fprintf(stderr, "campus: %s\n", buf_cstr(&err));
		rc = EXIT_FAILURE;
	}
done:
	static_free(app.statics);
	tmpl_set_free(app.tmpl);
	i18n_unload();
	web_import_drain(); /* background member imports hold pool connections */
	ticker_stop(ticker);
	mail_sender_stop(sender); /* after the server: its requests may still queue mail */
	db_pool_close(app.db);
	buf_fini(&err);
	return rc;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fputs("campus: libsodium failed to initialise\n", stderr);
		return EXIT_FAILURE;
	}
	struct config cfg;
	config_init(&cfg);
	int next = 0;
	int rc = parse_global(argc, argv, &cfg, &next);
	if (rc) {
		config_fini(&cfg);
		return rc;
	}
	if (next >= argc) {
		fputs(usage_text, stderr);
		config_fini(&cfg);
		return EXIT_USAGE;
	}
	if (cfg.secret_key_file) {
		struct buf kerr;
		buf_init(&kerr, NULL, 1024);
		rc = seal_key_load(cfg.secret_key_file, &kerr);
		if (rc)
			fprintf(stderr, "campus: %s\n", buf_cstr(&kerr));
		buf_fini(&kerr);
		if (rc) {
			config_fini(&cfg);
			return EXIT_FAILURE;
		}
	}
	const char *cmd = argv[next];
	int sub_argc = argc - next - 1;
	char **sub_argv = argv + next + 1;
	if (strcmp(cmd, "serve") == 0)
		rc = cmd_serve(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "migrate") == 0)
		rc = sub_argc ? usage_error("migrate takes no arguments, got '%s'", sub_argv[0])
		              : cmd_migrate(&cfg);
	else if (strcmp(cmd, "demo") == 0)
		rc = cmd_demo(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "user") == 0)
		rc = cmd_user(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "org") == 0)
		rc = cmd_org(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "backup") == 0)
		rc = cmd_backup(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "review") == 0)
		rc = cmd_review(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "enrol") == 0)
		rc = cmd_enrol(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "norm") == 0)
		rc = cmd_norm(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "jobs") == 0)
		rc = cmd_jobs(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "audit") == 0)
		rc = cmd_audit(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "search") == 0)
		rc = cmd_search(&cfg, sub_argc, sub_argv);
	else if (strcmp(cmd, "template") == 0)
		rc = cmd_template(sub_argc, sub_argv);
	else if (strcmp(cmd, "version") == 0)
		rc = (printf("campus %s\n", CAMPUS_VERSION), 0);
	else
		rc = usage_error("unknown command '%s'", cmd);
	config_fini(&cfg);
	return rc;
}
