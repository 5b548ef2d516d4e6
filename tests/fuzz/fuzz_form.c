/* Streaming urlencoded bodies: the first byte picks where the body is split;
 * two chunks must give exactly what one piece gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(struct arena *a, const struct form_limits *l, const char *body, size_t len,
               size_t cut, struct form *f)
{
	struct urlenc_parser *p = urlenc_new(a, l, f);
	if (!p)
		abort();
	int rc = urlenc_feed(p, body, cut);
	if (!rc)
		rc = urlenc_feed(p, body + cut, len - cut);
	int rc2 = urlenc_finish(p);
	if (rc && rc2 != rc)
		abort(); /* errors are sticky */
	return rc ? rc : rc2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t len = size - 1;
	size_t cut = len ? (size_t)data[0] * len / 255 : 0;
	char *body = malloc(len ? len : 1);
	memcpy(body, data + 1, len);
	struct arena *a = arena_new(1 << 22);
	struct form_limits l = form_limits_default();
	l.max_fields = 20;
	l.max_name = 16;
	l.max_value = 64;
	struct form whole = {0}, split = {0};
	int r1 = run(a, &l, body, len, len, &whole);
	int r2 = run(a, &l, body, len, cut, &split);
	if (r1 != r2 || whole.count != split.count)
		abort();
	if (r1 != 0 && r1 != CAMPUS_EINVAL && r1 != CAMPUS_ETOOBIG)
		abort();
	const struct form_field *x = whole.first, *y = split.first;
	for (; x && y; x = x->next, y = y->next) {
		if (strcmp(x->name, y->name) || x->value_len != y->value_len ||
		    memcmp(x->value, y->value, x->value_len))
			abort();
		if (!utf8_valid(x->name, strlen(x->name)) || !utf8_valid(x->value, x->value_len))
			abort();
	}
	if (x || y)
		abort();
	free(body);
	arena_free(a);
	return 0;
}
