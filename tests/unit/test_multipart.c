#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/multipart.h"

static char dir[64];
static struct arena *a;

static size_t dir_count(void)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	size_t n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int setup(void **state)
{
	(void)state;
	memcpy(dir, "/tmp/campus-mp-test-XXXXXX", sizeof "/tmp/campus-mp-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	a = arena_new(0);
	return 0;
}

/* Every test must leave the upload directory empty; leftovers are removed
 * anyway so a failing run does not litter /tmp. */
static int teardown(void **state)
{
	(void)state;
	arena_free(a);
	size_t left = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		left++;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
	if (rmdir(dir) != 0 || left)
		fail_msg("%zu temp files left in %s", left, dir);
	return 0;
}

static struct form_limits lim(void)
{
	struct form_limits l = form_limits_default();
	l.tmp_dir = dir;
	return l;
}

/* First error of feed or finish, 0 when the body parsed. */
static int parse_with(const char *boundary, const char *body, size_t len,
                      const struct form_limits *l, struct form *f)
{
	memset(f, 0, sizeof *f);
	struct multipart_parser *p = multipart_new(a, boundary, l, f);
	assert_non_null(p);
	int rc = multipart_feed(p, body, len);
	int rc2 = multipart_finish(p);
	if (rc)
		assert_int_equal(rc2, rc); /* sticky */
	return rc ? rc : rc2;
}

static int parse_s(const char *body, const struct form_limits *l, struct form *f)
{
	return parse_with("XyZ", body, strlen(body), l, f);
}

static char *slurp(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	char *d = malloc((size_t)st.st_size + 1);
	assert_non_null(d);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, d + got, (size_t)st.st_size - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
	close(fd);
	*n = got;
	return d;
}

static void assert_file(const struct form_field *x, const char *want, size_t n)
{
	assert_non_null(x);
	assert_non_null(x->tmp_path);
	assert_null(x->value);
	assert_int_equal(x->size, n);
	assert_int_equal(strncmp(x->tmp_path, dir, strlen(dir)), 0);
	struct stat st;
	assert_int_equal(lstat(x->tmp_path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	size_t got;
	char *d = slurp(x->tmp_path, &got);
	assert_int_equal(got, n);
	if (n)
		assert_memory_equal(d, want, n);
	free(d);
}

#define BND "----WebKitFormBoundary7MA4YWxkTrZu0gW"

/* A near miss of the delimiter, NULs, lone CRs and dashes inside the file. */
static const char file1[] = "bytes\0\r\n--"
                            "----WebKitFormBoundary7MA4YWxkTrZu0g"
                            "X\r\n\r\r\n--"
                            "-"
                            "\r\n-\r\r\n--"
                            "----WebKitForm"
                            "\r\n--\r\n\r\nend\r";
#define FILE1_LEN (sizeof file1 - 1)

static const char head[] =
    "--" BND "\r\n"
    "Content-Disposition: form-data; name=\"titel\"\r\n"
    "\r\n"
    "Lezen in de bieb\r\n"
    "--" BND "\r\n"
    "content-disposition: FORM-DATA ; name=omschrijving\r\n"
    "Content-Type:   text/plain; charset=UTF-8  \r\n"
    "X-Ignored: yes\r\n"
    "\r\n"
    "Regel 1\r\nRegel 2 \xe2\x82\xac\r\n-- en \r\n--bijna\r\n"
    "--" BND "\r\n"
    "Content-Disposition: form-data; name=\"bijlage\"; filename=\"C:\\fakepath\\verslag.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n";
static const char tail[] =
    "\r\n--" BND "\r\n"
    "Content-Disposition: form-data; name=\"leeg\"; filename=\"\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "\r\n--" BND "\r\n"
    "Content-Disposition: form-data; filename=\"../caf\xc3\xa9 \\\"1\\\".png\"; name=\"foto\"\r\n"
    "\r\n"
    "PNG"
    "\r\n--" BND "--\r\n";

static char *sample(size_t *n)
{
	size_t hl = sizeof head - 1, tl = sizeof tail - 1;
	char *s = malloc(hl + FILE1_LEN + tl);
	assert_non_null(s);
	memcpy(s, head, hl);
	memcpy(s + hl, file1, FILE1_LEN);
	memcpy(s + hl + FILE1_LEN, tail, tl);
	*n = hl + FILE1_LEN + tl;
	return s;
}

static void check_sample(const struct form *f)
{
	assert_int_equal(f->count, 5);
	const struct form_field *x = f->first;
	assert_string_equal(x->name, "titel");
	assert_string_equal(x->value, "Lezen in de bieb");
	assert_int_equal(x->value_len, 16);
	assert_null(x->filename);
	assert_null(x->tmp_path);
	assert_null(x->content_type);

	x = x->next;
	assert_string_equal(x->name, "omschrijving");
	assert_string_equal(x->value, "Regel 1\r\nRegel 2 \xe2\x82\xac\r\n-- en \r\n--bijna");
	assert_string_equal(x->content_type, "text/plain; charset=UTF-8");
	assert_null(x->tmp_path);

	x = x->next;
	assert_string_equal(x->name, "bijlage");
	assert_string_equal(x->filename, "verslag.txt");
	assert_string_equal(x->content_type, "text/plain");
	assert_file(x, file1, FILE1_LEN);

	x = x->next;
	assert_string_equal(x->name, "leeg");
	assert_string_equal(x->filename, "");
	assert_null(x->tmp_path);
	assert_null(x->value);
	assert_int_equal(x->size, 0);
	assert_string_equal(x->content_type, "application/octet-stream");

	x = x->next;
	assert_string_equal(x->name, "foto");
	assert_string_equal(x->filename, "caf\xc3\xa9 \"1\".png");
	assert_null(x->content_type);
	assert_file(x, "PNG", 3);
	assert_null(x->next);

	assert_string_equal(form_get(f, "titel"), "Lezen in de bieb");
	assert_null(form_get(f, "bijlage"));
	assert_string_equal(form_get_field(f, "bijlage")->filename, "verslag.txt");
}

static void test_sample_whole(void **state)
{
	(void)state;
	size_t n;
	char *body = sample(&n);
	size_t fds = open_fds();
	struct form f;
	assert_int_equal(parse_with(BND, body, n, &(struct form_limits){0}, &f), CAMPUS_ETOOBIG);
	multipart_cleanup(&f);
	struct form_limits l = lim();
	assert_int_equal(parse_with(BND, body, n, &l, &f), 0);
	check_sample(&f);
	assert_int_equal(dir_count(), 2);
	assert_int_equal(open_fds(), fds); /* no descriptor outlives a call */
	multipart_cleanup(&f);
	assert_int_equal(dir_count(), 0);
	multipart_cleanup(&f); /* twice is harmless */
	multipart_cleanup(NULL);
	free(body);
}

static void test_sample_every_split(void **state)
{
	(void)state;
	size_t n;
	char *body = sample(&n);
	struct form_limits l = lim();
	for (size_t cut = 0; cut <= n; cut++) {
		arena_reset(a);
		struct form f = {0};
		struct multipart_parser *p = multipart_new(a, BND, &l, &f);
		assert_non_null(p);
		assert_int_equal(multipart_feed(p, body, cut), 0);
		assert_int_equal(multipart_feed(p, body + cut, n - cut), 0);
		assert_int_equal(multipart_finish(p), 0);
		check_sample(&f);
		multipart_cleanup(&f);
		assert_int_equal(dir_count(), 0);
	}
	free(body);
}

static void test_sample_bytewise_and_random(void **state)
{
	(void)state;
	size_t n;
	char *body = sample(&n);
	struct form_limits l = lim();
	struct form f = {0};
	struct multipart_parser *p = multipart_new(a, BND, &l, &f);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(multipart_feed(p, body + i, 1), 0);
	assert_int_equal(multipart_finish(p), 0);
	check_sample(&f);
	multipart_cleanup(&f);

	/* random chunkings, reproducible */
	srand(7);
	for (int round = 0; round < 300; round++) {
		arena_reset(a);
		memset(&f, 0, sizeof f);
		p = multipart_new(a, BND, &l, &f);
		size_t i = 0;
		while (i < n) {
			size_t k = (size_t)rand() % 40;
			if (k > n - i)
				k = n - i;
			assert_int_equal(multipart_feed(p, body + i, k), 0);
			i += k;
		}
		assert_int_equal(multipart_finish(p), 0);
		check_sample(&f);
		multipart_cleanup(&f);
	}
	free(body);
}

static void test_large_file(void **state)
{
	(void)state;
	/* bigger than the write buffer, with many CRs to exercise the scanner */
	size_t fl = 300 * 1000 + 17;
	struct buf b;
	buf_init(&b, NULL, 0);
	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=f; filename=big.bin\r\n\r\n");
	size_t start = b.len;
	srand(3);
	for (size_t i = 0; i < fl; i++) {
		int r = rand() % 8;
		char c = r == 0 ? '\r' : r == 1 ? '\n' : r == 2 ? '-' : (char)rand();
		buf_putc(&b, c);
	}
	char *want = malloc(fl);
	memcpy(want, b.data + start, fl);
	buf_puts(&b, "\r\n--XyZ--");
	struct form_limits l = lim();
	struct form f = {0};
	struct multipart_parser *p = multipart_new(a, "XyZ", &l, &f);
	for (size_t i = 0; i < b.len;) {
		size_t k = 1 + (size_t)rand() % 9000;
		if (k > b.len - i)
			k = b.len - i;
		assert_int_equal(multipart_feed(p, b.data + i, k), 0);
		i += k;
	}
	assert_int_equal(multipart_finish(p), 0);
	assert_int_equal(f.count, 1);
	assert_file(f.first, want, fl);
	multipart_cleanup(&f);
	free(want);
	buf_fini(&b);

	/* exactly max_file is fine */
	l.max_file = 5;
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=f; filename=a\r\n"
	                         "\r\n12345\r\n--XyZ--",
	                         &l, &f),
	                 0);
	assert_file(f.first, "12345", 5);
	multipart_cleanup(&f);
}

static void test_boundary_header(void **state)
{
	(void)state;
	static const struct {
		const char *ct;
		const char *want;
	} ok[] = {
	    {"multipart/form-data; boundary=abc", "abc"},
	    {"Multipart/Form-Data;boundary=\"a b:c\"", "a b:c"},
	    {"  multipart/form-data ; charset=utf-8; BOUNDARY = xyz ;", "xyz"},
	    {"multipart/form-data; boundary=\"quoted\\\\-not\"; x=\"y;z\"", NULL},
	    {"multipart/form-data; x=\"y;boundary=no\"; boundary=yes", "yes"},
	    {"multipart/form-data; boundary=" BND, BND},
	    {"multipart/form-data; boundary='()+_,-./:=?", "'()+_,-./:=?"},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		const char *b = NULL;
		int rc = multipart_boundary(ok[i].ct, a, &b);
		if (!ok[i].want) {
			assert_int_equal(rc, CAMPUS_EINVAL); /* a backslash is not a bchar */
			continue;
		}
		if (rc != 0)
			fail_msg("\"%s\" gave %d", ok[i].ct, rc);
		assert_string_equal(b, ok[i].want);
	}
	char b70[128] = "multipart/form-data; boundary=";
	size_t pre = strlen(b70);
	memset(b70 + pre, 'b', 70);
	b70[pre + 70] = 0;
	const char *b = NULL;
	assert_int_equal(multipart_boundary(b70, a, &b), 0);
	assert_int_equal(strlen(b), 70);
	b70[pre + 70] = 'b';
	b70[pre + 71] = 0;
	assert_int_equal(multipart_boundary(b70, a, &b), CAMPUS_EINVAL);

	static const struct {
		const char *ct;
		int rc;
	} bad[] = {
	    {NULL, CAMPUS_EMEDIA},
	    {"", CAMPUS_EMEDIA},
	    {"text/plain; boundary=x", CAMPUS_EMEDIA},
	    {"multipart/mixed; boundary=x", CAMPUS_EMEDIA},
	    {"multipart/form-data-x; boundary=x", CAMPUS_EMEDIA},
	    {"multipart; boundary=x", CAMPUS_EMEDIA},
	    {"multipart/form-data", CAMPUS_EINVAL},
	    {"multipart/form-data;", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=\"\"", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=\"abc", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=\"abc \"", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=a@b", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=\"a\\\"b\"", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=a; boundary=a", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=a; junk", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=a b", CAMPUS_EINVAL},
	    {"multipart/form-data boundary=a", CAMPUS_EMEDIA},
	    {"multipart/form-data; =a", CAMPUS_EINVAL},
	    {"multipart/form-data; boundary=\xc3\xa9", CAMPUS_EINVAL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		b = "untouched";
		int rc = multipart_boundary(bad[i].ct, a, &b);
		if (rc != bad[i].rc)
			fail_msg("case %zu \"%s\" gave %d", i, bad[i].ct ? bad[i].ct : "(null)",
			         rc);
		assert_string_equal(b, "untouched");
	}
}

static void test_new_rejects(void **state)
{
	(void)state;
	struct form f = {0};
	struct form_limits l = lim();
	assert_null(multipart_new(a, NULL, &l, &f));
	assert_null(multipart_new(a, "", &l, &f));
	assert_null(multipart_new(a, "a@b", &l, &f));
	assert_null(multipart_new(a, "ends ", &l, &f));
	assert_null(multipart_new(a, "x", &l, NULL));
	char b71[72];
	memset(b71, 'q', 71);
	b71[71] = 0;
	assert_null(multipart_new(a, b71, &l, &f));
	b71[70] = 0;
	assert_non_null(multipart_new(a, b71, &l, &f));
	struct arena *tiny = arena_new(64);
	assert_null(multipart_new(tiny, "x", &l, &f));
	arena_free(tiny);
	/* NULL limits: the defaults, /tmp */
	assert_non_null(multipart_new(a, "x", NULL, &f));
}

static void test_framing_variants(void **state)
{
	(void)state;
	struct form_limits l = lim();
	struct form f;
	/* empty form */
	assert_int_equal(parse_s("--XyZ--\r\n", &l, &f), 0);
	assert_int_equal(f.count, 0);
	assert_int_equal(parse_s("--XyZ--", &l, &f), 0);
	assert_int_equal(parse_s("\r\n--XyZ--", &l, &f), 0);
	/* preamble, padding, epilogue */
	assert_int_equal(parse_s("This is a preamble.\r\n--XyZ \t \r\n"
	                         "Content-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--  \r\n"
	                         "epilogue --XyZ garbage \x01\xff",
	                         &l, &f),
	                 0);
	assert_int_equal(f.count, 1);
	assert_string_equal(form_get(&f, "a"), "1");
	/* a delimiter needs its CRLF: "x--XyZ" inside a value is data */
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	                         "x--XyZ\n--XyZ\r--XyZ\r\n--XyZ--",
	                         &l, &f),
	                 0);
	assert_string_equal(form_get(&f, "a"), "x--XyZ\n--XyZ\r--XyZ");
	/* empty value, and a value that is only CRLF */
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	                         "\r\n--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\n\r\n"
	                         "\r\n--XyZ--",
	                         &l, &f),
	                 0);
	assert_string_equal(form_get(&f, "a"), "");
	assert_string_equal(form_get(&f, "b"), "\r\n");
	/* the same name twice */
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=t\r\n\r\n1\r\n"
	                         "--XyZ\r\nContent-Disposition: form-data; name=t\r\n\r\n2\r\n"
	                         "--XyZ--",
	                         &l, &f),
	                 0);
	assert_int_equal(form_count(&f, "t"), 2);
	/* filename* and other parameters are ignored; filename wins */
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=a; "
	                         "filename*=UTF-8''evil%2F..; size=3; filename=\"ok.txt\"\r\n\r\n"
	                         "abc\r\n--XyZ--",
	                         &l, &f),
	                 0);
	assert_string_equal(f.first->filename, "ok.txt");
	assert_file(f.first, "abc", 3);
	multipart_cleanup(&f);
	/* path parts of filenames are dropped, both separators */
	static const struct {
		const char *raw, *want;
	} names[] = {
	    {"\"../../etc/passwd\"", "passwd"},
	    {"\"..\\..\\boot.ini\"", "boot.ini"},
	    {"\"/abs/x.pdf\"", "x.pdf"},
	    {"\"a\\\\b\"", "b"},
	    {"\"C:\\Users\\Jan\\My Docs\\cv.docx\"", "cv.docx"},
	    {"\"...\"", "..."},
	    {"\"na\xc3\xaf"
	     "ef.txt\"",
	     "na\xc3\xaf"
	     "ef.txt"},
	    {"plain.txt", "plain.txt"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char body[256];
		snprintf(body, sizeof body,
		         "--XyZ\r\nContent-Disposition: form-data; name=f; filename=%s\r\n\r\nz\r\n"
		         "--XyZ--",
		         names[i].raw);
		int rc = parse_s(body, &l, &f);
		if (rc)
			fail_msg("filename %s gave %d", names[i].raw, rc);
		assert_string_equal(f.first->filename, names[i].want);
		assert_file(f.first, "z", 1);
		multipart_cleanup(&f);
	}
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *bad[] = {
	    /* no closing boundary */
	    "",
	    "--XyZ",
	    "--XyZ-",
	    "--XyZ\r\n",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue\r\n--XyZ",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue\r\n--XyZ\r\n",
	    "no boundary at all",
	    /* after a boundary */
	    "--XyZX\r\n--XyZ--",
	    "--XyZ-x",
	    "--XyZ\rx",
	    "--XyZ\n",
	    "--XyZ  x\r\n",
	    /* headers */
	    "--XyZ\r\n\r\nvalue\r\n--XyZ--",
	    "--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; filename=x; filename=y\r\n\r\n"
	    "v\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; "
	    "name=b\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: text/plain\r\n"
	    "Content-Type: text/html\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\rX: y\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\nNoColon\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n: empty\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition : form-data; name=a\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a b\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; junk\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data name=a\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\x01\"\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"\xff\"\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: nonsense\r\n\r\nv\r\n"
	    "--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: text/\xc3\xa9\r\n\r\n"
	    "v\r\n--XyZ--",
	    /* filenames */
	    "--XyZ\r\nContent-Disposition: form-data; name=a; filename=\".\"\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; "
	    "filename=\"x/..\"\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; "
	    "filename=\"dir/\"\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; "
	    "filename=\"a\tb\"\r\n\r\nv\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; filename=\"\xff.txt\"\r\n\r\nv\r\n"
	    "--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a; "
	    "filename=\"\xc3\"\r\n\r\nv\r\n--XyZ--",
	    /* data */
	    "--XyZ\r\nContent-Disposition: form-data; name=a; filename=\"\"\r\n\r\nsome bytes\r\n"
	    "--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\xff\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\xed\xa0\x80\r\n--XyZ--",
	};
	struct form_limits l = lim();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct form f;
		int rc = parse_s(bad[i], &l, &f);
		if (rc != CAMPUS_EINVAL)
			fail_msg("case %zu gave %d", i, rc);
		multipart_cleanup(&f);
	}
	/* NULs: inside a value (invalid), inside a header (invalid), inside a file (fine) */
	static const char v0[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\na\0b\r\n--XyZ--";
	static const char h0[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=a\0\r\n\r\nab\r\n--XyZ--";
	static const char f0[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=a; filename=b\r\n\r\n"
	    "a\0b\r\n--XyZ--";
	struct form f;
	assert_int_equal(parse_with("XyZ", v0, sizeof v0 - 1, &l, &f), CAMPUS_EINVAL);
	assert_int_equal(parse_with("XyZ", h0, sizeof h0 - 1, &l, &f), CAMPUS_EINVAL);
	assert_int_equal(parse_with("XyZ", f0, sizeof f0 - 1, &l, &f), 0);
	assert_file(f.first, "a\0b", 3);
	multipart_cleanup(&f);
	/* a preamble is capped */
	char big[2000];
	memset(big, 'p', sizeof big);
	memcpy(big + sizeof big - 9, "\r\n--XyZ--", 9);
	assert_int_equal(parse_with("XyZ", big, sizeof big, &l, &f), CAMPUS_EINVAL);
	/* so is transport padding */
	char pad[200] = "--XyZ";
	memset(pad + 5, ' ', 100);
	memcpy(pad + 105, "\r\n", 3);
	assert_int_equal(parse_s(pad, &l, &f), CAMPUS_EINVAL);
}

static void test_errors_keep_files_listed(void **state)
{
	(void)state;
	struct form_limits l = lim();
	struct form f;
	/* the body stops in the middle of a file */
	assert_int_equal(
	    parse_s("--XyZ\r\nContent-Disposition: form-data; name=a; filename=x.bin\r\n"
	            "\r\nhalf a fi",
	            &l, &f),
	    CAMPUS_EINVAL);
	assert_int_equal(f.count, 1);
	assert_non_null(f.first->tmp_path);
	assert_int_equal(dir_count(), 1);
	multipart_cleanup(&f);
	assert_int_equal(dir_count(), 0);

	/* an error in the part after a file */
	assert_int_equal(
	    parse_s("--XyZ\r\nContent-Disposition: form-data; name=a; filename=x.bin\r\n"
	            "\r\ndata\r\n--XyZ\r\nBroken\r\n\r\n",
	            &l, &f),
	    CAMPUS_EINVAL);
	assert_file(f.first, "data", 4);
	assert_int_equal(dir_count(), 1);
	multipart_cleanup(&f);

	/* a parser dropped without finish holds no descriptor and no unlisted file */
	size_t fds = open_fds();
	memset(&f, 0, sizeof f);
	struct multipart_parser *p = multipart_new(a, "XyZ", &l, &f);
	const char *part = "--XyZ\r\nContent-Disposition: form-data; name=a; filename=x\r\n\r\n";
	assert_int_equal(multipart_feed(p, part, strlen(part)), 0);
	char chunk[100000];
	memset(chunk, 'd', sizeof chunk);
	assert_int_equal(multipart_feed(p, chunk, sizeof chunk), 0);
	assert_int_equal(open_fds(), fds);
	assert_int_equal(dir_count(), 1);
	multipart_cleanup(&f);
	assert_int_equal(dir_count(), 0);

	/* errors are sticky and feeding after finish is refused */
	memset(&f, 0, sizeof f);
	p = multipart_new(a, "XyZ", &l, &f);
	assert_int_equal(multipart_feed(p, "--XyZ\r\nBad\r\n", 12), CAMPUS_EINVAL);
	assert_int_equal(multipart_feed(p, "--XyZ--", 7), CAMPUS_EINVAL);
	assert_int_equal(multipart_finish(p), CAMPUS_EINVAL);
	memset(&f, 0, sizeof f);
	p = multipart_new(a, "XyZ", &l, &f);
	assert_int_equal(multipart_feed(p, "--XyZ--", 7), 0);
	assert_int_equal(multipart_finish(p), 0);
	assert_int_equal(multipart_finish(p), 0);
	assert_int_equal(multipart_feed(p, "x", 1), CAMPUS_EINVAL);
	assert_int_equal(multipart_feed(p, NULL, 0), CAMPUS_EINVAL);
	memset(&f, 0, sizeof f);
	p = multipart_new(a, "XyZ", &l, &f);
	assert_int_equal(multipart_feed(p, NULL, 1), CAMPUS_EINVAL);

	/* a temp dir that does not exist is an I/O error */
	l.tmp_dir = "/nonexistent/campus";
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=a; filename=x\r\n"
	                         "\r\nd\r\n--XyZ--",
	                         &l, &f),
	                 CAMPUS_EIO);
	assert_int_equal(f.count, 0);
}

