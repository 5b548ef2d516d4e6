/* The points benchmark's diploma rule, made and changed through the domain
 * (diploma_rule_save, as the /beheer/diplomas pages do); the evaluations it
 * queues are run and timed by bench/points.sh with `campus jobs run`.
 *
 *   points_diploma DB-URL make          a rule of 2 points ("Bench-diploma");
 *                                       prints: points_diploma: rule=ID
 *   points_diploma DB-URL change ID     the same rule at 1.5 points: a new
 *                                       revision, everyone evaluated again */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/diploma.h"

int main(int argc, char **argv)
{
	bool make = argc == 3 && !strcmp(argv[2], "make");
	bool change = argc == 4 && !strcmp(argv[2], "change");
	if (!make && !change) {
		fprintf(stderr, "usage: %s DB-URL make | DB-URL change RULE-ID\n", argv[0]);
		return 2;
	}
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db;
	if (db_open(argv[1], 0, &db, &err) != 0) {
		fprintf(stderr, "points_diploma: %s\n", buf_cstr(&err));
		return 1;
	}
	buf_fini(&err);
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, a);
	struct diploma_rule_in in = {
	    .name = "Bench-diploma",
	    .description = "Een diploma voor de puntenbench: punten uit erkende modules.",
	    .min_points_tenths = make ? 20 : 15,
	    .period_months = 12,
	    .for_kind = "all",
	    .active = true};
	int64_t id = change ? strtoll(argv[3], NULL, 10) : 0, out = 0;
	const char *why = NULL;
	int rc = diploma_rule_save(&ctx, id, &in, &out, &why);
	if (rc) {
		fprintf(stderr, "points_diploma: diploma_rule_save: %s %s\n", campus_err_code(rc),
		        why ? why : "");
		return 1;
	}
	printf("points_diploma: rule=%lld\n", (long long)out);
	arena_free(a);
	db_close(db);
	return 0;
}
