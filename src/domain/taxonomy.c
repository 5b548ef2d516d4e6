#include "domain/taxonomy.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/ctx.h"

#define NAME_MAX_BYTES 120
#define SLUG_MAX 60

const char *const taxonomy_levels[3] = {"uitvoerend", "tactisch", "strategisch"};

const char *taxonomy_level_label(const char *level)
{
	if (!level)
		return NULL;
	if (!strcmp(level, "uitvoerend"))
		return N_("Uitvoerend");
	if (!strcmp(level, "tactisch"))
		return N_("Tactisch");
	if (!strcmp(level, "strategisch"))
		return N_("Strategisch");
	return NULL;
}

const char *taxonomy_kind_label(enum tax_kind kind)
{
	switch (kind) {
	case TAX_DOMAIN: return N_("domein");
	case TAX_ROLE: return N_("rol");
	case TAX_COMPETENCY: return N_("competentie");
	}
	return "";
}

/* ---- statements: one set per level; the parent column differs ---- */

DB_STMT(stmt_tax_all,
        "SELECT 0, d.id, 0, d.slug, d.name, d.position, d.retired_at IS NOT NULL, d.position, 0 "
        "FROM tax_domains d "
        "UNION ALL SELECT 1, r.id, r.domain_id, r.slug, r.name, r.position, "
        "r.retired_at IS NOT NULL OR d.retired_at IS NOT NULL, d.position, 0 "
        "FROM tax_roles r JOIN tax_domains d ON d.id = r.domain_id "
        "UNION ALL SELECT 2, c.id, c.role_id, c.slug, c.name, c.position, "
        "c.retired_at IS NOT NULL OR r.retired_at IS NOT NULL OR d.retired_at IS NOT NULL, "
        "d.position, r.position FROM tax_competencies c JOIN tax_roles r ON r.id = c.role_id "
        "JOIN tax_domains d ON d.id = r.domain_id "
        "ORDER BY 1, 8, 9, 6, 2");

DB_STMT(stmt_domain_get, "SELECT id, 0, slug, name, position, retired_at IS NOT NULL FROM tax_domains WHERE id = $1");
DB_STMT(stmt_role_get, "SELECT id, domain_id, slug, name, position, retired_at IS NOT NULL FROM tax_roles WHERE id = $1");
DB_STMT(stmt_comp_get, "SELECT id, role_id, slug, name, position, retired_at IS NOT NULL FROM tax_competencies WHERE id = $1");

DB_STMT(stmt_slug_taken,
        "SELECT (SELECT COUNT(*) FROM tax_domains WHERE slug = $1) + "
        "(SELECT COUNT(*) FROM tax_roles WHERE slug = $1) + "
        "(SELECT COUNT(*) FROM tax_competencies WHERE slug = $1)");

DB_STMT(stmt_domain_insert,
        "INSERT INTO tax_domains (slug, name, position) VALUES ($1, $2, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM tax_domains)) RETURNING id");
DB_STMT(stmt_role_insert,
        "INSERT INTO tax_roles (domain_id, slug, name, position) VALUES ($3, $1, $2, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM tax_roles WHERE domain_id = $3)) RETURNING id");
DB_STMT(stmt_comp_insert,
        "INSERT INTO tax_competencies (role_id, slug, name, position) VALUES ($3, $1, $2, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM tax_competencies WHERE role_id = $3)) RETURNING id");

DB_STMT(stmt_domain_rename, "UPDATE tax_domains SET name = $2 WHERE id = $1");
DB_STMT(stmt_role_rename, "UPDATE tax_roles SET name = $2 WHERE id = $1");
DB_STMT(stmt_comp_rename, "UPDATE tax_competencies SET name = $2 WHERE id = $1");

DB_STMT(stmt_domain_retire, "UPDATE tax_domains SET retired_at = $2 WHERE id = $1");
DB_STMT(stmt_role_retire, "UPDATE tax_roles SET retired_at = $2 WHERE id = $1");
DB_STMT(stmt_comp_retire, "UPDATE tax_competencies SET retired_at = $2 WHERE id = $1");

