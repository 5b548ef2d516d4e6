/* i18n: the real English catalogue, and hostile .mo images. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "view/i18n.h"

/* A .mo image with the given sorted pairs, laid out as msgfmt does. */
static size_t make_mo(unsigned char *out, size_t cap, const char *const *orig,
                      const char *const *trans, uint32_t n)
{
	uint32_t hdr[7] = {0x950412de, 0, n, 28, 28 + 8 * n, 0, 28 + 16 * n};
	size_t off = 28 + 16 * (size_t)n;
	memcpy(out, hdr, sizeof hdr);
	for (uint32_t t = 0; t < 2; t++)
		for (uint32_t i = 0; i < n; i++) {
			const char *s = t ? trans[i] : orig[i];
			uint32_t len = (uint32_t)strlen(s), at = (uint32_t)off;
			memcpy(out + 28 + 8 * n * t + 8 * i, &len, 4);
			memcpy(out + 28 + 8 * n * t + 8 * i + 4, &at, 4);
			assert_true(off + len + 1 <= cap);
			memcpy(out + off, s, len + 1);
			off += len + 1;
		}
	return off;
}

static void real_catalogue(void **state)
{
	(void)state;
	const char *dir = getenv("CAMPUS_LOCALE_DIR");
	struct buf err;
	buf_init(&err, NULL, 0);
	assert_int_equal(i18n_load(dir ? dir : "build/po", &err), 0);
	assert_string_equal(i18n_gettext(LANG_EN, "Welkom bij Campus"), "Welcome to Campus");
	assert_string_equal(i18n_gettext(LANG_NL, "Welkom bij Campus"), "Welkom bij Campus");
	assert_string_equal(i18n_gettext(LANG_EN, "Niet vertaald, bestaat niet"),
	                    "Niet vertaald, bestaat niet");
	assert_string_equal(i18n_gettext(LANG_EN, ""), "");
	/* Every error message has its English version. */
	for (int e = CAMPUS_EINVAL; e >= CAMPUS_EBADCSRF; e--) {
		const char *msgid = campus_err_msgid(e);
		assert_string_not_equal(i18n_gettext(LANG_EN, msgid), msgid);
	}
	i18n_unload();
	buf_clear(&err);
	assert_int_equal(i18n_load("/nonexistent", &err), CAMPUS_EIO);
	assert_non_null(strstr(buf_cstr(&err), "/nonexistent/en/LC_MESSAGES/campus.mo"));
	buf_fini(&err);
}

static void language_codes(void **state)
{
	(void)state;
	assert_int_equal(i18n_lang_from_code("nl"), LANG_NL);
	assert_int_equal(i18n_lang_from_code("en-GB"), LANG_EN);
	assert_int_equal(i18n_lang_from_code("de"), -1);
	assert_int_equal(i18n_lang_from_code("english"), -1);
	assert_int_equal(i18n_lang_from_code(""), -1);
}

static void hostile_catalogues(void **state)
{
	(void)state;
	static const char *const orig[] = {"", "appel", "peer"};
	static const char *const trans[] = {"Language: en\n", "apple", "pear"};
	unsigned char mo[512];
	size_t len = make_mo(mo, sizeof mo, orig, trans, 3);
	struct buf err;
	buf_init(&err, NULL, 0);
	assert_int_equal(i18n_load_mo(LANG_EN, mo, len, &err), 0);
	assert_string_equal(i18n_gettext(LANG_EN, "peer"), "pear");
	assert_string_equal(i18n_gettext(LANG_EN, "appel"), "apple");

	/* Truncated: string tables run past the end. */
	assert_int_equal(i18n_load_mo(LANG_EN, mo, len - 3, &err), CAMPUS_EINVAL);
	/* Bad magic. */
	unsigned char bad[512];
	memcpy(bad, mo, len);
	bad[0] ^= 0xff;
	assert_int_equal(i18n_load_mo(LANG_EN, bad, len, &err), CAMPUS_EINVAL);
	/* A string offset far outside the image. */
	memcpy(bad, mo, len);
	uint32_t far = 0x7fffffff;
	memcpy(bad + 28 + 8 + 4, &far, 4);
	assert_int_equal(i18n_load_mo(LANG_EN, bad, len, &err), CAMPUS_EINVAL);
	/* A huge count. */
	memcpy(bad, mo, len);
	uint32_t huge = 0xffffffff;
	memcpy(bad + 8, &huge, 4);
	assert_int_equal(i18n_load_mo(LANG_EN, bad, len, &err), CAMPUS_EINVAL);
	/* Unsorted originals would break the binary search. */
	static const char *const unsorted[] = {"", "peer", "appel"};
	len = make_mo(bad, sizeof bad, unsorted, trans, 3);
	assert_int_equal(i18n_load_mo(LANG_EN, bad, len, &err), CAMPUS_EINVAL);
	/* Dutch is the source language: no catalogue for it. */
	assert_int_equal(i18n_load_mo(LANG_NL, mo, len, &err), CAMPUS_EINVAL);
	/* The good catalogue is still in place after every refusal. */
	assert_string_equal(i18n_gettext(LANG_EN, "peer"), "pear");
	i18n_unload();
	assert_string_equal(i18n_gettext(LANG_EN, "peer"), "peer");
	buf_fini(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(real_catalogue),
	    cmocka_unit_test(language_codes),
	    cmocka_unit_test(hostile_catalogues),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
