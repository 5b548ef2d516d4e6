/* domain: settings, on the database named by CAMPUS_TEST_DB (SQLite and
 * PostgreSQL in scripts/test.sh), with a fixed clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/settings.h"

static int64_t fixed_now(void) { return 1795000000; } /* 2026-11-18 */

DB_STMT(stmt_reset_settings, "DELETE FROM settings");
DB_STMT(stmt_updated_at, "SELECT updated_at FROM settings WHERE key = $1");
DB_STMT(stmt_count_settings, "SELECT COUNT(*) FROM settings");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
};

static int setup(void **state)
{
	const char *url = getenv("CAMPUS_TEST_DB");
	struct fixture *f = calloc(1, sizeof *f);
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(url ? url : "sqlite::memory:", DB_OPEN_CREATE, &f->db, &err) != 0 ||
	    db_migrate(f->db, &err) != 0) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	db_exec(f->db, &stmt_reset_settings, (const struct db_param[]){DBP_END}, NULL);
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = fixed_now};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->arena);
	db_close(f->db);
	free(f);
	return 0;
}

static int64_t count_settings(struct fixture *f)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, &stmt_count_settings, (const struct db_param[]){DBP_END},
	                              (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena),
	                 0);
	return n;
}

static void defaults_without_rows(void **state)
{
	struct fixture *f = *state;
	const char *v;
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, "#00689e");
	assert_int_equal(settings_get(&f->ctx, SETTING_SECTOR_NAME, &v), 0);
	assert_string_equal(v, "Campus");
	assert_int_equal(settings_get(&f->ctx, "no.such.key", &v), CAMPUS_EINVAL);
}

static void set_then_get_with_clock(void **state)
{
	struct fixture *f = *state;
	const char *v;
	assert_int_equal(settings_set(&f->ctx, SETTING_BRAND_COLOR, "#A1B2C3"), 0);
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, "#A1B2C3");
	assert_int_equal(settings_set(&f->ctx, SETTING_BRAND_COLOR, "#000000"), 0); /* upsert */
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, "#000000");
	int64_t at = 0;
	assert_int_equal(db_query_row(f->db, &stmt_updated_at,
	                              (const struct db_param[]){DBP_TEXT(SETTING_BRAND_COLOR), DBP_END},
	                              (const struct db_col[]){DBC_INT(&at), DBC_END}, f->arena),
	                 0);
	assert_int_equal(at, fixed_now());
	assert_int_equal(settings_set(&f->ctx, SETTING_SECTOR_NAME, "Bibliotheekcampus Zoë"), 0);
	assert_int_equal(settings_get(&f->ctx, SETTING_SECTOR_NAME, &v), 0);
	assert_string_equal(v, "Bibliotheekcampus Zoë");
}

static void bad_values_change_nothing(void **state)
{
	struct fixture *f = *state;
	int64_t before = count_settings(f);
	const char *v;
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	const char *color_before = v;
	static const char *const bad_colors[] = {"red", "#12345", "#1234567", "#GGGGGG", "",
	                                         "#12345\"", "javascript:alert(1)"};
	for (size_t i = 0; i < sizeof bad_colors / sizeof bad_colors[0]; i++)
		assert_int_equal(settings_set(&f->ctx, SETTING_BRAND_COLOR, bad_colors[i]), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, SETTING_BRAND_COLOR, NULL), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, SETTING_SECTOR_NAME, ""), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, SETTING_SECTOR_NAME, "\xff\xfe"), CAMPUS_EINVAL);
	char longname[120];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(settings_set(&f->ctx, SETTING_SECTOR_NAME, longname), CAMPUS_EINVAL);
	assert_int_equal(settings_set(&f->ctx, "unknown.key", "x"), CAMPUS_EINVAL);
	assert_int_equal(count_settings(f), before);
	assert_int_equal(settings_get(&f->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, color_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_without_rows),
	    cmocka_unit_test(set_then_get_with_clock),
	    cmocka_unit_test(bad_values_change_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
