#include "http/router.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

static const struct {
	enum http_method m;
	const char *name;
} methods[] = {
    {HTTP_GET, "GET"},     {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},       {HTTP_PUT, "PUT"},
    {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"}, {HTTP_OPTIONS, "OPTIONS"},
};
#define NMETHODS (sizeof methods / sizeof methods[0])

int http_method_parse(const char *s, enum http_method *out)
{
	if (!s)
		return CAMPUS_EINVAL;
	for (size_t i = 0; i < NMETHODS; i++) {
		if (strcmp(s, methods[i].name) == 0) {
			*out = methods[i].m;
			return 0;
		}
	}
	return CAMPUS_EMETHOD;
}

int http_methods_format(struct buf *b, unsigned mask)
{
	bool first = true;
	for (size_t i = 0; i < NMETHODS; i++) {
		if (!(mask & (unsigned)methods[i].m))
			continue;
		if (!first)
			buf_puts(b, ", ");
		buf_puts(b, methods[i].name);
		first = false;
	}
	return b->overflow ? CAMPUS_ETOOBIG : 0;
}

/* A HEAD request is served by GET handlers (the server drops the body). */
static unsigned effective_methods(unsigned m)
{
	return (m & HTTP_GET) ? (m | HTTP_HEAD) : m;
}

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

/* UTF-8 checked one byte at a time, because decoded path bytes never exist
 * as a string (matching allocates nothing). Same rules as utf8_valid(). */
struct u8check {
	unsigned need, cp, min;
};

static bool u8_step(struct u8check *v, unsigned char c)
{
	if (v->need) {
		if ((c & 0xC0) != 0x80)
			return false;
		v->cp = (v->cp << 6) | (c & 0x3Fu);
		if (--v->need == 0 &&
		    (v->cp < v->min || v->cp > 0x10FFFF || (v->cp >= 0xD800 && v->cp <= 0xDFFF)))
			return false;
		return true;
	}
	if (c == 0)
		return false;
	if (c < 0x80)
		return true;
	if ((c & 0xE0) == 0xC0)
		*v = (struct u8check){1, c & 0x1Fu, 0x80};
	else if ((c & 0xF0) == 0xE0)
		*v = (struct u8check){2, c & 0x0Fu, 0x800};
	else if ((c & 0xF8) == 0xF0)
		*v = (struct u8check){3, c & 0x07u, 0x10000};
	else
		return false;
	return true;
}

/* Checks one raw segment: printable ASCII, valid escapes, no encoded
 * separators, valid UTF-8 once decoded, and not a dot segment in any spelling. */
static bool segment_ok(const char *s, size_t n)
{
	struct u8check v = {0, 0, 0};
	size_t decoded = 0;
	bool all_dots = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7E || c == '\\')
			return false;
		if (c == '%') {
			if (n - i < 3)
				return false;
			int hi = hexval((unsigned char)s[i + 1]),
			    lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (unsigned char)(hi * 16 + lo);
			if (c == '/' || c == '\\')
				return false;
			i += 2;
		}
		if (!u8_step(&v, c))
			return false;
		if (c != '.')
			all_dots = false;
		decoded++;
	}
	if (v.need)
		return false;
	return !(all_dots && (decoded == 1 || decoded == 2));
}

/* Validates the path and returns its length without the query. */
static int path_check(const char *p, size_t len, size_t *plen)
{
	if (!p || len == 0 || p[0] != '/')
		return CAMPUS_EINVAL;
	const char *q = memchr(p, '?', len);
	size_t n = q ? (size_t)(q - p) : len;
	if (n > ROUTE_PATH_MAX)
		return CAMPUS_EINVAL;
	size_t i = 1;
	for (;;) {
		size_t start = i;
		while (i < n && p[i] != '/')
			i++;
		if (i == start && i < n) /* empty segment that is not the last: "//" */
			return CAMPUS_EINVAL;
		if (!segment_ok(p + start, i - start))
			return CAMPUS_EINVAL;
		if (i >= n)
			break;
		i++; /* the slash */
	}
	*plen = n;
	return 0;
}

enum seg_kind { SEG_LITERAL, SEG_PARAM, SEG_SPLAT };

static enum seg_kind seg_kind_of(const char *s, size_t n)
{
	if (n > 0 && s[0] == ':')
		return SEG_PARAM;
	if (n > 0 && s[0] == '*')
		return SEG_SPLAT;
	return SEG_LITERAL;
}

static size_t seg_end(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] != '/')
		i++;
	return i;
}