DB_STMT(stmt_domain_set_pos, "UPDATE tax_domains SET position = $2 WHERE id = $1");
DB_STMT(stmt_role_set_pos, "UPDATE tax_roles SET position = $2 WHERE id = $1");
DB_STMT(stmt_comp_set_pos, "UPDATE tax_competencies SET position = $2 WHERE id = $1");

/* The neighbour before ($3 = -1) or after ($3 = 1) under the same parent ($2). */
DB_STMT(stmt_domain_neighbour,
        "SELECT id, position FROM tax_domains WHERE $2 = 0 AND "
        "(($3 < 0 AND position < $1) OR ($3 > 0 AND position > $1)) "
        "ORDER BY CASE WHEN $3 < 0 THEN -position ELSE position END LIMIT 1");
DB_STMT(stmt_role_neighbour,
        "SELECT id, position FROM tax_roles WHERE domain_id = $2 AND "
        "(($3 < 0 AND position < $1) OR ($3 > 0 AND position > $1)) "
        "ORDER BY CASE WHEN $3 < 0 THEN -position ELSE position END LIMIT 1");
DB_STMT(stmt_comp_neighbour,
        "SELECT id, position FROM tax_competencies WHERE role_id = $2 AND "
        "(($3 < 0 AND position < $1) OR ($3 > 0 AND position > $1)) "
        "ORDER BY CASE WHEN $3 < 0 THEN -position ELSE position END LIMIT 1");

struct level_stmts {
	struct db_stmt *get, *insert, *rename, *retire, *set_pos, *neighbour;
	const char *object; /* audit object type */
};

static const struct level_stmts levels[] = {
    [TAX_DOMAIN] = {&stmt_domain_get, &stmt_domain_insert, &stmt_domain_rename, &stmt_domain_retire,
                    &stmt_domain_set_pos, &stmt_domain_neighbour, "tax_domain"},
    [TAX_ROLE] = {&stmt_role_get, &stmt_role_insert, &stmt_role_rename, &stmt_role_retire,
                  &stmt_role_set_pos, &stmt_role_neighbour, "tax_role"},
    [TAX_COMPETENCY] = {&stmt_comp_get, &stmt_comp_insert, &stmt_comp_rename, &stmt_comp_retire,
                        &stmt_comp_set_pos, &stmt_comp_neighbour, "tax_competency"},
};

static bool kind_valid(enum tax_kind kind) { return kind >= TAX_DOMAIN && kind <= TAX_COMPETENCY; }

/* ---- reading ---- */

struct list_state {
	struct db_rows rows;
	struct tax_entry cur;
	bool include_retired, retired;
	int64_t kind, sort1, sort2;
};

static int collect(void *cls)
{
	struct list_state *s = cls;
	if (s->retired && !s->include_retired)
		return 0;
	struct tax_entry *e = db_rows_push(&s->rows);
	if (!e)
		return CAMPUS_ENOMEM;
	*e = s->cur;
	e->kind = (enum tax_kind)s->kind;
	e->retired = s->retired;
	return 0;
}

int taxonomy_list(struct ctx *ctx, bool include_retired, struct tax_entry **out, size_t *n)
{
	struct list_state s = {.rows = {.arena = ctx->arena, .size = sizeof(struct tax_entry)},
	                       .include_retired = include_retired};
	int rc = db_query(ctx->db, &stmt_tax_all, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&s.kind), DBC_INT(&s.cur.id),
	                                          DBC_INT(&s.cur.parent_id), DBC_TEXT(&s.cur.slug),
	                                          DBC_TEXT(&s.cur.name), DBC_INT(&s.cur.position),
	                                          DBC_BOOL(&s.retired), DBC_INT(&s.sort1),
	                                          DBC_INT(&s.sort2), DBC_END},
	                  ctx->arena, collect, &s);
	*out = s.rows.data;
	*n = s.rows.n;
	return rc;
}

