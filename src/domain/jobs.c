/* Background jobs (jobs.h): queue, claim, run, retry. */
#include "domain/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/diploma.h"

/* The handler table: the domain's kinds, then those jobs_register() added
 * at start (before any thread runs jobs, so no lock). */
struct handler {
	const char *kind;
	job_fn fn;
};
static const struct handler handlers[] = {
    {DIPLOMA_JOB_KIND, diploma_evaluate_job},
    {DIPLOMA_MAIL_JOB_KIND, diploma_mail_job},
};
#define EXTRA_MAX 8
static struct handler extra[EXTRA_MAX];
static size_t nextra;

static job_fn handler_of(const char *kind)
{
	for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
		if (!strcmp(handlers[i].kind, kind))
			return handlers[i].fn;
	for (size_t i = 0; i < nextra; i++)
		if (!strcmp(extra[i].kind, kind))
			return extra[i].fn;
	return NULL;
}

int jobs_register(const char *kind, job_fn fn)
{
	if (!kind || !*kind || strlen(kind) > JOBS_KIND_MAX || !fn || handler_of(kind))
		return CAMPUS_EINVAL;
	if (nextra == EXTRA_MAX)
		return CAMPUS_ENOMEM;
	extra[nextra++] = (struct handler){kind, fn};
	return 0;
}

DB_STMT(stmt_job_insert,
        "INSERT INTO jobs (kind, payload, run_at) VALUES ($1, $2, $3) RETURNING id");

int jobs_enqueue(struct ctx *ctx, const char *kind, const char *payload, int64_t run_at,
                 int64_t *id)
{
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	if (!kind || !handler_of(kind) || !payload || strlen(payload) > JOBS_PAYLOAD_MAX)
		return CAMPUS_EINVAL;
	json_t *j = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
	bool object = j && json_is_object(j);
	json_decref(j);
	if (!object)
		return CAMPUS_EINVAL;
	int64_t new_id = 0;
	int rc = db_query_row(ctx->db, &stmt_job_insert,
	                      (const struct db_param[]){DBP_TEXT(kind), DBP_TEXT(payload),
	                                                DBP_INT(run_at ? run_at : ctx->now()), DBP_END},
	                      (const struct db_col[]){DBC_INT(&new_id), DBC_END}, ctx->arena);
	if (!rc && id)
		*id = new_id;
	return rc;
}

/* ---- claiming ---- */

/* Due: not done, run_at reached, not claimed (or the claim is stale), not
 * given up. One statement takes them, so a job is claimed once: SQLite runs
 * it under BEGIN IMMEDIATE (one writer at a time); PostgreSQL locks the rows
 * it picks and skips rows another process is claiming. */
DB_STMT2(stmt_job_claim,
         "UPDATE jobs SET locked_by = $1, locked_at = $2, attempts = attempts + 1 "
         "WHERE id IN (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $2 "
         "AND (locked_at IS NULL OR locked_at < $3) AND attempts < $4 AND ($6 = '' OR kind = $6) "
         "ORDER BY run_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) "
         "RETURNING id",
         "UPDATE jobs SET locked_by = $1, locked_at = $2, attempts = attempts + 1 "
         "WHERE id IN (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $2 "
         "AND (locked_at IS NULL OR locked_at < $3) AND attempts < $4 AND ($6 = '' OR kind = $6) "
         "ORDER BY run_at, id LIMIT $5) "
         "RETURNING id");

struct claim {
	struct ctx *ctx;
	const char *worker, *kind;
	unsigned max;
	int64_t cur;
	struct db_rows rows;
};

static int claim_tx(struct db_conn *db, void *cls)
{
	struct claim *c = cls;
	int64_t now = c->ctx->now();
	c->rows = (struct db_rows){.arena = c->ctx->arena, .size = sizeof c->cur, .cur = &c->cur};
	return db_query(db, &stmt_job_claim,
	                (const struct db_param[]){DBP_TEXT(c->worker), DBP_INT(now),
	                                          DBP_INT(now - JOBS_LEASE_SECONDS),
	                                          DBP_INT(JOBS_MAX_ATTEMPTS), DBP_INT(c->max),
	                                          DBP_TEXT(c->kind ? c->kind : ""), DBP_END},
	                (const struct db_col[]){DBC_INT(&c->cur), DBC_END}, c->ctx->arena,
	                db_rows_collect, &c->rows);
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int claim(struct ctx *ctx, const char *worker, const char *kind, unsigned max, int64_t **ids,
                 size_t *n)
{
	struct claim c = {.ctx = ctx, .worker = worker, .kind = kind, .max = max ? max : 1};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, claim_tx, &c);
	if (rc)
		return rc;
	/* RETURNING gives no order; run the oldest first. */
	if (c.rows.n)
		qsort(c.rows.data, c.rows.n, sizeof(int64_t), cmp_id);
	*ids = c.rows.data;
	*n = c.rows.n;
	return 0;
}

