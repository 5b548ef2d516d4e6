/* Renders certificate and diploma PDFs as fast as the machine allows, for
 * `make bench-points` (all 30,000 certificates under a minute).
 *
 *   pdf_render DB-URL [N [THREADS [OUTDIR]]]        (defaults 1000, 2)
 *
 * Reads the ids of the first N credentials (by id), then THREADS threads,
 * each with its own database connection, read each one (credential_get, as
 * the download page does) and draw its PDF (credential_pdf). When the
 * database holds fewer than N, they are rendered again in turn until N PDFs
 * are made ("distinct" says how many there were). With OUTDIR, each
 * distinct PDF is also written there as <id>.pdf, to look at. Timed from the first read
 * to the last PDF; fonts are set up inside the timing, once per thread.
 *
 * Prints: pdf: n=N threads=T seconds=S per_pdf_ms=M cpu_per_pdf_ms=C
 *         read_ms=R bytes=B distinct=D
 * per_pdf_ms is the wall time a PDF takes one thread (seconds * T / N);
 * cpu_per_pdf_ms the process's CPU time per PDF, which a loaded machine
 * disturbs less; read_ms the part of per_pdf_ms spent reading the row
 * (credential_get: its queries' round trips). */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/credential.h"
#include "domain/ctx.h"

DB_STMT(stmt_bench_ids, "SELECT id FROM credentials ORDER BY id LIMIT $1");

struct job {
	const char *url, *outdir;
	const int64_t *ids;
	size_t nids, n, threads, index;
	size_t bytes;
	double read_s; /* wall time in credential_get */
	int rc;
	char err[200];
};

static double now_s(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *p)
{
	struct job *j = p;
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db;
	if (db_open(j->url, 0, &db, &err) != 0) {
		snprintf(j->err, sizeof j->err, "%s", buf_cstr(&err));
		j->rc = CAMPUS_EINTERNAL;
		buf_fini(&err);
		return NULL;
	}
	buf_fini(&err);
	struct arena *arena = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, arena);
	struct buf out;
	buf_init(&out, NULL, 0);
	/* Thread k renders PDFs k, k+T, k+2T, ... */
	for (size_t i = j->index; i < j->n && !j->rc; i += j->threads) {
		arena_reset(arena);
		buf_clear(&out);
		struct credential c;
		int64_t id = j->ids[i % j->nids];
		double r0 = now_s(CLOCK_MONOTONIC);
		int rc = credential_get(&ctx, id, &c);
		j->read_s += now_s(CLOCK_MONOTONIC) - r0;
		if (!rc)
			rc = credential_pdf(&ctx, &c, &out);
		if (rc) {
			snprintf(j->err, sizeof j->err, "credential %" PRId64 ": %s", id,
			         campus_err_code(rc));
			j->rc = rc;
		}
		j->bytes += out.len;
		if (!rc && j->outdir && i < j->nids) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%" PRId64 ".pdf", j->outdir, id);
			FILE *f = fopen(path, "wb");
			if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
				snprintf(j->err, sizeof j->err, "cannot write %.150s", path);
				j->rc = CAMPUS_EINTERNAL;
			}
		}
	}
	buf_fini(&out);
	arena_free(arena);
	db_close(db);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: %s DB-URL [N [THREADS [OUTDIR]]]\n", argv[0]);
		return 2;
	}
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
	long threads = argc > 3 ? strtol(argv[3], NULL, 10) : 2;
	if (n < 1 || n > 10000000 || threads < 1 || threads > 256) {
		fprintf(stderr, "pdf_render: N 1..10000000, THREADS 1..256\n");
		return 2;
	}
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db;
	if (db_open(argv[1], 0, &db, &err) != 0) {
		fprintf(stderr, "pdf_render: %s\n", buf_cstr(&err));
		return 1;
	}
	buf_fini(&err);
	struct arena *arena = arena_new(0);
	int64_t id;
	struct db_rows rows = {.arena = arena, .size = sizeof id, .cur = &id};
	int rc =
	    db_query(db, &stmt_bench_ids, (const struct db_param[]){DBP_INT(n), DBP_END},
	             (const struct db_col[]){DBC_INT(&id), DBC_END}, arena, db_rows_collect, &rows);
	db_close(db);
	if (rc || rows.n == 0) {
		fprintf(stderr, "pdf_render: %s\n", rc ? campus_err_code(rc) : "no credentials");
		return 1;
	}

	struct job *jobs = xcalloc((size_t)threads, sizeof *jobs);
	pthread_t *tid = xcalloc((size_t)threads, sizeof *tid);
	double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	for (long k = 0; k < threads; k++) {
		jobs[k] = (struct job){.url = argv[1],
		                       .outdir = argc > 4 ? argv[4] : NULL,
		                       .ids = rows.data,
		                       .nids = rows.n,
		                       .n = (size_t)n,
		                       .threads = (size_t)threads,
		                       .index = (size_t)k};
		if (pthread_create(&tid[k], NULL, run, &jobs[k]) != 0) {
			fprintf(stderr, "pdf_render: pthread_create failed\n");
			return 1;
		}
	}
	size_t bytes = 0;
	double read_s = 0;
	int failed = 0;
	for (long k = 0; k < threads; k++) {
		pthread_join(tid[k], NULL);
		bytes += jobs[k].bytes;
		read_s += jobs[k].read_s;
		if (jobs[k].rc) {
			fprintf(stderr, "pdf_render: %s\n", jobs[k].err);
			failed = 1;
		}
	}
	double secs = now_s(CLOCK_MONOTONIC) - w0, cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("pdf: n=%ld threads=%ld seconds=%.3f per_pdf_ms=%.3f cpu_per_pdf_ms=%.3f "
	       "read_ms=%.3f bytes=%zu distinct=%zu\n",
	       n, threads, secs, secs * 1000 * (double)threads / (double)n, cpu * 1000 / (double)n,
	       read_s * 1000 / (double)n, bytes, rows.n);
	free(jobs);
	free(tid);
	arena_free(arena);
	return failed;
}
