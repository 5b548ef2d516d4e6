/* Static assets (CSS, JS, images, fonts) read once at start into memory, each
 * with a strong ETag and, for text types, a gzip copy. Requests can only name
 * files that were found at start, so no path from a request ever reaches the
 * file system. */
#ifndef CAMPUS_HTTP_STATIC_H
#define CAMPUS_HTTP_STATIC_H

#include <stddef.h>

struct buf;
struct req;

struct static_file {
	char *path;               /* relative to the static dir, e.g. "vendor/utrecht.css" */
	unsigned char *data;
	size_t len;
	unsigned char *gz;        /* NULL when compression does not pay */
	size_t gz_len;
	char etag[24];            /* quoted */
	char etag_gz[28];         /* the gzip copy is other bytes: its own validator */
	const char *content_type;
};

struct static_files;

int static_load(const char *dir, struct static_files **out, struct buf *err);
void static_free(struct static_files *s);
const struct static_file *static_find(const struct static_files *s, const char *path, size_t len);
size_t static_count(const struct static_files *s);

/* Handler for GET /static/\*path. */
int static_handler(struct req *r);
/* Replies with the static file at path (relative to the static dir), with
 * its ETag and gzip copy; CAMPUS_ENOTFOUND when there is none. */
int static_reply(struct req *r, const char *path);

#endif
