#include "domain/audit.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/ctx.h"

#define ACTION_MAX 64
#define OBJECT_TYPE_MAX 64
#define OBJECT_ID_MAX 256
#define DETAIL_MAX 2000
#define IP_MAX 64
#define USER_AGENT_MAX 300
#define VERIFY_PAGE 500 /* rows per query: PostgreSQL buffers a whole result */

/* Bumped if the serialisation below ever changes; old rows keep theirs. */
#define HASH_FORMAT "campus.audit.v1"

static const char genesis[AUDIT_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

DB_STMT(stmt_audit_last, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1");
DB_STMT(stmt_audit_insert,
        "INSERT INTO audit_log (at, actor_id, org_id, action, object_type, object_id, result, "
        "ip, user_agent, detail, prev_hash, hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
/* Keyset pages, so verify never holds more than one page of a long log. */
DB_STMT(stmt_audit_first_page,
        "SELECT id, at, actor_id, org_id, action, object_type, object_id, result, ip, "
        "user_agent, detail, prev_hash, hash FROM audit_log ORDER BY id LIMIT $1");
DB_STMT(stmt_audit_next_page,
        "SELECT id, at, actor_id, org_id, action, object_type, object_id, result, ip, "
        "user_agent, detail, prev_hash, hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2");

/* One row as hashed. Text fields are slices: what the database holds, byte
 * for byte, without relying on NUL termination. */
struct audit_row {
	int64_t at;
	int64_t actor_id;
	int64_t org_id;
	bool actor_null, org_null;
	struct str action, object_type, object_id, result, ip, user_agent, detail, prev_hash;
};

/* ---- the hash ------------------------------------------------------------------- */

static void put_u64(crypto_generichash_state *st, uint64_t v)
{
	unsigned char b[8];
	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	crypto_generichash_update(st, b, sizeof b);
}

/* Every field is a tag byte, then a fixed-width value or a length and the
 * bytes: no two different rows serialise to the same bytes. */
static void put_int(crypto_generichash_state *st, int64_t v, bool is_null)
{
	unsigned char tag = is_null ? 'N' : 'I';
	crypto_generichash_update(st, &tag, 1);
	if (!is_null)
		put_u64(st, (uint64_t)v);
}

static void put_text(crypto_generichash_state *st, struct str s)
{
	unsigned char tag = 'S';
	crypto_generichash_update(st, &tag, 1);
	put_u64(st, (uint64_t)s.len);
	if (s.len)
		crypto_generichash_update(st, (const unsigned char *)s.ptr, s.len);
}

static void row_hash(const struct audit_row *r, char hex[AUDIT_HASH_HEX + 1])
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	put_text(&st, STR_LIT(HASH_FORMAT));
	put_int(&st, r->at, false);
	put_int(&st, r->actor_id, r->actor_null);
	put_int(&st, r->org_id, r->org_null);
	put_text(&st, r->action);
	put_text(&st, r->object_type);
	put_text(&st, r->object_id);
	put_text(&st, r->result);
	put_text(&st, r->ip);
	put_text(&st, r->user_agent);
	put_text(&st, r->detail);
	put_text(&st, r->prev_hash);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(hex, AUDIT_HASH_HEX + 1, h, sizeof h);
}

/* ---- input ------------------------------------------------------------------------ */

static bool valid_action(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > ACTION_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* Caller-supplied text: NULL is "", anything malformed is refused. */
static bool valid_text(const char *s, size_t max, struct str *out)
{
	*out = str_from(s ? s : ""); /* a NULL pointer would bind SQL NULL */
	return out->len <= max && utf8_valid(out->ptr, out->len);
}

/* Length of the well-formed UTF-8 sequence at s[0..n), 0 when there is none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = 0;
	if (s[0] < 0x80)
		len = 1;
	else if ((s[0] & 0xE0) == 0xC0)
		len = 2;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3;
	else if ((s[0] & 0xF8) == 0xF0)
		len = 4;
	if (len == 0 || len > n || !utf8_valid((const char *)s, len))
		return 0;
	return len;
}

/* The origin comes from request headers the client chose. Refusing it would
 * let a client keep its failed log-ins out of the log (and roll back the
 * throttle written in the same transaction), so bad bytes become '?' and
 * the text is cut at a character boundary instead. */
static struct str origin_text(const char *s, char *dst, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), i = 0, o = 0;
	while (i < n) {
		size_t len = utf8_seq(p + i, n - i);
		size_t take = len ? len : 1;
		if (o + take > max)
			break;
		if (len)
			memcpy(dst + o, p + i, len);
		else
			dst[o] = '?';
		o += take;
		i += take;
	}
	dst[o] = '\0';
	return (struct str){dst, o};
}

static bool valid_result(const char *s)
{
	return strcmp(s, "ok") == 0 || strcmp(s, "denied") == 0 || strcmp(s, "failed") == 0;
}

/* ---- append ----------------------------------------------------------------------- */

struct append {
	struct arena *arena;
	struct audit_row row;
};

/* The hash this thread appended last, and in which transaction: the next
 * row of the same transaction chains onto it without reading it back (a
 * round trip less per row, e.g. in a batch of enrolments). Nothing else can
 * come in between: SQLite's write lock is ours, and PostgreSQL's snapshot
 * would show this row as the last one anyway. */
static _Thread_local uint64_t chain_tx;
static _Thread_local char chain_hash[AUDIT_HASH_HEX + 1];

/* One row, sent ahead (db_exec_later): the next statement, or the commit,
 * collects its outcome. */
static int insert_row(struct db_conn *db, const struct audit_row *r, const char *hash)
{
	struct db_param params[] = {
	    DBP_INT(r->at),
	    r->actor_null ? (struct db_param)DBP_NULL : (struct db_param)DBP_INT(r->actor_id),
	    r->org_null ? (struct db_param)DBP_NULL : (struct db_param)DBP_INT(r->org_id),
	    DBP_TEXTN(r->action.ptr, r->action.len),
	    DBP_TEXTN(r->object_type.ptr, r->object_type.len),
	    DBP_TEXTN(r->object_id.ptr, r->object_id.len),
	    DBP_TEXTN(r->result.ptr, r->result.len),
	    DBP_TEXTN(r->ip.ptr, r->ip.len),
	    DBP_TEXTN(r->user_agent.ptr, r->user_agent.len),
	    DBP_TEXTN(r->detail.ptr, r->detail.len),
	    DBP_TEXTN(r->prev_hash.ptr, r->prev_hash.len),
	    DBP_TEXTN(hash, (size_t)AUDIT_HASH_HEX),
	    DBP_END};
	return db_exec_later(db, &stmt_audit_insert, params);
}

static int append_tx(struct db_conn *db, void *cls)
{
	struct append *a = cls;
	struct audit_row *r = &a->row;
	char *last = NULL;
	size_t last_len = 0;
	struct db_col cols[] = {{.type = DB_TEXT, .out = &last, .len = &last_len}, DBC_END};
	uint64_t tx = db_tx_serial(db);
	/* Under SQLite's write lock or PostgreSQL's SERIALIZABLE, two appenders
	 * cannot both chain onto this row: one waits or is retried. */
	int rc = 0;
	if (tx && tx == chain_tx)
		last = chain_hash, last_len = AUDIT_HASH_HEX;
	else
		rc = db_query_row(db, &stmt_audit_last, (const struct db_param[]){DBP_END}, cols,
		                  a->arena);
	if (rc == CAMPUS_ENOTFOUND)
		r->prev_hash = (struct str){genesis, AUDIT_HASH_HEX};
	else if (rc)
		return rc;
	else
		r->prev_hash = (struct str){last, last_len};
	char hash[AUDIT_HASH_HEX + 1];
	row_hash(r, hash);
	rc = insert_row(db, r, hash);
	if (!rc && tx) {
		chain_tx = tx;
		memcpy(chain_hash, hash, sizeof chain_hash);
	}
	return rc;
}


/* The row for ctx's actor, origin and clock; ip and ua hold the origin. */
static int row_from(struct ctx *ctx, const char *action, const char *object_type,
                    const char *object_id, const char *result, const char *detail,
                    struct audit_row *r, char ip[IP_MAX + 1], char ua[USER_AGENT_MAX + 1])
{
	if (!ctx || !ctx->now || !action || !result)
		return CAMPUS_EINVAL;
	if (!valid_action(action) || !valid_result(result) ||
	    !valid_text(object_type, OBJECT_TYPE_MAX, &r->object_type) ||
	    !valid_text(object_id, OBJECT_ID_MAX, &r->object_id) ||
	    !valid_text(detail, DETAIL_MAX, &r->detail))
		return CAMPUS_EINVAL;
	r->action = str_from(action);
	r->result = str_from(result);
	r->ip = origin_text(ctx->origin.ip, ip, IP_MAX);
	r->user_agent = origin_text(ctx->origin.user_agent, ua, USER_AGENT_MAX);
	r->at = ctx->now();
	r->actor_id = ctx->actor.person_id;
	r->actor_null = ctx->actor.person_id == 0;
	r->org_id = ctx->actor.org_id;
	r->org_null = ctx->actor.org_id == 0;
	return 0;
}

int audit_record(struct ctx *ctx, const char *action, const char *object_type,
                 const char *object_id, const char *result, const char *detail)
{
	if (!ctx || !ctx->db || !ctx->arena)
		return CAMPUS_EINVAL;
	struct append a = {.arena = ctx->arena};
	char ip[IP_MAX + 1], ua[USER_AGENT_MAX + 1];
	int rc = row_from(ctx, action, object_type, object_id, result, detail, &a.row, ip, ua);
	if (rc)
		return rc;
	/* Inside the caller's transaction the row stands or falls with its change. */
	if (db_in_tx(ctx->db))
		return append_tx(ctx->db, &a);
	return db_tx_run(ctx->db, DB_TX_WRITE, append_tx, &a);
}

/* Many rows at once: [[at, actor|null, org|null, action, object_type,
 * object_id, result, ip, user_agent, detail, prev_hash, hash], ...], in
 * chain order. The ids follow that order (ORDER BY), as the chain is
 * walked in id order. PostgreSQL only (SQLite writes the rows one by one:
 * audit_record_many). */
DB_STMT(stmt_audit_insert_many,
        "INSERT INTO audit_log (at, actor_id, org_id, action, object_type, object_id, result, "
        "ip, user_agent, detail, prev_hash, hash) "
        "SELECT (j.v->>0)::bigint, (j.v->>1)::bigint, (j.v->>2)::bigint, j.v->>3, j.v->>4, "
        "j.v->>5, j.v->>6, j.v->>7, j.v->>8, j.v->>9, j.v->>10, j.v->>11 "
        "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS j(v, i) ORDER BY j.i");

static void json_str(struct buf *js, struct str s)
{
	buf_putc(js, ',');
	buf_json_string(js, s.ptr, s.len);
}

static int insert_rows_json(struct db_conn *db, struct arena *arena, const struct audit_row *r,
                            char (*hash)[AUDIT_HASH_HEX + 1], size_t n)
{
	struct buf js;
	buf_init(&js, arena, 0);
	buf_putc(&js, '[');
	for (size_t i = 0; i < n; i++) {
		buf_printf(&js, "%s[%lld,", i ? "," : "", (long long)r[i].at);
		if (r[i].actor_null)
			buf_puts(&js, "null,");
		else
			buf_printf(&js, "%lld,", (long long)r[i].actor_id);
		if (r[i].org_null)
			buf_puts(&js, "null");
		else
			buf_printf(&js, "%lld", (long long)r[i].org_id);
		json_str(&js, r[i].action);
		json_str(&js, r[i].object_type);
		json_str(&js, r[i].object_id);
		json_str(&js, r[i].result);
		json_str(&js, r[i].ip);
		json_str(&js, r[i].user_agent);
		json_str(&js, r[i].detail);
		json_str(&js, r[i].prev_hash);
		buf_printf(&js, ",\"%s\"]", hash[i]);
	}
	buf_putc(&js, ']');
	if (js.overflow)
		return CAMPUS_ENOMEM;
	return db_exec_later(db, &stmt_audit_insert_many,
	                     (const struct db_param[]){DBP_TEXTN(js.data, js.len), DBP_END});
}

int audit_record_many(struct db_conn *db, struct arena *arena, const struct audit_entry *rows,
                      size_t n)
{
	if (!db || !arena || (n && !rows))
		return CAMPUS_EINVAL;
	if (!db_in_tx(db))
		return CAMPUS_EINTERNAL;
	if (!n)
		return 0;
	struct audit_row *r = arena_zalloc(arena, n * sizeof *r);
	char *origin = arena_alloc(arena, n * (IP_MAX + 1 + USER_AGENT_MAX + 1));
	if (!r || !origin)
		return CAMPUS_ENOMEM;
	/* Everything is checked before anything is written. */
	for (size_t i = 0; i < n; i++) {
		char *ip = origin + i * (IP_MAX + 1 + USER_AGENT_MAX + 1);
		int rc = row_from(rows[i].ctx, rows[i].action, rows[i].object_type, rows[i].object_id,
		                  rows[i].result, rows[i].detail, &r[i], ip, ip + IP_MAX + 1);
		if (rc)
			return rc;
	}
	/* The chain's tail as audit_record finds it. */
	uint64_t tx = db_tx_serial(db);
	struct str prev = {genesis, AUDIT_HASH_HEX};
	if (tx && tx == chain_tx) {
		prev.ptr = arena_strndup(arena, chain_hash, AUDIT_HASH_HEX);
		if (!prev.ptr)
			return CAMPUS_ENOMEM;
	} else {
		char *last = NULL;
		size_t last_len = 0;
		struct db_col cols[] = {{.type = DB_TEXT, .out = &last, .len = &last_len}, DBC_END};
		int rc = db_query_row(db, &stmt_audit_last, (const struct db_param[]){DBP_END}, cols,
		                      arena);
		if (rc && rc != CAMPUS_ENOTFOUND)
			return rc;
		if (!rc)
			prev = (struct str){last, last_len};
	}
	char(*hash)[AUDIT_HASH_HEX + 1] = arena_alloc(arena, n * sizeof *hash);
	if (!hash)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r[i].prev_hash = prev;
		row_hash(&r[i], hash[i]);
		prev = (struct str){hash[i], AUDIT_HASH_HEX};
	}
	int rc = 0;
	if (db_dialect(db) == DB_SQLITE) {
		/* In the process: a statement per row costs no round trip, and
		 * binding beats parsing the rows out of JSON. */
		for (size_t i = 0; i < n && !rc; i++)
			rc = insert_row(db, &r[i], hash[i]);
	} else {
		rc = insert_rows_json(db, arena, r, hash, n);
	}
	if (!rc && tx) {
		chain_tx = tx;
		memcpy(chain_hash, hash[n - 1], sizeof chain_hash);
	}
	return rc;
}

/* ---- verify ------------------------------------------------------------------------- */

struct verify {
	struct arena *out_arena;
	struct arena *scratch; /* one page of rows; reset between pages */
	struct audit_verify_result *out;
	/* columns of the current row */
	int64_t id;
	struct audit_row row;
	const char *hash;
	size_t hash_len;
	/* the chain so far: only the previous row's id and hash are kept */
	bool have_prev;
	int64_t prev_id;
	char prev_hash[AUDIT_HASH_HEX + 1];
	size_t prev_hash_len;
	int64_t page_rows;
	bool broken;
};

enum { VERIFY_STOP = 1 }; /* returned by the row callback to end the walk */

static void broken(struct verify *v, const char *reason)
{
	v->broken = true;
	v->out->first_broken = v->id;
	v->out->reason = reason;
}

static int verify_row(void *cls)
{
	struct verify *v = cls;
	v->page_rows++;
	v->out->rows++;
	struct str prev = v->have_prev ? (struct str){v->prev_hash, v->prev_hash_len}
	                               : (struct str){genesis, AUDIT_HASH_HEX};
	if (!str_eq(v->row.prev_hash, prev)) {
		const char *why = NULL;
		if (v->have_prev)
			why = arena_printf(v->out_arena, "prev_hash does not match row %" PRId64,
			                   v->prev_id);
		else
			why = "prev_hash of the first row is not the start of the chain (64 zeros)";
		broken(v, why ? why : "prev_hash does not match the previous row");
		return VERIFY_STOP;
	}
	char hash[AUDIT_HASH_HEX + 1];
	row_hash(&v->row, hash);
	if (v->hash_len != AUDIT_HASH_HEX || memcmp(v->hash, hash, AUDIT_HASH_HEX) != 0) {
		broken(v, "hash does not match the row's content");
		return VERIFY_STOP;
	}
	/* The hash matched, so it is exactly 64 bytes. */
	memcpy(v->prev_hash, hash, sizeof hash);
	v->prev_hash_len = AUDIT_HASH_HEX;
	v->prev_id = v->id;
	v->have_prev = true;
	v->out->last_id = v->id;
	memcpy(v->out->last_hash, hash, sizeof hash);
	return 0;
}

// clang-format off
#define COL_TEXT(field) {.type = DB_TEXT, .out = &v->row.field.ptr, .len = &v->row.field.len}
// clang-format on

static int verify_tx(struct db_conn *db, void *cls)
{
	struct verify *v = cls;
	struct audit_verify_result *out = v->out;
	/* A retried transaction starts the walk again. */
	*out = (struct audit_verify_result){0};
	v->have_prev = false;
	v->broken = false;
	struct db_col cols[] = {DBC_INT(&v->id),
	                        DBC_INT(&v->row.at),
	                        DBC_INT_OPT(&v->row.actor_id, &v->row.actor_null),
	                        DBC_INT_OPT(&v->row.org_id, &v->row.org_null),
	                        COL_TEXT(action),
	                        COL_TEXT(object_type),
	                        COL_TEXT(object_id),
	                        COL_TEXT(result),
	                        COL_TEXT(ip),
	                        COL_TEXT(user_agent),
	                        COL_TEXT(detail),
	                        COL_TEXT(prev_hash),
	                        {.type = DB_TEXT, .out = &v->hash, .len = &v->hash_len},
	                        DBC_END};
	for (bool first = true;; first = false) {
		arena_reset(v->scratch);
		v->page_rows = 0;
		int rc;
		if (first)
			rc = db_query(db, &stmt_audit_first_page,
			              (const struct db_param[]){DBP_INT(VERIFY_PAGE), DBP_END},
			              cols, v->scratch, verify_row, v);
		else
			rc = db_query(db, &stmt_audit_next_page,
			              (const struct db_param[]){DBP_INT(v->prev_id),
			                                        DBP_INT(VERIFY_PAGE), DBP_END},
			              cols, v->scratch, verify_row, v);
		if (rc == VERIFY_STOP)
			return 0;
		if (rc)
			return rc;
		if (v->page_rows < VERIFY_PAGE)
			return 0;
	}
}

#undef COL_TEXT

int audit_verify(struct db_conn *db, struct arena *arena, struct audit_verify_result *out)
{
	if (!db || !arena || !out)
		return CAMPUS_EINVAL;
	*out = (struct audit_verify_result){0};
	/* Rows are copied into a scratch arena that is reset per page, so a log
	 * of any length walks in constant memory. */
	struct verify v = {.out_arena = arena, .scratch = arena_new(0), .out = out};
	int rc = db_in_tx(db) ? verify_tx(db, &v) : db_tx_run(db, DB_TX_READ, verify_tx, &v);
	arena_free(v.scratch);
	if (rc)
		*out = (struct audit_verify_result){0};
	return rc;
}
