#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/form.h"

static struct arena *a;

static int setup(void **state)
{
	(void)state;
	a = arena_new(0);
	return a ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(a);
	return 0;
}

static int parse(const char *qs, struct form *f)
{
	memset(f, 0, sizeof *f);
	return form_parse_query(a, qs, strlen(qs), NULL, f);
}

static int parse_lim(const char *qs, const struct form_limits *lim, struct form *f)
{
	memset(f, 0, sizeof *f);
	return form_parse_query(a, qs, strlen(qs), lim, f);
}

/* The nth field (0-based). */
static const struct form_field *nth(const struct form *f, unsigned n)
{
	const struct form_field *x = f->first;
	while (x && n--)
		x = x->next;
	return x;
}

static void test_defaults(void **state)
{
	(void)state;
	struct form_limits l = form_limits_default();
	assert_int_equal(l.max_fields, 200);
	assert_int_equal(l.max_name, 128);
	assert_int_equal(l.max_value, 256 * 1024);
	assert_int_equal(l.max_file, 32 * 1024 * 1024);
	assert_int_equal(l.max_files, 8);
	assert_string_equal(l.tmp_dir, "/tmp");
}

static void test_query_basic(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(parse("a=1&b=x+y&c=%C3%A9&d=&e&a=2&f=b=c&g=%2B%26%3D", &f), 0);
	assert_int_equal(f.count, 8);
	static const char *names[] = {"a", "b", "c", "d", "e", "a", "f", "g"};
	static const char *values[] = {"1", "x y", "\xc3\xa9", "", "", "2", "b=c", "+&="};
	for (unsigned i = 0; i < 8; i++) {
		const struct form_field *x = nth(&f, i);
		assert_non_null(x);
		assert_string_equal(x->name, names[i]);
		assert_string_equal(x->value, values[i]);
		assert_int_equal(x->value_len, strlen(values[i]));
		assert_null(x->filename);
		assert_null(x->tmp_path);
		assert_null(x->content_type);
		assert_int_equal(x->size, 0);
	}
	assert_null(nth(&f, 8));
	assert_ptr_equal(f.last, nth(&f, 7));
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "x y");
	assert_null(form_get(&f, "A"));
	assert_null(form_get(&f, "zz"));
	assert_int_equal(form_count(&f, "a"), 2);
	assert_int_equal(form_count(&f, "b"), 1);
	assert_int_equal(form_count(&f, "q"), 0);
	assert_ptr_equal(form_get_field(&f, "e"), nth(&f, 4));
	assert_null(form_get_field(&f, "nope"));
	assert_null(form_get(NULL, "a"));
	assert_null(form_get(&f, NULL));
	assert_null(form_get_field(NULL, "a"));
	assert_int_equal(form_count(NULL, "a"), 0);
	assert_int_equal(form_count(&f, NULL), 0);
}

static void test_query_empty_pieces(void **state)
{
	(void)state;
	struct form f;
	assert_int_equal(parse("", &f), 0);
	assert_int_equal(f.count, 0);
	assert_null(f.first);
	assert_int_equal(parse("&&&", &f), 0);
	assert_int_equal(f.count, 0);
	assert_int_equal(parse("&a=1&&b=2&", &f), 0);
	assert_int_equal(f.count, 2);
	assert_string_equal(form_get(&f, "b"), "2");
	assert_int_equal(parse("+=+", &f), 0); /* a name that is one space */
	assert_string_equal(form_get(&f, " "), " ");
	assert_int_equal(parse("a=%20%20", &f), 0);
	assert_string_equal(form_get(&f, "a"), "  ");
	/* raw UTF-8 is accepted when valid */
	assert_int_equal(parse("stad=\xc3\x89"
	                       "de",
	                       &f),
	                 0);
	assert_string_equal(form_get(&f, "stad"), "\xc3\x89"
	                                          "de");
	assert_int_equal(form_parse_query(a, NULL, 0, NULL, &f), 0);
}

