/* Router fuzzing: arbitrary paths against a fixed table, with an independent
 * check that nothing accepted carries a dot segment or an encoded separator;
 * and arbitrary patterns through router_check and router_match. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int h(struct req *r)
{
	(void)r;
	return 0;
}

static const struct route table[] = {
    {HTTP_GET, "/", h, BODY_NONE, 0, 0, "home", 0},
    {HTTP_GET, "/b/:slug", h, BODY_NONE, 0, 0, "board", 0},
    {HTTP_GET, "/b/new", h, BODY_NONE, 0, 0, "board_new", 0},
    {HTTP_GET | HTTP_POST, "/b/:slug/modules/:id", h, BODY_FORM, 4096, 0, "module", 0},
    {HTTP_GET, "/b/:slug/modules/", h, BODY_NONE, 0, 0, "modules", 0},
    {HTTP_GET, "/static/*path", h, BODY_NONE, 0, 0, "static", 0},
    {HTTP_GET, "/static/css/*file", h, BODY_NONE, 0, 0, "css", 0},
    {HTTP_DELETE, "/b/:slug/modules/:id", h, BODY_NONE, 0, 0, "module_delete", 0},
    {HTTP_GET, "/:a/:b/:c/:d/:e/:f/:g/*h", h, BODY_NONE, 0, 0, "deep", 0},
};

/* Every segment of an accepted path must decode to valid UTF-8 that is not
 * "." or ".." and holds no separator. */
static void check_accepted(struct arena *a, const char *p, size_t len)
{
	const char *q = memchr(p, '?', len);
	size_t n = q ? (size_t)(q - p) : len;
	if (n == 0 || p[0] != '/')
		abort();
	size_t i = 1;
	for (;;) {
		size_t s = i;
		while (i < n && p[i] != '/')
			i++;
		char *d;
		size_t dl;
		if (http_percent_decode(a, (struct str){p + s, i - s}, false, &d, &dl) != 0)
			abort();
		if ((dl == 1 && d[0] == '.') || (dl == 2 && d[0] == '.' && d[1] == '.'))
			abort();
		if (memchr(d, '/', dl) || memchr(d, '\\', dl))
			abort();
		if (i == s && i < n)
			abort(); /* "//" */
		if (i >= n)
			break;
		i++;
	}
}

static void fuzz_paths(struct arena *a, const char *p, size_t len, enum http_method m)
{
	struct route_match rm;
	int rc = router_match(table, sizeof table / sizeof table[0], m, p, len, &rm);
	if (rc == CAMPUS_EINVAL)
		return;
	check_accepted(a, p, len);
	if (rc == 0) {
		if (!rm.route || rm.nparams > ROUTE_MAX_PARAMS || !(rm.allowed & (unsigned)m))
			abort();
		for (unsigned i = 0; i < rm.nparams; i++) {
			struct str v = rm.params[i].value;
			if (v.ptr < p || v.ptr + v.len > p + len || v.len == 0)
				abort();
			if (route_param(&rm, "zz_none").ptr)
				abort();
			char *d;
			size_t dl;
			if (http_percent_decode(a, v, false, &d, &dl) != 0 || strlen(d) != dl)
				abort();
		}
	} else if (rc == CAMPUS_EMETHOD) {
		if (rm.route || rm.allowed == 0 || (rm.allowed & (unsigned)m))
			abort();
	} else if (rc != CAMPUS_ENOTFOUND) {
		abort();
	}
}

/* Input as "pattern1\npattern2\npath": checks patterns and matches against
 * them whether or not router_check accepted the table. */
static void fuzz_patterns(const char *s, size_t len)
{
	char buf[3][512];
	size_t part = 0, o = 0;
	memset(buf, 0, sizeof buf);
	for (size_t i = 0; i < len && part < 3; i++) {
		if (s[i] == '\n' && part < 2) {
			part++;
			o = 0;
			continue;
		}
		if (o < sizeof buf[0] - 1)
			buf[part][o++] = s[i];
	}
	struct route t[2] = {
	    {HTTP_GET | HTTP_POST, buf[0], h, BODY_FORM, 10, 0, "one", 0},
	    {HTTP_GET, buf[1], h, BODY_NONE, 0, 0, "two", 0},
	};
	struct buf err;
	buf_init(&err, NULL, 1 << 16);
	int rc = router_check(t, 2, &err);
	if (rc != 0 && rc != CAMPUS_EINVAL)
		abort();
	if ((rc == 0) != (err.len == 0))
		abort();
	buf_fini(&err);
	struct route_match rm;
	router_match(t, 2, HTTP_GET, buf[2], strlen(buf[2]), &rm);
	if (rm.nparams > ROUTE_MAX_PARAMS)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	static const enum http_method ms[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,    HTTP_PUT,
	                                      HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS, 0};
	enum http_method m = ms[data[0] & 7];
	struct arena *a = arena_new(1 << 22);
	/* exact-size copy so ASan sees any overread */
	char *p = malloc(size - 1 ? size - 1 : 1);
	memcpy(p, data + 1, size - 1);
	fuzz_paths(a, p, size - 1, m);
	char *d;
	size_t dl;
	if (http_percent_decode(a, (struct str){p, size - 1}, data[0] & 8, &d, &dl) == 0 &&
	    (strlen(d) != dl || !utf8_valid(d, dl)))
		abort();
	free(p);
	fuzz_patterns((const char *)data + 1, size - 1);
	arena_free(a);
	return 0;
}
