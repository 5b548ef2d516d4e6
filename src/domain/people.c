#include "domain/people.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/ctx.h"
#include "domain/settings.h"

#define EMAIL_MAX 254
#define QUERY_MAX 100
#define PAGE_MAX 200

DB_STMT(stmt_org_by_slug, "SELECT id, slug, name, kind, place, province, brand_color, "
                          "logo IS NOT NULL FROM organisations WHERE slug = $1");
DB_STMT(stmt_org_by_id, "SELECT id, slug, name, kind, place, province, brand_color, "
                        "logo IS NOT NULL FROM organisations WHERE id = $1");
DB_STMT(stmt_person_by_id,
        "SELECT id, email, name, lang, password_hash IS NOT NULL, totp_enabled FROM people WHERE id = $1");
DB_STMT(stmt_person_update_profile,
        "UPDATE people SET name = $2, lang = $3, updated_at = $4 WHERE id = $1");
DB_STMT(stmt_person_memberships,
        "SELECT o.id, o.slug, o.name, o.kind, m.kind, m.roles FROM memberships m "
        "JOIN organisations o ON o.id = m.org_id "
        "WHERE m.person_id = $1 AND m.ended_at IS NULL "
        "ORDER BY CASE o.kind WHEN 'campus' THEN 0 ELSE 1 END, o.name");
/* $2: a lower-cased LIKE pattern or NULL; $3 kind or NULL; $4 role bit or 0. */
#define MEMBER_WHERE                                                                        \
	"WHERE m.org_id = $1 AND m.ended_at IS NULL "                                        \
	"AND (CAST($2 AS TEXT) IS NULL OR lower(p.name) LIKE $2 ESCAPE '\\' OR p.email LIKE $2 ESCAPE '\\') " \
	"AND (CAST($3 AS TEXT) IS NULL OR m.kind = $3) AND ($4 = 0 OR (m.roles & $4) <> 0) "
DB_STMT(stmt_org_members,
        "SELECT p.id, p.name, p.email, m.kind, m.roles, m.started_at FROM memberships m "
        "JOIN people p ON p.id = m.person_id " MEMBER_WHERE "ORDER BY p.name, p.id LIMIT $5 OFFSET $6");
DB_STMT(stmt_org_members_count,
        "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id " MEMBER_WHERE);
/* Substring search through a trigram index: FTS5 on SQLite, pg_trgm on
 * PostgreSQL (migrations 0003). $1 is "%<query>%", lower-case. */
/* The page of people is chosen first; memberships are counted for those 50 only. */
#define PERSON_PAGE(where)                                                                   \
	"SELECT p.id, p.name, p.email, (SELECT COUNT(*) FROM memberships m "                  \
	"WHERE m.person_id = p.id AND m.ended_at IS NULL), p.totp_enabled "                   \
	"FROM (SELECT id, name, email, totp_enabled "                                          \
	"FROM people " where " ORDER BY name, id LIMIT $2 OFFSET $3) p ORDER BY p.name, p.id"
DB_STMT2(stmt_person_search,
         PERSON_PAGE("WHERE lower(name || ' ' || email) LIKE $1"),
         PERSON_PAGE("WHERE id IN (SELECT rowid FROM people_search WHERE text LIKE $1)"));
DB_STMT2(stmt_person_search_count,
         "SELECT COUNT(*) FROM people p WHERE lower(p.name || ' ' || p.email) LIKE $1",
         "SELECT COUNT(*) FROM people_search WHERE text LIKE $1");
DB_STMT(stmt_person_all, PERSON_PAGE("WHERE CAST($1 AS TEXT) IS NULL"));
DB_STMT(stmt_person_all_count, "SELECT COUNT(*) FROM people");
DB_STMT(stmt_org_search,
        "SELECT id, slug, name, kind, place, province, brand_color, logo IS NOT NULL "
        "FROM organisations WHERE (CAST($1 AS TEXT) IS NULL OR lower(name) LIKE $1 ESCAPE '\\' OR lower(place) LIKE $1 ESCAPE '\\' "
        "OR slug LIKE $1 ESCAPE '\\') ORDER BY CASE kind WHEN 'campus' THEN 0 WHEN 'poi' THEN 1 "
        "WHEN 'provider' THEN 2 ELSE 3 END, name LIMIT $2 OFFSET $3");
DB_STMT(stmt_org_search_count,
        "SELECT COUNT(*) FROM organisations WHERE (CAST($1 AS TEXT) IS NULL OR lower(name) LIKE $1 ESCAPE '\\' "
        "OR lower(place) LIKE $1 ESCAPE '\\' OR slug LIKE $1 ESCAPE '\\')");

static char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

const char *email_normalise(struct ctx *ctx, const char *email)
{
	if (!email)
		return NULL;
	while (*email == ' ' || *email == '\t')
		email++;
	size_t n = strlen(email);
	while (n && (email[n - 1] == ' ' || email[n - 1] == '\t'))
		n--;
	if (n < 3 || n > EMAIL_MAX || !utf8_valid(email, n))
		return NULL;
	char *out = arena_strndup(ctx->arena, email, n);
	if (!out)
		return NULL;
	const char *at = NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == ',' || c == ';')
			return NULL;
		if (c == '@') {
			if (at)
				return NULL;
			at = out + i;
		}
		out[i] = ascii_lower(out[i]);
	}
	if (!at || at == out || at[1] == '\0' || !strchr(at, '.'))
		return NULL;
	return out;
}


