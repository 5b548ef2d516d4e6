#include "domain/mail.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/people.h"

static char base_url[512] = MAIL_BASE_URL_DEFAULT;
static const char *(*translator)(const char *lang, const char *msgid);

void mail_setup(const char *url, const char *(*translate)(const char *lang, const char *msgid))
{
	if (url && *url && strlen(url) < sizeof base_url) {
		size_t n = strlen(url);
		while (n && url[n - 1] == '/')
			n--;
		memcpy(base_url, url, n);
		base_url[n] = '\0';
	}
	translator = translate;
}

static char from_address[256] = "noreply@campus.example";

void mail_set_from(const char *mail_from)
{
	if (!mail_from)
		return;
	const char *lt = strrchr(mail_from, '<');
	const char *start = lt ? lt + 1 : mail_from;
	size_t n = lt ? strcspn(start, ">") : strlen(start);
	if (n > 2 && n < sizeof from_address && memchr(start, '@', n) && !memchr(start, ' ', n)) {
		memcpy(from_address, start, n);
		from_address[n] = '\0';
	}
}

const char *mail_from_address(void) { return from_address; }

const char *mail_base_url(void) { return base_url; }

const char *mail_tr(const char *lang, const char *msgid)
{
	const char *s = translator && lang ? translator(lang, msgid) : NULL;
	return s ? s : msgid;
}

char *mail_fill(struct arena *a, const char *tmpl, ...)
{
	const char *vars[2 * MAIL_FILL_PAIRS_MAX + 1];
	size_t n = 0;
	va_list ap;
	va_start(ap, tmpl);
	for (const char *k; n < 2 * MAIL_FILL_PAIRS_MAX && (k = va_arg(ap, const char *)) != NULL;) {
		vars[n++] = k;
		vars[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	vars[n] = NULL;
	return mail_fill_vars(a, tmpl, vars);
}

char *mail_fill_vars(struct arena *a, const char *tmpl, const char *const *vars)
{
	struct buf b;
	buf_init(&b, a, 0);
	for (const char *p = tmpl; *p;) {
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			buf_puts(&b, p);
			break;
		}
		buf_append(&b, p, (size_t)(open - p));
		const char *value = NULL;
		size_t klen = (size_t)(close - open - 1);
		for (const char *const *kv = vars; kv && !value && kv[0]; kv += 2)
			if (strlen(kv[0]) == klen && !strncmp(kv[0], open + 1, klen))
				value = kv[1] ? kv[1] : "";
		if (value)
			buf_puts(&b, value);
		else
			buf_append(&b, open, (size_t)(close - open + 1));
		p = close + 1;
	}
	return b.overflow ? NULL : (char *)buf_cstr(&b);
}

DB_STMT(stmt_outbox_insert,
        "INSERT INTO outbox (to_addr, subject, body_text, created_at, next_attempt_at, "
        "attachment_name, attachment_type, attachment) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)");

static bool attachment_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAIL_ATTACHMENT_NAME_MAX || s[0] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *p))
			return false;
	return true;
}

/* type/subtype with parameters; no quotes, so it goes into the header as is. */
static bool attachment_type_ok(const char *s)
{
	size_t n = strlen(s);
	const char *slash = strchr(s, '/');
	if (n < 3 || n > MAIL_ATTACHMENT_TYPE_MAX || !slash || slash == s)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			return false;
	return true;
}

int mail_queue(struct ctx *ctx, const char *to, const char *subject, const char *body_text)
{
	return mail_queue_attachment(ctx, to, subject, body_text, NULL, NULL, NULL, 0);
}

/* The checks of mail_queue_attachment; *addr is the normalised address. */
static int mail_check(struct ctx *ctx, const char *to, const char *subject, const char *body_text,
                      const char *name, const char *type, const void *data, size_t len,
                      const char **addr)
{
	*addr = email_normalise(ctx, to);
	if (!*addr || !subject || !body_text)
		return CAMPUS_EINVAL;
	size_t sn = strlen(subject), bn = strlen(body_text);
	if (sn == 0 || sn > MAIL_SUBJECT_MAX || strpbrk(subject, "\r\n") || !utf8_valid(subject, sn) ||
	    bn > MAIL_BODY_MAX || !utf8_valid(body_text, bn))
		return CAMPUS_EINVAL;
	if (name && (!attachment_name_ok(name) || !type || !attachment_type_ok(type) || !data ||
	             len > MAIL_ATTACHMENT_MAX))
		return CAMPUS_EINVAL;
	return 0;
}