int jobs_claim(struct ctx *ctx, const char *worker, unsigned max, int64_t **ids, size_t *n)
{
	return claim(ctx, worker, NULL, max, ids, n);
}

/* ---- running ---- */

DB_STMT(stmt_job_get,
        "SELECT kind, payload, attempts FROM jobs WHERE id = $1 AND locked_by = $2 "
        "AND done_at IS NULL");
DB_STMT(stmt_job_done,
        "UPDATE jobs SET done_at = $3, locked_by = NULL, locked_at = NULL "
        "WHERE id = $1 AND locked_by = $2 AND done_at IS NULL");
DB_STMT(stmt_job_failed,
        "UPDATE jobs SET run_at = $3, locked_by = NULL, locked_at = NULL, last_error = $4, "
        "attempts = $5 WHERE id = $1 AND locked_by = $2 AND done_at IS NULL");

struct run {
	struct ctx *ctx;
	int64_t id;
	const char *worker;
	const char *kind, *payload;
	int64_t attempts;
	const char *why;
	bool lost; /* the claim is no longer ours */
};

static int run_tx(struct db_conn *db, void *cls)
{
	struct run *r = cls;
	r->why = NULL;
	r->lost = false;
	int rc = db_query_row(db, &stmt_job_get,
	                      (const struct db_param[]){DBP_INT(r->id), DBP_TEXT(r->worker), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&r->kind), DBC_TEXT(&r->payload),
	                                              DBC_INT(&r->attempts), DBC_END},
	                      r->ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) {
		r->lost = true;
		return 0;
	}
	if (rc)
		return rc;
	job_fn fn = handler_of(r->kind);
	if (!fn) {
		r->why = "unknown kind";
		return CAMPUS_EINVAL;
	}
	rc = fn(r->ctx, r->payload, &r->why);
	if (rc)
		return rc;
	int64_t changes = 0;
	rc = db_exec(db, &stmt_job_done,
	             (const struct db_param[]){DBP_INT(r->id), DBP_TEXT(r->worker),
	                                       DBP_INT(r->ctx->now()), DBP_END},
	             &changes);
	if (!rc && changes != 1)
		return CAMPUS_EBUSY; /* someone took the job meanwhile: undo and look again */
	return rc;
}

static int64_t backoff(int64_t attempts)
{
	int64_t d = JOBS_BACKOFF_FIRST;
	for (int64_t i = 1; i < attempts && d < JOBS_BACKOFF_MAX; i++)
		d *= 2;
	return d < JOBS_BACKOFF_MAX ? d : JOBS_BACKOFF_MAX;
}

struct fail {
	struct ctx *ctx;
	int64_t id;
	const char *worker;
	int64_t run_at, attempts;
	const char *error;
};

static int fail_tx(struct db_conn *db, void *cls)
{
	struct fail *f = cls;
	return db_exec(db, &stmt_job_failed,
	               (const struct db_param[]){DBP_INT(f->id), DBP_TEXT(f->worker),
	                                         DBP_INT(f->run_at), DBP_TEXT(f->error),
	                                         DBP_INT(f->attempts), DBP_END},
	               NULL);
}

