#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/router.h"

static int h(struct req *r)
{
	(void)r;
	return 0;
}

#define SLICE_EQ(s, want)                                                                          \
	do {                                                                                       \
		struct str s_ = (s);                                                               \
		const char *w_ = (want);                                                           \
		assert_non_null(s_.ptr);                                                           \
		assert_int_equal(s_.len, strlen(w_));                                              \
		if (s_.len)                                                                        \
			assert_memory_equal(s_.ptr, w_, s_.len);                                   \
	} while (0)

static const struct route table[] = {
    {HTTP_GET, "/", h, BODY_NONE, 0, 0, "home", 0},
    {HTTP_GET, "/b/:slug", h, BODY_NONE, 0, 0, "board", 0},
    {HTTP_GET, "/b/new", h, BODY_NONE, 0, 0, "board_new", 0},
    {HTTP_GET | HTTP_POST, "/b/:slug/modules/:id", h, BODY_FORM, 4096, 0, "module", 0},
    {HTTP_GET, "/b/:slug/modules/", h, BODY_NONE, 0, 0, "modules_index", 0},
    {HTTP_GET, "/static/*path", h, BODY_NONE, 0, 0, "static", 0},
    {HTTP_GET, "/static/css/*file", h, BODY_NONE, 0, 0, "static_css", 0},
    {HTTP_POST, "/b/:slug", h, BODY_FORM, 1024, 0, "board_update", 0},
    {HTTP_DELETE, "/b/:slug/modules/:id", h, BODY_NONE, 0, 0, "module_delete", 0},
    {HTTP_GET, "/f/:a", h, BODY_NONE, 0, 0, "f_param", 0},
    {HTTP_GET, "/f/*rest", h, BODY_NONE, 0, 0, "f_splat", 0},
    {HTTP_GET, "/:lang/about", h, BODY_NONE, 0, 0, "about_lang", 0},
    {HTTP_GET, "/nl/:page", h, BODY_NONE, 0, 0, "nl_page", 0},
    {HTTP_GET | HTTP_PUT, "/x/:a", h, BODY_NONE, 0, 0, "x_a", 0},
    {HTTP_OPTIONS, "/x/:b", h, BODY_NONE, 0, 0, "x_b", 0},
    {HTTP_GET, "/.well-known/security.txt", h, BODY_NONE, 0, 0, "security_txt", 0},
    {HTTP_GET, "/p/:a/:b/:c/:d/:e/:f/:g/:h", h, BODY_NONE, 0, 0, "eight", 0},
};
#define NT (sizeof table / sizeof table[0])

static int match(enum http_method m, const char *path, struct route_match *out)
{
	return router_match(table, NT, m, path, strlen(path), out);
}

static const char *matched_name(enum http_method m, const char *path)
{
	struct route_match rm;
	int rc = match(m, path, &rm);
	if (rc)
		return NULL;
	return rm.route->name;
}

static void test_method_parse(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		enum http_method m;
	} ok[] = {{"GET", HTTP_GET},        {"HEAD", HTTP_HEAD},   {"POST", HTTP_POST},
	          {"PUT", HTTP_PUT},        {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE},
	          {"OPTIONS", HTTP_OPTIONS}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		enum http_method m = 0;
		assert_int_equal(http_method_parse(ok[i].s, &m), 0);
		assert_int_equal(m, ok[i].m);
	}
	enum http_method m = HTTP_GET;
	assert_int_equal(http_method_parse("get", &m), CAMPUS_EMETHOD);
	assert_int_equal(http_method_parse("GETX", &m), CAMPUS_EMETHOD);
	assert_int_equal(http_method_parse("GE", &m), CAMPUS_EMETHOD);
	assert_int_equal(http_method_parse("", &m), CAMPUS_EMETHOD);
	assert_int_equal(http_method_parse("TRACE", &m), CAMPUS_EMETHOD);
	assert_int_equal(http_method_parse("CONNECT", &m), CAMPUS_EMETHOD);
	assert_int_equal(http_method_parse(" GET", &m), CAMPUS_EMETHOD);
	assert_int_equal(http_method_parse(NULL, &m), CAMPUS_EINVAL);
	assert_int_equal(m, HTTP_GET); /* untouched on failure */
}

