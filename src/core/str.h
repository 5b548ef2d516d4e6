/* Strings that are not NUL-terminated (slices of a request, a path, a file),
 * and strict parsers that replace atoi/strtol guesswork. */
#ifndef CAMPUS_CORE_STR_H
#define CAMPUS_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct str {
	const char *ptr;
	size_t len;
};

#define STR_LIT(s) ((struct str){(s), sizeof(s) - 1})
#define STR_NULL ((struct str){NULL, 0})

struct str str_from(const char *s); /* NULL gives an empty slice */
bool str_eq(struct str a, struct str b);
bool str_eq_cstr(struct str a, const char *s);
bool str_starts_with(struct str s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Case-insensitive ASCII comparison. */
bool str_ieq_cstr(struct str a, const char *s);

/* Bounded copy into a fixed buffer; always NUL-terminates; returns false if cut. */
bool str_copy(char *dst, size_t dstsize, const char *src);
/* A slug from a (Dutch) name into out: lower-case ASCII letters and digits,
 * accents of Latin-1 letters dropped (é -> e), anything else one '-'; never
 * empty ("x"), at most size - 1 bytes. */
void str_slugify(const char *name, char *out, size_t size);

/* Whole-string decimal parse with range check; false on any junk or overflow. */
bool str_to_int64(const char *s, size_t n, int64_t *out);
bool str_to_uint(const char *s, size_t n, unsigned long max, unsigned long *out);

/* Well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). NUL bytes are
 * rejected too: nothing in Campus wants them. */
bool utf8_valid(const char *s, size_t n);

#endif