static void test_query_rejects(void **state)
{
	(void)state;
	static const char *bad[] = {
	    "=x",
	    "a=1&=2",
	    "&=&",
	    "=",
	    "%",
	    "a=%",
	    "a=%4",
	    "a=%zz",
	    "a=%4z",
	    "a%=1",
	    "a=%%41",
	    "a=%00",
	    "a%00=1",
	    "a=%C3",
	    "a=%C3%28",
	    "%FF=1",
	    "a=%ED%A0%80",
	    "a=%C0%80",
	    "a=\xff",
	    "a=\xc3",
	    "\xc3\xa9\xc3=1",
	    "a=1&b=%",
	    "a=%F4%90%80%80",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct form f;
		int rc = parse(bad[i], &f);
		if (rc != CAMPUS_EINVAL)
			fail_msg("\"%s\" gave %d", bad[i], rc);
	}
	struct form f = {0};
	assert_int_equal(form_parse_query(a, "a=1\0b", 5, NULL, &f), CAMPUS_EINVAL);
	memset(&f, 0, sizeof f);
	assert_int_equal(form_parse_query(a, NULL, 3, NULL, &f), CAMPUS_EINVAL);
}

static void test_query_limits(void **state)
{
	(void)state;
	struct form_limits l = form_limits_default();
	struct form f;
	l.max_fields = 2;
	assert_int_equal(parse_lim("a=1&b=2", &l, &f), 0);
	assert_int_equal(parse_lim("a=1&b=2&c=3", &l, &f), CAMPUS_ETOOBIG);
	assert_int_equal(f.count, 2);
	assert_int_equal(parse_lim("a=1&b=2&&&", &l, &f), 0);
	l = form_limits_default();
	l.max_name = 3;
	assert_int_equal(parse_lim("abc=1", &l, &f), 0);
	assert_int_equal(parse_lim("%61%62%63=1", &l, &f), 0); /* decoded bytes count */
	assert_int_equal(parse_lim("abcd=1", &l, &f), CAMPUS_ETOOBIG);
	assert_int_equal(parse_lim("ab%20c", &l, &f), CAMPUS_ETOOBIG);
	l = form_limits_default();
	l.max_value = 2;
	assert_int_equal(parse_lim("a=12", &l, &f), 0);
	assert_int_equal(parse_lim("a=%31%32", &l, &f), 0);
	assert_int_equal(parse_lim("a=1+3", &l, &f), CAMPUS_ETOOBIG);
	assert_int_equal(parse_lim("a=123", &l, &f), CAMPUS_ETOOBIG);
	l.max_fields = 0;
	assert_int_equal(parse_lim("a=1", &l, &f), CAMPUS_ETOOBIG);
	assert_int_equal(parse_lim("", &l, &f), 0);
}

static void test_query_appends(void **state)
{
	(void)state;
	struct form f = {0};
	assert_int_equal(form_parse_query(a, "a=1", 3, NULL, &f), 0);
	assert_int_equal(form_parse_query(a, "b=2", 3, NULL, &f), 0);
	assert_int_equal(f.count, 2);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "2");
	/* max_fields counts what the form already holds */
	struct form_limits l = form_limits_default();
	l.max_fields = 2;
	assert_int_equal(form_parse_query(a, "c=3", 3, &l, &f), CAMPUS_ETOOBIG);
}

/* ---- streaming ---- */

static const char sample[] = "naam=Jan+de+Vries&email=jan%40example.nl&bio=caf%C3%A9+%26+thee%3d"
                             "%25%0D%0A&leeg=&tags=a&tags=b&vlag&%E2%82%AC=euro&x=a%2Bb";

static void check_sample(const struct form *f)
{
	assert_int_equal(f->count, 9);
	assert_string_equal(form_get(f, "naam"), "Jan de Vries");
	assert_string_equal(form_get(f, "email"), "jan@example.nl");
	assert_string_equal(form_get(f, "bio"), "caf\xc3\xa9 & thee=%\r\n");
	assert_int_equal(form_get_field(f, "bio")->value_len, strlen("caf\xc3\xa9 & thee=%\r\n"));
	assert_string_equal(form_get(f, "leeg"), "");
	assert_int_equal(form_count(f, "tags"), 2);
	assert_string_equal(form_get(f, "tags"), "a");
	assert_string_equal(nth(f, 5)->value, "b");
	assert_string_equal(form_get(f, "vlag"), "");
	assert_string_equal(form_get(f, "\xe2\x82\xac"), "euro");
	assert_string_equal(form_get(f, "x"), "a+b");
}

static void test_stream_whole(void **state)
{
	(void)state;
	struct form f = {0};
	struct urlenc_parser *p = urlenc_new(a, NULL, &f);
	assert_non_null(p);
	assert_int_equal(urlenc_feed(p, sample, strlen(sample)), 0);
	assert_int_equal(urlenc_finish(p), 0);
	check_sample(&f);
	/* the same through form_parse_query */
	struct form g;
	assert_int_equal(parse(sample, &g), 0);
	check_sample(&g);
}

