#include "domain/settings.h"

#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/ctx.h"

DB_STMT(stmt_setting_get, "SELECT value FROM settings WHERE key = $1");
DB_STMT(stmt_setting_put,
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");

static int valid_color(const char *v)
{
	if (strlen(v) != 7 || v[0] != '#')
		return 0;
	for (int i = 1; i < 7; i++) {
		char c = v[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

static int valid_name(const char *v)
{
	size_t n = strlen(v);
	return n >= 1 && n <= 80 && utf8_valid(v, n);
}

/* A person id, or "" for none; whether that person chairs is checked where it matters. */
static int valid_person_id(const char *v)
{
	int64_t id;
	return v[0] == '\0' || (strlen(v) <= 18 && str_to_int64(v, strlen(v), &id) && id > 0);
}

/* "12", "0.5" or "0,5": at most one decimal, 0..100000 tenths. */
static int parse_tenths(const char *v, int64_t *out)
{
	int64_t whole = 0;
	size_t i = 0;
	if (!v[0])
		return 0;
	for (; v[i] >= '0' && v[i] <= '9'; i++) {
		if (i >= 5)
			return 0;
		whole = whole * 10 + (v[i] - '0');
	}
	if (i == 0)
		return 0;
	int64_t tenth = 0;
	if (v[i] == '.' || v[i] == ',') {
		if (!(v[i + 1] >= '0' && v[i + 1] <= '9') || v[i + 2])
			return 0;
		tenth = v[i + 1] - '0';
	} else if (v[i]) {
		return 0;
	}
	*out = whole * 10 + tenth;
	return *out <= 100000;
}

static int valid_points(const char *v)
{
	int64_t t;
	return parse_tenths(v, &t);
}

static const struct setting_def {
	const char *key;
	const char *fallback;
	int (*valid)(const char *);
} setting_defs[] = {
    {SETTING_BRAND_COLOR, "#00689e", valid_color},
    {SETTING_SECTOR_NAME, "Campus", valid_name},
    {SETTING_REVIEW_CHAIR, "", valid_person_id},
    {SETTING_REVIEW_POINTS_MIN, "0.5", valid_points},
    {SETTING_REVIEW_POINTS_MAX, "100", valid_points},
};

static const struct setting_def *setting_find(const char *key)
{
	for (size_t i = 0; i < sizeof setting_defs / sizeof setting_defs[0]; i++)
		if (strcmp(setting_defs[i].key, key) == 0)
			return &setting_defs[i];
	return NULL;
}

int settings_validate(const char *key, const char *value)
{
	const struct setting_def *def = setting_find(key);
	if (!def || !value || !def->valid(value))
		return CAMPUS_EINVAL;
	return 0;
}

int settings_get(struct ctx *ctx, const char *key, const char **value)
{
	const struct setting_def *def = setting_find(key);
	if (!def)
		return CAMPUS_EINVAL;
	char *stored = NULL;
	struct db_param params[] = {DBP_TEXT(key), DBP_END};
	struct db_col cols[] = {DBC_TEXT(&stored), DBC_END};
	int rc = db_query_row(ctx->db, &stmt_setting_get, params, cols, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) {
		*value = def->fallback;
		return 0;
	}
	if (rc)
		return rc;
	/* A value that no longer validates (a rule tightened) falls back to the default. */
	*value = def->valid(stored) ? stored : def->fallback;
	return 0;
}

struct put_args {
	struct ctx *ctx;
	const char *key;
	const char *value;
};

static int put_tx(struct db_conn *db, void *cls)
{
	struct put_args *a = cls;
	struct db_param params[] = {DBP_TEXT(a->key), DBP_TEXT(a->value), DBP_INT(a->ctx->now()),
	                            DBP_END};
	return db_exec(db, &stmt_setting_put, params, NULL);
}

int settings_set(struct ctx *ctx, const char *key, const char *value)
{
	int rc = settings_validate(key, value);
	if (rc)
		return rc;
	struct put_args a = {ctx, key, value};
	return db_tx_run(ctx->db, DB_TX_WRITE, put_tx, &a);
}

int settings_get_tenths(struct ctx *ctx, const char *key, int64_t *tenths)
{
	const char *v;
	int rc = settings_get(ctx, key, &v);
	if (rc)
		return rc;
	return parse_tenths(v, tenths) ? 0 : CAMPUS_EINVAL;
}
