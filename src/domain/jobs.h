/* Background jobs on the `jobs` table (migration 0001): work that must not
 * run in the transaction that caused it (a diploma evaluation after a new
 * ledger row, everyone again after a rule change). A job is queued inside
 * the caller's write transaction, so it exists only if the change commits;
 * the ticker of every `campus serve` process and `campus jobs run` claim due
 * jobs so that two processes never run one job twice (SQLite: one writer
 * under BEGIN IMMEDIATE; PostgreSQL: FOR UPDATE SKIP LOCKED), run each
 * job's handler in a write transaction that also marks it done, and on
 * failure keep last_error and try again later (back-off doubling from 30
 * seconds to 6 hours), up to JOBS_MAX_ATTEMPTS attempts.
 * See docs/internals/jobs.md. */
#ifndef CAMPUS_DOMAIN_JOBS_H
#define CAMPUS_DOMAIN_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

#define JOBS_KIND_MAX 60
#define JOBS_PAYLOAD_MAX 4000
#define JOBS_ERROR_MAX 500
#define JOBS_MAX_ATTEMPTS 10
#define JOBS_BACKOFF_FIRST 30          /* seconds after the first failure */
#define JOBS_BACKOFF_MAX (6 * 3600)
/* A claim older than this is taken to belong to a process that died. */
#define JOBS_LEASE_SECONDS (15 * 60)
/* How often the ticker of `campus serve` runs due jobs. */
#define JOBS_TICK_SECONDS 5
/* Claimed jobs run up to this many, and for about this long, to a
 * transaction (jobs.md). */
#define JOBS_GROUP 20
#define JOBS_GROUP_MS 20
/* The lock (db_tx_run_keyed: a PostgreSQL advisory lock; SQLite has one
 * writer anyway) that each job's transaction and each batch of a bulk
 * writer (completion_push) take. Every one of them appends to the audit
 * chain, whose head each writer reads: under SERIALIZABLE a long batch
 * beside a stream of short jobs (the diploma evaluations the batch itself
 * queues) was undone by every job that committed meanwhile, until its
 * retries ran out (503s in the benchmark); with the lock they take turns. */
#define JOBS_BULK_LOCK_KEY ((int64_t)0x5055000000000000LL)

/* Queues a job of a known kind with a JSON object as payload, due at run_at
 * (0: now). Must run inside the caller's write transaction
 * (CAMPUS_EINTERNAL otherwise); CAMPUS_EINVAL for an unknown kind or a
 * payload that is not a JSON object. id is nullable. */
int jobs_enqueue(struct ctx *ctx, const char *kind, const char *payload, int64_t run_at,
                 int64_t *id);

/* A handler runs inside the runner's write transaction (ctx->db is in it):
 * what it writes commits together with the job's done_at, or not at all.
 * A failure returns CAMPUS_E* and may set *why (a short English text for
 * last_error and the log). */
typedef int (*job_fn)(struct ctx *ctx, const char *payload, const char **why);

/* Adds a kind outside the domain's own table (a later module, a test's
 * handler). Call at start, before any thread runs jobs; kind must be a
 * string that lives as long as the process. CAMPUS_EINVAL for a kind that
 * is known already. */
int jobs_register(const char *kind, job_fn fn);

struct jobs_counts {
	unsigned done;    /* ran and finished */
	unsigned failed;  /* failed; will be tried again */
	unsigned gave_up; /* failed for the last time (or unknown kind) */
};

/* Claims and runs up to max due jobs (oldest first) as worker (a name for
 * locked_by, e.g. "serve:1234"); counts what happened. Returns an error only
 * when the queue itself cannot be read or written; a failing job is
 * counted, not returned. */
int jobs_run_due(struct ctx *ctx, const char *worker, unsigned max, struct jobs_counts *out);
/* The same for one kind only (NULL: any), for `campus jobs run --kind`. */
int jobs_run_kind(struct ctx *ctx, const char *worker, const char *kind, unsigned max,
                  struct jobs_counts *out);

/* The claim step alone (for tests of concurrency): marks up to max due jobs
 * as taken by worker and returns their ids in the arena. */
int jobs_claim(struct ctx *ctx, const char *worker, unsigned max, int64_t **ids, size_t *n);

/* Jobs not done: due or waiting (pending), and given up (dead). */
int jobs_pending(struct ctx *ctx, int64_t *pending, int64_t *dead);

#endif
