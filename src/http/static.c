#include "http/static.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "http/headers.h"
#include "http/req.h"
#include "http/server.h"

#define STATIC_MAX_FILE ((size_t)8 << 20)
#define STATIC_MAX_FILES 4096

struct static_files {
	struct static_file *files; /* sorted by path */
	size_t count;
};

static const struct {
	const char *ext;
	const char *type;
	int compress;
} mime_types[] = {
	{".css", "text/css; charset=utf-8", 1},
	{".js", "text/javascript; charset=utf-8", 1},
	{".mjs", "text/javascript; charset=utf-8", 1},
	{".json", "application/json", 1},
	{".svg", "image/svg+xml", 1},
	{".txt", "text/plain; charset=utf-8", 1},
	{".html", "text/html; charset=utf-8", 1},
	{".png", "image/png", 0},
	{".jpg", "image/jpeg", 0},
	{".webp", "image/webp", 0},
	{".ico", "image/x-icon", 1},
	{".woff2", "font/woff2", 0},
	{".woff", "font/woff", 0},
};

static const char *mime_for(const char *path, int *compress)
{
	for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
		if (str_ends_with(path, mime_types[i].ext)) {
			*compress = mime_types[i].compress;
			return mime_types[i].type;
		}
	*compress = 0;
	return "application/octet-stream";
}

static void gzip_file(struct static_file *f)
{
	z_stream z = {0};
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	size_t bound = deflateBound(&z, (uLong)f->len) + 32;
	unsigned char *out = xmalloc(bound);
	z.next_in = f->data;
	z.avail_in = (uInt)f->len;
	z.next_out = out;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	size_t n = bound - z.avail_out;
	deflateEnd(&z);
	/* Only keep it when it saves at least a tenth: small files are not worth it. */
	if (rc != Z_STREAM_END || n * 10 > f->len * 9) {
		free(out);
		return;
	}
	f->gz = out;
	f->gz_len = n;
}

static int read_file(const char *full, struct static_file *f, struct buf *err)
{
	FILE *fp = fopen(full, "rb");
	if (!fp) {
		buf_printf(err, "%s: %s", full, strerror(errno));
		return CAMPUS_EIO;
	}
	struct buf data;
	buf_init(&data, NULL, STATIC_MAX_FILE);
	char chunk[16384];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&data, chunk, n);
	int bad = ferror(fp);
	fclose(fp);
	if (bad || data.overflow) {
		buf_printf(err, "%s: %s", full, bad ? "read error" : "file too large for a static asset");
		buf_fini(&data);
		return bad ? CAMPUS_EIO : CAMPUS_ETOOBIG;
	}
	f->data = (unsigned char *)(data.data ? data.data : xstrdup(""));
	f->len = data.len;
	unsigned char hash[8];
	crypto_generichash(hash, sizeof hash, f->data, f->len, NULL, 0);
	char hex[17];
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	snprintf(f->etag, sizeof f->etag, "\"%s\"", hex);
	int compress;
	f->content_type = mime_for(f->path, &compress);
	if (compress && f->len > 256)
		gzip_file(f);
	snprintf(f->etag_gz, sizeof f->etag_gz, "\"%s-gz\"", hex);
	return 0;
}

static int walk(struct static_files *s, const char *root, const char *rel, struct buf *err)
{
	char dirpath[4096];
	snprintf(dirpath, sizeof dirpath, "%s%s%s", root, *rel ? "/" : "", rel);
	DIR *d = opendir(dirpath);
	if (!d) {
		buf_printf(err, "%s: %s", dirpath, strerror(errno));
		return CAMPUS_EIO;
	}
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue; /* also skips dotfiles such as .gitkeep */
		char relpath[4096], full[8192];
		snprintf(relpath, sizeof relpath, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof full, "%s/%s", root, relpath);
		struct stat st;
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = walk(s, root, relpath, err);
		} else if (S_ISREG(st.st_mode)) {
			if (s->count == STATIC_MAX_FILES) {
				buf_printf(err, "%s: more than %d static files", root, STATIC_MAX_FILES);
				rc = CAMPUS_ETOOBIG;
				break;
			}
			struct static_file *f = &s->files[s->count];
			memset(f, 0, sizeof *f);
			f->path = xstrdup(relpath);
			rc = read_file(full, f, err);
			if (rc)
				free(f->path);
			else
				s->count++;
		}
	}
	closedir(d);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct static_file *)a)->path, ((const struct static_file *)b)->path);
}

int static_load(const char *dir, struct static_files **out, struct buf *err)
{
	struct static_files *s = xcalloc(1, sizeof *s);
	s->files = xcalloc(STATIC_MAX_FILES, sizeof *s->files);
	int rc = walk(s, dir, "", err);
	if (rc) {
		static_free(s);
		return rc;
	}
	qsort(s->files, s->count, sizeof *s->files, cmp_file);
	*out = s;
	return 0;
}

void static_free(struct static_files *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++) {
		free(s->files[i].path);
		free(s->files[i].data);
		free(s->files[i].gz);
	}
	free(s->files);
	free(s);
}

size_t static_count(const struct static_files *s) { return s ? s->count : 0; }

const struct static_file *static_find(const struct static_files *s, const char *path, size_t len)
{
	size_t lo = 0, hi = s->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *p = s->files[mid].path;
		size_t plen = strlen(p);
		int cmp = memcmp(path, p, len < plen ? len : plen);
		if (cmp == 0)
			cmp = len < plen ? -1 : len > plen ? 1 : 0;
		if (cmp == 0)
			return &s->files[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int static_handler(struct req *r)
{
	return static_reply(r, req_param(r, "path")); /* decoded; the router refused traversal */
}

int static_reply(struct req *r, const char *path)
{
	const struct static_file *f = path && *path ? static_find(r->app->statics, path, strlen(path)) : NULL;
	if (!f)
		return CAMPUS_ENOTFOUND;
	bool gzip = f->gz && http_accepts_gzip(req_header(r, "Accept-Encoding"));
	const char *etag = gzip ? f->etag_gz : f->etag;
	req_add_header(r, "ETag", etag);
	req_add_header(r, "Cache-Control", "public, max-age=3600");
	req_add_header(r, "Vary", "Accept-Encoding");
	r->content_type = f->content_type;
	const char *inm = req_header(r, "If-None-Match");
	if (inm && http_etag_match(inm, etag)) {
		r->status = 304;
		r->body_static = "";
		r->body_static_len = 0;
		return 0;
	}
	r->status = 200;
	if (gzip) {
		req_add_header(r, "Content-Encoding", "gzip");
		r->body_static = f->gz;
		r->body_static_len = f->gz_len;
	} else {
		r->body_static = f->data;
		r->body_static_len = f->len;
	}
	return 0;
}
