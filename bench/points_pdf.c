/* The points benchmark's certificates: every certificate in the database
 * rendered as PDF (credential_pdf, as GET /mijn/certificaten/:id.pdf does),
 * spread over THREADS threads (default 2), each with its own connection.
 * Nothing is written to disk; each PDF is checked to start with "%PDF-".
 *
 *   points_pdf DB-URL [THREADS]
 *
 * Prints: points_pdf: certificates=N threads=T seconds=S per_s=R cpu_s=C cpu_ms_each=E
 *         kb_avg=K failed=F
 * cpu_s is the process's CPU time (user + system): on a shared machine
 * seconds say more about the neighbours than about the rendering. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/credential.h"
#include "domain/ctx.h"

DB_STMT(stmt_pdf_ids, "SELECT id FROM credentials WHERE kind = 'certificate' ORDER BY id");

static const char *url;
static int64_t *ids;
static size_t nids;
static atomic_size_t next_id;
static atomic_llong bytes;
static atomic_long failed;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker(void *unused)
{
	(void)unused;
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db;
	if (db_open(url, 0, &db, &err) != 0) {
		fprintf(stderr, "points_pdf: %s\n", buf_cstr(&err));
		atomic_fetch_add(&failed, 1);
		return NULL;
	}
	buf_fini(&err);
	struct arena *a = arena_new(0);
	struct ctx ctx;
	for (;;) {
		size_t k = atomic_fetch_add(&next_id, 1);
		if (k >= nids)
			break;
		arena_reset(a);
		ctx_init_system(&ctx, db, a);
		ctx.actor.roles = ROLE_CAMPUS_ADMIN;
		struct credential c;
		struct buf pdf;
		buf_init(&pdf, a, 8 * 1024 * 1024);
		int rc = credential_get(&ctx, ids[k], &c);
		if (!rc)
			rc = credential_pdf(&ctx, &c, &pdf);
		if (rc || pdf.len < 5 || memcmp(pdf.data, "%PDF-", 5)) {
			if (atomic_fetch_add(&failed, 1) == 0)
				fprintf(stderr, "points_pdf: credential %" PRId64 ": %s\n", ids[k],
				        campus_err_code(rc));
			continue;
		}
		atomic_fetch_add(&bytes, (long long)pdf.len);
	}
	arena_free(a);
	db_close(db);
	return NULL;
}

static int collect(void *cls)
{
	int64_t *cur = cls;
	int64_t *more = realloc(ids, (nids + 1) * sizeof *ids);
	if (!more)
		return CAMPUS_ENOMEM;
	ids = more;
	ids[nids++] = *cur;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DB-URL [THREADS]\n", argv[0]);
		return 2;
	}
	url = argv[1];
	long threads = argc > 2 ? strtol(argv[2], NULL, 10) : 2;
	if (threads < 1 || threads > 64) {
		fprintf(stderr, "points_pdf: THREADS 1..64\n");
		return 2;
	}
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db;
	if (db_open(url, 0, &db, &err) != 0) {
		fprintf(stderr, "points_pdf: %s\n", buf_cstr(&err));
		return 1;
	}
	buf_fini(&err);
	struct arena *a = arena_new(0);
	int64_t cur;
	int rc = db_query(db, &stmt_pdf_ids, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur), DBC_END}, a, collect, &cur);
	arena_free(a);
	db_close(db);
	if (rc) {
		fprintf(stderr, "points_pdf: reading the certificates: %s\n", campus_err_code(rc));
		return 1;
	}
	pthread_t t[64];
	double t0 = now_s();
	for (long i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (long i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	double seconds = now_s() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	size_t ok = nids - (size_t)failed;
	printf("points_pdf: certificates=%zu threads=%ld seconds=%.2f per_s=%.0f cpu_s=%.1f "
	       "cpu_ms_each=%.2f kb_avg=%.1f failed=%ld\n",
	       nids, threads, seconds, seconds > 0 ? (double)ok / seconds : 0.0, cpu,
	       ok ? cpu * 1000 / (double)ok : 0.0, ok ? (double)bytes / (double)ok / 1024.0 : 0.0,
	       (long)failed);
	free(ids);
	return failed ? 1 : 0;
}