int taxonomy_get(struct ctx *ctx, enum tax_kind kind, int64_t id, struct tax_entry *out)
{
	if (!kind_valid(kind))
		return CAMPUS_ENOTFOUND;
	memset(out, 0, sizeof *out);
	out->kind = kind;
	return db_query_row(ctx->db, levels[kind].get, (const struct db_param[]){DBP_INT(id), DBP_END},
	                    (const struct db_col[]){DBC_INT(&out->id), DBC_INT(&out->parent_id),
	                                            DBC_TEXT(&out->slug), DBC_TEXT(&out->name),
	                                            DBC_INT(&out->position), DBC_BOOL(&out->retired),
	                                            DBC_END},
	                    ctx->arena);
}

/* ---- writing ---- */

static const char *name_problem(const char *name)
{
	if (!name)
		return N_("Vul een naam in.");
	size_t n = strlen(name);
	while (n && (name[n - 1] == ' '))
		n--;
	while (*name == ' ')
		name++, n = n ? n - 1 : 0;
	if (n == 0)
		return N_("Vul een naam in.");
	if (n > NAME_MAX_BYTES)
		return N_("Deze naam is te lang (hoogstens 120 tekens).");
	if (!utf8_valid(name, strlen(name)))
		return N_("Deze naam bevat ongeldige tekens.");
	return NULL;
}

/* A slug from the name (str_slugify), made unique with -2, -3... */
static int make_slug(struct ctx *ctx, const char *name, const char **out)
{
	char base[SLUG_MAX + 1];
	str_slugify(name, base, sizeof base - 4);
	for (int i = 1; i < 1000; i++) {
		const char *slug = i == 1 ? arena_strdup(ctx->arena, base)
		                          : arena_printf(ctx->arena, "%s-%d", base, i);
		if (!slug)
			return CAMPUS_ENOMEM;
		int64_t taken;
		int rc = db_query_row(ctx->db, &stmt_slug_taken,
		                      (const struct db_param[]){DBP_TEXT(slug), DBP_END},
		                      (const struct db_col[]){DBC_INT(&taken), DBC_END}, ctx->arena);
		if (rc)
			return rc;
		if (!taken) {
			*out = slug;
			return 0;
		}
	}
	return CAMPUS_ECONFLICT;
}

static int insert_entry(struct ctx *ctx, enum tax_kind kind, int64_t parent_id, const char *name,
                        int64_t *id)
{
	const char *slug = NULL;
	int rc = make_slug(ctx, name, &slug);
	if (rc)
		return rc;
	return db_query_row(ctx->db, levels[kind].insert,
	                    (const struct db_param[]){DBP_TEXT(slug), DBP_TEXT(name),
	                                              DBP_INT(parent_id), DBP_END},
	                    (const struct db_col[]){DBC_INT(id), DBC_END}, ctx->arena);
}

struct edit {
	struct ctx *ctx;
	enum tax_kind kind;
	int64_t id, parent_id;
	const char *name;
	int direction;
	bool retire;
	const char *action;
	int64_t *out_id;
};

static int audit_edit(struct edit *e, int64_t id, const char *detail)
{
	char idtext[24];
	snprintf(idtext, sizeof idtext, "%lld", (long long)id);
	return audit_record(e->ctx, e->action, levels[e->kind].object, idtext, "ok", detail);
}

static int add_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct edit *e = cls;
	if (e->kind != TAX_DOMAIN) {
		struct tax_entry parent;
		int rc = taxonomy_get(e->ctx, e->kind == TAX_ROLE ? TAX_DOMAIN : TAX_ROLE, e->parent_id,
		                      &parent);
		if (rc)
			return rc;
	}
	int rc = insert_entry(e->ctx, e->kind, e->parent_id, e->name, e->out_id);
	return rc ? rc : audit_edit(e, *e->out_id, e->name);
}

int taxonomy_add(struct ctx *ctx, enum tax_kind kind, int64_t parent_id, const char *name,
                 int64_t *id, const char **why)
{
	*why = NULL;
	if (!kind_valid(kind))
		return CAMPUS_ENOTFOUND;
	if ((*why = name_problem(name)))
		return CAMPUS_EINVAL;
	struct edit e = {ctx, kind, 0, parent_id, name, 0, false, "taxonomy.add", id};
	return db_tx_run(ctx->db, DB_TX_WRITE, add_tx, &e);
}

