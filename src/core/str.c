#include "core/str.h"

#include <string.h>

struct str str_from(const char *s)
{
	return s ? (struct str){s, strlen(s)} : STR_NULL;
}

bool str_eq(struct str a, struct str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool str_eq_cstr(struct str a, const char *s) { return str_eq(a, str_from(s)); }

bool str_starts_with(struct str s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

bool str_ieq_cstr(struct str a, const char *s)
{
	size_t n = strlen(s);
	if (a.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(a.ptr[i]) != ascii_lower(s[i]))
			return false;
	return true;
}

bool str_copy(char *dst, size_t dstsize, const char *src)
{
	if (dstsize == 0)
		return false;
	size_t n = strlen(src);
	bool fits = n < dstsize;
	if (!fits)
		n = dstsize - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return fits;
}

bool str_to_int64(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return false;
	uint64_t v = 0;
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

bool str_to_uint(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	if (n == 0)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		unsigned cp, min;
		if ((c & 0xE0) == 0xC0) {
			len = 2, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

void str_slugify(const char *name, char *out, size_t size)
{
	/* UTF-8 Latin-1 supplement (C3 80..BF) to its base letter; '/' for none. */
	static const char fold[] = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
	size_t n = 0;
	bool dash = false;
	for (const unsigned char *p = (const unsigned char *)name; *p && n + 1 < size; p++) {
		char c = 0;
		if (*p >= 'a' && *p <= 'z')
			c = (char)*p;
		else if (*p >= 'A' && *p <= 'Z')
			c = (char)(*p + 32);
		else if (*p >= '0' && *p <= '9')
			c = (char)*p;
		else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
			c = fold[(p[1] - 0x80) % 32];
			if (c == '/')
				c = 0;
			p++;
		}
		if (c) {
			out[n++] = c;
			dash = false;
		} else if (n && !dash) {
			out[n++] = '-';
			dash = true;
		}
	}
	while (n && out[n - 1] == '-')
		n--;
	if (n == 0 && size > 1)
		out[n++] = 'x';
	out[n] = 0;
}
