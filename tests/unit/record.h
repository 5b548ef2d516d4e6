/* A completion recorded in a write transaction of its own, as a provider's
 * registration records it (progress_record_completion must run inside
 * one): db_tx_run(db, DB_TX_WRITE, record_tx, &args). */
#ifndef CAMPUS_TESTS_RECORD_H
#define CAMPUS_TESTS_RECORD_H

#include "db/db.h"
#include "domain/progress.h"

struct record_args {
	struct ctx *ctx;
	struct completion_in in;
	struct completion_out out;
	const char *why;
};

static inline int record_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct record_args *a = cls;
	return progress_record_completion(a->ctx, &a->in, &a->out, &a->why);
}

#endif