static int outbox_row(struct ctx *ctx, const char *addr, const struct mail_item *m)
{
	struct db_param none = DBP_NULL;
	const char *name = m->name;
	/* Sent ahead: nothing here needs the row back (db_exec_later). */
	return db_exec_later(ctx->db, &stmt_outbox_insert,
	               (const struct db_param[]){DBP_TEXT(addr), DBP_TEXT(m->subject), DBP_TEXT(m->body_text),
	                                         DBP_INT(ctx->now()),
	                                         name ? (struct db_param)DBP_TEXT(name) : none,
	                                         name ? (struct db_param)DBP_TEXT(m->type) : none,
	                                         name ? (struct db_param)DBP_BLOB(m->data, m->len) : none,
	                                         DBP_END});
}

int mail_queue_attachment(struct ctx *ctx, const char *to, const char *subject,
                          const char *body_text, const char *name, const char *type,
                          const void *data, size_t len)
{
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	const char *addr;
	int rc = mail_check(ctx, to, subject, body_text, name, type, data, len, &addr);
	if (rc)
		return rc;
	struct mail_item m = {ctx, to, subject, body_text, name, type, data, len};
	return outbox_row(ctx, addr, &m);
}

/* [[to, subject, text, at, name|null, type|null, attachment as text|null], ...]:
 * an attachment travels as UTF-8 text (an iCalendar invitation) and is
 * stored as its bytes. PostgreSQL only (SQLite writes the rows one by one:
 * mail_queue_many). */
DB_STMT(stmt_outbox_insert_many,
        "INSERT INTO outbox (to_addr, subject, body_text, created_at, next_attempt_at, "
        "attachment_name, attachment_type, attachment) "
        "SELECT j->>0, j->>1, j->>2, (j->>3)::bigint, (j->>3)::bigint, j->>4, j->>5, "
        "convert_to(j->>6, 'UTF8') FROM jsonb_array_elements($1::jsonb) AS j");

int mail_queue_many(const struct mail_item *m, size_t n)
{
	if (!n)
		return 0;
	struct ctx *c0 = m[0].ctx;
	for (size_t i = 0; i < n; i++)
		if (!m[i].ctx || m[i].ctx->db != c0->db)
			return CAMPUS_EINVAL;
	if (!db_in_tx(c0->db))
		return CAMPUS_EINTERNAL;
	const char **addr = arena_alloc(c0->arena, n * sizeof *addr);
	if (!addr)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int rc = mail_check(m[i].ctx, m[i].to, m[i].subject, m[i].body_text, m[i].name,
		                    m[i].type, m[i].data, m[i].len, &addr[i]);
		if (rc)
			return rc;
	}
	if (db_dialect(c0->db) == DB_SQLITE) {
		/* In the process: a statement per row costs no round trip, and
		 * binding beats parsing the rows out of JSON. */
		for (size_t i = 0; i < n; i++) {
			int rc = outbox_row(m[i].ctx, addr[i], &m[i]);
			if (rc)
				return rc;
		}
		return 0;
	}
	struct buf js;
	buf_init(&js, c0->arena, 0);
	buf_putc(&js, '[');
	size_t rows = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mail_item *x = &m[i];
		/* Bytes that are not text cannot travel in JSON: their own row. */
		if (x->name && (!utf8_valid(x->data, x->len) || memchr(x->data, '\0', x->len))) {
			int rc = outbox_row(x->ctx, addr[i], x);
			if (rc)
				return rc;
			continue;
		}
		buf_puts(&js, rows++ ? ",[" : "[");
		buf_json_string(&js, addr[i], strlen(addr[i]));
		buf_putc(&js, ',');
		buf_json_string(&js, x->subject, strlen(x->subject));
		buf_putc(&js, ',');
		buf_json_string(&js, x->body_text, strlen(x->body_text));
		buf_printf(&js, ",%lld,", (long long)x->ctx->now());
		if (x->name) {
			buf_json_string(&js, x->name, strlen(x->name));
			buf_putc(&js, ',');
			buf_json_string(&js, x->type, strlen(x->type));
			buf_putc(&js, ',');
			buf_json_string(&js, x->data, x->len);
			buf_putc(&js, ']');
		} else {
			buf_puts(&js, "null,null,null]");
		}
	}
	buf_putc(&js, ']');
	if (js.overflow)
		return CAMPUS_ENOMEM;
	if (!rows)
		return 0;
	return db_exec_later(c0->db, &stmt_outbox_insert_many,
	                     (const struct db_param[]){DBP_TEXTN(js.data, js.len), DBP_END});
}
