/* The minute thread of `campus serve` (ticker.h). */
#include "web/ticker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/auth.h"
#include "domain/ctx.h"
#include "domain/enrol.h"
#include "domain/jobs.h"
#include "domain/norm.h"

struct ticker {
	struct db_pool *pool;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

static void tick(struct ticker *t)
{
	struct db_conn *db = db_pool_acquire(t->pool);
	if (!db)
		return;
	struct arena *arena = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, arena);
	struct enrol_tick_counts c;
	int rc = enrol_tick(&ctx, &c);
	if (rc)
		log_warn("msg=enrol_tick_error error=%s", campus_err_code(rc));
	else if (c.offers_lapsed + c.requests_reminded + c.requests_expired + c.start_reminders)
		log_info("msg=enrol_tick offers_lapsed=%u requests_reminded=%u requests_expired=%u "
		         "start_reminders=%u",
		         c.offers_lapsed, c.requests_reminded, c.requests_expired, c.start_reminders);
	norm_tick_from_server(&ctx);
	int64_t swept = 0;
	rc = auth_sessions_sweep(&ctx, &swept);
	if (rc)
		log_warn("msg=session_sweep_error error=%s", campus_err_code(rc));
	else if (swept)
		log_info("msg=session_sweep swept=%lld", (long long)swept);
	arena_free(arena);
	db_pool_release(t->pool, db);
}

/* Background jobs (jobs.h), every JOBS_TICK_SECONDS: batches of 50 while
 * jobs are due, for up to JOBS_TICK_SECONDS (a rule change or a bulk
 * registration queues thousands), so a stop request waits for one batch. */
static void jobs_tick(struct ticker *t)
{
	struct db_conn *db = db_pool_acquire(t->pool);
	if (!db)
		return;
	struct arena *arena = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, arena);
	char worker[40];
	snprintf(worker, sizeof worker, "serve:%ld", (long)getpid());
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct jobs_counts c, sum = {0};
	int rc;
	bool stop = false;
	do {
		arena_reset(arena);
		rc = jobs_run_due(&ctx, worker, 50, &c);
		sum.done += c.done;
		sum.failed += c.failed;
		sum.gave_up += c.gave_up;
		clock_gettime(CLOCK_MONOTONIC, &now);
		pthread_mutex_lock(&t->mu);
		stop = t->stop;
		pthread_mutex_unlock(&t->mu);
	} while (!rc && !stop && c.done + c.failed + c.gave_up > 0 &&
	         now.tv_sec - start.tv_sec < JOBS_TICK_SECONDS);
	if (rc)
		log_warn("msg=jobs_error error=%s", campus_err_code(rc));
	else if (sum.done + sum.failed + sum.gave_up)
		log_info("msg=jobs done=%u failed=%u gave_up=%u", sum.done, sum.failed, sum.gave_up);
	arena_free(arena);
	db_pool_release(t->pool, db);
}

static void *ticker_main(void *cls)
{
	struct ticker *t = cls;
	struct timespec last = {0};
	bool first = true;
	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		pthread_mutex_unlock(&t->mu);
		struct timespec mono;
		clock_gettime(CLOCK_MONOTONIC, &mono);
		if (first || mono.tv_sec - last.tv_sec >= TICKER_SECONDS) {
			first = false;
			last = mono;
			tick(t);
		}
		jobs_tick(t);
		pthread_mutex_lock(&t->mu);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += JOBS_TICK_SECONDS;
		while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

int ticker_start(struct db_pool *pool, struct ticker **out)
{
	struct ticker *t = xcalloc(1, sizeof *t);
	t->pool = pool;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	int rc = pthread_create(&t->thread, NULL, ticker_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		log_error("msg=ticker_not_started error=\"%s\"", strerror(rc));
		free(t);
		*out = NULL;
		return CAMPUS_EINTERNAL;
	}
	*out = t;
	return 0;
}

void ticker_stop(struct ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	free(t);
}