static int rename_tx(struct db_conn *db, void *cls)
{
	struct edit *e = cls;
	struct tax_entry cur;
	int rc = taxonomy_get(e->ctx, e->kind, e->id, &cur);
	if (rc)
		return rc;
	rc = db_exec(db, levels[e->kind].rename,
	             (const struct db_param[]){DBP_INT(e->id), DBP_TEXT(e->name), DBP_END}, NULL);
	const char *detail = arena_printf(e->ctx->arena, "%s -> %s", cur.name, e->name);
	return rc ? rc : audit_edit(e, e->id, detail ? detail : "");
}

int taxonomy_rename(struct ctx *ctx, enum tax_kind kind, int64_t id, const char *name,
                    const char **why)
{
	*why = NULL;
	if (!kind_valid(kind))
		return CAMPUS_ENOTFOUND;
	if ((*why = name_problem(name)))
		return CAMPUS_EINVAL;
	struct edit e = {ctx, kind, id, 0, name, 0, false, "taxonomy.rename", NULL};
	return db_tx_run(ctx->db, DB_TX_WRITE, rename_tx, &e);
}

static int move_tx(struct db_conn *db, void *cls)
{
	struct edit *e = cls;
	struct tax_entry cur;
	int rc = taxonomy_get(e->ctx, e->kind, e->id, &cur);
	if (rc)
		return rc;
	int64_t other, other_pos;
	rc = db_query_row(db, levels[e->kind].neighbour,
	                  (const struct db_param[]){DBP_INT(cur.position), DBP_INT(cur.parent_id),
	                                            DBP_INT(e->direction), DBP_END},
	                  (const struct db_col[]){DBC_INT(&other), DBC_INT(&other_pos), DBC_END},
	                  e->ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return 0; /* already first or last */
	if (rc)
		return rc;
	if ((rc = db_exec(db, levels[e->kind].set_pos,
	                  (const struct db_param[]){DBP_INT(cur.id), DBP_INT(other_pos), DBP_END}, NULL)))
		return rc;
	if ((rc = db_exec(db, levels[e->kind].set_pos,
	                  (const struct db_param[]){DBP_INT(other), DBP_INT(cur.position), DBP_END},
	                  NULL)))
		return rc;
	return audit_edit(e, e->id, e->direction < 0 ? "up" : "down");
}

int taxonomy_move(struct ctx *ctx, enum tax_kind kind, int64_t id, int direction)
{
	if (!kind_valid(kind))
		return CAMPUS_ENOTFOUND;
	if (direction != -1 && direction != 1)
		return CAMPUS_EINVAL;
	struct edit e = {ctx, kind, id, 0, NULL, direction, false, "taxonomy.move", NULL};
	return db_tx_run(ctx->db, DB_TX_WRITE, move_tx, &e);
}

static int retire_tx(struct db_conn *db, void *cls)
{
	struct edit *e = cls;
	struct tax_entry cur;
	int rc = taxonomy_get(e->ctx, e->kind, e->id, &cur);
	if (rc)
		return rc;
	struct db_param when = e->retire ? (struct db_param)DBP_INT(e->ctx->now())
	                                 : (struct db_param)DBP_NULL;
	rc = db_exec(db, levels[e->kind].retire,
	             (const struct db_param[]){DBP_INT(e->id), when, DBP_END}, NULL);
	return rc ? rc : audit_edit(e, e->id, cur.name);
}

int taxonomy_retire(struct ctx *ctx, enum tax_kind kind, int64_t id, bool retire)
{
	if (!kind_valid(kind))
		return CAMPUS_ENOTFOUND;
	struct edit e = {ctx,   kind, id, 0, NULL, 0, retire, retire ? "taxonomy.retire" : "taxonomy.restore",
	                 NULL};
	return db_tx_run(ctx->db, DB_TX_WRITE, retire_tx, &e);
}
