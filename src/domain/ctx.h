/* What every domain call gets: the database connection, an arena for results,
 * and the clock (a function, so tests can fix the time). Later issues add the
 * actor (person, organisation, roles). The domain includes no HTTP or SQL
 * driver header: it talks to storage through db/db.h only. */
#ifndef CAMPUS_DOMAIN_CTX_H
#define CAMPUS_DOMAIN_CTX_H

#include <stdint.h>

struct arena;
struct db_conn;

struct ctx {
	struct db_conn *db;
	struct arena *arena;
	int64_t (*now)(void); /* seconds since the epoch, UTC */
};

int64_t clock_now_real(void);
void ctx_init_for_request(struct ctx *ctx, struct db_conn *db, struct arena *arena);

#endif
