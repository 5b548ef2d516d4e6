/* enrol_self's group commit: enrolments on one edition that arrive in this
 * process while another is being committed wait in a queue; the next one to
 * find nobody leading takes the whole queue of that edition, runs it as one
 * transaction with one commit (enrol_batch_run) and wakes everyone. So a
 * rush on an edition costs one flush per batch instead of one per learner,
 * and arrival order at the queue is the order of seats and waitlist places.
 * When a batch fails as a whole (not a refusal: those are per request),
 * every request in it runs again alone, so each gets its own answer and
 * none is lost or doubled. docs/internals/enrol.md. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "core/buf.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/enrol.h"
#include "domain/enrol_internal.h"

#define BUCKETS 64   /* editions hash into these; a batch holds one edition */
#define BATCH_MAX ENROL_BATCH_MAX

struct waiter {
	struct enrol_req *req;
	bool done;  /* answered: req->rc holds the outcome */
	bool alone; /* its batch failed: run it alone */
	struct waiter *next;
};

struct bucket {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool leading; /* a batch of this bucket is running */
	struct waiter *head, *tail;
};

static struct bucket buckets[BUCKETS];
static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;
static _Atomic uint64_t stat_batches, stat_requests, stat_wall_ns, stat_cpu_ns;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void buckets_init(void)
{
	for (size_t i = 0; i < BUCKETS; i++) {
		pthread_mutex_init(&buckets[i].mu, NULL);
		pthread_cond_init(&buckets[i].cv, NULL);
	}
}

struct lead {
	struct bucket *b;
	int64_t edition;
	struct waiter *batch[BATCH_MAX];
};

/* Off the queue, in order: the edition's requests (enrol_batch_take). The
 * first waiter of that edition is still queued: only its leader takes it. */
static size_t take(void *cls, struct enrol_req **reqs, size_t max)
{
	struct lead *l = cls;
	struct bucket *b = l->b;
	size_t n = 0;
	pthread_mutex_lock(&b->mu);
	struct waiter **link = &b->head, *last = NULL;
	while (*link && n < max) {
		struct waiter *w = *link;
		if (w->req->edition_id == l->edition) {
			*link = w->next;
			l->batch[n] = w;
			reqs[n++] = w->req;
		} else {
			last = w;
			link = &w->next;
		}
	}
	if (!*link)
		b->tail = last;
	pthread_mutex_unlock(&b->mu);
	return n;
}

int enrol_queue_submit(struct enrol_req *req)
{
	if (db_in_tx(req->ctx->db))
		return enrol_one(req); /* a step inside another transaction cannot wait for others */
	pthread_once(&buckets_once, buckets_init);
	struct bucket *b = &buckets[(uint64_t)req->edition_id % BUCKETS];
	struct waiter me = {.req = req};
	pthread_mutex_lock(&b->mu);
	if (b->tail)
		b->tail->next = &me;
	else
		b->head = &me;
	b->tail = &me;
	while (!me.done) {
		if (b->leading) {
			pthread_cond_wait(&b->cv, &b->mu);
			continue;
		}
		/* Lead: the batch may be another edition's (this bucket's first
		 * waiter); then the loop goes round for our own. */
		b->leading = true;
		struct lead l = {.b = b, .edition = b->head->req->edition_id};
		struct enrol_req *reqs[BATCH_MAX];
		size_t n = 0;
		pthread_mutex_unlock(&b->mu);
		uint64_t wall = clock_ns(CLOCK_MONOTONIC), cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		int rc = enrol_batch_run_taking(req->ctx->db, l.edition, take, &l, reqs, BATCH_MAX, &n);
		if (rc && n == 1)
			reqs[0]->rc = rc; /* alone already: this is its answer */
		atomic_fetch_add_explicit(&stat_batches, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&stat_requests, n, memory_order_relaxed);
		atomic_fetch_add_explicit(&stat_wall_ns, clock_ns(CLOCK_MONOTONIC) - wall,
		                          memory_order_relaxed);
		atomic_fetch_add_explicit(&stat_cpu_ns, clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu,
		                          memory_order_relaxed);
		pthread_mutex_lock(&b->mu);
		for (size_t i = 0; i < n; i++) {
			l.batch[i]->alone = rc && n > 1;
			l.batch[i]->done = true;
		}
		b->leading = false;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	return me.alone ? enrol_one(req) : req->rc;
}

void enrol_queue_stats(struct enrol_queue_stats *out)
{
	out->batches = atomic_load(&stat_batches);
	out->requests = atomic_load(&stat_requests);
	out->wall_ns = atomic_load(&stat_wall_ns);
	out->cpu_ns = atomic_load(&stat_cpu_ns);
}

void enrol_metrics_write(struct buf *out)
{
	struct enrol_queue_stats s;
	enrol_queue_stats(&s);
	buf_printf(out,
	           "# HELP campus_enrol_batches_total Enrolment batches run (one transaction each).\n"
	           "# TYPE campus_enrol_batches_total counter\n"
	           "campus_enrol_batches_total %llu\n"
	           "# HELP campus_enrol_batch_requests_total Enrolment requests run in batches.\n"
	           "# TYPE campus_enrol_batch_requests_total counter\n"
	           "campus_enrol_batch_requests_total %llu\n"
	           "# HELP campus_enrol_batch_seconds_total Time the batches' leaders spent running them.\n"
	           "# TYPE campus_enrol_batch_seconds_total counter\n"
	           "campus_enrol_batch_seconds_total %.6f\n"
	           "# HELP campus_enrol_batch_cpu_seconds_total CPU time of the leaders' threads in the batches.\n"
	           "# TYPE campus_enrol_batch_cpu_seconds_total counter\n"
	           "campus_enrol_batch_cpu_seconds_total %.6f\n",
	           (unsigned long long)s.batches, (unsigned long long)s.requests, (double)s.wall_ns / 1e9,
	           (double)s.cpu_ns / 1e9);
}
