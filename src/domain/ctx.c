#include "domain/ctx.h"

#include <time.h>

int64_t clock_now_real(void) { return (int64_t)time(NULL); }

void ctx_init_for_request(struct ctx *ctx, struct db_conn *db, struct arena *arena)
{
	ctx->db = db;
	ctx->arena = arena;
	ctx->now = clock_now_real;
}
