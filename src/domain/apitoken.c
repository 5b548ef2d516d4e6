#include "domain/apitoken.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/ctx.h"

/* last_used_at is written at most once a minute per token, not per request. */
#define LAST_USED_GRANULARITY 60

static const struct {
	const char *name;
	unsigned bit;
} scope_names[] = {{"modules:read", API_SCOPE_MODULES_READ}, {"modules:write", API_SCOPE_MODULES_WRITE}};

int api_scopes_parse(const char *text, unsigned *scopes)
{
	*scopes = 0;
	const char *p = text ? text : "";
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, " ,");
		if (!n)
			break;
		size_t i = 0;
		while (i < 2 && !(strlen(scope_names[i].name) == n && !strncmp(scope_names[i].name, p, n)))
			i++;
		if (i == 2)
			return CAMPUS_EINVAL;
		*scopes |= scope_names[i].bit;
		p += n;
	}
	return 0;
}

const char *api_scopes_text(unsigned scopes)
{
	switch (scopes & API_SCOPES_ALL) {
	case API_SCOPE_MODULES_READ: return "modules:read";
	case API_SCOPE_MODULES_WRITE: return "modules:write";
	case API_SCOPES_ALL: return "modules:read modules:write";
	}
	return "";
}

DB_STMT(stmt_token_count, "SELECT COUNT(*) FROM api_tokens WHERE org_id = $1 AND revoked_at IS NULL");
DB_STMT(stmt_token_insert,
        "INSERT INTO api_tokens (org_id, name, token_hash, scopes, created_by, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
DB_STMT(stmt_token_revoke,
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL");
DB_STMT(stmt_token_list,
        "SELECT t.id, t.name, t.scopes, t.created_at, COALESCE(t.last_used_at, 0), "
        "COALESCE(p.name, ''), t.revoked_at IS NOT NULL FROM api_tokens t "
        "LEFT JOIN people p ON p.id = t.created_by WHERE t.org_id = $1 "
        "ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC, t.id DESC");
/* The token's organisation must still exist as provider or library. */
DB_STMT(stmt_token_find,
        "SELECT t.id, t.org_id, t.scopes, COALESCE(t.created_by, 0), COALESCE(t.last_used_at, 0) "
        "FROM api_tokens t JOIN organisations o ON o.id = t.org_id "
        "WHERE t.token_hash = $1 AND t.revoked_at IS NULL");
DB_STMT(stmt_token_used, "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1");

static const char *audit_id(struct ctx *ctx, int64_t id)
{
	const char *s = arena_printf(ctx->arena, "%lld", (long long)id);
	return s ? s : "";
}

struct create_args {
	struct ctx *ctx;
	int64_t org_id;
	const char *name;
	unsigned scopes;
	int64_t *id;
	const char *hash_token;
	const unsigned char *hash;
	const char **why;
};

static int create_tx(struct db_conn *db, void *cls)
{
	struct create_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t live;
	int rc = db_query_row(db, &stmt_token_count, (const struct db_param[]){DBP_INT(a->org_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&live), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	if (live >= APITOKEN_PER_ORG_MAX) {
		*a->why = N_("Deze organisatie heeft al 50 API-sleutels; trek er eerst een in.");
		return CAMPUS_EINVAL;
	}
	struct db_param by = ctx->actor.person_id ? (struct db_param)DBP_INT(ctx->actor.person_id)
	                                          : (struct db_param)DBP_NULL;
	rc = db_query_row(db, &stmt_token_insert,
	                  (const struct db_param[]){DBP_INT(a->org_id), DBP_TEXT(a->name),
	                                            DBP_BLOB(a->hash, 32),
	                                            DBP_TEXT(api_scopes_text(a->scopes)), by,
	                                            DBP_INT(ctx->now()), DBP_END},
	                  (const struct db_col[]){DBC_INT(a->id), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	return audit_record(ctx, "api_token.create", "api_token", audit_id(ctx, *a->id), "ok",
	                    api_scopes_text(a->scopes));
}

int apitoken_create(struct ctx *ctx, int64_t org_id, const char *name, unsigned scopes,
                    int64_t *id, const char **token, const char **why)
{
	*why = NULL;
	*token = NULL;
	size_t n = name ? strlen(name) : 0;
	while (n && name[n - 1] == ' ')
		n--;
	while (name && *name == ' ')
		name++, n--;
	if (!name || n == 0)
		*why = N_("Geef de sleutel een naam, bijvoorbeeld het systeem dat hem gebruikt.");
	else if (n > APITOKEN_NAME_MAX || !utf8_valid(name, n))
		*why = N_("De naam is te lang (hoogstens 80 tekens) of bevat ongeldige tekens.");
	else if (!(scopes & API_SCOPES_ALL) || (scopes & ~API_SCOPES_ALL))
		*why = N_("Kies wat de sleutel mag: modules lezen, wijzigen of beide.");
	if (*why)
		return CAMPUS_EINVAL;
	char raw[AUTH_TOKEN_LEN + 1];
	auth_token_new(raw);
	char *full = arena_printf(ctx->arena, APITOKEN_PREFIX "%s", raw);
	unsigned char hash[32];
	if (!full)
		return CAMPUS_ENOMEM;
	auth_token_hash(full, hash);
	struct create_args a = {ctx, org_id, arena_strndup(ctx->arena, name, n), scopes, id, full, hash, why};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, create_tx, &a);
	if (!rc)
		*token = full;
	return rc;
}

struct revoke_args {
	struct ctx *ctx;
	int64_t org_id, id;
};

static int revoke_tx(struct db_conn *db, void *cls)
{
	struct revoke_args *a = cls;
	int64_t changed;
	int rc = db_exec(db, &stmt_token_revoke,
	                 (const struct db_param[]){DBP_INT(a->id), DBP_INT(a->org_id),
	                                           DBP_INT(a->ctx->now()), DBP_END},
	                 &changed);
	if (rc)
		return rc;
	if (!changed)
		return CAMPUS_ENOTFOUND;
	return audit_record(a->ctx, "api_token.revoke", "api_token", audit_id(a->ctx, a->id), "ok", "");
}

int apitoken_revoke(struct ctx *ctx, int64_t org_id, int64_t id)
{
	struct revoke_args a = {ctx, org_id, id};
	return db_tx_run(ctx->db, DB_TX_WRITE, revoke_tx, &a);
}

struct list_state {
	struct db_rows rows;
	struct apitoken_row cur;
	const char *scopes;
};

static int collect(void *cls)
{
	struct list_state *s = cls;
	if (api_scopes_parse(s->scopes, &s->cur.scopes))
		s->cur.scopes = 0;
	return db_rows_collect(&s->rows);
}

int apitoken_list(struct ctx *ctx, int64_t org_id, struct apitoken_row **rows, size_t *n)
{
	struct list_state s = {.rows = {.arena = ctx->arena, .size = sizeof(struct apitoken_row)}};
	s.rows.cur = &s.cur;
	int rc = db_query(ctx->db, &stmt_token_list, (const struct db_param[]){DBP_INT(org_id), DBP_END},
	                  (const struct db_col[]){DBC_INT(&s.cur.id), DBC_TEXT(&s.cur.name),
	                                          DBC_TEXT(&s.scopes), DBC_INT(&s.cur.created_at),
	                                          DBC_INT(&s.cur.last_used_at),
	                                          DBC_TEXT(&s.cur.created_by), DBC_BOOL(&s.cur.revoked),
	                                          DBC_END},
	                  ctx->arena, collect, &s);
	*rows = s.rows.data;
	*n = s.rows.n;
	return rc;
}

int apitoken_authenticate(struct ctx *ctx, const char *token, struct actor *out)
{
	memset(out, 0, sizeof *out);
	size_t prefix = strlen(APITOKEN_PREFIX);
	if (!token || strlen(token) != prefix + AUTH_TOKEN_LEN || strncmp(token, APITOKEN_PREFIX, prefix)) {
		audit_record(ctx, "api.auth", "api_token", "", "failed", "malformed");
		return CAMPUS_EUNAUTH;
	}
	unsigned char hash[32];
	auth_token_hash(token, hash);
	int64_t id, org_id, person, last_used;
	const char *scopes;
	int rc = db_query_row(ctx->db, &stmt_token_find,
	                      (const struct db_param[]){DBP_BLOB(hash, sizeof hash), DBP_END},
	                      (const struct db_col[]){DBC_INT(&id), DBC_INT(&org_id), DBC_TEXT(&scopes),
	                                              DBC_INT(&person), DBC_INT(&last_used), DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) {
		audit_record(ctx, "api.auth", "api_token", "", "failed", "unknown or revoked");
		return CAMPUS_EUNAUTH;
	}
	if (rc)
		return rc;
	unsigned bits;
	if (api_scopes_parse(scopes, &bits))
		bits = 0;
	*out = (struct actor){.person_id = person, .org_id = org_id, .roles = ROLE_PROVIDER_ADMIN,
	                      .flags = ACTOR_API | (bits & API_SCOPE_MODULES_READ ? ACTOR_API_READ : 0) |
	                               (bits & API_SCOPE_MODULES_WRITE ? ACTOR_API_WRITE : 0)};
	int64_t now = ctx->now();
	if (now - last_used >= LAST_USED_GRANULARITY)
		db_exec(ctx->db, &stmt_token_used, (const struct db_param[]){DBP_INT(id), DBP_INT(now), DBP_END},
		        NULL);
	return 0;
}
