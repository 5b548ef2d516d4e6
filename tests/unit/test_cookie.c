#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/headers.h"

#define SLICE_EQ(s, want)                                                                          \
	do {                                                                                       \
		struct str s_ = (s);                                                               \
		const char *w_ = (want);                                                           \
		assert_non_null(s_.ptr);                                                           \
		assert_int_equal(s_.len, strlen(w_));                                              \
		if (s_.len)                                                                        \
			assert_memory_equal(s_.ptr, w_, s_.len);                                   \
	} while (0)

/* ---- cookie_get ---- */

static void test_cookie_get_basic(void **state)
{
	(void)state;
	const char *h = "a=1; b=two; campus_sid=abc123.XYZ-_~";
	struct str v;
	assert_int_equal(cookie_get(h, "a", &v), 0);
	SLICE_EQ(v, "1");
	assert_ptr_equal(v.ptr, h + 2);
	assert_int_equal(cookie_get(h, "b", &v), 0);
	SLICE_EQ(v, "two");
	assert_int_equal(cookie_get(h, "campus_sid", &v), 0);
	SLICE_EQ(v, "abc123.XYZ-_~");
	assert_int_equal(cookie_get(h, "c", &v), CAMPUS_ENOTFOUND);
	assert_int_equal(cookie_get(h, "A", &v), CAMPUS_ENOTFOUND); /* names are exact */
	assert_int_equal(cookie_get(h, "campus", &v), CAMPUS_ENOTFOUND);
	assert_int_equal(cookie_get(h, "sid", &v), CAMPUS_ENOTFOUND);
	assert_int_equal(cookie_get(h, "a=1", &v), CAMPUS_ENOTFOUND);
}

static void test_cookie_get_lenient(void **state)
{
	(void)state;
	struct str v;
	assert_int_equal(cookie_get("  a = 1 ;\tb=2\t", "a", &v), 0);
	SLICE_EQ(v, "1");
	assert_int_equal(cookie_get("  a = 1 ;\tb=2\t", "b", &v), 0);
	SLICE_EQ(v, "2");
	assert_int_equal(cookie_get("c=\"quoted\"", "c", &v), 0);
	SLICE_EQ(v, "quoted");
	assert_int_equal(cookie_get("c=\"\"", "c", &v), 0);
	SLICE_EQ(v, "");
	assert_int_equal(cookie_get("flag; a=1", "a", &v), 0);
	SLICE_EQ(v, "1");
	assert_int_equal(cookie_get("flag; a=1", "flag", &v), CAMPUS_ENOTFOUND);
	assert_int_equal(cookie_get("e=; b=2", "e", &v), 0);
	SLICE_EQ(v, "");
	assert_int_equal(cookie_get("a=1; a=2", "a", &v), 0); /* first wins */
	SLICE_EQ(v, "1");
	assert_int_equal(cookie_get("a=b=c", "a", &v), 0);
	SLICE_EQ(v, "b=c");
	assert_int_equal(cookie_get("=1; a=2", "a", &v), 0);
	SLICE_EQ(v, "2");
	assert_int_equal(cookie_get(";;; a=2;;", "a", &v), 0);
	SLICE_EQ(v, "2");
	assert_int_equal(cookie_get("a=1;", "a", &v), 0);
	SLICE_EQ(v, "1");
}