static void test_methods_format(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, NULL, 0);
	assert_int_equal(http_methods_format(&b, HTTP_GET | HTTP_HEAD | HTTP_POST), 0);
	assert_string_equal(buf_cstr(&b), "GET, HEAD, POST");
	buf_clear(&b);
	assert_int_equal(http_methods_format(&b, 0), 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_clear(&b);
	assert_int_equal(http_methods_format(&b, HTTP_METHOD_ALL | 0x100), 0);
	assert_string_equal(buf_cstr(&b), "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
	buf_fini(&b);
	buf_init(&b, NULL, 4);
	assert_int_equal(http_methods_format(&b, HTTP_GET | HTTP_DELETE), CAMPUS_ETOOBIG);
	buf_fini(&b);
}

static void test_table_is_valid(void **state)
{
	(void)state;
	struct buf err;
	buf_init(&err, NULL, 0);
	assert_int_equal(router_check(table, NT, &err), 0);
	assert_string_equal(buf_cstr(&err), "");
	assert_int_equal(router_check(table, NT, NULL), 0);
	assert_int_equal(router_check(table, 0, NULL), 0);
	buf_fini(&err);
}

static void test_basic_matches(void **state)
{
	(void)state;
	struct route_match rm;
	assert_int_equal(match(HTTP_GET, "/", &rm), 0);
	assert_string_equal(rm.route->name, "home");
	assert_int_equal(rm.nparams, 0);
	assert_int_equal(rm.allowed, HTTP_GET | HTTP_HEAD);

	assert_int_equal(match(HTTP_GET, "/b/leesclub", &rm), 0);
	assert_string_equal(rm.route->name, "board");
	assert_int_equal(rm.nparams, 1);
	SLICE_EQ(rm.params[0].name, "slug");
	SLICE_EQ(rm.params[0].value, "leesclub");
	SLICE_EQ(route_param(&rm, "slug"), "leesclub");
	assert_null(route_param(&rm, "id").ptr);
	assert_null(route_param(&rm, "slu").ptr);
	assert_null(route_param(&rm, "").ptr);
	assert_null(route_param(NULL, "slug").ptr);
	assert_null(route_param(&rm, NULL).ptr);
	assert_int_equal(rm.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);

	assert_int_equal(match(HTTP_GET, "/b/leesclub/modules/42", &rm), 0);
	assert_string_equal(rm.route->name, "module");
	assert_int_equal(rm.nparams, 2);
	SLICE_EQ(route_param(&rm, "slug"), "leesclub");
	SLICE_EQ(route_param(&rm, "id"), "42");
	assert_int_equal(rm.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_DELETE);

	assert_string_equal(matched_name(HTTP_POST, "/b/leesclub/modules/42"), "module");
	assert_string_equal(matched_name(HTTP_DELETE, "/b/leesclub/modules/42"), "module_delete");
	assert_string_equal(matched_name(HTTP_POST, "/b/leesclub"), "board_update");
	assert_string_equal(matched_name(HTTP_GET, "/.well-known/security.txt"), "security_txt");
}

static void test_head_uses_get(void **state)
{
	(void)state;
	struct route_match rm;
	assert_int_equal(match(HTTP_HEAD, "/", &rm), 0);
	assert_string_equal(rm.route->name, "home");
	assert_int_equal(match(HTTP_HEAD, "/b/x/modules/7", &rm), 0);
	assert_string_equal(rm.route->name, "module");
	SLICE_EQ(route_param(&rm, "id"), "7");
	assert_string_equal(matched_name(HTTP_HEAD, "/static/app.js"), "static");
}

static void test_precedence(void **state)
{
	(void)state;
	/* literal beats parameter, even though the parameter route comes first */
	assert_string_equal(matched_name(HTTP_GET, "/b/new"), "board_new");
	assert_string_equal(matched_name(HTTP_GET, "/b/newer"), "board");
	assert_string_equal(matched_name(HTTP_GET, "/b/ne"), "board");
	/* parameter beats splat, splat takes the rest */
	assert_string_equal(matched_name(HTTP_GET, "/f/one"), "f_param");
	struct route_match rm;
	assert_int_equal(match(HTTP_GET, "/f/one/two", &rm), 0);
	assert_string_equal(rm.route->name, "f_splat");
	SLICE_EQ(route_param(&rm, "rest"), "one/two");
	/* deeper literal beats an earlier splat */
	assert_int_equal(match(HTTP_GET, "/static/css/site.css", &rm), 0);
	assert_string_equal(rm.route->name, "static_css");
	SLICE_EQ(route_param(&rm, "file"), "site.css");
	assert_int_equal(match(HTTP_GET, "/static/js/app.js", &rm), 0);
	assert_string_equal(rm.route->name, "static");
	SLICE_EQ(route_param(&rm, "path"), "js/app.js");
	assert_int_equal(match(HTTP_GET, "/static/css", &rm), 0);
	assert_string_equal(rm.route->name, "static");
	SLICE_EQ(route_param(&rm, "path"), "css");
	/* the leftmost difference decides: literal "nl" beats parameter :lang */
	assert_string_equal(matched_name(HTTP_GET, "/nl/about"), "nl_page");
	assert_string_equal(matched_name(HTTP_GET, "/en/about"), "about_lang");
	assert_string_equal(matched_name(HTTP_GET, "/nl/contact"), "nl_page");
	/* same shape: the method decides, then the first route */
	assert_string_equal(matched_name(HTTP_GET, "/x/1"), "x_a");
	assert_string_equal(matched_name(HTTP_PUT, "/x/1"), "x_a");
	assert_int_equal(match(HTTP_OPTIONS, "/x/1", &rm), 0);
	assert_string_equal(rm.route->name, "x_b");
	SLICE_EQ(route_param(&rm, "b"), "1");
	assert_null(route_param(&rm, "a").ptr);
}

static void test_first_in_table_wins(void **state)
{
	(void)state;
	static const struct route t[] = {
	    {HTTP_GET, "/a/:x", h, BODY_NONE, 0, 0, "first", 0},
	    {HTTP_GET, "/a/:y", h, BODY_NONE, 0, 0, "second", 0},
	};
	struct route_match rm;
	assert_int_equal(router_match(t, 2, HTTP_GET, "/a/1", 4, &rm), 0);
	assert_string_equal(rm.route->name, "first");
	SLICE_EQ(route_param(&rm, "x"), "1");
	assert_null(route_param(&rm, "y").ptr);
	/* and router_check reports it */
	struct buf err;
	buf_init(&err, NULL, 0);
	assert_int_equal(router_check(t, 2, &err), CAMPUS_EINVAL);
	assert_non_null(strstr(buf_cstr(&err), "shadowed"));
	assert_non_null(strstr(buf_cstr(&err), "second"));
	buf_fini(&err);
}

static void test_trailing_slash(void **state)
{
	(void)state;
	struct route_match rm;
	assert_string_equal(matched_name(HTTP_GET, "/b/x/modules/"), "modules_index");
	assert_int_equal(match(HTTP_GET, "/b/x/modules", &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(match(HTTP_GET, "/b/x/", &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(match(HTTP_GET, "/b/", &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(match(HTTP_GET, "/b", &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(match(HTTP_GET, "/b/new/", &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(match(HTTP_GET, "/b/x/modules/1/", &rm), CAMPUS_ENOTFOUND);
	/* a splat needs at least one byte, and keeps a trailing slash */
	assert_int_equal(match(HTTP_GET, "/static/", &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(match(HTTP_GET, "/static", &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(match(HTTP_GET, "/static/img/", &rm), 0);
	SLICE_EQ(route_param(&rm, "path"), "img/");
}

static void test_not_found_and_method(void **state)
{
	(void)state;
	struct route_match rm;
	assert_int_equal(match(HTTP_GET, "/nope", &rm), CAMPUS_ENOTFOUND);
	assert_null(rm.route);
	assert_int_equal(rm.allowed, 0);
	assert_int_equal(match(HTTP_GET, "/B/new", &rm), CAMPUS_ENOTFOUND); /* case matters */
	assert_int_equal(match(HTTP_GET, "/b/x/modules/1/extra", &rm), CAMPUS_ENOTFOUND);

	assert_int_equal(match(HTTP_PUT, "/b/x", &rm), CAMPUS_EMETHOD);
	assert_null(rm.route);
	assert_int_equal(rm.nparams, 0);
	assert_int_equal(rm.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
	assert_int_equal(match(HTTP_POST, "/", &rm), CAMPUS_EMETHOD);
	assert_int_equal(rm.allowed, HTTP_GET | HTTP_HEAD);
	/* "/b/new" is GET-only, but POST /b/new still reaches board_update */
	assert_string_equal(matched_name(HTTP_POST, "/b/new"), "board_update");
	assert_int_equal(match(HTTP_PATCH, "/b/new", &rm), CAMPUS_EMETHOD);
	assert_int_equal(rm.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
	assert_int_equal(match(HTTP_DELETE, "/static/a", &rm), CAMPUS_EMETHOD);
	assert_int_equal(rm.allowed, HTTP_GET | HTTP_HEAD);

	/* not a single known method */
	assert_int_equal(router_match(table, NT, (enum http_method)0, "/", 1, &rm), CAMPUS_EMETHOD);
	assert_int_equal(
	    router_match(table, NT, (enum http_method)(HTTP_GET | HTTP_POST), "/", 1, &rm),
	    CAMPUS_EMETHOD);
	assert_int_equal(router_match(table, NT, (enum http_method)128, "/", 1, &rm),
	                 CAMPUS_EMETHOD);
	assert_int_equal(router_match(table, NT, (enum http_method)0, "/zz", 3, &rm),
	                 CAMPUS_ENOTFOUND);
	/* empty table */
	assert_int_equal(router_match(table, 0, HTTP_GET, "/", 1, &rm), CAMPUS_ENOTFOUND);
}

static void test_query_is_ignored(void **state)
{
	(void)state;
	struct route_match rm;
	assert_int_equal(match(HTTP_GET, "/b/x?a=1&b=/../..", &rm), 0);
	assert_string_equal(rm.route->name, "board");
	SLICE_EQ(route_param(&rm, "slug"), "x");
	assert_string_equal(matched_name(HTTP_GET, "/?"), "home");
	assert_string_equal(matched_name(HTTP_GET, "/static/a.css?v=3"), "static");
	assert_int_equal(match(HTTP_GET, "/static/?x", &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(match(HTTP_GET, "?/", &rm), CAMPUS_EINVAL);
	/* the length bounds the path, not a NUL */
	assert_int_equal(router_match(table, NT, HTTP_GET, "/b/new/junk", 6, &rm), 0);
	assert_string_equal(rm.route->name, "board_new");
}

static void test_params(void **state)
{
	(void)state;
	struct route_match rm;
	assert_int_equal(match(HTTP_GET, "/p/1/2/3/4/5/6/7/8", &rm), 0);
	assert_int_equal(rm.nparams, 8);
	const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
	for (unsigned i = 0; i < 8; i++) {
		char want[2] = {(char)('1' + i), 0};
		SLICE_EQ(route_param(&rm, names[i]), want);
	}
	assert_int_equal(match(HTTP_GET, "/p/1/2/3/4/5/6/7", &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(match(HTTP_GET, "/p/1/2/3/4/5/6/7/8/9", &rm), CAMPUS_ENOTFOUND);
	/* values stay percent-encoded and point into the path */
	const char *path = "/b/caf%C3%A9/modules/%41";
	assert_int_equal(match(HTTP_GET, path, &rm), 0);
	SLICE_EQ(route_param(&rm, "slug"), "caf%C3%A9");
	assert_ptr_equal(route_param(&rm, "slug").ptr, path + 3);
	SLICE_EQ(route_param(&rm, "id"), "%41");
	/* the matched route's params, not a losing candidate's */
	assert_int_equal(match(HTTP_GET, "/nl/about", &rm), 0);
	assert_int_equal(rm.nparams, 1);
	SLICE_EQ(route_param(&rm, "page"), "about");
	assert_null(route_param(&rm, "lang").ptr);
}

static void test_bad_paths(void **state)
{
	(void)state;
	static const char *bad[] = {
	    "",
	    "b/x",
	    " /",
	    "//",
	    "/b//x",
	    "/b/x//",
	    "//b/x",
	    "/.",
	    "/..",
	    "/./",
	    "/../",
	    "/b/./x",
	    "/b/../x",
	    "/static/../etc/passwd",
	    "/static/css/..",
	    "/b/%2e",
	    "/b/%2E%2e",
	    "/b/.%2e",
	    "/b/%2e./x",
	    "/static/a%2fb",
	    "/static/a%2F..%2Fb",
	    "/static/a%5cb",
	    "/static/a\\b",
	    "/static/..\\x",
	    "/b/a b",
	    "/b/a\tb",
	    "/b/a\x7f",
	    "/b/a\x01",
	    "/b/caf\xc3\xa9",
	    "/b/\xff",
	    "/b/%",
	    "/b/%4",
	    "/b/%4g",
	    "/b/%g4",
	    "/b/%%41",
	    "/b/%00",
	    "/b/%C3",
	    "/b/%C3/x",
	    "/b/%C3%28",
	    "/b/%E2%82",
	    "/b/%ED%A0%80",
	    "/b/%C0%AF",
	    "/b/%E0%80%AF",
	    "/b/%F4%90%80%80",
	    "/b/%FF",
	    "/b/%80",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct route_match rm;
		rm.route = table;
		int rc = match(HTTP_GET, bad[i], &rm);
		if (rc != CAMPUS_EINVAL)
			fail_msg("path %zu \"%s\" gave %d", i, bad[i], rc);
		assert_null(rm.route);
	}
	struct route_match rm;
	/* an embedded NUL inside the given length */
	assert_int_equal(router_match(table, NT, HTTP_GET, "/b/a\0b", 6, &rm), CAMPUS_EINVAL);
	assert_int_equal(router_match(table, NT, HTTP_GET, NULL, 0, &rm), CAMPUS_EINVAL);
	assert_int_equal(router_match(table, NT, HTTP_GET, "/", 0, &rm), CAMPUS_EINVAL);
	/* length cap */
	char longp[ROUTE_PATH_MAX + 2];
	longp[0] = '/';
	memset(longp + 1, 'a', ROUTE_PATH_MAX);
	longp[ROUTE_PATH_MAX + 1] = 0;
	assert_int_equal(router_match(table, NT, HTTP_GET, longp, ROUTE_PATH_MAX + 1, &rm),
	                 CAMPUS_EINVAL);
	assert_int_equal(router_match(table, NT, HTTP_GET, longp, ROUTE_PATH_MAX, &rm),
	                 CAMPUS_ENOTFOUND);
	/* a long path with a '?' is only measured up to the '?' */
	longp[10] = '?';
	assert_int_equal(router_match(table, NT, HTTP_GET, longp, ROUTE_PATH_MAX + 1, &rm),
	                 CAMPUS_ENOTFOUND);
}

static void test_good_odd_paths(void **state)
{
	(void)state;
	static const char *good[] = {
	    "/b/...",       "/b/.x",           "/b/x.",  "/b/..x",   "/b/%2e%2e%2e", "/b/%C3%A9",
	    "/b/%e2%82%ac", "/b/%F0%9F%98%80", "/b/a;b", "/b/~user", "/b/a:b",       "/b/%20",
	    "/b/%25",       "/b/%2B",          "/b/a+b", "/b/@",     "/b/!$&'()*,=",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct route_match rm;
		int rc = match(HTTP_GET, good[i], &rm);
		if (rc != 0)
			fail_msg("path %zu \"%s\" gave %d", i, good[i], rc);
		assert_string_equal(rm.route->name, "board");
	}
}

static void test_percent_decode(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	char *out = NULL;
	size_t n = 99;
	assert_int_equal(http_percent_decode(a, STR_LIT("caf%C3%a9+x%20y"), false, &out, &n), 0);
	assert_string_equal(out, "caf\xc3\xa9+x y");
	assert_int_equal(n, strlen("caf\xc3\xa9+x y"));
	assert_int_equal(http_percent_decode(a, STR_LIT("a+b%2B"), true, &out, &n), 0);
	assert_string_equal(out, "a b+");
	assert_int_equal(http_percent_decode(a, STR_LIT(""), false, &out, &n), 0);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	assert_int_equal(http_percent_decode(a, STR_NULL, false, &out, NULL), 0);
	assert_string_equal(out, "");
	assert_int_equal(http_percent_decode(a, STR_LIT("%2e%2E/%2f"), false, &out, &n), 0);
	assert_string_equal(out, "../"
	                         "/");

	static const char *bad[] = {"%",      "%4",        "a%",      "%zz",
	                            "%4z",    "%00",       "a%00b",   "%C3",
	                            "%C3%28", "%ED%A0%80", "%C0%80",  "%F8%88%80%80%80",
	                            "%FF",    "\xc3",      "%E2%82%2"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		out = (char *)"untouched";
		int rc = http_percent_decode(a, str_from(bad[i]), true, &out, &n);
		if (rc != CAMPUS_EINVAL)
			fail_msg("\"%s\" gave %d", bad[i], rc);
		assert_string_equal(out, "untouched");
	}
	assert_int_equal(http_percent_decode(a, (struct str){"a\0b", 3}, false, &out, &n),
	                 CAMPUS_EINVAL);
	assert_int_equal(http_percent_decode(a, (struct str){NULL, 3}, false, &out, &n),
	                 CAMPUS_EINVAL);
	arena_free(a);

	/* a full arena is reported, not crashed on */
	a = arena_new(64);
	char big[200];
	memset(big, 'x', sizeof big);
	assert_int_equal(http_percent_decode(a, (struct str){big, sizeof big}, false, &out, &n),
	                 CAMPUS_ENOMEM);
	arena_free(a);
}

struct bad_table {
	struct route r;
	const char *why;
};

static void test_check_rejects(void **state)
{
	(void)state;
	static const struct bad_table bad[] = {
	    {{HTTP_GET, NULL, h, BODY_NONE, 0, 0, "a", 0}, "start with '/'"},
	    {{HTTP_GET, "", h, BODY_NONE, 0, 0, "a", 0}, "start with '/'"},
	    {{HTTP_GET, "a/b", h, BODY_NONE, 0, 0, "a", 0}, "start with '/'"},
	    {{HTTP_GET, "//", h, BODY_NONE, 0, 0, "a", 0}, "empty segment"},
	    {{HTTP_GET, "/a//b", h, BODY_NONE, 0, 0, "a", 0}, "empty segment"},
	    {{HTTP_GET, "/a/./b", h, BODY_NONE, 0, 0, "a", 0}, "dot segment"},
	    {{HTTP_GET, "/..", h, BODY_NONE, 0, 0, "a", 0}, "dot segment"},
	    {{HTTP_GET, "/a b", h, BODY_NONE, 0, 0, "a", 0}, "escaping"},
	    {{HTTP_GET, "/a%20b", h, BODY_NONE, 0, 0, "a", 0}, "escaping"},
	    {{HTTP_GET, "/caf\xc3\xa9", h, BODY_NONE, 0, 0, "a", 0}, "escaping"},
	    {{HTTP_GET, "/a?b", h, BODY_NONE, 0, 0, "a", 0}, "escaping"},
	    {{HTTP_GET, "/a/:", h, BODY_NONE, 0, 0, "a", 0}, "without a name"},
	    {{HTTP_GET, "/a/*", h, BODY_NONE, 0, 0, "a", 0}, "without a name"},
	    {{HTTP_GET, "/a/:b-c", h, BODY_NONE, 0, 0, "a", 0}, "parameter name"},
	    {{HTTP_GET, "/a/:b:c", h, BODY_NONE, 0, 0, "a", 0}, "parameter name"},
	    {{HTTP_GET, "/a/*rest/b", h, BODY_NONE, 0, 0, "a", 0}, "last segment"},
	    {{HTTP_GET, "/a/*rest/", h, BODY_NONE, 0, 0, "a", 0}, "last segment"},
	    {{HTTP_GET, "/:x/:x", h, BODY_NONE, 0, 0, "a", 0}, "duplicate parameter"},
	    {{HTTP_GET, "/:x/*x", h, BODY_NONE, 0, 0, "a", 0}, "duplicate parameter"},
	    {{HTTP_GET, "/:a/:b/:c/:d/:e/:f/:g/:h/:i", h, BODY_NONE, 0, 0, "a", 0},
	     "too many parameters"},
	    {{0, "/a", h, BODY_NONE, 0, 0, "a", 0}, "method mask"},
	    {{128, "/a", h, BODY_NONE, 0, 0, "a", 0}, "method mask"},
	    {{HTTP_GET | 256, "/a", h, BODY_NONE, 0, 0, "a", 0}, "method mask"},
	    {{HTTP_GET, "/a", NULL, BODY_NONE, 0, 0, "a", 0}, "no handler"},
	    {{HTTP_GET, "/a", h, BODY_NONE, 0, 0, NULL, 0}, "no name"},
	    {{HTTP_GET, "/a", h, BODY_NONE, 0, 0, "", 0}, "no name"},
	    {{HTTP_POST, "/a", h, BODY_NONE, 10, 0, "a", 0}, "disagree"},
	    {{HTTP_POST, "/a", h, BODY_FORM, 0, 0, "a", 0}, "disagree"},
	    {{HTTP_GET | HTTP_HEAD, "/a", h, BODY_JSON, 10, 0, "a", 0}, "without POST"},
	    {{HTTP_POST, "/a", h, (enum body_kind)7, 10, 0, "a", 0}, "bad body kind"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct buf err;
		buf_init(&err, NULL, 0);
		int rc = router_check(&bad[i].r, 1, &err);
		if (rc != CAMPUS_EINVAL || !strstr(buf_cstr(&err), bad[i].why))
			fail_msg("case %zu: rc %d, message \"%s\", wanted \"%s\"", i, rc,
			         buf_cstr(&err), bad[i].why);
		assert_non_null(strstr(buf_cstr(&err), "route 0"));
		assert_int_equal(router_check(&bad[i].r, 1, NULL), CAMPUS_EINVAL);
		buf_fini(&err);
	}
	/* the eight-parameter maximum itself is fine */
	static const struct route eight = {HTTP_GET, "/:a/:b/:c/:d/:e/:f/:g/*h", h, BODY_NONE, 0, 0,
	                                   "eight", 0};
	assert_int_equal(router_check(&eight, 1, NULL), 0);
}

static void test_check_table_level(void **state)
{
	(void)state;
	struct buf err;
	buf_init(&err, NULL, 0);

	static const struct route dup_names[] = {
	    {HTTP_GET, "/a", h, BODY_NONE, 0, 0, "same", 0},
	    {HTTP_GET, "/b", h, BODY_NONE, 0, 0, "same", 0},
	};
	assert_int_equal(router_check(dup_names, 2, &err), CAMPUS_EINVAL);
	assert_non_null(strstr(buf_cstr(&err), "route 1 (same): duplicate name (also route 0)"));

	static const struct route shadows[] = {
	    {HTTP_GET, "/s/:x/*rest", h, BODY_NONE, 0, 0, "a", 0},
	    {HTTP_POST, "/s/:y/*more", h, BODY_FORM, 10, 0, "b", 0},           /* other method: ok */
	    {HTTP_GET | HTTP_POST, "/s/:z/*all", h, BODY_FORM, 10, 0, "c", 0}, /* shadowed twice */
	    {HTTP_HEAD, "/s/:q/*p", h, BODY_NONE, 0, 0, "d", 0},               /* HEAD goes to GET */
	    {HTTP_GET, "/s/lit/*p", h, BODY_NONE, 0, 0, "e", 0},               /* literal: ok */
	    {HTTP_GET, "/s/:x/y", h, BODY_NONE, 0, 0, "f", 0},                 /* literal: ok */
	    {HTTP_GET, "/s/:x/:y", h, BODY_NONE, 0, 0, "g", 0},                /* param: ok */
	    {HTTP_GET, "/s/:x/", h, BODY_NONE, 0, 0, "h", 0},                  /* slash: ok */
	    {HTTP_GET, "/s/:x", h, BODY_NONE, 0, 0, "i", 0},                   /* shorter: ok */
	    {HTTP_HEAD, "/t", h, BODY_NONE, 0, 0, "j", 0},
	    {HTTP_GET, "/t", h, BODY_NONE, 0, 0, "k", 0}, /* GET after HEAD-only: reachable */
	};
	buf_clear(&err);
	assert_int_equal(router_check(shadows, sizeof shadows / sizeof shadows[0], &err),
	                 CAMPUS_EINVAL);
	const char *e = buf_cstr(&err);
	assert_non_null(strstr(e, "route 2 (c): shadowed by route 0 (a)"));
	assert_non_null(strstr(e, "route 2 (c): shadowed by route 1 (b)"));
	assert_non_null(strstr(e, "route 3 (d): shadowed by route 0 (a)"));
	assert_null(strstr(e, "route 1 (b)"
	                      ": shadowed"));
	assert_null(strstr(e, "(e)"));
	assert_null(strstr(e, "(f)"));
	assert_null(strstr(e, "(g)"));
	assert_null(strstr(e, "(h)"));
	assert_null(strstr(e, "(i)"));
	assert_null(strstr(e, "(k)"));

	/* every problem is reported, one per line */
	static const struct route many[] = {
	    {HTTP_GET, "/a//b", NULL, BODY_NONE, 0, 0, NULL, 0},
	};
	buf_clear(&err);
	assert_int_equal(router_check(many, 1, &err), CAMPUS_EINVAL);
	e = buf_cstr(&err);
	assert_non_null(strstr(e, "route 0 (?): empty segment"));
	assert_non_null(strstr(e, "no handler"));
	assert_non_null(strstr(e, "no name"));
	unsigned lines = 0;
	for (; *e; e++)
		lines += *e == '\n';
	assert_int_equal(lines, 3);
	buf_fini(&err);
}

static void test_unchecked_table(void **state)
{
	(void)state;
	/* router_match must survive tables that router_check would refuse */
	static const struct route t[] = {
	    {HTTP_GET, NULL, h, BODY_NONE, 0, 0, "null", 0},
	    {HTTP_GET, "", h, BODY_NONE, 0, 0, "empty", 0},
	    {HTTP_GET, "nope", h, BODY_NONE, 0, 0, "relative", 0},
	    {HTTP_GET, "/*a/b", h, BODY_NONE, 0, 0, "splat_mid", 0},
	    {HTTP_GET, "/:a/:b/:c/:d/:e/:f/:g/:h/:i", h, BODY_NONE, 0, 0, "nine", 0},
	    {HTTP_GET, "/ok/:", h, BODY_NONE, 0, 0, "nameless", 0},
	};
	struct route_match rm;
	size_t n = sizeof t / sizeof t[0];
	assert_int_equal(router_match(t, n, HTTP_GET, "/x/b", 4, &rm), CAMPUS_ENOTFOUND);
	assert_int_equal(router_match(t, n, HTTP_GET, "/1/2/3/4/5/6/7/8/9", 18, &rm),
	                 CAMPUS_ENOTFOUND);
	assert_int_equal(router_match(t, n, HTTP_GET, "/ok/z", 5, &rm), 0);
	assert_string_equal(rm.route->name, "nameless");
	assert_int_equal(rm.params[0].name.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_method_parse),
	    cmocka_unit_test(test_methods_format),
	    cmocka_unit_test(test_table_is_valid),
	    cmocka_unit_test(test_basic_matches),
	    cmocka_unit_test(test_head_uses_get),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_first_in_table_wins),
	    cmocka_unit_test(test_trailing_slash),
	    cmocka_unit_test(test_not_found_and_method),
	    cmocka_unit_test(test_query_is_ignored),
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_bad_paths),
	    cmocka_unit_test(test_good_odd_paths),
	    cmocka_unit_test(test_percent_decode),
	    cmocka_unit_test(test_check_rejects),
	    cmocka_unit_test(test_check_table_level),
	    cmocka_unit_test(test_unchecked_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
