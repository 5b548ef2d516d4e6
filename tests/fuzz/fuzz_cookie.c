/* Every parser in headers.c on arbitrary header values, with round-trip and
 * range checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = malloc(size + 1);
	memcpy(h, data, size);
	h[size] = 0;
	size_t hl = strlen(h);

	/* cookie_get: a found value is a slice of the header, made of cookie-octets */
	static const char *names[] = {"a", "sid", "campus_sid", "csrf"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct str v;
		int rc = cookie_get(h, names[i], &v);
		if (rc == 0) {
			if (v.ptr < h || v.ptr + v.len > h + hl)
				abort();
			for (size_t k = 0; k < v.len; k++)
				if (v.ptr[k] <= ' ' || v.ptr[k] == ';' || v.ptr[k] == ',' ||
				    v.ptr[k] == '"' || v.ptr[k] == '\\' || v.ptr[k] == 0x7f)
					abort();
		} else if (rc != CAMPUS_ENOTFOUND) {
			abort();
		}
	}

	/* cookie_format round trip: name and value from the input split at '=' */
	char *eq = strchr(h, '=');
	if (eq) {
		*eq = 0;
		const char *name = h, *value = eq + 1;
		struct buf b;
		buf_init(&b, NULL, 1 << 16);
		struct cookie_opts o = {.path = size ? "/" : NULL,
		                        .max_age = (int64_t)size - 1,
		                        .http_only = size & 1,
		                        .secure = size & 2,
		                        .same_site = (enum cookie_samesite)(size % 3)};
		int rc = cookie_format(&b, name, value, &o);
		if (rc == 0) {
			struct str v;
			if (cookie_get(buf_cstr(&b), name, &v) != 0 || !str_eq_cstr(v, value))
				abort();
			if (strchr(buf_cstr(&b), '\r') || strchr(buf_cstr(&b), '\n'))
				abort();
		} else if (rc != CAMPUS_EINVAL) {
			abort();
		}
		/* the rest of the input as a Path */
		buf_clear(&b);
		o.path = value;
		rc = cookie_format(&b, "n", "v", &o);
		if (rc == 0 && (strchr(buf_cstr(&b), '\n') || strchr(buf_cstr(&b), '\r')))
			abort();
		buf_fini(&b);
		*eq = '=';
	}

	static const char *const langs[] = {"nl", "en", "en-GB", "fy"};
	int li = http_accept_language(h, langs, 4);
	if (li < -1 || li > 3)
		abort();
	(void)http_accepts_gzip(h);

	struct str mt;
	int rc = http_content_type(h, &mt);
	if (rc == 0) {
		if (mt.ptr < h || mt.ptr + mt.len > h + hl || !memchr(mt.ptr, '/', mt.len))
			abort();
		if (!http_media_type_is(h, "x/y") && str_ieq_cstr(mt, "x/y"))
			abort();
	} else if (rc != CAMPUS_EINVAL && rc != CAMPUS_ENOTFOUND) {
		abort();
	}

	(void)http_etag_match(h, "\"abc\"");
	(void)http_etag_match(h, "W/\"abc\"");
	(void)http_etag_match("\"abc\", W/\"x\"", h);
	/* a well-formed list that holds the tag always matches it */
	if (http_etag_match(h, h) && !http_etag_match(h, h))
		abort();
	free(h);
	return 0;
}