/* Runs one claimed job; counts the outcome. */
static int run_one(struct ctx *ctx, const char *worker, int64_t id, struct jobs_counts *out)
{
	struct run r = {.ctx = ctx, .id = id, .worker = worker};
	int rc = db_tx_run_keyed(ctx->db, JOBS_BULK_LOCK_KEY, run_tx, &r);
	if (!rc) {
		if (!r.lost)
			out->done++;
		return 0;
	}
	/* The handler's transaction rolled back; note why and when to try
	 * again. A malformed payload or an unknown kind never gets better. */
	bool final = rc == CAMPUS_EINVAL || r.attempts >= JOBS_MAX_ATTEMPTS;
	const char *msg = db_errmsg(ctx->db);
	char *error = arena_printf(ctx->arena, "%s%s%s", campus_err_code(rc),
	                           r.why ? ": " : (msg && *msg ? ": " : ""),
	                           r.why ? r.why : (msg ? msg : ""));
	if (!error)
		return CAMPUS_ENOMEM;
	if (strlen(error) > JOBS_ERROR_MAX)
		error[JOBS_ERROR_MAX] = '\0';
	struct fail f = {.ctx = ctx,
	                 .id = id,
	                 .worker = worker,
	                 .run_at = ctx->now() + backoff(r.attempts ? r.attempts : 1),
	                 .attempts = final ? JOBS_MAX_ATTEMPTS : r.attempts,
	                 .error = error};
	log_warn("msg=job_failed job=%lld kind=%s attempt=%lld final=%d error=\"%s\"", (long long)id,
	         r.kind ? r.kind : "-", (long long)r.attempts, final, error);
	if (final)
		out->gave_up++;
	else
		out->failed++;
	return db_tx_run(ctx->db, DB_TX_WRITE, fail_tx, &f);
}

int jobs_run_due(struct ctx *ctx, const char *worker, unsigned max, struct jobs_counts *out)
{
	return jobs_run_kind(ctx, worker, NULL, max, out);
}

/* Claimed jobs in groups, each group one transaction: one commit (one disk
 * flush) for several jobs instead of one each, which is much of a small
 * job's time on SQLite. A group ends after JOBS_GROUP jobs or once it has
 * run JOBS_GROUP_MS, because it holds JOBS_BULK_LOCK_KEY all the while and a
 * provider's push waits for it (on PostgreSQL a diploma evaluation takes
 * ~8 ms: twenty of them made a re-sent push of 30,000 rows 4.5 times
 * slower). A handler's failure undoes the group; its jobs then run one by
 * one, so the failure is counted against its own job only. */
struct group {
	struct run *runs;
	size_t n, ran;
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int group_tx(struct db_conn *db, void *cls)
{
	struct group *g = cls;
	int64_t start = monotonic_ms();
	g->ran = 0;
	while (g->ran < g->n) {
		int rc = run_tx(db, &g->runs[g->ran]);
		if (rc)
			return rc;
		g->ran++;
		if (monotonic_ms() - start >= JOBS_GROUP_MS)
			break;
	}
	return 0;
}

/* Runs the first of ids[0..n) as one group; *used: how many it took. */
static int run_group(struct ctx *ctx, const char *worker, const int64_t *ids, size_t n,
                     size_t *used, struct jobs_counts *out)
{
	struct run runs[JOBS_GROUP];
	for (size_t i = 0; i < n; i++)
		runs[i] = (struct run){.ctx = ctx, .id = ids[i], .worker = worker};
	struct group g = {runs, n, 0};
	if (db_tx_run_keyed(ctx->db, JOBS_BULK_LOCK_KEY, group_tx, &g) == 0) {
		for (size_t i = 0; i < g.ran; i++)
			if (!runs[i].lost)
				out->done++;
		*used = g.ran;
		return 0;
	}
	*used = n;
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++)
		rc = run_one(ctx, worker, ids[i], out);
	return rc;
}

int jobs_run_kind(struct ctx *ctx, const char *worker, const char *kind, unsigned max,
                  struct jobs_counts *out)
{
	*out = (struct jobs_counts){0};
	int64_t *ids;
	size_t n, used;
	int rc = claim(ctx, worker, kind, max, &ids, &n);
	for (size_t i = 0; !rc && i < n; i += used) {
		used = 1;
		rc = n - i > 1 ? run_group(ctx, worker, ids + i, n - i < JOBS_GROUP ? n - i : JOBS_GROUP,
		                           &used, out)
		               : run_one(ctx, worker, ids[i], out);
	}
	return rc;
}

DB_STMT(stmt_jobs_pending,
        "SELECT COALESCE(SUM(CASE WHEN attempts < $1 THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN attempts >= $1 THEN 1 ELSE 0 END), 0) "
        "FROM jobs WHERE done_at IS NULL");

int jobs_pending(struct ctx *ctx, int64_t *pending, int64_t *dead)
{
	return db_query_row(ctx->db, &stmt_jobs_pending,
	                    (const struct db_param[]){DBP_INT(JOBS_MAX_ATTEMPTS), DBP_END},
	                    (const struct db_col[]){DBC_INT(pending), DBC_INT(dead), DBC_END},
	                    ctx->arena);
}
