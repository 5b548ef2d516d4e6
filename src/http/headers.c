#include "http/headers.h"

#include <inttypes.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool ieq(struct str a, struct str b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (lower(a.ptr[i]) != lower(b.ptr[i]))
			return false;
	return true;
}

static struct str trim(struct str s)
{
	while (s.len && is_ows(s.ptr[0]))
		s.ptr++, s.len--;
	while (s.len && is_ows(s.ptr[s.len - 1]))
		s.len--;
	return s;
}

/* RFC 7230 tchar */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_token(struct str s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!is_tchar((unsigned char)s.ptr[i]))
			return false;
	return true;
}

/* RFC 6265 cookie-octet: visible ASCII minus DQUOTE, comma, semicolon and backslash. */
static bool is_cookie_octet(unsigned char c)
{
	return c >= 0x21 && c <= 0x7E && c != '"' && c != ',' && c != ';' && c != '\\';
}

static bool cookie_value_ok(struct str v)
{
	for (size_t i = 0; i < v.len; i++)
		if (!is_cookie_octet((unsigned char)v.ptr[i]))
			return false;
	return true;
}

int cookie_get(const char *cookie_header, const char *name, struct str *value)
{
	if (!cookie_header || !name || !name[0])
		return CAMPUS_ENOTFOUND;
	struct str want = str_from(name);
	const char *s = cookie_header;
	for (;;) {
		const char *end = strchr(s, ';');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', n);
		if (eq) {
			struct str nm = trim((struct str){s, (size_t)(eq - s)});
			struct str v = trim((struct str){eq + 1, n - (size_t)(eq - s) - 1});
			if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"')
				v = (struct str){v.ptr + 1, v.len - 2};
			if (str_eq(nm, want) && cookie_value_ok(v)) {
				*value = v;
				return 0;
			}
		}
		if (!end)
			return CAMPUS_ENOTFOUND;
		s = end + 1;
	}
}

static bool path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c > 0x7E || c == ';')
			return false;
	}
	return true;
}

int cookie_format(struct buf *b, const char *name, const char *value,
                  const struct cookie_opts *opts)
{
	if (!name || !value || !is_token(str_from(name)) || !cookie_value_ok(str_from(value)))
		return CAMPUS_EINVAL;
	if (opts && opts->path && !path_ok(opts->path))
		return CAMPUS_EINVAL;
	if (opts && (opts->max_age < COOKIE_DELETE || (opts->same_site != COOKIE_SAMESITE_UNSET &&
	                                               opts->same_site != COOKIE_SAMESITE_LAX &&
	                                               opts->same_site != COOKIE_SAMESITE_STRICT)))
		return CAMPUS_EINVAL;
	buf_puts(b, name);
	buf_putc(b, '=');
	buf_puts(b, value);
	if (opts) {
		if (opts->path) {
			buf_puts(b, "; Path=");
			buf_puts(b, opts->path);
		}
		if (opts->max_age > 0)
			buf_printf(b, "; Max-Age=%" PRId64, opts->max_age);
		else if (opts->max_age == COOKIE_DELETE)
			buf_puts(b, "; Max-Age=0");
		if (opts->http_only)
			buf_puts(b, "; HttpOnly");
		if (opts->secure)
			buf_puts(b, "; Secure");
		if (opts->same_site == COOKIE_SAMESITE_LAX)
			buf_puts(b, "; SameSite=Lax");
		else if (opts->same_site == COOKIE_SAMESITE_STRICT)
			buf_puts(b, "; SameSite=Strict");
	}
	return b->overflow ? CAMPUS_ETOOBIG : 0;
}

/* ---- weighted lists (Accept-Language, Accept-Encoding) ---- */

#define QLIST_MAX 64

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths. */
static bool parse_q(struct str s, unsigned *q)
{
	if (s.len == 0 || s.len > 5 || (s.ptr[0] != '0' && s.ptr[0] != '1'))
		return false;
	unsigned v = (unsigned)(s.ptr[0] - '0') * 1000;
	if (s.len == 1) {
		*q = v;
		return true;
	}
	if (s.ptr[1] != '.')
		return false;
	unsigned scale = 100;
	for (size_t i = 2; i < s.len; i++, scale /= 10) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return false;
		v += (unsigned)(s.ptr[i] - '0') * scale;
	}
	if (v > 1000)
		return false;
	*q = v;
	return true;
}

struct qitem {
	struct str value;
	unsigned q;
	bool valid;
};

/* Next element of a comma list; false at the end. Elements with a bad
 * q-value are returned with valid = false so callers skip them. */
static bool next_qitem(const char **pp, struct qitem *it)
{
	const char *s = *pp;
	while (*s == ',' || is_ows(*s))
		s++;
	if (!*s)
		return false;
	const char *end = strchr(s, ',');
	if (!end)
		end = s + strlen(s);
	*pp = end;
	const char *semi = memchr(s, ';', (size_t)(end - s));
	const char *vend = semi ? semi : end;
	it->value = trim((struct str){s, (size_t)(vend - s)});
	it->q = 1000;
	it->valid = it->value.len > 0;
	while (semi) {
		const char *p = semi + 1;
		semi = memchr(p, ';', (size_t)(end - p));
		struct str param = trim((struct str){p, (size_t)((semi ? semi : end) - p)});
		const char *eq = memchr(param.ptr, '=', param.len);
		if (!eq)
			continue;
		struct str pn = trim((struct str){param.ptr, (size_t)(eq - param.ptr)});
		struct str pv =
		    trim((struct str){eq + 1, param.len - (size_t)(eq - param.ptr) - 1});
		if (pn.len == 1 && lower(pn.ptr[0]) == 'q' && !parse_q(pv, &it->q))
			it->valid = false;
	}
	return true;
}