static void test_caps(void **state)
{
	(void)state;
	struct form_limits l = lim();
	struct form f;
	const char *two_files =
	    "--XyZ\r\nContent-Disposition: form-data; name=a; filename=1\r\n\r\none\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=b; filename=2\r\n\r\ntwo\r\n--XyZ--";
	/* max_file */
	l.max_file = 2;
	assert_int_equal(parse_s(two_files, &l, &f), CAMPUS_ETOOBIG);
	assert_int_equal(f.count, 1);
	assert_int_equal(dir_count(), 1);
	multipart_cleanup(&f);
	/* max_files */
	l = lim();
	l.max_files = 1;
	assert_int_equal(parse_s(two_files, &l, &f), CAMPUS_ETOOBIG);
	assert_int_equal(f.count, 1);
	assert_file(f.first, "one", 3);
	multipart_cleanup(&f);
	l.max_files = 0;
	assert_int_equal(parse_s(two_files, &l, &f), CAMPUS_ETOOBIG);
	assert_int_equal(f.count, 0);
	/* "no file chosen" parts do not count as files */
	assert_int_equal(
	    parse_s("--XyZ\r\nContent-Disposition: form-data; name=a; filename=\"\"\r\n"
	            "\r\n\r\n--XyZ--",
	            &l, &f),
	    0);
	assert_int_equal(f.count, 1);
	/* max_fields, files included; no temp file is made past the cap */
	l = lim();
	l.max_fields = 1;
	assert_int_equal(parse_s(two_files, &l, &f), CAMPUS_ETOOBIG);
	assert_int_equal(f.count, 1);
	assert_int_equal(dir_count(), 1);
	multipart_cleanup(&f);
	assert_int_equal(
	    parse_s("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
	            "--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n--XyZ--",
	            &l, &f),
	    CAMPUS_ETOOBIG);
	/* max_value */
	l = lim();
	l.max_value = 3;
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n123\r\n"
	                         "--XyZ--",
	                         &l, &f),
	                 0);
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1234\r\n"
	                         "--XyZ--",
	                         &l, &f),
	                 CAMPUS_ETOOBIG);
	/* max_name */
	l = lim();
	l.max_name = 3;
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=abc\r\n\r\n1\r\n"
	                         "--XyZ--",
	                         &l, &f),
	                 0);
	assert_int_equal(parse_s("--XyZ\r\nContent-Disposition: form-data; name=abcd\r\n\r\n1\r\n"
	                         "--XyZ--",
	                         &l, &f),
	                 CAMPUS_ETOOBIG);
	/* header line, header block and filename caps */
	l = lim();
	struct buf b;
	buf_init(&b, NULL, 0);
	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=a\r\nX-Long: ");
	for (int i = 0; i < MULTIPART_LINE_MAX; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\r\n\r\nv\r\n--XyZ--");
	assert_int_equal(parse_with("XyZ", b.data, b.len, &l, &f), CAMPUS_ETOOBIG);
	buf_clear(&b);
	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n");
	for (int i = 0; i < 400; i++)
		buf_puts(&b, "X-Many: yes\r\n");
	buf_puts(&b, "\r\nv\r\n--XyZ--");
	assert_int_equal(parse_with("XyZ", b.data, b.len, &l, &f), CAMPUS_ETOOBIG);
	buf_clear(&b);
	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=a; filename=\"dir/");
	for (int i = 0; i < MULTIPART_FILENAME_MAX; i++)
		buf_putc(&b, 'n');
	buf_puts(&b, "\"\r\n\r\nv\r\n--XyZ--");
	assert_int_equal(parse_with("XyZ", b.data, b.len, &l, &f), 0);
	assert_int_equal(strlen(f.first->filename), MULTIPART_FILENAME_MAX);
	multipart_cleanup(&f);
	buf_clear(&b);
	buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=a; filename=\"");
	for (int i = 0; i <= MULTIPART_FILENAME_MAX; i++)
		buf_putc(&b, 'n');
	buf_puts(&b, "\"\r\n\r\nv\r\n--XyZ--");
	assert_int_equal(parse_with("XyZ", b.data, b.len, &l, &f), CAMPUS_ETOOBIG);
	buf_fini(&b);
	/* a full arena */
	struct arena *small = arena_new(8192);
	struct arena *keep = a;
	a = small;
	char big[20000];
	memcpy(big, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n", 49);
	memset(big + 49, 'v', sizeof big - 49);
	assert_int_equal(parse_with("XyZ", big, sizeof big, &l, &f), CAMPUS_ENOMEM);
	a = keep;
	arena_free(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sample_whole, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sample_every_split, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sample_bytewise_and_random, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_large_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_boundary_header, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_new_rejects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_framing_variants, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors_keep_files_listed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