static void test_stream_every_split(void **state)
{
	(void)state;
	size_t n = strlen(sample);
	for (size_t cut = 0; cut <= n; cut++) {
		struct arena *b = arena_new(0);
		struct form f = {0};
		struct urlenc_parser *p = urlenc_new(b, NULL, &f);
		assert_non_null(p);
		assert_int_equal(urlenc_feed(p, sample, cut), 0);
		assert_int_equal(urlenc_feed(p, sample + cut, n - cut), 0);
		assert_int_equal(urlenc_finish(p), 0);
		check_sample(&f);
		arena_free(b);
	}
}

static void test_stream_every_double_split(void **state)
{
	(void)state;
	size_t n = strlen(sample);
	for (size_t c1 = 0; c1 <= n; c1++) {
		for (size_t c2 = c1; c2 <= n; c2++) {
			arena_reset(a);
			struct form f = {0};
			struct urlenc_parser *p = urlenc_new(a, NULL, &f);
			assert_int_equal(urlenc_feed(p, sample, c1), 0);
			assert_int_equal(urlenc_feed(p, sample + c1, c2 - c1), 0);
			assert_int_equal(urlenc_feed(p, sample + c2, n - c2), 0);
			assert_int_equal(urlenc_finish(p), 0);
			check_sample(&f);
		}
	}
}

static void test_stream_bytewise(void **state)
{
	(void)state;
	struct form f = {0};
	struct urlenc_parser *p = urlenc_new(a, NULL, &f);
	for (size_t i = 0; sample[i]; i++) {
		assert_int_equal(urlenc_feed(p, sample + i, 1), 0);
		assert_int_equal(urlenc_feed(p, "", 0), 0);
	}
	assert_int_equal(urlenc_finish(p), 0);
	check_sample(&f);
}

static void test_stream_errors(void **state)
{
	(void)state;
	struct form f = {0};
	/* an escape cut by the end of the body */
	struct urlenc_parser *p = urlenc_new(a, NULL, &f);
	assert_int_equal(urlenc_feed(p, "a=%4", 4), 0);
	assert_int_equal(urlenc_finish(p), CAMPUS_EINVAL);
	assert_int_equal(urlenc_finish(p), CAMPUS_EINVAL);
	assert_int_equal(urlenc_feed(p, "1", 1), CAMPUS_EINVAL);
	assert_int_equal(f.count, 0);

	/* sticky: a later good chunk does not revive the parser */
	memset(&f, 0, sizeof f);
	p = urlenc_new(a, NULL, &f);
	assert_int_equal(urlenc_feed(p, "a=1&b=%x", 8), CAMPUS_EINVAL);
	assert_int_equal(urlenc_feed(p, "&c=3", 4), CAMPUS_EINVAL);
	assert_int_equal(urlenc_finish(p), CAMPUS_EINVAL);
	assert_int_equal(f.count, 1); /* what was complete before the error */

	/* feeding after finish */
	memset(&f, 0, sizeof f);
	p = urlenc_new(a, NULL, &f);
	assert_int_equal(urlenc_feed(p, "a=1", 3), 0);
	assert_int_equal(urlenc_finish(p), 0);
	assert_int_equal(urlenc_finish(p), 0);
	assert_int_equal(urlenc_feed(p, "&b=2", 4), CAMPUS_EINVAL);
	assert_int_equal(f.count, 1);

	/* NULL data with a length */
	memset(&f, 0, sizeof f);
	p = urlenc_new(a, NULL, &f);
	assert_int_equal(urlenc_feed(p, NULL, 0), 0);
	assert_int_equal(urlenc_feed(p, NULL, 1), CAMPUS_EINVAL);

	/* the limit trips inside a chunk split between escapes */
	struct form_limits l = form_limits_default();
	l.max_value = 3;
	memset(&f, 0, sizeof f);
	p = urlenc_new(a, &l, &f);
	assert_int_equal(urlenc_feed(p, "v=%4", 4), 0);
	assert_int_equal(urlenc_feed(p, "1%42%", 5), 0);
	assert_int_equal(urlenc_feed(p, "43", 2), 0);
	assert_int_equal(urlenc_feed(p, "%4", 2), 0);
	assert_int_equal(urlenc_feed(p, "4", 1), CAMPUS_ETOOBIG);
	assert_int_equal(urlenc_finish(p), CAMPUS_ETOOBIG);
}

