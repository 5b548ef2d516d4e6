/* Multipart bodies with the boundary "XyZ": the first byte picks a split
 * point; both runs must agree, every file must match its recorded size, and
 * after multipart_cleanup() the upload directory must be empty again. The
 * input is also tried as a Content-Type header. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void remove_dir(void)
{
	if (dir[0])
		rmdir(dir);
}

static size_t dir_count(void)
{
	DIR *d = opendir(dir);
	if (!d)
		abort();
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int run(struct arena *a, const struct form_limits *l, const char *body, size_t len,
               size_t cut, struct form *f)
{
	struct multipart_parser *p = multipart_new(a, "XyZ", l, f);
	if (!p)
		abort();
	int rc = multipart_feed(p, body, cut);
	if (!rc)
		rc = multipart_feed(p, body + cut, len - cut);
	int rc2 = multipart_finish(p);
	if (rc && rc2 != rc)
		abort();
	return rc ? rc : rc2;
}

static size_t file_size(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 0777) != 0600)
		abort();
	return (size_t)st.st_size;
}

static int same_bytes(const char *p1, const char *p2, size_t n)
{
	int f1 = open(p1, O_RDONLY | O_CLOEXEC), f2 = open(p2, O_RDONLY | O_CLOEXEC);
	char b1[4096], b2[4096];
	int same = f1 >= 0 && f2 >= 0 && n <= sizeof b1 && read(f1, b1, n) == (ssize_t)n &&
	           read(f2, b2, n) == (ssize_t)n && memcmp(b1, b2, n) == 0;
	if (f1 >= 0)
		close(f1);
	if (f2 >= 0)
		close(f2);
	return same;
}

static void check_field(const struct form_field *x, const struct form_limits *l)
{
	size_t nl = strlen(x->name);
	if (nl == 0 || nl > l->max_name || !utf8_valid(x->name, nl))
		abort();
	if (x->filename) {
		size_t fl = strlen(x->filename);
		if (fl > MULTIPART_FILENAME_MAX || !utf8_valid(x->filename, fl) ||
		    strchr(x->filename, '/') || strchr(x->filename, '\\') ||
		    !strcmp(x->filename, ".") || !strcmp(x->filename, ".."))
			abort();
		if (x->value || (fl == 0) != (x->tmp_path == NULL) || x->size > l->max_file)
			abort();
	} else if (!x->value || x->tmp_path || x->value_len > l->max_value ||
	           strlen(x->value) != x->value_len || !utf8_valid(x->value, x->value_len)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		memcpy(dir, "/tmp/campus-fuzz-mp-XXXXXX", sizeof "/tmp/campus-fuzz-mp-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(remove_dir);
	}
	if (size == 0)
		return 0;
	struct arena *a = arena_new(1 << 24);

	/* the whole input as a Content-Type value */
	char *ct = malloc(size + 1);
	memcpy(ct, data, size);
	ct[size] = 0;
	const char *b = NULL;
	int brc = multipart_boundary(ct, a, &b);
	if (brc == 0 &&
	    (strlen(b) < 1 || strlen(b) > 70 || !multipart_new(a, b, NULL, &(struct form){0})))
		abort();
	if (brc != 0 && brc != CAMPUS_EINVAL && brc != CAMPUS_EMEDIA)
		abort();
	free(ct);

	size_t len = size - 1;
	size_t cut = len ? (size_t)data[0] * len / 255 : 0;
	char *body = malloc(len ? len : 1);
	memcpy(body, data + 1, len);
	struct form_limits l = form_limits_default();
	l.max_fields = 12;
	l.max_name = 32;
	l.max_value = 256;
	l.max_file = 2048;
	l.max_files = 3;
	l.tmp_dir = dir;
	struct form whole = {0}, split = {0};
	int r1 = run(a, &l, body, len, len, &whole);
	int r2 = run(a, &l, body, len, cut, &split);
	if (r1 != r2 || whole.count != split.count)
		abort();
	if (r1 != 0 && r1 != CAMPUS_EINVAL && r1 != CAMPUS_ETOOBIG)
		abort();
	const struct form_field *x = whole.first, *y = split.first;
	for (; x && y; x = x->next, y = y->next) {
		check_field(x, &l);
		check_field(y, &l);
		if (strcmp(x->name, y->name) || (x->filename == NULL) != (y->filename == NULL))
			abort();
		if (x->value &&
		    (x->value_len != y->value_len || memcmp(x->value, y->value, x->value_len)))
			abort();
		if (x->tmp_path && r1 == 0) {
			/* a finished file holds exactly the counted bytes, the same in both runs */
			if (!y->tmp_path || file_size(x->tmp_path) != x->size ||
			    x->size != y->size || file_size(y->tmp_path) != y->size ||
			    !same_bytes(x->tmp_path, y->tmp_path, x->size))
				abort();
		}
	}
	if (x || y)
		abort();
	multipart_cleanup(&whole);
	multipart_cleanup(&split);
	if (dir_count() != 0)
		abort();
	free(body);
	arena_free(a);
	return 0;
}
