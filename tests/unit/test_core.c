/* core: arena, bounded buffers, strings, UTF-8, config, error table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"

static void arena_caps_and_aligns(void **state)
{
	(void)state;
	struct arena *a = arena_new(1024);
	void *p = arena_alloc(a, 1);
	void *q = arena_alloc(a, 3);
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal((uintptr_t)q % 16, 0);
	assert_null(arena_alloc(a, 2048)); /* over the cap: fails softly */
	assert_non_null(arena_alloc(a, 512));
	assert_true(arena_used(a) <= 1024);
	arena_reset(a);
	assert_int_equal(arena_used(a), 0);
	arena_free(a);
}

static void arena_big_allocations(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	char *small = arena_strdup(a, "klein");
	char *big = arena_alloc(a, 100000); /* larger than a block */
	assert_non_null(big);
	memset(big, 'x', 100000);
	char *after = arena_strdup(a, "daarna");
	assert_string_equal(small, "klein");
	assert_string_equal(after, "daarna");
	assert_string_equal(arena_printf(a, "%s-%d", "nr", 7), "nr-7");
	assert_null(arena_alloc(a, SIZE_MAX - 8)); /* overflow of the rounding is caught */
	arena_free(a);
}

static void buf_grows_until_max(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, NULL, 10);
	assert_int_equal(buf_puts(&b, "12345"), 0);
	assert_int_equal(buf_printf(&b, "%d", 678), 0);
	assert_string_equal(buf_cstr(&b), "12345678");
	assert_int_equal(buf_puts(&b, "abc"), CAMPUS_ETOOBIG);
	assert_true(b.overflow);
	assert_int_equal(buf_putc(&b, 'z'), CAMPUS_ETOOBIG); /* stays failed */
	assert_string_equal(buf_cstr(&b), "12345678");
	buf_fini(&b);

	struct arena *a = arena_new(0);
	buf_init(&b, a, 0);
	for (int i = 0; i < 1000; i++)
		buf_puts(&b, "0123456789");
	assert_int_equal(b.len, 10000);
	assert_false(b.overflow);
	arena_free(a);
}

static void buf_escapers(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, NULL, 0);
	const char *html = "<a href=\"x\" onclick='y'>&`=";
	buf_html_escape(&b, html, strlen(html));
	assert_string_equal(buf_cstr(&b),
	                    "&lt;a href&#61;&quot;x&quot; onclick&#61;&#39;y&#39;&gt;&amp;&#96;&#61;");
	buf_clear(&b);
	const char *js = "a\"b\\c\n\x01</script>";
	buf_json_string(&b, js, strlen(js));
	assert_string_equal(buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001\\u003c/script>\"");
	buf_clear(&b);
	buf_url_encode(&b, "a b/é?&", 8);
	assert_string_equal(buf_cstr(&b), "a%20b%2F%C3%A9%3F%26");
	buf_fini(&b);
}

static void str_parsers_are_strict(void **state)
{
	(void)state;
	int64_t v;
	assert_true(str_to_int64("42", 2, &v));
	assert_int_equal(v, 42);
	assert_true(str_to_int64("-9223372036854775808", 20, &v));
	assert_true(v == INT64_MIN);
	assert_false(str_to_int64("9223372036854775808", 19, &v));
	assert_false(str_to_int64("12a", 3, &v));
	assert_false(str_to_int64("", 0, &v));
	assert_false(str_to_int64("-", 1, &v));
	assert_false(str_to_int64(" 1", 2, &v));
	unsigned long u;
	assert_true(str_to_uint("65535", 5, 65535, &u));
	assert_false(str_to_uint("65536", 5, 65535, &u));
	assert_false(str_to_uint("-1", 2, 65535, &u));

	char small[4];
	assert_true(str_copy(small, sizeof small, "abc"));
	assert_false(str_copy(small, sizeof small, "abcd"));
	assert_string_equal(small, "abc");
	assert_true(str_ieq_cstr(STR_LIT("GzIp"), "gzip"));
	assert_true(str_ends_with("style.css", ".css"));
	assert_false(str_ends_with("css", ".css"));
}

static void utf8_validation(void **state)
{
	(void)state;
	assert_true(utf8_valid("Zoë en Émile", strlen("Zoë en Émile")));
	assert_true(utf8_valid("\xf0\x9f\x93\x9a", 4));      /* U+1F4DA */
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\xc0\xaf", 2));              /* overlong '/' */
	assert_false(utf8_valid("\xed\xa0\x80", 3));          /* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));      /* > U+10FFFF */
	assert_false(utf8_valid("\xe2\x82", 2));              /* truncated */
	assert_false(utf8_valid("a\0b", 3));                  /* NUL */
}

