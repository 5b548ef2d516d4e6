/* The review committee's published criteria: the sector's four (seeded by
 * migration 0005) and whatever campus administrators add. */
#include "domain/review.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/ctx.h"

#define CRITERION_NAME_MAX 120
#define CRITERION_DESCRIPTION_MAX 1000
#define CRITERIA_MAX 20 /* current ones: each reviewer scores them all */

DB_STMT(stmt_crit_all,
        "SELECT id, slug, name, description, retired_at IS NOT NULL FROM review_criteria "
        "ORDER BY retired_at IS NOT NULL, position, id");
DB_STMT(stmt_crit_current_count, "SELECT COUNT(*) FROM review_criteria WHERE retired_at IS NULL");
DB_STMT(stmt_crit_slug_taken, "SELECT COUNT(*) FROM review_criteria WHERE slug = $1");
DB_STMT(stmt_crit_insert,
        "INSERT INTO review_criteria (slug, name, description, position) VALUES ($1, $2, $3, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM review_criteria)) RETURNING id");
DB_STMT(stmt_crit_update, "UPDATE review_criteria SET name = $2, description = $3 WHERE id = $1");
DB_STMT(stmt_crit_retire,
        "UPDATE review_criteria SET retired_at = $2 WHERE id = $1 AND (retired_at IS NULL) = $3");
DB_STMT(stmt_crit_exists, "SELECT COUNT(*) FROM review_criteria WHERE id = $1");

static bool is_admin(const struct ctx *ctx)
{
	return (ctx->actor.flags & ACTOR_SYSTEM) || (ctx->actor.roles & ROLE_CAMPUS_ADMIN);
}

int review_criteria_all(struct ctx *ctx, struct review_criterion_row **out, size_t *n)
{
	struct review_criterion_row cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	int rc = db_query(ctx->db, &stmt_crit_all, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur.id), DBC_TEXT(&cur.slug),
	                                          DBC_TEXT(&cur.name), DBC_TEXT(&cur.description),
	                                          DBC_BOOL(&cur.retired), DBC_END},
	                  ctx->arena, db_rows_collect, &rows);
	*out = rows.data;
	*n = rows.n;
	return rc;
}

static const char *text_problem(const char *name, const char *description)
{
	size_t n = name ? strlen(name) : 0;
	size_t d = description ? strlen(description) : 0;
	while (n && name[n - 1] == ' ')
		n--;
	if (n == 0 || strspn(name, " ") == strlen(name))
		return N_("Geef het criterium een naam.");
	if (n > CRITERION_NAME_MAX || !utf8_valid(name, strlen(name)))
		return N_("De naam is te lang (hoogstens 120 tekens) of bevat ongeldige tekens.");
	if (d == 0 || strspn(description, " \r\n") == d)
		return N_("Beschrijf waar de commissie op let: die tekst staat bij de publicatie van het criterium.");
	if (d > CRITERION_DESCRIPTION_MAX || !utf8_valid(description, d))
		return N_("De beschrijving is te lang (hoogstens 1000 tekens) of bevat ongeldige tekens.");
	return NULL;
}

static int64_t count(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params, int *rc)
{
	int64_t n = 0;
	*rc = db_query_row(ctx->db, stmt, params, (const struct db_col[]){DBC_INT(&n), DBC_END},
	                   ctx->arena);
	return n;
}

struct edit {
	struct ctx *ctx;
	int64_t id;
	const char *name, *description;
	bool retire;
	int64_t *new_id;
	const char *why;
};

static int audit(struct ctx *ctx, const char *action, int64_t id, const char *detail)
{
	char text[24];
	snprintf(text, sizeof text, "%lld", (long long)id);
	return audit_record(ctx, action, "review_criterion", text, "ok", detail ? detail : "");
}