static void test_cookie_get_hostile(void **state)
{
	(void)state;
	struct str v = {"untouched", 9};
	/* values with forbidden octets are skipped; a later good one is found */
	static const char *skip[] = {
	    "a=x y; a=ok",      "a=x\"y; a=ok", "a=x,y; a=ok", "a=x\\y; a=ok",  "a=\x01; a=ok",
	    "a=\xc3\xa9; a=ok", "a=\"; a=ok",   "a=\"x; a=ok", "a=x\x7f; a=ok", "a=\"a b\"; a=ok"};
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++) {
		if (cookie_get(skip[i], "a", &v) != 0)
			fail_msg("\"%s\"", skip[i]);
		SLICE_EQ(v, "ok");
	}
	v = (struct str){"untouched", 9};
	assert_int_equal(cookie_get("a=x y", "a", &v), CAMPUS_ENOTFOUND);
	SLICE_EQ(v, "untouched");
	assert_int_equal(cookie_get(NULL, "a", &v), CAMPUS_ENOTFOUND);
	assert_int_equal(cookie_get("a=1", NULL, &v), CAMPUS_ENOTFOUND);
	assert_int_equal(cookie_get("a=1", "", &v), CAMPUS_ENOTFOUND);
	assert_int_equal(cookie_get("=1", "", &v), CAMPUS_ENOTFOUND);
	assert_int_equal(cookie_get("", "a", &v), CAMPUS_ENOTFOUND);
	/* a long header of separators */
	size_t n = 200000;
	char *big = malloc(n + 8);
	memset(big, ';', n);
	memcpy(big + n, "z=last", 7);
	assert_int_equal(cookie_get(big, "z", &v), 0);
	SLICE_EQ(v, "last");
	free(big);
}

/* ---- cookie_format ---- */

static void test_cookie_format(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, NULL, 0);
	assert_int_equal(cookie_format(&b, "sid", "abc", NULL), 0);
	assert_string_equal(buf_cstr(&b), "sid=abc");

	buf_clear(&b);
	struct cookie_opts o = {.path = "/",
	                        .max_age = 3600,
	                        .http_only = true,
	                        .secure = true,
	                        .same_site = COOKIE_SAMESITE_LAX};
	assert_int_equal(cookie_format(&b, "sid", "abc", &o), 0);
	assert_string_equal(buf_cstr(&b),
	                    "sid=abc; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");

	buf_clear(&b);
	o = (struct cookie_opts){
	    .path = "/b/leesclub", .max_age = COOKIE_DELETE, .same_site = COOKIE_SAMESITE_STRICT};
	assert_int_equal(cookie_format(&b, "csrf", "", &o), 0);
	assert_string_equal(buf_cstr(&b), "csrf=; Path=/b/leesclub; Max-Age=0; SameSite=Strict");

	buf_clear(&b);
	o = (struct cookie_opts){0}; /* session cookie, no attributes */
	assert_int_equal(cookie_format(&b, "t", "1", &o), 0);
	assert_string_equal(buf_cstr(&b), "t=1");

	buf_clear(&b);
	o = (struct cookie_opts){.max_age = INT64_MAX};
	assert_int_equal(cookie_format(&b, "t", "1", &o), 0);
	assert_string_equal(buf_cstr(&b), "t=1; Max-Age=9223372036854775807");

	buf_clear(&b);
	assert_int_equal(cookie_format(&b, "!#$%&'*+-.^_`|~", "!#$%&'()*+-./:<=>?@[]^_`{|}~", NULL),
	                 0);
	assert_string_equal(buf_cstr(&b), "!#$%&'*+-.^_`|~=!#$%&'()*+-./:<=>?@[]^_`{|}~");
	buf_fini(&b);
}

