/* Static route table with path parameters, matched without allocation.
 *
 * Patterns are absolute paths made of segments: a literal ("modules"), a
 * parameter (":id", one non-empty segment) or a trailing splat ("*path", the
 * non-empty rest of the path, slashes included). "/" is the root; a trailing
 * slash is part of the pattern ("/b/" and "/b" are different routes).
 *
 * Precedence when several routes match a path for the request's method: the
 * patterns are compared segment by segment from the left and at the first
 * segment where they differ a literal beats a parameter and a parameter beats
 * a splat; when they do not differ, the route listed first wins.
 *
 * Paths are checked before matching: anything outside printable ASCII, "//",
 * "." or ".." segments (also percent-encoded), encoded "/" or "\", bad escapes
 * and escapes that decode to invalid UTF-8 or NUL are CAMPUS_EINVAL, so path
 * traversal never reaches a handler. Parameter values are slices of the raw
 * (still percent-encoded) path; decode them with http_percent_decode(). */
#ifndef CAMPUS_HTTP_ROUTER_H
#define CAMPUS_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/str.h"

struct arena;
struct buf;

enum http_method {
	HTTP_GET = 1,
	HTTP_HEAD = 2,
	HTTP_POST = 4,
	HTTP_PUT = 8,
	HTTP_PATCH = 16,
	HTTP_DELETE = 32,
	HTTP_OPTIONS = 64,
};
#define HTTP_METHOD_ALL 127u

/* Exact, case-sensitive method names (RFC 9110). Unknown -> CAMPUS_EMETHOD,
 * NULL -> CAMPUS_EINVAL. */
int http_method_parse(const char *s, enum http_method *out);
/* Appends a mask as an Allow header value: "GET, HEAD, POST". */
int http_methods_format(struct buf *b, unsigned mask);

struct req; /* defined by the server; opaque here */

enum body_kind { BODY_NONE, BODY_FORM /* urlencoded or multipart */, BODY_JSON };

struct route {
	unsigned methods;    /* mask of http_method; GET also answers HEAD */
	const char *pattern; /* "/b/:slug/modules/:id"; a splat: "/static/" "*path" */
	int (*handler)(struct req *);
	enum body_kind body;
	size_t body_max;  /* bytes; 0 = no body allowed */
	unsigned flags;   /* free for the server (e.g. ROUTE_PUBLIC); router ignores */
	const char *name; /* for logs/metrics, e.g. "home" */
	unsigned policy;  /* who may call it (domain/authz.h); the server checks it first */
};

#define ROUTE_MAX_PARAMS 8
/* Longest path router_match() accepts; longer is CAMPUS_EINVAL. */
#define ROUTE_PATH_MAX 2048

struct route_match {
	const struct route *route;
	unsigned nparams;
	struct {
		struct str name, value;
	} params[ROUTE_MAX_PARAMS];
	unsigned allowed; /* methods allowed on the path, for 405 Allow (HEAD added with GET) */
};

/* Matches path[0..len) (a '?' ends the path: the query is not looked at).
 * Returns 0 with out filled, CAMPUS_ENOTFOUND when no pattern matches the
 * path, CAMPUS_EMETHOD when patterns match but none allows m (out->allowed is
 * set; out->route is NULL), CAMPUS_EINVAL for a malformed path. out->allowed
 * is set on success too (handy for OPTIONS). */
int router_match(const struct route *table, size_t n, enum http_method m, const char *path,
                 size_t len, struct route_match *out);

/* Raw value of a parameter, STR_NULL when the route has none of that name. */
struct str route_param(const struct route_match *match, const char *name);

/* Decodes %XX escapes (and '+' as space when asked) into a NUL-terminated
 * arena string. Bad escapes, invalid UTF-8 and NUL bytes are CAMPUS_EINVAL;
 * arena exhaustion is CAMPUS_ENOMEM. */
int http_percent_decode(struct arena *a, struct str in, bool plus_as_space, char **out,
                        size_t *outlen);

/* Validates a table at start-up: bad patterns, missing or duplicate names,
 * duplicate parameter names, unknown method bits, body settings that do not
 * fit, and routes shadowed by an earlier route with the same shape and an
 * overlapping method. One line per problem goes to err (may be NULL).
 * 0 or CAMPUS_EINVAL. */
int router_check(const struct route *table, size_t n, struct buf *err);

#endif
