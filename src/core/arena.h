/* Region allocator: a request, a job or a test gets one arena, allocates freely,
 * and frees everything at once with arena_free(). An arena has a cap: when it is
 * reached allocations return NULL and the caller fails softly (413/503) instead
 * of letting one request eat the machine. */
#ifndef CAMPUS_CORE_ARENA_H
#define CAMPUS_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* cap: most bytes the arena may hand out in total (0 means 64 MiB). */
struct arena *arena_new(size_t cap);
void arena_free(struct arena *a);
/* Forget every allocation but keep the first block for reuse. */
void arena_reset(struct arena *a);

void *arena_alloc(struct arena *a, size_t n);  /* aligned for any type; NULL over cap */
void *arena_zalloc(struct arena *a, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

size_t arena_used(const struct arena *a);

/* Heap helpers for long-lived data: they abort on exhaustion (house rule). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