static void config_sources_and_errors(void **state)
{
	(void)state;
	struct config c;
	config_init(&c);
	struct buf err;
	buf_init(&err, NULL, 0);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(config_set(&c, "listen", "[::1]:9000", &err), 0);
	char host[64];
	unsigned port;
	assert_int_equal(config_parse_listen(c.listen, host, sizeof host, &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 9000);
	assert_int_equal(config_set(&c, "listen", "localhost", &err), CAMPUS_EINVAL);
	assert_int_equal(config_set(&c, "listen", "1.2.3.4:70000", &err), CAMPUS_EINVAL);
	assert_int_equal(config_set(&c, "db", "mysql://x", &err), CAMPUS_EINVAL);
	assert_int_equal(config_set(&c, "threads", "-3", &err), CAMPUS_EINVAL);
	assert_int_equal(config_set(&c, "nonsense", "1", &err), CAMPUS_EINVAL);
	assert_non_null(strstr(buf_cstr(&err), "unknown setting \"nonsense\""));

	char path[] = "/tmp/campus-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "# comment\n\nthreads = 4\nhsts = yes\nlog_level = warn\nbogus line\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	buf_clear(&err);
	assert_int_equal(config_load_file(&c, path, &err), CAMPUS_EINVAL);
	assert_int_equal(c.threads, 4);
	assert_true(c.hsts);
	char expect[128];
	snprintf(expect, sizeof expect, "%s:6: expected \"key = value\"", path);
	assert_string_equal(buf_cstr(&err), expect);
	unlink(path);

	setenv("CAMPUS_DB", "postgres://campus@db/campus", 1);
	assert_int_equal(config_load_env(&c, &err), 0);
	assert_string_equal(c.db, "postgres://campus@db/campus");
	unsetenv("CAMPUS_DB");
	buf_fini(&err);
	config_fini(&c);
}

/* Every style, in Amsterdam time, in both languages (winter: UTC + 1; a
 * late evening in UTC is the next day here). */
static void when_styles(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	const int64_t t = 1798758000; /* 2026-12-31 23:00 UTC: Friday 1 January 2027, 00:00 here */
	static const struct {
		enum when_style style;
		const char *nl, *en;
	} cases[] = {
	    {WHEN_DATE, "vrijdag 1 januari 2027", "Friday 1 January 2027"},
	    {WHEN_DATE_TIME, "vrijdag 1 januari 2027, 00:00", "Friday 1 January 2027, 00:00"},
	    {WHEN_SHORT, "vr 1 jan 2027", "Fr 1 Jan 2027"},
	    {WHEN_SHORT_TIME, "vr 1 jan 2027 00:00", "Fr 1 Jan 2027 00:00"},
	    {WHEN_TIME, "00:00", "00:00"},
	    {WHEN_ISO_DATE, "2027-01-01", "2027-01-01"},
	    {WHEN_LONG_DATE, "1 januari 2027", "1 January 2027"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_string_equal(when_text(a, t, "nl", cases[i].style), cases[i].nl);
		assert_string_equal(when_text(a, t, "en", cases[i].style), cases[i].en);
		assert_string_equal(when_text(a, 0, "nl", cases[i].style), "");
	}
	arena_free(a);
}

static void error_table(void **state)
{
	(void)state;
	assert_int_equal(campus_err_status(CAMPUS_ENOTFOUND), 404);
	assert_string_equal(campus_err_code(CAMPUS_ETOOBIG), "too_large");
	assert_int_equal(campus_err_status(CAMPUS_EBADCSRF), 403);
	assert_int_equal(campus_err_status(-999), 500); /* unknown: internal */
	assert_string_equal(campus_err_code(-999), "internal_error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(arena_caps_and_aligns), cmocka_unit_test(arena_big_allocations),
	    cmocka_unit_test(buf_grows_until_max),   cmocka_unit_test(buf_escapers),
	    cmocka_unit_test(str_parsers_are_strict), cmocka_unit_test(utf8_validation),
	    cmocka_unit_test(config_sources_and_errors), cmocka_unit_test(error_table),
	    cmocka_unit_test(when_styles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
