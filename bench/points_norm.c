/* The points benchmark's sector norm report: norm_sector_report() for this
 * year over the whole database (every library's counts: met, on track,
 * behind), as the campus administrator's report page asks it. A sector
 * norm for this year is set first when there is none (4 points for
 * employees and volunteers, advised). Runs RUNS times (default 5).
 *
 *   points_norm DB-URL [RUNS]
 *
 * Prints: points_norm: libraries=N members=M met=X on_track=Y behind=Z runs=R
 *         first_ms=F median_ms=P min_ms=Q */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/norm.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DB-URL [RUNS]\n", argv[0]);
		return 2;
	}
	long runs = argc > 2 ? strtol(argv[2], NULL, 10) : 5;
	if (runs < 1 || runs > 1000)
		return 2;
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db;
	if (db_open(argv[1], 0, &db, &err) != 0) {
		fprintf(stderr, "points_norm: %s\n", buf_cstr(&err));
		return 1;
	}
	buf_fini(&err);
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, a);
	ctx.actor.roles = ROLE_CAMPUS_ADMIN;
	struct when_local today;
	when_to_local(ctx.now(), &today);
	int year = today.year;
	static const char *const kinds[] = {"employee", "volunteer"};
	for (size_t k = 0; k < 2; k++) {
		struct norm cur;
		int rc = norm_sector_get(&ctx, year, kinds[k], &cur);
		const char *why = NULL;
		if (!rc && !cur.set)
			rc = norm_sector_set(&ctx, year, kinds[k], 40, 0, false, &why);
		if (rc) {
			fprintf(stderr, "points_norm: the sector norm: %s %s\n", campus_err_code(rc),
			        why ? why : "");
			return 1;
		}
	}
	double *ms = calloc((size_t)runs, sizeof *ms);
	struct norm_counts totals = {0};
	size_t n = 0;
	for (long i = 0; i < runs && ms; i++) {
		arena_reset(a);
		ctx_init_system(&ctx, db, a);
		ctx.actor.roles = ROLE_CAMPUS_ADMIN;
		struct norm_org_counts *orgs;
		double t0 = now_ms();
		int rc = norm_sector_report(&ctx, year, &orgs, &n, &totals);
		ms[i] = now_ms() - t0;
		if (rc) {
			fprintf(stderr, "points_norm: norm_sector_report: %s\n", campus_err_code(rc));
			return 1;
		}
	}
	if (!ms)
		return 1;
	double first = ms[0];
	qsort(ms, (size_t)runs, sizeof *ms, by_value);
	printf("points_norm: libraries=%zu members=%lld met=%lld on_track=%lld behind=%lld runs=%ld "
	       "first_ms=%.1f median_ms=%.1f min_ms=%.1f\n",
	       n, (long long)totals.members, (long long)totals.met, (long long)totals.on_track,
	       (long long)totals.behind, runs, first, ms[runs / 2], ms[0]);
	free(ms);
	arena_free(a);
	db_close(db);
	return 0;
}