static int org_row(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params,
                   struct org *out)
{
	bool no_color;
	struct db_col cols[] = {DBC_INT(&out->id),         DBC_TEXT(&out->slug),
	                        DBC_TEXT(&out->name),      DBC_TEXT(&out->kind),
	                        DBC_TEXT(&out->place),     DBC_TEXT(&out->province),
	                        DBC_TEXT_OPT(&out->brand_color, &no_color),
	                        DBC_BOOL(&out->has_logo), DBC_END};
	return db_query_row(ctx->db, stmt, params, cols, ctx->arena);
}

int org_get_by_slug(struct ctx *ctx, const char *slug, struct org *out)
{
	return org_row(ctx, &stmt_org_by_slug, (const struct db_param[]){DBP_TEXT(slug), DBP_END}, out);
}

int org_get(struct ctx *ctx, int64_t id, struct org *out)
{
	return org_row(ctx, &stmt_org_by_id, (const struct db_param[]){DBP_INT(id), DBP_END}, out);
}

int person_get(struct ctx *ctx, int64_t id, struct person *out)
{
	struct db_col cols[] = {DBC_INT(&out->id),   DBC_TEXT(&out->email),
	                        DBC_TEXT(&out->name), DBC_TEXT(&out->lang),
	                        DBC_BOOL(&out->has_password), DBC_BOOL(&out->totp_enabled), DBC_END};
	return db_query_row(ctx->db, &stmt_person_by_id, (const struct db_param[]){DBP_INT(id), DBP_END},
	                    cols, ctx->arena);
}

#define NAME_MAX_BYTES 120

struct profile_args {
	struct ctx *ctx;
	const char *name, *lang;
};

static int profile_tx(struct db_conn *db, void *cls)
{
	struct profile_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t changes = 0;
	int rc = db_exec(db, &stmt_person_update_profile,
	                 (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_TEXT(a->name),
	                                           DBP_TEXT(a->lang), DBP_INT(ctx->now()), DBP_END},
	                 &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_ENOTFOUND;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)ctx->actor.person_id);
	if (!rc)
		rc = audit_record(ctx, "person.update", "person", id, "ok", "name, language");
	return rc;
}

int person_update_profile(struct ctx *ctx, const char *name, const char *lang, const char **why)
{
	*why = NULL;
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	while (name && *name == ' ')
		name++;
	size_t n = name ? strlen(name) : 0;
	while (n && name[n - 1] == ' ')
		n--;
	if (n == 0)
		*why = N_("Vul uw naam in.");
	else if (n > NAME_MAX_BYTES || !utf8_valid(name, n))
		*why = N_("De naam is te lang of bevat tekens die wij niet kunnen lezen.");
	else if (!lang || (strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0))
		*why = N_("Kies Nederlands of English.");
	if (*why)
		return CAMPUS_EINVAL;
	struct profile_args a = {ctx, arena_strndup(ctx->arena, name, n), lang};
	if (!a.name)
		return CAMPUS_ENOMEM;
	return db_tx_run(ctx->db, DB_TX_WRITE, profile_tx, &a);
}

struct membership_scan {
	struct db_rows rows;
	struct membership cur;
	int64_t roles;
};

static int membership_row(void *cls)
{
	struct membership_scan *s = cls;
	struct membership *m = db_rows_push(&s->rows);
	if (!m)
		return CAMPUS_ENOMEM;
	*m = s->cur;
	m->roles = (unsigned)s->roles & ROLE_ALL;
	return 0;
}

int person_memberships(struct ctx *ctx, int64_t person_id, struct membership **out, size_t *n)
{
	struct membership_scan s = {.rows = {.arena = ctx->arena, .size = sizeof(struct membership)}};
	struct db_col cols[] = {DBC_INT(&s.cur.org_id), DBC_TEXT(&s.cur.org_slug),
	                        DBC_TEXT(&s.cur.org_name), DBC_TEXT(&s.cur.org_kind),
	                        DBC_TEXT(&s.cur.kind), DBC_INT(&s.roles), DBC_END};
	int rc = db_query(ctx->db, &stmt_person_memberships,
	                  (const struct db_param[]){DBP_INT(person_id), DBP_END}, cols, ctx->arena,
	                  membership_row, &s);
	*out = s.rows.data;
	*n = s.rows.n;
	return rc;
}

struct member_scan {
	struct db_rows rows;
	struct member_row cur;
	int64_t roles;
};

static int member_row_cb(void *cls)
{
	struct member_scan *s = cls;
	struct member_row *m = db_rows_push(&s->rows);
	if (!m)
		return CAMPUS_ENOMEM;
	*m = s->cur;
	m->roles = (unsigned)s->roles & ROLE_ALL;
	return 0;
}

static bool valid_kind(const char *kind)
{
	return !strcmp(kind, "employee") || !strcmp(kind, "volunteer") || !strcmp(kind, "external");
}