/* Matches a pattern against a checked path, filling params on success. */
static bool match_route(const char *pat, const char *path, size_t plen, struct route_match *m)
{
	size_t pn = strlen(pat);
	if (pn == 0 || pat[0] != '/')
		return false;
	size_t pi = 1, si = 1;
	m->nparams = 0;
	for (;;) {
		size_t pe = seg_end(pat, pi, pn), se = seg_end(path, si, plen);
		enum seg_kind k = seg_kind_of(pat + pi, pe - pi);
		if (k == SEG_SPLAT) {
			if (pe != pn || si >= plen || m->nparams >= ROUTE_MAX_PARAMS)
				return false;
			m->params[m->nparams].name = (struct str){pat + pi + 1, pe - pi - 1};
			m->params[m->nparams].value = (struct str){path + si, plen - si};
			m->nparams++;
			return true;
		}
		if (k == SEG_PARAM) {
			if (se == si || m->nparams >= ROUTE_MAX_PARAMS)
				return false;
			m->params[m->nparams].name = (struct str){pat + pi + 1, pe - pi - 1};
			m->params[m->nparams].value = (struct str){path + si, se - si};
			m->nparams++;
		} else if (pe - pi != se - si || memcmp(pat + pi, path + si, pe - pi) != 0) {
			return false;
		}
		bool pdone = pe >= pn, sdone = se >= plen;
		if (pdone || sdone)
			return pdone && sdone;
		pi = pe + 1;
		si = se + 1;
	}
}

/* Negative when a is more specific than b for a path both matched. */
static int pattern_cmp(const char *a, const char *b)
{
	size_t an = strlen(a), bn = strlen(b), ai = 1, bi = 1;
	while (ai <= an && bi <= bn) {
		size_t ae = seg_end(a, ai, an), be = seg_end(b, bi, bn);
		enum seg_kind ka = seg_kind_of(a + ai, ae - ai), kb = seg_kind_of(b + bi, be - bi);
		if (ka != kb)
			return (int)ka - (int)kb;
		if (ka == SEG_SPLAT)
			return 0;
		ai = ae + 1;
		bi = be + 1;
	}
	return 0;
}

int router_match(const struct route *table, size_t n, enum http_method m, const char *path,
                 size_t len, struct route_match *out)
{
	memset(out, 0, sizeof *out);
	size_t plen;
	int rc = path_check(path, len, &plen);
	if (rc)
		return rc;
	unsigned want = (unsigned)m;
	bool method_ok = want != 0 && (want & (want - 1)) == 0 && (want & ~HTTP_METHOD_ALL) == 0;
	bool path_found = false;
	for (size_t i = 0; i < n; i++) {
		const struct route *r = &table[i];
		struct route_match tmp;
		if (!r->pattern || !match_route(r->pattern, path, plen, &tmp))
			continue;
		path_found = true;
		unsigned eff = effective_methods(r->methods) & HTTP_METHOD_ALL;
		out->allowed |= eff;
		if (!method_ok || !(eff & want))
			continue;
		if (out->route && pattern_cmp(r->pattern, out->route->pattern) >= 0)
			continue;
		out->route = r;
		out->nparams = tmp.nparams;
		memcpy(out->params, tmp.params, sizeof tmp.params[0] * tmp.nparams);
	}
	if (out->route)
		return 0;
	out->nparams = 0;
	return path_found ? CAMPUS_EMETHOD : CAMPUS_ENOTFOUND;
}

struct str route_param(const struct route_match *match, const char *name)
{
	if (!match || !name)
		return STR_NULL;
	for (unsigned i = 0; i < match->nparams && i < ROUTE_MAX_PARAMS; i++)
		if (str_eq_cstr(match->params[i].name, name))
			return match->params[i].value;
	return STR_NULL;
}

int http_percent_decode(struct arena *a, struct str in, bool plus_as_space, char **out,
                        size_t *outlen)
{
	if ((in.len && !in.ptr) || in.len == SIZE_MAX)
		return CAMPUS_EINVAL;
	char *d = arena_alloc(a, in.len + 1);
	if (!d)
		return CAMPUS_ENOMEM;
	size_t o = 0;
	for (size_t i = 0; i < in.len; i++) {
		unsigned char c = (unsigned char)in.ptr[i];
		if (c == '%') {
			if (in.len - i < 3)
				return CAMPUS_EINVAL;
			int hi = hexval((unsigned char)in.ptr[i + 1]);
			int lo = hexval((unsigned char)in.ptr[i + 2]);
			if (hi < 0 || lo < 0)
				return CAMPUS_EINVAL;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_as_space) {
			c = ' ';
		}
		d[o++] = (char)c;
	}
	d[o] = '\0';
	if (!utf8_valid(d, o))
		return CAMPUS_EINVAL;
	*out = d;
	if (outlen)
		*outlen = o;
	return 0;
}

/* ---- start-up validation ---- */