static void test_cookie_format_rejects(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, NULL, 0);
	buf_puts(&b, "keep");
	static const char *bad_names[] = {"",         "a b",    "a;b",  "a=b", "a,b", "(x)", "a\"",
	                                  "\xc3\xa9", "a\r\nX", "a\tb", "a/b", "a@b", "[a]", "a{"};
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		if (cookie_format(&b, bad_names[i], "v", NULL) != CAMPUS_EINVAL)
			fail_msg("name \"%s\" accepted", bad_names[i]);
	}
	static const char *bad_values[] = {"a b",      "a;b",   "a,b",
	                                   "a\"b",     "a\\b",  "x\r\nSet-Cookie: evil=1",
	                                   "\xc3\xa9", "a\x7f", "\t"};
	for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
		if (cookie_format(&b, "n", bad_values[i], NULL) != CAMPUS_EINVAL)
			fail_msg("value \"%s\" accepted", bad_values[i]);
	}
	static const char *bad_paths[] = {"",           "x",      "relative/", "/a;b",
	                                  "/a\r\nX: y", "/a\x7f", "/\xc3\xa9"};
	for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
		struct cookie_opts o = {.path = bad_paths[i]};
		if (cookie_format(&b, "n", "v", &o) != CAMPUS_EINVAL)
			fail_msg("path \"%s\" accepted", bad_paths[i]);
	}
	struct cookie_opts o = {.max_age = -2};
	assert_int_equal(cookie_format(&b, "n", "v", &o), CAMPUS_EINVAL);
	o = (struct cookie_opts){.same_site = (enum cookie_samesite)9};
	assert_int_equal(cookie_format(&b, "n", "v", &o), CAMPUS_EINVAL);
	assert_int_equal(cookie_format(&b, NULL, "v", NULL), CAMPUS_EINVAL);
	assert_int_equal(cookie_format(&b, "n", NULL, NULL), CAMPUS_EINVAL);
	o = (struct cookie_opts){.path = "/ok path/with spaces"}; /* spaces are allowed in Path */
	assert_int_equal(cookie_format(&b, "n", "v", &o), 0);
	assert_string_equal(buf_cstr(&b), "keepn=v; Path=/ok path/with spaces");
	buf_fini(&b);

	/* a full buffer is reported */
	buf_init(&b, NULL, 8);
	o = (struct cookie_opts){.path = "/", .http_only = true};
	assert_int_equal(cookie_format(&b, "name", "value", &o), CAMPUS_ETOOBIG);
	buf_fini(&b);
}

/* ---- Accept-Language ---- */

static const char *const nl_en[] = {"nl", "en"};

static int al(const char *h)
{
	return http_accept_language(h, nl_en, 2);
}

static void test_accept_language(void **state)
{
	(void)state;
	assert_int_equal(al("en-GB,en;q=0.9"), 1);
	assert_int_equal(al("nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7"), 0);
	assert_int_equal(al("en-US,en;q=0.9,nl;q=0.8"), 1);
	assert_int_equal(al("de-DE,de;q=0.9"), -1);
	assert_int_equal(al("de, *;q=0.5"), 0);
	assert_int_equal(al("*"), 0);
	assert_int_equal(al("en, *;q=0.5"), 1);
	assert_int_equal(al("nl;q=0, *"), 1);
	assert_int_equal(al("nl;q=0, en;q=0"), -1);
	assert_int_equal(al("*;q=0"), -1);
	assert_int_equal(al("en;q=0.5, nl;q=0.5"), 1); /* tie: the user's order */
	assert_int_equal(al("nl;q=0.5, en;q=0.5"), 0);
	assert_int_equal(al("EN"), 1);
	assert_int_equal(al("nl-be"), 0);
	assert_int_equal(al("en;q=1.0"), 1);
	assert_int_equal(al("en;q=1.000"), 1);
	assert_int_equal(al("en;q=0.001"), 1);
	assert_int_equal(al("en;q=0"), -1);
	assert_int_equal(al("en;q=0.000"), -1);
	assert_int_equal(al("en;q=0.2, nl;q=0.1"), 1);
	assert_int_equal(al("en;q=0.1, nl;q=0.2"), 0);
	assert_int_equal(al("en;Q=0.9, nl;q=0.8"), 1);
	assert_int_equal(al(" en ; q=0.5 , nl ; q = 0.4 "), 1);
	assert_int_equal(al("en-GB;q=0.3, en-US;q=0.8, nl;q=0.5"), 1); /* best of the en-* */
	assert_int_equal(al("en;level=1;q=0.9, nl;q=0.8"), 1);         /* other params ignored */
	/* bad q-values drop the element */
	assert_int_equal(al("en;q=2, nl;q=0.1"), 0);
	assert_int_equal(al("en;q=abc, nl;q=0.1"), 0);
	assert_int_equal(al("en;q=0.1234, nl;q=0.1"), 0);
	assert_int_equal(al("en;q=1.5, nl;q=0.1"), 0);
	assert_int_equal(al("en;q=1.001, nl;q=0.1"), 0);
	assert_int_equal(al("en;q=, nl;q=0.1"), 0);
	assert_int_equal(al("en;q=.5, nl;q=0.1"), 0);
	assert_int_equal(al("en;q=-1, nl;q=0.1"), 0);
	assert_int_equal(al("en;q=0x1, nl;q=0.1"), 0);
	/* bad ranges drop the element */
	assert_int_equal(al("e1, en-, -en, en--gb, 12, toolongtag, en_GB, e n"), -1);
	assert_int_equal(al("toolongtag, nl"), 0);
	assert_int_equal(al("en-12345678"), 1);
	assert_int_equal(al("en-123456789"), -1);
	/* empty and absent */
	assert_int_equal(al(""), -1);
	assert_int_equal(al(",,, ,"), -1);
	assert_int_equal(al(";q=1"), -1);
	assert_int_equal(http_accept_language(NULL, nl_en, 2), -1);
	assert_int_equal(http_accept_language("nl", NULL, 2), -1);
	assert_int_equal(http_accept_language("nl", nl_en, 0), -1);
	static const char *const odd[] = {NULL, "", "en"};
	assert_int_equal(http_accept_language("*", odd, 3), 2);
}