static void test_stream_hostile(void **state)
{
	(void)state;
	size_t big = (size_t)4 << 20;
	char *junk = malloc(big);
	assert_non_null(junk);

	/* an endless name stops at max_name without eating memory */
	memset(junk, 'a', big);
	struct arena *b = arena_new(0);
	struct form f = {0};
	struct urlenc_parser *p = urlenc_new(b, NULL, &f);
	assert_int_equal(urlenc_feed(p, junk, big), CAMPUS_ETOOBIG);
	assert_true(arena_used(b) < 64 * 1024);
	arena_free(b);

	/* separators only: nothing is kept */
	memset(junk, '&', big);
	b = arena_new(0);
	memset(&f, 0, sizeof f);
	p = urlenc_new(b, NULL, &f);
	assert_int_equal(urlenc_feed(p, junk, big), 0);
	assert_int_equal(urlenc_finish(p), 0);
	assert_int_equal(f.count, 0);
	assert_true(arena_used(b) < 64 * 1024);
	arena_free(b);

	/* many tiny fields stop at max_fields */
	for (size_t i = 0; i + 1 < big; i += 2) {
		junk[i] = 'x';
		junk[i + 1] = '&';
	}
	b = arena_new(0);
	memset(&f, 0, sizeof f);
	p = urlenc_new(b, NULL, &f);
	assert_int_equal(urlenc_feed(p, junk, big), CAMPUS_ETOOBIG);
	assert_int_equal(f.count, 200);
	arena_free(b);

	/* '=' signs in the value are data; percent signs everywhere are errors */
	memset(junk, '=', big);
	junk[0] = 'k';
	b = arena_new(0);
	memset(&f, 0, sizeof f);
	p = urlenc_new(b, NULL, &f);
	assert_int_equal(urlenc_feed(p, junk, 1000), 0);
	assert_int_equal(urlenc_finish(p), 0);
	assert_int_equal(strlen(form_get(&f, "k")), 998);
	arena_free(b);

	/* a full arena is ENOMEM, not a crash */
	memset(junk, 'v', big);
	memcpy(junk, "a=", 2);
	b = arena_new(8192);
	memset(&f, 0, sizeof f);
	p = urlenc_new(b, NULL, &f);
	assert_non_null(p);
	assert_int_equal(urlenc_feed(p, junk, 100000), CAMPUS_ENOMEM);
	arena_free(b);

	b = arena_new(16);
	assert_null(urlenc_new(b, NULL, &f));
	memset(&f, 0, sizeof f);
	assert_int_equal(form_parse_query(b, "a=1", 3, NULL, &f), CAMPUS_ENOMEM);
	arena_free(b);
	free(junk);
}

static void test_form_helpers(void **state)
{
	(void)state;
	struct form f = {0};
	struct form_field file = {.name = "doc", .filename = "a.pdf", .tmp_path = "/tmp/x"};
	struct form_field text = {.name = "doc", .value = "tekst", .value_len = 5};
	struct form_field other = {.name = "z", .value = "1", .value_len = 1};
	assert_int_equal(form_add(&f, 10, &file), 0);
	assert_int_equal(form_add(&f, 10, &text), 0);
	assert_int_equal(form_add(&f, 2, &other), CAMPUS_ETOOBIG);
	assert_int_equal(f.count, 2);
	assert_ptr_equal(f.first, &file);
	assert_ptr_equal(f.last, &text);
	assert_ptr_equal(file.next, &text);
	assert_null(text.next);
	/* form_get skips file parts; form_get_field does not */
	assert_string_equal(form_get(&f, "doc"), "tekst");
	assert_ptr_equal(form_get_field(&f, "doc"), &file);
	assert_int_equal(form_count(&f, "doc"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_query_basic),
	    cmocka_unit_test(test_query_empty_pieces),
	    cmocka_unit_test(test_query_rejects),
	    cmocka_unit_test(test_query_limits),
	    cmocka_unit_test(test_query_appends),
	    cmocka_unit_test(test_stream_whole),
	    cmocka_unit_test(test_stream_every_split),
	    cmocka_unit_test(test_stream_every_double_split),
	    cmocka_unit_test(test_stream_bytewise),
	    cmocka_unit_test(test_stream_errors),
	    cmocka_unit_test(test_stream_hostile),
	    cmocka_unit_test(test_form_helpers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
