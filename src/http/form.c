#include "http/form.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"

struct form_limits form_limits_default(void)
{
	return (struct form_limits){
	    .max_fields = 200,
	    .max_name = 128,
	    .max_value = (size_t)256 << 10,
	    .max_file = (size_t)32 << 20,
	    .max_files = 8,
	    .tmp_dir = "/tmp",
	};
}

int form_add(struct form *f, unsigned max_fields, struct form_field *field)
{
	if (f->count >= max_fields)
		return CAMPUS_ETOOBIG;
	field->next = NULL;
	if (f->last)
		f->last->next = field;
	else
		f->first = field;
	f->last = field;
	f->count++;
	return 0;
}

const struct form_field *form_get_field(const struct form *f, const char *name)
{
	if (!f || !name)
		return NULL;
	for (const struct form_field *x = f->first; x; x = x->next)
		if (strcmp(x->name, name) == 0)
			return x;
	return NULL;
}

const char *form_get(const struct form *f, const char *name)
{
	if (!f || !name)
		return NULL;
	for (const struct form_field *x = f->first; x; x = x->next)
		if (x->value && strcmp(x->name, name) == 0)
			return x->value;
	return NULL;
}

unsigned form_count(const struct form *f, const char *name)
{
	unsigned n = 0;
	if (!f || !name)
		return 0;
	for (const struct form_field *x = f->first; x; x = x->next)
		if (strcmp(x->name, name) == 0)
			n++;
	return n;
}

/* ---- application/x-www-form-urlencoded ---- */

struct urlenc_parser {
	struct arena *arena;
	struct form *out;
	struct form_limits lim;
	struct buf name, value; /* decoded bytes of the current piece, reused */
	bool in_value;          /* an '=' was seen in this piece */
	bool any;               /* this piece has at least one raw byte */
	unsigned pct;           /* 0, or 1/2 after '%' and the first hex digit */
	unsigned hi;
	bool finished;
	int err;
};

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

struct urlenc_parser *urlenc_new(struct arena *a, const struct form_limits *limits,
                                 struct form *out)
{
	struct urlenc_parser *p = arena_zalloc(a, sizeof *p);
	if (!p)
		return NULL;
	p->arena = a;
	p->out = out;
	p->lim = limits ? *limits : form_limits_default();
	/* The limits are checked by hand; the buffers only need to not refuse. */
	buf_init(&p->name, a, SIZE_MAX);
	buf_init(&p->value, a, SIZE_MAX);
	return p;
}

/* Decoded bytes go to the name until the first '=', then to the value. */
static int emit(struct urlenc_parser *p, const char *s, size_t n)
{
	struct buf *b = p->in_value ? &p->value : &p->name;
	size_t max = p->in_value ? p->lim.max_value : p->lim.max_name;
	if (n > max - b->len)
		return CAMPUS_ETOOBIG;
	int rc = buf_append(b, s, n);
	return rc == CAMPUS_ETOOBIG ? CAMPUS_ENOMEM : rc;
}

static int end_piece(struct urlenc_parser *p)
{
	if (p->pct)
		return CAMPUS_EINVAL;
	if (!p->any)
		return 0; /* "a=1&&b=2" */
	if (p->name.len == 0)
		return CAMPUS_EINVAL;
	const char *nm = buf_cstr(&p->name), *val = buf_cstr(&p->value);
	if (!utf8_valid(nm, p->name.len) || !utf8_valid(val, p->value.len))
		return CAMPUS_EINVAL;
	if (p->out->count >= p->lim.max_fields)
		return CAMPUS_ETOOBIG;
	struct form_field *f = arena_zalloc(p->arena, sizeof *f);
	if (!f)
		return CAMPUS_ENOMEM;
	f->name = arena_strndup(p->arena, nm, p->name.len);
	f->value = arena_strndup(p->arena, val, p->value.len);
	if (!f->name || !f->value)
		return CAMPUS_ENOMEM;
	f->value_len = p->value.len;
	int rc = form_add(p->out, p->lim.max_fields, f);
	if (rc)
		return rc;
	buf_clear(&p->name);
	buf_clear(&p->value);
	p->in_value = false;
	p->any = false;
	return 0;
}

static int feed(struct urlenc_parser *p, const char *data, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)data[i];
		if (p->pct) {
			int v = hexval(c);
			if (v < 0)
				return CAMPUS_EINVAL;
			i++;
			if (p->pct == 1) {
				p->hi = (unsigned)v;
				p->pct = 2;
				continue;
			}
			p->pct = 0;
			char d = (char)(p->hi * 16 + (unsigned)v);
			int rc = emit(p, &d, 1);
			if (rc)
				return rc;
			continue;
		}
		if (c == '&') {
			int rc = end_piece(p);
			if (rc)
				return rc;
			i++;
			continue;
		}
		p->any = true;
		if (c == '=' && !p->in_value) {
			p->in_value = true;
			i++;
			continue;
		}
		if (c == '%') {
			p->pct = 1;
			i++;
			continue;
		}
		if (c == '+') {
			int rc = emit(p, " ", 1);
			if (rc)
				return rc;
			i++;
			continue;
		}
		/* A run of plain bytes goes in one append. */
		size_t j = i + 1;
		while (j < len && data[j] != '&' && data[j] != '%' && data[j] != '+' &&
		       (p->in_value || data[j] != '='))
			j++;
		int rc = emit(p, data + i, j - i);
		if (rc)
			return rc;
		i = j;
	}
	return 0;
}

int urlenc_feed(struct urlenc_parser *p, const char *data, size_t len)
{
	if (p->err)
		return p->err;
	if (p->finished)
		return CAMPUS_EINVAL;
	if (len && !data)
		return p->err = CAMPUS_EINVAL;
	return p->err = feed(p, data, len);
}

int urlenc_finish(struct urlenc_parser *p)
{
	if (p->err || p->finished)
		return p->err;
	p->finished = true;
	return p->err = end_piece(p);
}

int form_parse_query(struct arena *a, const char *qs, size_t len, const struct form_limits *limits,
                     struct form *out)
{
	struct urlenc_parser *p = urlenc_new(a, limits, out);
	if (!p)
		return CAMPUS_ENOMEM;
	int rc = urlenc_feed(p, qs, len);
	return rc ? rc : urlenc_finish(p);
}