__attribute__((format(printf, 4, 5))) static void
problem(struct buf *err, size_t i, const struct route *r, const char *fmt, ...)
{
	if (!err)
		return;
	buf_printf(err, "route %zu (%s): ", i, r->name ? r->name : "?");
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
	buf_putc(err, '\n');
}

/* Literal segments are compared with the raw path, so they may only hold
 * characters that a client never needs to escape. */
static bool literal_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("-._~!$&'()+,;=@", c) != NULL;
}

static bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Returns NULL when the pattern is well formed, else what is wrong. */
static const char *pattern_problem(const char *pat)
{
	if (!pat || pat[0] != '/')
		return "pattern must start with '/'";
	size_t n = strlen(pat);
	if (n > ROUTE_PATH_MAX)
		return "pattern too long";
	struct str names[ROUTE_MAX_PARAMS];
	unsigned nnames = 0;
	size_t i = 1;
	for (;;) {
		size_t e = seg_end(pat, i, n);
		const char *s = pat + i;
		size_t len = e - i;
		if (len == 0 && e < n)
			return "empty segment ('//')";
		enum seg_kind k = seg_kind_of(s, len);
		if (k == SEG_LITERAL) {
			for (size_t j = 0; j < len; j++)
				if (!literal_char((unsigned char)s[j]))
					return "literal segment holds a character that needs "
					       "escaping";
			if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
				return "dot segment";
		} else {
			if (len < 2)
				return "parameter without a name";
			for (size_t j = 1; j < len; j++)
				if (!name_char((unsigned char)s[j]))
					return "parameter name must be [A-Za-z0-9_]";
			if (k == SEG_SPLAT && e != n)
				return "splat must be the last segment";
			if (nnames == ROUTE_MAX_PARAMS)
				return "too many parameters";
			struct str nm = {s + 1, len - 1};
			for (unsigned j = 0; j < nnames; j++)
				if (str_eq(names[j], nm))
					return "duplicate parameter name";
			names[nnames++] = nm;
		}
		if (e >= n)
			return NULL;
		i = e + 1;
	}
}

/* Same segments, same literals, same kinds: the later route can never win. */
static bool same_shape(const char *a, const char *b)
{
	size_t an = strlen(a), bn = strlen(b), ai = 1, bi = 1;
	for (;;) {
		size_t ae = seg_end(a, ai, an), be = seg_end(b, bi, bn);
		enum seg_kind ka = seg_kind_of(a + ai, ae - ai), kb = seg_kind_of(b + bi, be - bi);
		if (ka != kb)
			return false;
		if (ka == SEG_LITERAL &&
		    (ae - ai != be - bi || memcmp(a + ai, b + bi, ae - ai) != 0))
			return false;
		bool ad = ae >= an, bd = be >= bn;
		if (ad || bd)
			return ad && bd;
		ai = ae + 1;
		bi = be + 1;
	}
}

int router_check(const struct route *table, size_t n, struct buf *err)
{
	const unsigned body_methods = HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE;
	bool bad = false;
	for (size_t i = 0; i < n; i++) {
		const struct route *r = &table[i];
		const char *why = pattern_problem(r->pattern);
		bool pattern_ok = why == NULL;
		if (why) {
			problem(err, i, r, "%s: \"%s\"", why, r->pattern ? r->pattern : "(null)");
			bad = true;
		}
		if (r->methods == 0 || (r->methods & ~HTTP_METHOD_ALL)) {
			problem(err, i, r, "bad method mask %#x", r->methods);
			bad = true;
		}
		if (!r->handler) {
			problem(err, i, r, "no handler");
			bad = true;
		}
		if (!r->name || !r->name[0]) {
			problem(err, i, r, "no name");
			bad = true;
		}
		if (r->body != BODY_NONE && r->body != BODY_FORM && r->body != BODY_JSON) {
			problem(err, i, r, "bad body kind");
			bad = true;
		} else if ((r->body == BODY_NONE) != (r->body_max == 0)) {
			problem(err, i, r, "body kind and body_max disagree");
			bad = true;
		} else if (r->body != BODY_NONE && !(r->methods & body_methods)) {
			problem(err, i, r, "body on a route without POST/PUT/PATCH/DELETE");
			bad = true;
		}
		for (size_t j = 0; j < i; j++) {
			const struct route *o = &table[j];
			if (r->name && o->name && strcmp(r->name, o->name) == 0) {
				problem(err, i, r, "duplicate name (also route %zu)", j);
				bad = true;
			}
			if (pattern_ok && !pattern_problem(o->pattern) &&
			    (effective_methods(o->methods) & r->methods) &&
			    same_shape(o->pattern, r->pattern)) {
				problem(err, i, r, "shadowed by route %zu (%s)", j,
				        o->name ? o->name : "?");
				bad = true;
			}
		}
	}
	return bad ? CAMPUS_EINVAL : 0;
}