int org_members(struct ctx *ctx, int64_t org_id, const struct member_filter *f,
                struct member_row **rows, size_t *n, int64_t *total)
{
	int rc;
	const char *pattern = db_like_pattern(ctx->arena, f->query, QUERY_MAX, &rc);
	if (rc)
		return rc;
	if ((f->kind && !valid_kind(f->kind)) || (f->role & ~ROLE_ALL) ||
	    (f->role & (f->role - 1)) || f->limit == 0 || f->limit > PAGE_MAX)
		return CAMPUS_EINVAL;
	struct db_param params[] = {DBP_INT(org_id),   DBP_TEXT(pattern),  DBP_TEXT(f->kind),
	                            DBP_INT(f->role),  DBP_INT(f->limit),  DBP_INT(f->offset),
	                            DBP_END};
	struct member_scan s = {.rows = {.arena = ctx->arena, .size = sizeof(struct member_row)}};
	struct db_col cols[] = {DBC_INT(&s.cur.person_id), DBC_TEXT(&s.cur.name),
	                        DBC_TEXT(&s.cur.email),    DBC_TEXT(&s.cur.kind),
	                        DBC_INT(&s.roles),         DBC_INT(&s.cur.started_at), DBC_END};
	rc = db_query(ctx->db, &stmt_org_members, params, cols, ctx->arena, member_row_cb, &s);
	if (rc)
		return rc;
	*rows = s.rows.data;
	*n = s.rows.n;
	params[4] = (struct db_param)DBP_END; /* the count takes $1..$4 */
	return db_query_row(ctx->db, &stmt_org_members_count, params,
	                    (const struct db_col[]){DBC_INT(total), DBC_END}, ctx->arena);
}

/* "%<query>%" lower-cased; LIKE's own wildcards in the query become spaces,
 * which the trigram indexes handle better than escapes. NULL: no query. */
static const char *search_pattern(struct ctx *ctx, const char *query, int *rc)
{
	const char *p = db_like_pattern(ctx->arena, query, QUERY_MAX, rc);
	if (!p)
		return NULL;
	char *out = arena_alloc(ctx->arena, strlen(p) + 1);
	if (!out) {
		*rc = CAMPUS_ENOMEM;
		return NULL;
	}
	size_t n = 0;
	out[n++] = '%';
	for (const char *c = p + 1; c[1]; c++) {
		if (*c == '\\')
			c++; /* like_pattern's escape: take the escaped character */
		out[n++] = (*c == '%' || *c == '_') ? ' ' : *c;
	}
	out[n++] = '%';
	out[n] = '\0';
	return out;
}

int person_search(struct ctx *ctx, const char *query, unsigned offset, unsigned limit,
                  struct person_row **rows, size_t *n, int64_t *total)
{
	int rc;
	const char *pattern = search_pattern(ctx, query, &rc);
	if (rc)
		return rc;
	if (pattern && strlen(pattern) < PERSON_QUERY_MIN + 2)
		return CAMPUS_EINVAL;
	if (limit == 0 || limit > PAGE_MAX)
		return CAMPUS_EINVAL;
	struct person_row cur;
	struct db_rows found = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	struct db_col cols[] = {DBC_INT(&cur.id), DBC_TEXT(&cur.name), DBC_TEXT(&cur.email),
	                        DBC_INT(&cur.memberships), DBC_BOOL(&cur.totp_enabled), DBC_END};
	if (pattern)
		rc = db_query(ctx->db, &stmt_person_search,
		              (const struct db_param[]){DBP_TEXT(pattern), DBP_INT(limit), DBP_INT(offset),
		                                        DBP_END},
		              cols, ctx->arena, db_rows_collect, &found);
	else
		rc = db_query(ctx->db, &stmt_person_all,
		              (const struct db_param[]){DBP_NULL, DBP_INT(limit), DBP_INT(offset), DBP_END},
		              cols, ctx->arena, db_rows_collect, &found);
	if (rc)
		return rc;
	*rows = found.data;
	*n = found.n;
	struct db_col count[] = {DBC_INT(total), DBC_END};
	if (!pattern)
		return db_query_row(ctx->db, &stmt_person_all_count, (const struct db_param[]){DBP_END},
		                    count, ctx->arena);
	return db_query_row(ctx->db, &stmt_person_search_count,
	                    (const struct db_param[]){DBP_TEXT(pattern), DBP_END}, count, ctx->arena);
}

int org_search(struct ctx *ctx, const char *query, unsigned offset, unsigned limit,
               struct org **rows, size_t *n, int64_t *total)
{
	int rc;
	const char *pattern = db_like_pattern(ctx->arena, query, QUERY_MAX, &rc);
	if (rc)
		return rc;
	if (limit == 0 || limit > PAGE_MAX)
		return CAMPUS_EINVAL;
	struct org cur;
	struct db_rows found = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	bool no_color;
	struct db_col cols[] = {DBC_INT(&cur.id),       DBC_TEXT(&cur.slug),
	                        DBC_TEXT(&cur.name),    DBC_TEXT(&cur.kind),
	                        DBC_TEXT(&cur.place),   DBC_TEXT(&cur.province),
	                        DBC_TEXT_OPT(&cur.brand_color, &no_color),
	                        DBC_BOOL(&cur.has_logo), DBC_END};
	rc = db_query(ctx->db, &stmt_org_search,
	              (const struct db_param[]){DBP_TEXT(pattern), DBP_INT(limit), DBP_INT(offset), DBP_END},
	              cols, ctx->arena, db_rows_collect, &found);
	if (rc)
		return rc;
	*rows = found.data;
	*n = found.n;
	return db_query_row(ctx->db, &stmt_org_search_count,
	                    (const struct db_param[]){DBP_TEXT(pattern), DBP_END},
	                    (const struct db_col[]){DBC_INT(total), DBC_END}, ctx->arena);
}

