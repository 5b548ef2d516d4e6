/* Certificates and diplomas: issuing the rows, codes, reading and
 * revocation (see credential.h). The PDF is credential_pdf.c, the Open
 * Badges credential badge.c. */
#include "domain/credential.h"

#include <sodium.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/ctx.h"
#include "domain/progress.h"

/* Crockford's base32: no I, L, O or U, so a code read aloud or typed from
 * paper is hard to get wrong. */
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void code_new(char out[CREDENTIAL_CODE_LEN + 1])
{
	unsigned char raw[10]; /* 80 bits: 16 symbols of 5 bits */
	randombytes_buf(raw, sizeof raw);
	for (int i = 0; i < CREDENTIAL_CODE_LEN; i++) {
		int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)raw[byte] << 8 | (byte + 1 < 10 ? raw[byte + 1] : 0);
		out[i] = crockford[(v >> (11 - shift)) & 31];
	}
	out[CREDENTIAL_CODE_LEN] = '\0';
}

/* A code as typed: dashes and spaces dropped, case folded, O read as 0 and
 * I or L as 1. false for anything that cannot be a code. */
static bool code_normalise(const char *in, char out[CREDENTIAL_CODE_LEN + 1])
{
	size_t n = 0;
	for (const char *p = in; p && *p; p++) {
		char c = *p;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (!strchr(crockford, c) || c == '\0' || n == CREDENTIAL_CODE_LEN)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == CREDENTIAL_CODE_LEN;
}

void credential_code_display(const char *code, char out[CREDENTIAL_CODE_LEN + 4])
{
	size_t o = 0;
	for (size_t i = 0; code[i] && i < CREDENTIAL_CODE_LEN; i++) {
		if (i && i % 4 == 0)
			out[o++] = '-';
		out[o++] = code[i];
	}
	out[o] = '\0';
}

static const char *id_text(struct ctx *ctx, int64_t id)
{
	const char *s = arena_printf(ctx->arena, "%lld", (long long)id);
	return s ? s : "";
}

/* ---- issuing ---- */

DB_STMT(stmt_cr_of_completion, "SELECT id FROM credentials WHERE completion_id = $1");
DB_STMT(stmt_cr_completion,
        "SELECT c.person_id, p.name, c.title, c.provider_name, c.points_tenths, c.completed_at, "
        "COALESCE(c.org_id, 0) FROM completions c JOIN people p ON p.id = c.person_id "
        "WHERE c.id = $1");
DB_STMT(stmt_cr_insert,
        "INSERT INTO credentials (kind, code, person_id, completion_id, rule_id, org_id, "
        "holder_name, title, provider_name, points_tenths, achieved_at, issued_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id");
DB_STMT(stmt_cr_of_rule, "SELECT id FROM credentials WHERE person_id = $1 AND rule_id = $2");
DB_STMT(stmt_cr_rule, "SELECT name FROM diploma_rules WHERE id = $1");
DB_STMT(stmt_cr_holder, "SELECT name FROM people WHERE id = $1");
/* The library whose branding a diploma carries: the person's current one,
 * the longest-standing first. */
DB_STMT(stmt_cr_home_library,
        "SELECT m.org_id FROM memberships m JOIN organisations o ON o.id = m.org_id "
        "WHERE m.person_id = $1 AND m.ended_at IS NULL AND o.kind = 'library' "
        "ORDER BY m.started_at, m.id LIMIT 1");
DB_STMT(stmt_cr_line_insert,
        "INSERT INTO credential_completions (credential_id, completion_id) VALUES ($1, $2)");

static struct db_param int_or_null(int64_t v)
{
	return v ? (struct db_param)DBP_INT(v) : (struct db_param)DBP_NULL;
}

static int insert(struct ctx *ctx, const char *kind, int64_t person_id, int64_t completion_id,
                  int64_t rule_id, int64_t org_id, const char *holder, const char *title,
                  const char *provider, int64_t points, int64_t achieved_at, int64_t *id,
                  char code[CREDENTIAL_CODE_LEN + 1])
{
	code_new(code);
	int rc = db_query_row(
	    ctx->db, &stmt_cr_insert,
	    (const struct db_param[]){DBP_TEXT(kind), DBP_TEXT(code), DBP_INT(person_id),
	                              int_or_null(completion_id), int_or_null(rule_id),
	                              int_or_null(org_id), DBP_TEXT(holder), DBP_TEXT(title),
	                              DBP_TEXT(provider), DBP_INT(points), DBP_INT(achieved_at),
	                              DBP_INT(ctx->now()), DBP_END},
	    (const struct db_col[]){DBC_INT(id), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	const char *detail = arena_printf(ctx->arena, "person=%lld kind=%s", (long long)person_id, kind);
	return detail ? audit_record(ctx, "credential.issue", "credential", id_text(ctx, *id), "ok", detail)
	              : CAMPUS_ENOMEM;
}

int credential_issue_certificate(struct ctx *ctx, int64_t completion_id, int64_t *credential_id)
{
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	int rc = db_query_row(ctx->db, &stmt_cr_of_completion,
	                      (const struct db_param[]){DBP_INT(completion_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(credential_id), DBC_END}, ctx->arena);
	if (rc != CAMPUS_ENOTFOUND)
		return rc;
	int64_t person, points, achieved, org;
	const char *holder, *title, *provider;
	rc = db_query_row(ctx->db, &stmt_cr_completion,
	                  (const struct db_param[]){DBP_INT(completion_id), DBP_END},
	                  (const struct db_col[]){DBC_INT(&person), DBC_TEXT(&holder), DBC_TEXT(&title),
	                                          DBC_TEXT(&provider), DBC_INT(&points),
	                                          DBC_INT(&achieved), DBC_INT(&org), DBC_END},
	                  ctx->arena);
	if (rc)
		return rc;
	char code[CREDENTIAL_CODE_LEN + 1];
	return insert(ctx, "certificate", person, completion_id, 0, org, holder, title, provider,
	              points, achieved, credential_id, code);
}

int credential_issue_certificate_new(struct ctx *ctx, const struct certificate_facts *f,
                                     int64_t *credential_id, char code[CREDENTIAL_CODE_LEN + 1])
{
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	return insert(ctx, "certificate", f->person_id, f->completion_id, 0, f->org_id, f->holder,
	              f->title, f->provider, f->points_tenths, f->achieved_at, credential_id, code);
}

int credential_issue_diploma(struct ctx *ctx, int64_t person_id, int64_t rule_id,
                             const int64_t *completion_ids, size_t n, int64_t points_tenths,
                             int64_t achieved_at, int64_t *credential_id)
{
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	int rc = db_query_row(ctx->db, &stmt_cr_of_rule,
	                      (const struct db_param[]){DBP_INT(person_id), DBP_INT(rule_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(credential_id), DBC_END}, ctx->arena);
	if (!rc)
		return CAMPUS_ECONFLICT;
	if (rc != CAMPUS_ENOTFOUND)
		return rc;
	const char *name, *holder;
	int64_t org = 0;
	rc = db_query_row(ctx->db, &stmt_cr_rule, (const struct db_param[]){DBP_INT(rule_id), DBP_END},
	                  (const struct db_col[]){DBC_TEXT(&name), DBC_END}, ctx->arena);
	if (!rc)
		rc = db_query_row(ctx->db, &stmt_cr_holder, (const struct db_param[]){DBP_INT(person_id), DBP_END},
		                  (const struct db_col[]){DBC_TEXT(&holder), DBC_END}, ctx->arena);
	if (!rc) {
		rc = db_query_row(ctx->db, &stmt_cr_home_library,
		                  (const struct db_param[]){DBP_INT(person_id), DBP_END},
		                  (const struct db_col[]){DBC_INT(&org), DBC_END}, ctx->arena);
		if (rc == CAMPUS_ENOTFOUND)
			rc = 0;
	}
	char code[CREDENTIAL_CODE_LEN + 1];
	if (!rc)
		rc = insert(ctx, "diploma", person_id, 0, rule_id, org, holder, name, "Campus",
		            points_tenths, achieved_at, credential_id, code);
	for (size_t i = 0; !rc && i < n; i++)
		rc = db_exec(ctx->db, &stmt_cr_line_insert,
		             (const struct db_param[]){DBP_INT(*credential_id), DBP_INT(completion_ids[i]),
		                                       DBP_END},
		             NULL);
	return rc;
}

/* ---- revocation ---- */

DB_STMT(stmt_cr_revoke,
        "UPDATE credentials SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 "
        "WHERE id = $1 AND revoked_at IS NULL");
DB_STMT(stmt_cr_state, "SELECT revoked_at IS NOT NULL FROM credentials WHERE id = $1");

int credential_revoke_in_tx(struct ctx *ctx, int64_t credential_id, const char *reason)
{
	int64_t changed;
	int rc = db_exec(ctx->db, &stmt_cr_revoke,
	                 (const struct db_param[]){DBP_INT(credential_id), DBP_INT(ctx->now()),
	                                           int_or_null(ctx->actor.person_id), DBP_TEXT(reason),
	                                           DBP_END},
	                 &changed);
	if (rc || !changed)
		return rc;
	return audit_record(ctx, "credential.revoke", "credential", id_text(ctx, credential_id), "ok",
	                    "");
}

struct revoke_args {
	struct ctx *ctx;
	int64_t id;
	const char *reason;
	const char **why;
};

static int revoke_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct revoke_args *a = cls;
	bool revoked;
	int rc = db_query_row(a->ctx->db, &stmt_cr_state, (const struct db_param[]){DBP_INT(a->id), DBP_END},
	                      (const struct db_col[]){DBC_BOOL(&revoked), DBC_END}, a->ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) {
		*a->why = N_("Dit certificaat of diploma bestaat niet.");
		return rc;
	}
	if (rc)
		return rc;
	if (revoked) {
		*a->why = N_("Dit is al ingetrokken.");
		return CAMPUS_ECONFLICT;
	}
	return credential_revoke_in_tx(a->ctx, a->id, a->reason);
}

int credential_revoke(struct ctx *ctx, int64_t credential_id, const char *reason,
                      const char **why)
{
	*why = NULL;
	if (!(ctx->actor.flags & ACTOR_SYSTEM) && !(ctx->actor.roles & ROLE_CAMPUS_ADMIN))
		return CAMPUS_EFORBIDDEN;
	size_t rlen = reason ? strlen(reason) : 0;
	if (!rlen || rlen > CREDENTIAL_REASON_MAX || !utf8_valid(reason, rlen)) {
		*why = N_("Geef een reden (hoogstens 500 tekens).");
		return CAMPUS_EINVAL;
	}
	struct revoke_args a = {ctx, credential_id, reason, why};
	return db_tx_run(ctx->db, DB_TX_WRITE, revoke_tx, &a);
}

/* ---- reading ---- */

#define CREDENTIAL_COLUMNS \
	"SELECT c.id, c.kind, c.code, c.person_id, COALESCE(c.completion_id, 0), " \
	"COALESCE(c.rule_id, 0), COALESCE(c.org_id, 0), c.holder_name, c.title, c.provider_name, " \
	"o.name, o.brand_color, c.points_tenths, c.achieved_at, c.issued_at, " \
	"COALESCE(c.revoked_at, 0), c.revoke_reason FROM credentials c " \
	"LEFT JOIN organisations o ON o.id = c.org_id "

DB_STMT(stmt_cr_get, CREDENTIAL_COLUMNS "WHERE c.id = $1");
DB_STMT(stmt_cr_by_code, CREDENTIAL_COLUMNS "WHERE c.code = $1");
DB_STMT(stmt_cr_list,
        CREDENTIAL_COLUMNS "WHERE c.person_id = $1 AND c.achieved_at >= $2 AND c.achieved_at < $3 "
        "ORDER BY c.issued_at DESC, c.id DESC");
DB_STMT(stmt_cr_lines,
        "SELECT x.title, x.points_tenths, x.completed_at FROM credential_completions l "
        "JOIN completions x ON x.id = l.completion_id WHERE l.credential_id = $1 "
        "ORDER BY x.completed_at, x.id");

struct reader {
	struct db_rows rows;
	struct credential cur;
	const char *kind, *code;
	bool no_org, no_color;
};

static int take(void *cls)
{
	struct reader *r = cls;
	r->cur.kind = !strcmp(r->kind, "diploma") ? CREDENTIAL_DIPLOMA : CREDENTIAL_CERTIFICATE;
	str_copy(r->cur.code, sizeof r->cur.code, r->code);
	if (r->no_org)
		r->cur.org_name = NULL;
	if (r->no_color)
		r->cur.org_brand_color = NULL;
	return db_rows_collect(&r->rows);
}

static int read_credentials(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params,
                            struct credential **out, size_t *n)
{
	struct reader r = {.rows = {.arena = ctx->arena, .size = sizeof r.cur, .cur = &r.cur}};
	struct credential *c = &r.cur;
	int rc = db_query(
	    ctx->db, stmt, params,
	    (const struct db_col[]){DBC_INT(&c->id), DBC_TEXT(&r.kind), DBC_TEXT(&r.code),
	                            DBC_INT(&c->person_id), DBC_INT(&c->completion_id),
	                            DBC_INT(&c->rule_id), DBC_INT(&c->org_id), DBC_TEXT(&c->holder_name),
	                            DBC_TEXT(&c->title), DBC_TEXT(&c->provider_name),
	                            DBC_TEXT_OPT(&c->org_name, &r.no_org),
	                            DBC_TEXT_OPT(&c->org_brand_color, &r.no_color),
	                            DBC_INT(&c->points_tenths), DBC_INT(&c->achieved_at),
	                            DBC_INT(&c->issued_at), DBC_INT(&c->revoked_at),
	                            DBC_TEXT(&c->revoke_reason), DBC_END},
	    ctx->arena, take, &r);
	*out = r.rows.data;
	*n = r.rows.n;
	return rc;
}

/* One credential with its listed completions. */
static int read_one(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params,
                    struct credential *out)
{
	struct credential *all;
	size_t n;
	int rc = read_credentials(ctx, stmt, params, &all, &n);
	if (rc)
		return rc;
	if (n != 1)
		return CAMPUS_ENOTFOUND;
	*out = all[0];
	struct credential_line line;
	struct db_rows lines = {.arena = ctx->arena, .size = sizeof line, .cur = &line};
	rc = db_query(ctx->db, &stmt_cr_lines, (const struct db_param[]){DBP_INT(out->id), DBP_END},
	              (const struct db_col[]){DBC_TEXT(&line.title), DBC_INT(&line.points_tenths),
	                                      DBC_INT(&line.completed_at), DBC_END},
	              ctx->arena, db_rows_collect, &lines);
	out->lines = lines.data;
	out->nlines = lines.n;
	return rc;
}

int credential_get(struct ctx *ctx, int64_t id, struct credential *out)
{
	int rc = read_one(ctx, &stmt_cr_get, (const struct db_param[]){DBP_INT(id), DBP_END}, out);
	if (rc)
		return rc;
	int64_t since, until;
	rc = progress_window(ctx, out->person_id, &since, &until);
	if (rc == CAMPUS_EFORBIDDEN || (!rc && (out->achieved_at < since || out->achieved_at >= until)))
		return CAMPUS_ENOTFOUND; /* another person's: as if it did not exist */
	return rc;
}

int credential_by_code(struct ctx *ctx, const char *code, struct credential *out)
{
	char norm[CREDENTIAL_CODE_LEN + 1];
	if (!code_normalise(code, norm))
		return CAMPUS_ENOTFOUND;
	return read_one(ctx, &stmt_cr_by_code, (const struct db_param[]){DBP_TEXT(norm), DBP_END}, out);
}

int credential_list(struct ctx *ctx, int64_t person_id, struct credential **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int64_t since, until;
	int rc = progress_window(ctx, person_id, &since, &until);
	if (rc)
		return rc;
	return read_credentials(ctx, &stmt_cr_list,
	                        (const struct db_param[]){DBP_INT(person_id), DBP_INT(since),
	                                                  DBP_INT(until), DBP_END},
	                        out, n);
}