static void test_accept_language_specific(void **state)
{
	(void)state;
	static const char *const en_gb[] = {"en", "en-GB", "nl"};
	assert_int_equal(http_accept_language("en-GB", en_gb, 3), 1);
	assert_int_equal(http_accept_language("en", en_gb, 3), 0);
	assert_int_equal(http_accept_language("en-US", en_gb, 3), 0);
	assert_int_equal(http_accept_language("en-gb;q=0.5, nl", en_gb, 3), 2);
	assert_int_equal(http_accept_language("fr, *;q=0.1", en_gb, 3), 0);

	/* only the first 64 elements count */
	char h[1024] = "";
	size_t n = 0;
	for (int i = 0; i < 64; i++) {
		memcpy(h + n, "xx,", 3);
		n += 3;
	}
	memcpy(h + n, "en", 3);
	assert_int_equal(http_accept_language(h, nl_en, 2), -1);
	memcpy(h, "en,", 3);
	assert_int_equal(http_accept_language(h, nl_en, 2), 1);

	/* a huge header of separators is cheap and finds nothing */
	size_t big = 300000;
	char *junk = malloc(big + 1);
	memset(junk, ',', big);
	junk[big] = 0;
	assert_int_equal(http_accept_language(junk, nl_en, 2), -1);
	memset(junk, ';', big);
	assert_int_equal(http_accept_language(junk, nl_en, 2), -1);
	free(junk);
}

/* ---- Accept-Encoding ---- */