const char *membership_kind_label(const char *kind)
{
	if (!strcmp(kind, "employee"))
		return N_("medewerker");
	if (!strcmp(kind, "volunteer"))
		return N_("vrijwilliger");
	return N_("extern");
}

const char *role_label(unsigned role_bit)
{
	switch (role_bit) {
	case ROLE_LEARNER: return N_("lerende");
	case ROLE_MANAGER: return N_("manager (HR/L&D)");
	case ROLE_PROVIDER_ADMIN: return N_("opleidingsaanbieder");
	case ROLE_TEACHER: return N_("docent");
	case ROLE_COMMITTEE: return N_("lid toetsingscommissie");
	case ROLE_CAMPUS_ADMIN: return N_("campusbeheerder");
	default: return "";
	}
}

/* ---- administration ------------------------------------------------------------ */

DB_STMT(stmt_org_insert,
        "INSERT INTO organisations (slug, name, kind, place, province, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id");
DB_STMT(stmt_person_insert,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id");
DB_STMT(stmt_person_by_email,
        "SELECT id, email, name, lang, password_hash IS NOT NULL, totp_enabled FROM people WHERE email = $1");
DB_STMT(stmt_membership_upsert,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (person_id, org_id) DO UPDATE SET kind = excluded.kind, roles = excluded.roles, "
        "ended_at = NULL");
DB_STMT(stmt_person_password, "UPDATE people SET password_hash = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_person_sessions_end, "DELETE FROM sessions WHERE person_id = $1");

static bool valid_text(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 1 && n <= max && utf8_valid(s, n);
}

static bool valid_slug(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 60 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static const char *id_text(struct ctx *ctx, int64_t id)
{
	const char *s = arena_printf(ctx->arena, "%lld", (long long)id);
	return s ? s : "";
}

struct org_create_args {
	struct ctx *ctx;
	const struct org *in;
	int64_t *id;
};

static int org_create_tx(struct db_conn *db, void *cls)
{
	struct org_create_args *a = cls;
	const struct org *o = a->in;
	int rc = db_query_row(db, &stmt_org_insert,
	                      (const struct db_param[]){DBP_TEXT(o->slug), DBP_TEXT(o->name),
	                                                DBP_TEXT(o->kind), DBP_TEXT(o->place ? o->place : ""),
	                                                DBP_TEXT(o->province ? o->province : ""),
	                                                DBP_INT(a->ctx->now()), DBP_END},
	                      (const struct db_col[]){DBC_INT(a->id), DBC_END}, a->ctx->arena);
	if (!rc)
		rc = audit_record(a->ctx, "organisation.create", "organisation", id_text(a->ctx, *a->id),
		                  "ok", o->slug);
	return rc;
}

int org_create(struct ctx *ctx, const struct org *in, int64_t *id)
{
	if (!valid_slug(in->slug) || !valid_text(in->name, 120) || !in->kind ||
	    (strcmp(in->kind, "campus") && strcmp(in->kind, "library") && strcmp(in->kind, "poi") &&
	     strcmp(in->kind, "provider")) ||
	    (in->place && *in->place && !valid_text(in->place, 80)) ||
	    (in->province && *in->province && !valid_text(in->province, 40)))
		return CAMPUS_EINVAL;
	struct org_create_args a = {ctx, in, id};
	return db_tx_run(ctx->db, DB_TX_WRITE, org_create_tx, &a);
}

struct person_create_args {
	struct ctx *ctx;
	const char *email, *name;
	int64_t *id;
};

static int person_create_tx(struct db_conn *db, void *cls)
{
	struct person_create_args *a = cls;
	int rc = db_query_row(db, &stmt_person_insert,
	                      (const struct db_param[]){DBP_TEXT(a->email), DBP_TEXT(a->name),
	                                                DBP_INT(a->ctx->now()), DBP_END},
	                      (const struct db_col[]){DBC_INT(a->id), DBC_END}, a->ctx->arena);
	if (!rc)
		rc = audit_record(a->ctx, "person.create", "person", id_text(a->ctx, *a->id), "ok", "");
	return rc;
}

int person_create(struct ctx *ctx, const char *email, const char *name, int64_t *id)
{
	const char *normal = email_normalise(ctx, email);
	if (!normal || !valid_text(name, NAME_MAX_BYTES))
		return CAMPUS_EINVAL;
	struct person_create_args a = {ctx, normal, name, id};
	return db_tx_run(ctx->db, DB_TX_WRITE, person_create_tx, &a);
}

int person_find_by_email(struct ctx *ctx, const char *email, struct person *out)
{
	const char *normal = email_normalise(ctx, email);
	if (!normal)
		return CAMPUS_EINVAL;
	struct db_col cols[] = {DBC_INT(&out->id),   DBC_TEXT(&out->email),
	                        DBC_TEXT(&out->name), DBC_TEXT(&out->lang),
	                        DBC_BOOL(&out->has_password), DBC_BOOL(&out->totp_enabled), DBC_END};
	return db_query_row(ctx->db, &stmt_person_by_email,
	                    (const struct db_param[]){DBP_TEXT(normal), DBP_END}, cols, ctx->arena);
}

struct membership_args {
	struct ctx *ctx;
	int64_t person_id, org_id;
	const char *kind;
	unsigned roles;
};

static int membership_tx(struct db_conn *db, void *cls)
{
	struct membership_args *a = cls;
	int rc = db_exec(db, &stmt_membership_upsert,
	                 (const struct db_param[]){DBP_INT(a->person_id), DBP_INT(a->org_id),
	                                           DBP_TEXT(a->kind), DBP_INT(a->roles),
	                                           DBP_INT(a->ctx->now()), DBP_END},
	                 NULL);
	/* Roles change what a session may do: the person logs in again. */
	if (!rc)
		rc = db_exec(db, &stmt_person_sessions_end,
		             (const struct db_param[]){DBP_INT(a->person_id), DBP_END}, NULL);
	const char *detail = arena_printf(a->ctx->arena, "organisation %lld, %s, roles %u",
	                                  (long long)a->org_id, a->kind, a->roles);
	if (!rc)
		rc = audit_record(a->ctx, "membership.roles", "person", id_text(a->ctx, a->person_id), "ok",
		                  detail ? detail : "");
	return rc;
}

int membership_set(struct ctx *ctx, int64_t person_id, int64_t org_id, const char *kind,
                   unsigned roles)
{
	if (!kind || !valid_kind(kind) || roles == 0 || (roles & ~ROLE_ALL))
		return CAMPUS_EINVAL;
	struct membership_args a = {ctx, person_id, org_id, kind, roles};
	return db_tx_run(ctx->db, DB_TX_WRITE, membership_tx, &a);
}

struct password_set_args {
	struct ctx *ctx;
	int64_t person_id;
	const char *hash;
};

static int password_set_tx(struct db_conn *db, void *cls)
{
	struct password_set_args *a = cls;
	int64_t changes = 0;
	int rc = db_exec(db, &stmt_person_password,
	                 (const struct db_param[]){DBP_INT(a->person_id), DBP_TEXT(a->hash),
	                                           DBP_INT(a->ctx->now()), DBP_END},
	                 &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_ENOTFOUND;
	if (!rc)
		rc = db_exec(db, &stmt_person_sessions_end,
		             (const struct db_param[]){DBP_INT(a->person_id), DBP_END}, NULL);
	if (!rc)
		rc = audit_record(a->ctx, "person.password", "person", id_text(a->ctx, a->person_id), "ok",
		                  "set by an administrator");
	return rc;
}

int person_set_password_hash(struct ctx *ctx, int64_t person_id, const char *hash)
{
	struct password_set_args a = {ctx, person_id, hash};
	return db_tx_run(ctx->db, DB_TX_WRITE, password_set_tx, &a);
}

int roles_parse(const char *list, unsigned *roles)
{
	static const struct {
		const char *en, *nl;
		unsigned bit;
	} names[] = {
	    {"learner", "lerende", ROLE_LEARNER},         {"manager", "manager", ROLE_MANAGER},
	    {"provider_admin", "aanbieder", ROLE_PROVIDER_ADMIN}, {"teacher", "docent", ROLE_TEACHER},
	    {"committee", "commissie", ROLE_COMMITTEE},   {"campus_admin", "beheerder", ROLE_CAMPUS_ADMIN},
	};
	*roles = 0;
	const char *p = list;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		size_t k = 0;
		for (; k < sizeof names / sizeof names[0]; k++)
			if ((strlen(names[k].en) == n && !strncmp(p, names[k].en, n)) ||
			    (strlen(names[k].nl) == n && !strncmp(p, names[k].nl, n)))
				break;
		if (k == sizeof names / sizeof names[0])
			return CAMPUS_EINVAL;
		*roles |= names[k].bit;
		p = end ? end + 1 : NULL;
	}
	return *roles ? 0 : CAMPUS_EINVAL;
}

/* ---- a manager's work on the members ------------------------------------------ */

DB_STMT(stmt_member_get,
        "SELECT p.id, p.name, p.email, m.kind, m.roles, m.started_at FROM memberships m "
        "JOIN people p ON p.id = m.person_id "
        "WHERE m.org_id = $1 AND m.person_id = $2 AND m.ended_at IS NULL");
DB_STMT(stmt_member_update,
        "UPDATE memberships SET kind = $3, roles = $4 "
        "WHERE org_id = $1 AND person_id = $2 AND ended_at IS NULL");
DB_STMT(stmt_member_end,
        "UPDATE memberships SET ended_at = $3 WHERE org_id = $1 AND person_id = $2 AND ended_at IS NULL");
DB_STMT(stmt_member_sessions_end, "DELETE FROM sessions WHERE person_id = $1 AND org_id = $2");

int member_get(struct ctx *ctx, int64_t org_id, int64_t person_id, struct member_row *out)
{
	int64_t roles;
	struct db_col cols[] = {DBC_INT(&out->person_id), DBC_TEXT(&out->name), DBC_TEXT(&out->email),
	                        DBC_TEXT(&out->kind),     DBC_INT(&roles),      DBC_INT(&out->started_at),
	                        DBC_END};
	int rc = db_query_row(ctx->db, &stmt_member_get,
	                      (const struct db_param[]){DBP_INT(org_id), DBP_INT(person_id), DBP_END}, cols,
	                      ctx->arena);
	if (!rc)
		out->roles = (unsigned)roles & ROLE_ALL;
	return rc;
}

static bool may_grant(const struct ctx *ctx, unsigned roles)
{
	if (ctx->actor.flags & ACTOR_SYSTEM || ctx->actor.roles & ROLE_CAMPUS_ADMIN)
		return true;
	return (roles & ~ROLES_MANAGER_GRANTS) == 0;
}

static const char *grant_check(const struct ctx *ctx, int64_t person_id, const char *kind,
                               unsigned roles, int *rc)
{
	*rc = CAMPUS_EINVAL;
	if (!kind || !valid_kind(kind))
		return N_("Kies medewerker, vrijwilliger of extern.");
	if (roles == 0 || (roles & ~ROLE_ALL))
		return N_("Kies minstens een rol.");
	*rc = CAMPUS_EFORBIDDEN;
	if (!may_grant(ctx, roles))
		return N_("Deze rol kan alleen een campusbeheerder toekennen.");
	if (person_id && person_id == ctx->actor.person_id)
		return N_("Uw eigen lidmaatschap kunt u hier niet wijzigen; vraag een andere manager.");
	*rc = 0;
	return NULL;
}

struct member_args {
	struct ctx *ctx;
	int64_t org_id, person_id;
	const char *email, *name, *kind;
	unsigned roles;
	bool created;
	const char *action;
};

static int member_add_tx(struct db_conn *db, void *cls)
{
	struct member_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct person p;
	int rc = db_query_row(db, &stmt_person_by_email, (const struct db_param[]){DBP_TEXT(a->email), DBP_END},
	                      (const struct db_col[]){DBC_INT(&p.id), DBC_TEXT(&p.email), DBC_TEXT(&p.name),
	                                              DBC_TEXT(&p.lang), DBC_BOOL(&p.has_password),
	                                              DBC_BOOL(&p.totp_enabled), DBC_END},
	                      ctx->arena);
	a->created = rc == CAMPUS_ENOTFOUND;
	if (a->created) {
		rc = db_query_row(db, &stmt_person_insert,
		                  (const struct db_param[]){DBP_TEXT(a->email), DBP_TEXT(a->name),
		                                            DBP_INT(ctx->now()), DBP_END},
		                  (const struct db_col[]){DBC_INT(&p.id), DBC_END}, ctx->arena);
		if (!rc)
			rc = audit_record(ctx, "person.create", "person", id_text(ctx, p.id), "ok", "");
	}
	if (rc)
		return rc;
	a->person_id = p.id;
	struct member_row existing;
	rc = member_get(ctx, a->org_id, p.id, &existing);
	if (rc == 0)
		return CAMPUS_ECONFLICT;
	if (rc != CAMPUS_ENOTFOUND)
		return rc;
	rc = db_exec(db, &stmt_membership_upsert,
	             (const struct db_param[]){DBP_INT(p.id), DBP_INT(a->org_id), DBP_TEXT(a->kind),
	                                       DBP_INT(a->roles), DBP_INT(ctx->now()), DBP_END},
	             NULL);
	const char *detail = arena_printf(ctx->arena, "organisation %lld, %s, roles %u",
	                                  (long long)a->org_id, a->kind, a->roles);
	if (!rc)
		rc = audit_record(ctx, "membership.add", "person", id_text(ctx, p.id), "ok", detail ? detail : "");
	return rc;
}

int member_add(struct ctx *ctx, int64_t org_id, const char *email, const char *name,
               const char *kind, unsigned roles, int64_t *person_id, bool *created,
               const char **why)
{
	int rc;
	*why = grant_check(ctx, 0, kind, roles, &rc);
	if (rc)
		return rc;
	const char *normal = email_normalise(ctx, email);
	if (!normal) {
		*why = N_("Vul een geldig e-mailadres in.");
		return CAMPUS_EINVAL;
	}
	while (name && *name == ' ')
		name++;
	if (!valid_text(name, NAME_MAX_BYTES)) {
		*why = N_("Vul de naam in (hoogstens 120 tekens).");
		return CAMPUS_EINVAL;
	}
	struct member_args a = {.ctx = ctx, .org_id = org_id, .email = normal, .name = name,
	                        .kind = kind, .roles = roles};
	rc = db_tx_run(ctx->db, DB_TX_WRITE, member_add_tx, &a);
	if (rc == CAMPUS_ECONFLICT)
		*why = N_("Deze persoon is al lid van uw organisatie.");
	if (!rc) {
		*person_id = a.person_id;
		*created = a.created;
	}
	return rc;
}

static int member_change_tx(struct db_conn *db, void *cls)
{
	struct member_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t changes = 0;
	int rc = db_exec(db, &stmt_member_update,
	                 (const struct db_param[]){DBP_INT(a->org_id), DBP_INT(a->person_id),
	                                           DBP_TEXT(a->kind), DBP_INT(a->roles), DBP_END},
	                 &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_ENOTFOUND;
	/* Their sessions in this organisation carry the old roles' meaning: end them. */
	if (!rc)
		rc = db_exec(db, &stmt_member_sessions_end,
		             (const struct db_param[]){DBP_INT(a->person_id), DBP_INT(a->org_id), DBP_END}, NULL);
	const char *detail = arena_printf(ctx->arena, "organisation %lld, %s, roles %u",
	                                  (long long)a->org_id, a->kind, a->roles);
	if (!rc)
		rc = audit_record(ctx, "membership.roles", "person", id_text(ctx, a->person_id), "ok",
		                  detail ? detail : "");
	return rc;
}

int member_change(struct ctx *ctx, int64_t org_id, int64_t person_id, const char *kind,
                  unsigned roles, const char **why)
{
	int rc;
	*why = grant_check(ctx, person_id, kind, roles, &rc);
	if (rc)
		return rc;
	struct member_args a = {.ctx = ctx, .org_id = org_id, .person_id = person_id, .kind = kind,
	                        .roles = roles};
	return db_tx_run(ctx->db, DB_TX_WRITE, member_change_tx, &a);
}

static int member_end_tx(struct db_conn *db, void *cls)
{
	struct member_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t changes = 0;
	int rc = db_exec(db, &stmt_member_end,
	                 (const struct db_param[]){DBP_INT(a->org_id), DBP_INT(a->person_id),
	                                           DBP_INT(ctx->now()), DBP_END},
	                 &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_ENOTFOUND;
	if (!rc)
		rc = db_exec(db, &stmt_member_sessions_end,
		             (const struct db_param[]){DBP_INT(a->person_id), DBP_INT(a->org_id), DBP_END}, NULL);
	const char *detail = arena_printf(ctx->arena, "organisation %lld", (long long)a->org_id);
	if (!rc)
		rc = audit_record(ctx, "membership.end", "person", id_text(ctx, a->person_id), "ok",
		                  detail ? detail : "");
	return rc;
}

int member_end(struct ctx *ctx, int64_t org_id, int64_t person_id, const char **why)
{
	*why = NULL;
	if (person_id == ctx->actor.person_id) {
		*why = N_("Uw eigen lidmaatschap kunt u hier niet wijzigen; vraag een andere manager.");
		return CAMPUS_EFORBIDDEN;
	}
	struct member_args a = {.ctx = ctx, .org_id = org_id, .person_id = person_id};
	return db_tx_run(ctx->db, DB_TX_WRITE, member_end_tx, &a);
}

/* ---- branding ------------------------------------------------------------------- */

DB_STMT(stmt_org_branding,
        "UPDATE organisations SET brand_color = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_org_logo_set,
        "UPDATE organisations SET logo = $2, logo_type = $3, updated_at = $4 WHERE id = $1");
DB_STMT(stmt_org_details,
        "UPDATE organisations SET name = $2, place = $3, province = $4, payroll_cents = $5, "
        "updated_at = $6 WHERE id = $1");
DB_STMT(stmt_org_logo_get,
        "SELECT logo, logo_type, updated_at FROM organisations WHERE slug = $1 AND logo IS NOT NULL");
DB_STMT(stmt_org_payroll, "SELECT payroll_cents FROM organisations WHERE id = $1");

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* JPEG: walk the markers to a start-of-frame for the dimensions. */
static bool jpeg_size(const unsigned char *d, size_t len, unsigned *w, unsigned *h)
{
	size_t i = 2;
	while (i + 9 < len) {
		if (d[i] != 0xFF)
			return false;
		unsigned char marker = d[i + 1];
		size_t seglen = (size_t)d[i + 2] << 8 | d[i + 3];
		if (seglen < 2)
			return false;
		if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
			*h = (unsigned)d[i + 5] << 8 | d[i + 6];
			*w = (unsigned)d[i + 7] << 8 | d[i + 8];
			return true;
		}
		i += 2 + seglen;
	}
	return false;
}

const char *logo_sniff(const unsigned char *d, size_t len)
{
	return len > LOGO_MAX_BYTES ? NULL : image_sniff(d, len);
}

const char *image_sniff(const unsigned char *d, size_t len)
{
	unsigned w = 0, h = 0;
	const char *type = NULL;
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
	if (len < 24)
		return NULL;
	if (memcmp(d, png, 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0) {
		w = be32(d + 16);
		h = be32(d + 20);
		type = "image/png";
	} else if (d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF && jpeg_size(d, len, &w, &h)) {
		type = "image/jpeg";
	}
	if (!type || w == 0 || h == 0 || w > LOGO_MAX_PIXELS || h > LOGO_MAX_PIXELS)
		return NULL;
	return type;
}

struct branding_args {
	struct ctx *ctx;
	int64_t org_id;
	const char *color;
	const unsigned char *logo;
	size_t logo_len;
	const char *logo_type;
};

static int branding_tx(struct db_conn *db, void *cls)
{
	struct branding_args *a = cls;
	int64_t now = a->ctx->now(), changes = 0;
	int rc = db_exec(db, &stmt_org_branding,
	                 (const struct db_param[]){DBP_INT(a->org_id), DBP_TEXT(a->color), DBP_INT(now), DBP_END},
	                 &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_ENOTFOUND;
	if (!rc && a->logo)
		rc = db_exec(db, &stmt_org_logo_set,
		             (const struct db_param[]){DBP_INT(a->org_id), DBP_BLOB(a->logo, a->logo_len),
		                                       DBP_TEXT(a->logo_type), DBP_INT(now), DBP_END},
		             NULL);
	const char *detail = arena_printf(a->ctx->arena, "colour %s%s", a->color ? a->color : "default",
	                                  a->logo ? ", new logo" : "");
	if (!rc)
		rc = audit_record(a->ctx, "organisation.branding", "organisation", id_text(a->ctx, a->org_id),
		                  "ok", detail ? detail : "");
	return rc;
}

int org_set_branding(struct ctx *ctx, int64_t org_id, const char *color,
                     const unsigned char *logo, size_t logo_len, const char **why)
{
	*why = NULL;
	if (color && !*color)
		color = NULL;
	if (color && settings_validate(SETTING_BRAND_COLOR, color) != 0) {
		*why = N_("Een kleur schrijft u als # met zes tekens 0-9 of a-f, bijvoorbeeld #00689e.");
		return CAMPUS_EINVAL;
	}
	const char *type = NULL;
	if (logo && !(type = logo_sniff(logo, logo_len))) {
		*why = N_("Het logo moet een PNG- of JPEG-afbeelding zijn van hoogstens 512 kB en 4000 pixels breed en hoog.");
		return CAMPUS_EINVAL;
	}
	struct branding_args a = {ctx, org_id, color, logo, logo_len, type};
	return db_tx_run(ctx->db, DB_TX_WRITE, branding_tx, &a);
}

struct details_args {
	struct ctx *ctx;
	int64_t org_id, payroll;
	const char *name, *place, *province;
};

static int details_tx(struct db_conn *db, void *cls)
{
	struct details_args *a = cls;
	int64_t changes = 0;
	int rc = db_exec(db, &stmt_org_details,
	                 (const struct db_param[]){DBP_INT(a->org_id), DBP_TEXT(a->name), DBP_TEXT(a->place),
	                                           DBP_TEXT(a->province), DBP_INT(a->payroll),
	                                           DBP_INT(a->ctx->now()), DBP_END},
	                 &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_ENOTFOUND;
	if (!rc)
		rc = audit_record(a->ctx, "organisation.update", "organisation", id_text(a->ctx, a->org_id),
		                  "ok", "name, place, province, payroll");
	return rc;
}

int org_set_details(struct ctx *ctx, int64_t org_id, const char *name, const char *place,
                    const char *province, int64_t payroll_cents, const char **why)
{
	*why = NULL;
	if (!(ctx->actor.flags & ACTOR_SYSTEM) && !(ctx->actor.roles & ROLE_CAMPUS_ADMIN))
		return CAMPUS_EFORBIDDEN;
	if (!valid_text(name, 120))
		*why = N_("Vul de naam in (hoogstens 120 tekens).");
	else if ((place && *place && !valid_text(place, 80)) || (province && *province && !valid_text(province, 40)))
		*why = N_("Plaats of provincie is te lang.");
	else if (payroll_cents < 0 || payroll_cents > (int64_t)1000000000 * 100)
		*why = N_("De loonsom moet tussen 0 en 1 miljard euro liggen.");
	if (*why)
		return CAMPUS_EINVAL;
	struct details_args a = {ctx, org_id, payroll_cents, name, place ? place : "", province ? province : ""};
	return db_tx_run(ctx->db, DB_TX_WRITE, details_tx, &a);
}

int org_logo(struct ctx *ctx, const char *slug, const unsigned char **data, size_t *len,
             const char **type, int64_t *updated_at)
{
	void *blob = NULL;
	char *t = NULL;
	struct db_col cols[] = {DBC_BLOB(&blob, len), DBC_TEXT(&t), DBC_INT(updated_at), DBC_END};
	int rc = db_query_row(ctx->db, &stmt_org_logo_get, (const struct db_param[]){DBP_TEXT(slug), DBP_END},
	                      cols, ctx->arena);
	*data = blob;
	*type = t;
	return rc;
}

int64_t org_payroll(struct ctx *ctx, int64_t org_id)
{
	int64_t cents = 0;
	db_query_row(ctx->db, &stmt_org_payroll, (const struct db_param[]){DBP_INT(org_id), DBP_END},
	             (const struct db_col[]){DBC_INT(&cents), DBC_END}, ctx->arena);
	return cents;
}
