#include "domain/budget_read.h"

#include "core/err.h"
#include "db/db.h"
#include "domain/authz.h"
#include "domain/ctx.h"

DB_STMT(stmt_budget_default_get,
        "SELECT amount_cents FROM budget_defaults WHERE org_id = $1 AND year = $2 AND "
        "member_kind = $3");

int budget_default_get(struct ctx *ctx, int64_t org_id, int year, const char *member_kind,
                       int64_t *amount_cents, bool *set)
{
	*amount_cents = 0;
	*set = false;
	int rc = authz_check(&ctx->actor, AZ_ORG_MANAGER, org_id);
	if (rc)
		return rc;
	rc = db_query_row(ctx->db, &stmt_budget_default_get,
	                  (const struct db_param[]){DBP_INT(org_id), DBP_INT(year),
	                                            DBP_TEXT(member_kind), DBP_END},
	                  (const struct db_col[]){DBC_INT(amount_cents), DBC_END}, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return 0;
	if (rc == 0)
		*set = true;
	return rc;
}
