/* Streaming multipart/form-data parser (RFC 7578 on RFC 2046 framing).
 *
 * Ordinary parts become form fields in the arena (capped by max_value).
 * Parts with a non-empty filename stream into a temp file made with
 * mkostemp() in limits->tmp_dir (mode 0600, O_CLOEXEC); the field records
 * the sanitised basename, the Content-Type as sent, the temp path and the
 * size. No file descriptor is held between calls: bytes are gathered in an
 * arena buffer and appended in large writes, so an upload abandoned half way
 * leaks nothing that multipart_cleanup() does not remove.
 *
 * A temp file is listed in the form from the moment it exists, so after any
 * outcome (success, error, client gone) multipart_cleanup() removes every file
 * the request created. Handlers that keep an upload must rename() it away
 * before the request completes. */
#ifndef CAMPUS_HTTP_MULTIPART_H
#define CAMPUS_HTTP_MULTIPART_H

#include <stddef.h>

#include "http/form.h"

struct arena;

/* Bytes of one part's header block (all lines and CRLFs). */
#define MULTIPART_HEADERS_MAX 4096
/* Bytes of one header line. */
#define MULTIPART_LINE_MAX 2048
/* Longest filename kept (bytes of the basename). */
#define MULTIPART_FILENAME_MAX 255

/* Extracts the boundary from a Content-Type header value such as
 * "multipart/form-data; boundary=----x" (quoted or not). Another media type
 * (or NULL) is CAMPUS_EMEDIA; a missing, duplicated or invalid boundary (1..70
 * RFC 2046 characters, not ending in a space) or bad parameters CAMPUS_EINVAL.
 * The boundary is copied into the arena. */
int multipart_boundary(const char *content_type, struct arena *a, const char **boundary);

struct multipart_parser;

/* NULL when the boundary is invalid or the arena is full. limits NULL means
 * form_limits_default(); they are copied. Fields are appended to out. */
struct multipart_parser *multipart_new(struct arena *a, const char *boundary,
                                       const struct form_limits *limits, struct form *out);
/* Chunks may split anywhere. CAMPUS_EINVAL for malformed input, CAMPUS_ETOOBIG
 * for limits, CAMPUS_EIO when a temp file cannot be made or written,
 * CAMPUS_ENOMEM for a full arena. Errors are sticky. */
int multipart_feed(struct multipart_parser *p, const char *data, size_t len);
/* CAMPUS_EINVAL if the closing boundary never came. */
int multipart_finish(struct multipart_parser *p);
/* Unlinks every temp file listed in the form (missing files are fine). */
void multipart_cleanup(const struct form *f);

#endif
