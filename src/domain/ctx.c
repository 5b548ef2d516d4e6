#include "domain/ctx.h"

#include <string.h>
#include <time.h>

int64_t clock_now_real(void) { return (int64_t)time(NULL); }

void ctx_init_for_request(struct ctx *ctx, struct db_conn *db, struct arena *arena)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->db = db;
	ctx->arena = arena;
	ctx->now = clock_now_real;
	ctx->origin = (struct origin){"-", "-"};
}

void ctx_init_system(struct ctx *ctx, struct db_conn *db, struct arena *arena)
{
	ctx_init_for_request(ctx, db, arena);
	ctx->actor.flags = ACTOR_SYSTEM;
	ctx->origin = (struct origin){"-", "campus-cli"};
}
