/* Query strings: whatever comes in, what comes out obeys the limits and is
 * valid UTF-8 without NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(1 << 22);
	struct form_limits l = form_limits_default();
	l.max_fields = 20;
	l.max_name = 16;
	l.max_value = 64;
	char *qs = malloc(size ? size : 1);
	memcpy(qs, data, size);
	struct form f = {0};
	int rc = form_parse_query(a, qs, size, &l, &f);
	if (rc != 0 && rc != CAMPUS_EINVAL && rc != CAMPUS_ETOOBIG)
		abort();
	unsigned n = 0;
	for (const struct form_field *x = f.first; x; x = x->next, n++) {
		size_t nl = strlen(x->name);
		if (nl == 0 || nl > l.max_name || !utf8_valid(x->name, nl))
			abort();
		if (!x->value || strlen(x->value) != x->value_len || x->value_len > l.max_value ||
		    !utf8_valid(x->value, x->value_len))
			abort();
		if (x->filename || x->tmp_path || x->size)
			abort();
		if (!form_get(&f, x->name) || form_count(&f, x->name) == 0)
			abort();
		if (!x->next && x != f.last)
			abort();
	}
	if (n != f.count || n > l.max_fields)
		abort();
	free(qs);
	arena_free(a);
	return 0;
}