static int add_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct edit *e = cls;
	int rc;
	if (count(e->ctx, &stmt_crit_current_count, (const struct db_param[]){DBP_END}, &rc) >=
	    CRITERIA_MAX) {
		e->why = N_("Er zijn al 20 criteria; trek er eerst een in.");
		return rc ? rc : CAMPUS_ECONFLICT;
	}
	char base[64];
	str_slugify(e->name, base, sizeof base - 4);
	const char *slug = base;
	for (int i = 2; !rc && count(e->ctx, &stmt_crit_slug_taken,
	                             (const struct db_param[]){DBP_TEXT(slug), DBP_END}, &rc) > 0;
	     i++)
		slug = arena_printf(e->ctx->arena, "%s-%d", base, i);
	if (!rc)
		rc = db_query_row(e->ctx->db, &stmt_crit_insert,
		                  (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(e->name),
		                                            DBP_TEXT(e->description), DBP_END},
		                  (const struct db_col[]){DBC_INT(e->new_id), DBC_END}, e->ctx->arena);
	return rc ? rc : audit(e->ctx, "review.criterion.add", *e->new_id, e->name);
}

int review_criterion_add(struct ctx *ctx, const char *name, const char *description, int64_t *id,
                         const char **why)
{
	if (!is_admin(ctx)) {
		*why = N_("Alleen campusbeheerders stellen de criteria vast.");
		return CAMPUS_EFORBIDDEN;
	}
	if ((*why = text_problem(name, description)))
		return CAMPUS_EINVAL;
	struct edit e = {.ctx = ctx, .name = name, .description = description, .new_id = id};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, add_tx, &e);
	*why = e.why;
	return rc;
}

static int update_tx(struct db_conn *db, void *cls)
{
	struct edit *e = cls;
	int64_t changed;
	int rc = db_exec(db, &stmt_crit_update,
	                 (const struct db_param[]){DBP_INT(e->id), DBP_TEXT(e->name),
	                                           DBP_TEXT(e->description), DBP_END},
	                 &changed);
	if (!rc && !changed)
		rc = CAMPUS_ENOTFOUND;
	return rc ? rc : audit(e->ctx, "review.criterion.update", e->id, e->name);
}

int review_criterion_update(struct ctx *ctx, int64_t id, const char *name, const char *description,
                            const char **why)
{
	if (!is_admin(ctx)) {
		*why = N_("Alleen campusbeheerders stellen de criteria vast.");
		return CAMPUS_EFORBIDDEN;
	}
	if ((*why = text_problem(name, description)))
		return CAMPUS_EINVAL;
	struct edit e = {.ctx = ctx, .id = id, .name = name, .description = description};
	return db_tx_run(ctx->db, DB_TX_WRITE, update_tx, &e);
}

static int retire_tx(struct db_conn *db, void *cls)
{
	struct edit *e = cls;
	int rc;
	if (!count(e->ctx, &stmt_crit_exists, (const struct db_param[]){DBP_INT(e->id), DBP_END}, &rc))
		return rc ? rc : CAMPUS_ENOTFOUND;
	if (!e->retire && count(e->ctx, &stmt_crit_current_count, (const struct db_param[]){DBP_END},
	                        &rc) >= CRITERIA_MAX) {
		e->why = N_("Er zijn al 20 criteria; trek er eerst een in.");
		return rc ? rc : CAMPUS_ECONFLICT;
	}
	if (e->retire && count(e->ctx, &stmt_crit_current_count, (const struct db_param[]){DBP_END},
	                       &rc) <= 1) {
		e->why = N_("Er moet ten minste één criterium blijven.");
		return rc ? rc : CAMPUS_ECONFLICT;
	}
	struct db_param when = e->retire ? (struct db_param)DBP_INT(e->ctx->now())
	                                 : (struct db_param)DBP_NULL;
	int64_t changed;
	rc = db_exec(db, &stmt_crit_retire,
	             (const struct db_param[]){DBP_INT(e->id), when, DBP_BOOL(e->retire), DBP_END},
	             &changed);
	if (!rc && !changed)
		return 0; /* already so */
	return rc ? rc
	          : audit(e->ctx, e->retire ? "review.criterion.retire" : "review.criterion.restore",
	                  e->id, NULL);
}

int review_criterion_retire(struct ctx *ctx, int64_t id, bool retire, const char **why)
{
	*why = NULL;
	if (!is_admin(ctx)) {
		*why = N_("Alleen campusbeheerders stellen de criteria vast.");
		return CAMPUS_EFORBIDDEN;
	}
	struct edit e = {.ctx = ctx, .id = id, .retire = retire};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, retire_tx, &e);
	*why = e.why;
	return rc;
}
