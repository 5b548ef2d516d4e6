/* Growable byte buffer with a hard maximum. Backed by an arena (request
 * lifetime) or by the heap (buf_fini frees it). Appending past the maximum sets
 * `overflow` and returns CAMPUS_ETOOBIG; later appends are ignored, so a caller
 * may append many pieces and check once at the end. */
#ifndef CAMPUS_CORE_BUF_H
#define CAMPUS_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;

struct buf {
	char *data;  /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max;
	struct arena *arena;  /* NULL: heap */
	bool overflow;
};

/* max == 0 means 16 MiB. */
void buf_init(struct buf *b, struct arena *arena, size_t max);
void buf_fini(struct buf *b);
void buf_clear(struct buf *b);

int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Escapers used by the view layer and replies. */
int buf_html_escape(struct buf *b, const char *s, size_t n);
int buf_json_string(struct buf *b, const char *s, size_t n); /* with quotes */
int buf_url_encode(struct buf *b, const char *s, size_t n);  /* RFC 3986 unreserved kept */

/* "" when empty, never NULL. */
const char *buf_cstr(const struct buf *b);

#endif