/* language-range = (1*8ALPHA *("-" 1*8alphanum)) / "*" */
static bool lang_range_ok(struct str r)
{
	if (r.len == 1 && r.ptr[0] == '*')
		return true;
	size_t run = 0;
	bool first = true;
	for (size_t i = 0; i < r.len; i++) {
		char c = lower(r.ptr[i]);
		if (c == '-') {
			if (run == 0)
				return false;
			run = 0;
			first = false;
			continue;
		}
		bool alpha = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
		if (!(alpha || (digit && !first)) || ++run > 8)
			return false;
	}
	return run > 0;
}

static struct str primary_subtag(struct str t)
{
	const char *dash = memchr(t.ptr, '-', t.len);
	if (dash)
		t.len = (size_t)(dash - t.ptr);
	return t;
}

int http_accept_language(const char *header, const char *const *supported, size_t n)
{
	if (!header || !supported)
		return -1;
	int best = -1;
	unsigned best_q = 0, best_level = 0, best_pos = 0;
	for (size_t k = 0; k < n && k < (size_t)INT32_MAX; k++) {
		if (!supported[k] || !supported[k][0])
			continue;
		struct str tag = str_from(supported[k]);
		unsigned level = 0, q = 0, pos = 0, i = 0;
		const char *p = header;
		struct qitem it;
		while (i < QLIST_MAX && next_qitem(&p, &it)) {
			unsigned idx = i++;
			if (!it.valid || !lang_range_ok(it.value))
				continue;
			unsigned l;
			if (it.value.len == 1 && it.value.ptr[0] == '*')
				l = 1;
			else if (ieq(it.value, tag))
				l = 3;
			else if (ieq(primary_subtag(it.value), primary_subtag(tag)))
				l = 2;
			else
				continue;
			if (l > level || (l == level && it.q > q)) {
				level = l;
				q = it.q;
				pos = idx;
			}
		}
		if (q == 0)
			continue;
		/* Higher q, then the more specific match ("en-GB" asked, both "en"
		 * and "en-GB" offered), then the range the user listed first. */
		if (best < 0 || q > best_q || (q == best_q && level > best_level) ||
		    (q == best_q && level == best_level && pos < best_pos)) {
			best = (int)k;
			best_q = q;
			best_level = level;
			best_pos = pos;
		}
	}
	return best;
}

bool http_accepts_gzip(const char *accept_encoding)
{
	if (!accept_encoding)
		return false;
	bool named = false, star = false;
	unsigned gz_q = 0, star_q = 0;
	const char *p = accept_encoding;
	struct qitem it;
	for (unsigned i = 0; i < QLIST_MAX && next_qitem(&p, &it); i++) {
		if (!it.valid)
			continue;
		if (ieq(it.value, STR_LIT("gzip")) || ieq(it.value, STR_LIT("x-gzip"))) {
			if (!named || it.q > gz_q)
				gz_q = it.q;
			named = true;
		} else if (it.value.len == 1 && it.value.ptr[0] == '*') {
			if (!star || it.q > star_q)
				star_q = it.q;
			star = true;
		}
	}
	if (named)
		return gz_q > 0;
	return star && star_q > 0;
}

int http_content_type(const char *header, struct str *media_type)
{
	if (!header)
		return CAMPUS_ENOTFOUND;
	const char *semi = strchr(header, ';');
	struct str mt = trim((struct str){header, semi ? (size_t)(semi - header) : strlen(header)});
	if (mt.len == 0)
		return semi ? CAMPUS_EINVAL : CAMPUS_ENOTFOUND;
	const char *slash = memchr(mt.ptr, '/', mt.len);
	if (!slash)
		return CAMPUS_EINVAL;
	size_t tl = (size_t)(slash - mt.ptr);
	if (!is_token((struct str){mt.ptr, tl}) ||
	    !is_token((struct str){slash + 1, mt.len - tl - 1}))
		return CAMPUS_EINVAL;
	*media_type = mt;
	return 0;
}

bool http_media_type_is(const char *header, const char *type)
{
	struct str mt;
	if (!type || http_content_type(header, &mt) != 0)
		return false;
	return ieq(mt, str_from(type));
}

/* Drops a weak prefix: If-None-Match uses the weak comparison. */
static struct str etag_opaque(struct str t)
{
	if (t.len >= 2 && t.ptr[0] == 'W' && t.ptr[1] == '/')
		return (struct str){t.ptr + 2, t.len - 2};
	return t;
}

static bool is_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7F);
}

bool http_etag_match(const char *if_none_match, const char *etag)
{
	if (!if_none_match || !etag)
		return false;
	struct str all = trim(str_from(if_none_match));
	if (all.len == 1 && all.ptr[0] == '*')
		return true;
	struct str mine = etag_opaque(str_from(etag));
	bool matched = false, any = false;
	size_t i = 0;
	for (;;) {
		/* Empty list elements (", ,") are allowed by the list syntax. */
		while (i < all.len && (all.ptr[i] == ',' || is_ows(all.ptr[i])))
			i++;
		if (i >= all.len)
			break;
		size_t start = i;
		if (all.len - i >= 2 && all.ptr[i] == 'W' && all.ptr[i + 1] == '/')
			i += 2;
		if (i >= all.len || all.ptr[i] != '"')
			return false;
		i++;
		while (i < all.len && is_etagc((unsigned char)all.ptr[i]))
			i++;
		if (i >= all.len || all.ptr[i] != '"')
			return false;
		i++;
		struct str tag = etag_opaque((struct str){all.ptr + start, i - start});
		if (str_eq(tag, mine))
			matched = true;
		any = true;
		while (i < all.len && is_ows(all.ptr[i]))
			i++;
		if (i < all.len && all.ptr[i] != ',')
			return false;
	}
	return any && matched;
}