static void test_accepts_gzip(void **state)
{
	(void)state;
	static const char *yes[] = {"gzip",
	                            "gzip, deflate, br",
	                            "deflate, gzip",
	                            "*",
	                            "x-gzip",
	                            "GZIP",
	                            "gzip;q=0.001",
	                            " gzip ; q=1 ",
	                            "br;q=1.0, gzip;q=0.8, *;q=0.1",
	                            "deflate, *",
	                            "gzip;q=0, gzip;q=1",
	                            "identity, *;q=0.5"};
	static const char *no[] = {"",
	                           "deflate",
	                           "identity",
	                           "gzip;q=0",
	                           "*;q=0",
	                           "gzip;q=0, *",
	                           "*, gzip;q=0",
	                           "gzip;q=0.000",
	                           "gzip;q=abc",
	                           "gzipx",
	                           "gz",
	                           "br, deflate",
	                           ",,,",
	                           "gzip;q=1.5",
	                           "x-gzip;q=0, *;q=1"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!http_accepts_gzip(yes[i]))
			fail_msg("\"%s\" should accept gzip", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (http_accepts_gzip(no[i]))
			fail_msg("\"%s\" should not accept gzip", no[i]);
	assert_false(http_accepts_gzip(NULL));
}

/* ---- Content-Type ---- */

static void test_content_type(void **state)
{
	(void)state;
	struct str mt;
	assert_int_equal(http_content_type("text/html; charset=utf-8", &mt), 0);
	SLICE_EQ(mt, "text/html");
	assert_int_equal(http_content_type("  application/json  ", &mt), 0);
	SLICE_EQ(mt, "application/json");
	assert_int_equal(http_content_type("Application/JSON;charset=UTF-8", &mt), 0);
	SLICE_EQ(mt, "Application/JSON");
	assert_int_equal(http_content_type("text/html;", &mt), 0);
	SLICE_EQ(mt, "text/html");
	assert_int_equal(http_content_type("application/vnd.campus+json", &mt), 0);
	SLICE_EQ(mt, "application/vnd.campus+json");

	assert_int_equal(http_content_type(NULL, &mt), CAMPUS_ENOTFOUND);
	assert_int_equal(http_content_type("", &mt), CAMPUS_ENOTFOUND);
	assert_int_equal(http_content_type("  \t ", &mt), CAMPUS_ENOTFOUND);
	static const char *bad[] = {"text",          "text/",       "/html",       "text/ht ml",
	                            "te xt/html",    "; charset=x", "a/b/c",       "text/html\x01",
	                            "text/\xc3\xa9", "text\\/html", "(text)/html", "text/html x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (http_content_type(bad[i], &mt) != CAMPUS_EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
	}
	assert_true(http_media_type_is("Application/JSON; charset=utf-8", "application/json"));
	assert_true(http_media_type_is("multipart/form-data; boundary=x", "Multipart/Form-Data"));
	assert_false(http_media_type_is("application/jsonx", "application/json"));
	assert_false(http_media_type_is("application/json", "application/jso"));
	assert_false(http_media_type_is("text", "text"));
	assert_false(http_media_type_is(NULL, "application/json"));
	assert_false(http_media_type_is("application/json", NULL));
}

/* ---- If-None-Match ---- */

static void test_etag_match(void **state)
{
	(void)state;
	const char *tag = "\"abc\"";
	assert_true(http_etag_match("\"abc\"", tag));
	assert_true(http_etag_match("W/\"abc\"", tag));
	assert_true(http_etag_match("\"abc\"", "W/\"abc\""));
	assert_true(http_etag_match("W/\"abc\"", "W/\"abc\""));
	assert_true(http_etag_match("\"x\", \"abc\"", tag));
	assert_true(http_etag_match("\"x\",\"abc\",\"y\"", tag));
	assert_true(http_etag_match(" , \"abc\" ,, ", tag));
	assert_true(http_etag_match("*", tag));
	assert_true(http_etag_match("  *\t", tag));
	assert_true(http_etag_match("\"\"", "\"\""));
	assert_true(http_etag_match("\"a\xc3\xa9!#\"", "\"a\xc3\xa9!#\""));

	assert_false(http_etag_match("\"x\",\"y\"", tag));
	assert_false(http_etag_match("\"abcd\"", tag));
	assert_false(http_etag_match("\"ab\"", tag));
	assert_false(http_etag_match("\"ABC\"", tag));
	assert_false(http_etag_match("*", NULL));
	assert_false(http_etag_match(NULL, tag));
	assert_false(http_etag_match("", tag));
	assert_false(http_etag_match(" , ", tag));
	/* malformed lists never match, even when a good element is in them */
	static const char *bad[] = {
	    "*, \"abc\"",       "abc",       "\"abc",    "\"abc\" \"x\"", "\"abc\"junk",
	    "\"abc\", garbage", "w/\"abc\"", "W\"abc\"", "W/ \"abc\"",    "\"ab c\"",
	    "\"abc\"\x01",      "W/",        "\"a\"b\"", "\"abc\";q=1",   "**",
	    "\"abc\", *"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (http_etag_match(bad[i], tag))
			fail_msg("\"%s\" matched", bad[i]);
	assert_false(http_etag_match("\"ab c\"", "\"ab c\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cookie_get_basic),
	    cmocka_unit_test(test_cookie_get_lenient),
	    cmocka_unit_test(test_cookie_get_hostile),
	    cmocka_unit_test(test_cookie_format),
	    cmocka_unit_test(test_cookie_format_rejects),
	    cmocka_unit_test(test_accept_language),
	    cmocka_unit_test(test_accept_language_specific),
	    cmocka_unit_test(test_accepts_gzip),
	    cmocka_unit_test(test_content_type),
	    cmocka_unit_test(test_etag_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
