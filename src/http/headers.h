/* Small parsers and formatters for request and response headers. All of them
 * take untrusted, NUL-terminated header values (NULL means "header absent"),
 * never allocate and never read past the terminator. */
#ifndef CAMPUS_HTTP_HEADERS_H
#define CAMPUS_HTTP_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

struct buf;

/* Value of the first "name=value" pair in a Cookie header (RFC 6265 5.4:
 * pairs split on ';', names compared exactly, surrounding DQUOTEs dropped).
 * A pair whose value holds bytes outside cookie-octet is skipped. The value
 * is a slice of the header. 0 or CAMPUS_ENOTFOUND. */
int cookie_get(const char *cookie_header, const char *name, struct str *value);

enum cookie_samesite { COOKIE_SAMESITE_UNSET, COOKIE_SAMESITE_LAX, COOKIE_SAMESITE_STRICT };

#define COOKIE_DELETE (-1)

struct cookie_opts {
	const char *path; /* NULL: no Path attribute */
	int64_t max_age;  /* > 0 seconds; 0: session cookie; COOKIE_DELETE: Max-Age=0 */
	bool http_only;
	bool secure;
	enum cookie_samesite same_site;
};

/* Appends a Set-Cookie value: "name=value; Path=/; Max-Age=60; HttpOnly;
 * Secure; SameSite=Lax". The name must be an RFC 7230 token, the value
 * cookie-octets only, the path start with '/' and hold no controls or ';'.
 * CAMPUS_EINVAL (nothing appended) or the buffer's error. opts may be NULL. */
int cookie_format(struct buf *b, const char *name, const char *value,
                  const struct cookie_opts *opts);

/* Index into supported[] of the best language for an Accept-Language header,
 * -1 when none is acceptable. Per supported tag the most specific matching
 * range counts (exact tag, then same primary subtag, then "*") with its
 * q-value; q=0 excludes. Highest q wins, then the more specific match, then
 * the range listed first in the header, then the earlier entry in supported[]. "en-GB,en;q=0.9"
 * with
 * {"nl", "en"} gives 1. Only the first 64 list elements are looked at. */
int http_accept_language(const char *header, const char *const *supported, size_t n);

/* True when gzip (or x-gzip) is acceptable: named with q > 0, or not named
 * and "*" has q > 0. */
bool http_accepts_gzip(const char *accept_encoding);

/* The "type/subtype" of a Content-Type value, as a slice of header (case
 * kept), without parameters or surrounding whitespace. CAMPUS_ENOTFOUND for
 * NULL or blank, CAMPUS_EINVAL when it is not token "/" token. */
int http_content_type(const char *header, struct str *media_type);
/* Case-insensitive comparison of the media type with type ("application/json"). */
bool http_media_type_is(const char *header, const char *type);

/* If-None-Match against the current entity tag (e.g. "\"abc\"" or
 * "W/\"abc\""): weak comparison, lists and "*". A malformed header never
 * matches, so the full response is sent. */
bool http_etag_match(const char *if_none_match, const char *etag);

#endif
