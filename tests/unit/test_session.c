/* Sessions (domain/auth.c), on the database named by CAMPUS_TEST_DB
 * (SQLite and PostgreSQL in scripts/test.sh), with a clock the tests move:
 * a resume refreshes the idle timer at most once a minute and writes
 * nothing else; an idle or too old session is refused and deleted; the
 * minute thread's sweep deletes every session past its end and no other. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/auth.h"
#include "domain/ctx.h"
#include "domain/people.h"

#define START 1795000000 /* 2026-11-18 */

static int64_t clock_value = START;
static int64_t test_now(void) { return clock_value; }

DB_STMT(stmt_reset_sessions, "DELETE FROM sessions");
DB_STMT(stmt_reset_memberships, "DELETE FROM memberships");
DB_STMT(stmt_reset_people, "DELETE FROM people");
DB_STMT(stmt_reset_orgs, "DELETE FROM organisations");
DB_STMT(stmt_sessions, "SELECT COUNT(*) FROM sessions");
DB_STMT(stmt_last_seen, "SELECT last_seen_at FROM sessions WHERE person_id = $1");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t org_id, person_id;
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
	struct db_stmt *resets[] = {&stmt_reset_sessions, &stmt_reset_memberships, &stmt_reset_people,
	                            &stmt_reset_orgs};
	for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++)
		if (db_exec(f->db, resets[i], (const struct db_param[]){DBP_END}, NULL) != 0)
			return -1;
	clock_value = START;
	f->arena = arena_new(0);
	ctx_init_system(&f->ctx, f->db, f->arena);
	f->ctx.now = test_now;
	struct org o = {.slug = "bieb", .name = "Bibliotheek", .kind = "library"};
	if (org_create(&f->ctx, &o, &f->org_id) != 0 ||
	    person_create(&f->ctx, "lid@bieb.example", "Lid van de bieb", &f->person_id) != 0 ||
	    membership_set(&f->ctx, f->person_id, f->org_id, "employee", ROLE_LEARNER) != 0)
		return -1;
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

static int64_t count_sessions(struct fixture *f)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, &stmt_sessions, (const struct db_param[]){DBP_END},
	                              (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena),
	                 0);
	return n;
}

static int64_t last_seen(struct fixture *f)
{
	int64_t at = -1;
	assert_int_equal(db_query_row(f->db, &stmt_last_seen,
	                              (const struct db_param[]){DBP_INT(f->person_id), DBP_END},
	                              (const struct db_col[]){DBC_INT(&at), DBC_END}, f->arena),
	                 0);
	return at;
}

static void open_session(struct fixture *f, struct auth_session *s)
{
	assert_int_equal(auth_session_open(&f->ctx, f->person_id, f->org_id, ROLE_LEARNER, s), 0);
}

static int resume(struct fixture *f, const struct auth_session *s)
{
	struct auth_session out;
	return auth_session_resume(&f->ctx, s->token, &out);
}

static void resume_touches_once_a_minute(void **state)
{
	struct fixture *f = *state;
	struct auth_session s;
	open_session(f, &s);
	clock_value += 30;
	assert_int_equal(resume(f, &s), 0);
	assert_int_equal(last_seen(f), START); /* within the minute: no write */
	clock_value += 31;
	assert_int_equal(resume(f, &s), 0);
	assert_int_equal(last_seen(f), START + 61);
	assert_int_equal(f->ctx.actor.person_id, f->person_id);
}

static void idle_or_old_session_refused(void **state)
{
	struct fixture *f = *state;
	struct auth_session idle, old;
	open_session(f, &idle);
	clock_value += AUTH_IDLE_SECONDS + 1;
	assert_int_equal(resume(f, &idle), CAMPUS_EUNAUTH);
	assert_int_equal(count_sessions(f), 0); /* deleted on the spot */
	open_session(f, &old);
	/* Kept busy, it still ends at its absolute end. */
	int64_t end = clock_value + AUTH_ABSOLUTE_SECONDS;
	while (clock_value + 3600 < end) {
		clock_value += 3600;
		assert_int_equal(resume(f, &old), 0);
	}
	clock_value = end;
	assert_int_equal(resume(f, &old), CAMPUS_EUNAUTH);
	assert_int_equal(count_sessions(f), 0);
	assert_int_equal(resume(f, &(struct auth_session){.token = "not-a-token"}), CAMPUS_EUNAUTH);
}

static void sweep_deletes_only_ended_sessions(void **state)
{
	struct fixture *f = *state;
	struct auth_session idle, busy, fresh, old;
	open_session(f, &old);
	clock_value += 3600;
	assert_int_equal(resume(f, &old), 0);
	open_session(f, &idle);
	open_session(f, &busy);
	clock_value += AUTH_IDLE_SECONDS - 60;
	assert_int_equal(resume(f, &busy), 0);
	assert_int_equal(resume(f, &old), 0);
	clock_value += 61; /* idle has been idle a second too long */
	open_session(f, &fresh);
	/* A resume no longer sweeps the others: that is the minute thread's work. */
	assert_int_equal(resume(f, &fresh), 0);
	assert_int_equal(count_sessions(f), 4);
	int64_t swept = -1;
	assert_int_equal(auth_sessions_sweep(&f->ctx, &swept), 0);
	assert_int_equal(swept, 1);
	assert_int_equal(resume(f, &idle), CAMPUS_EUNAUTH);
	/* The others kept busy up to old's absolute end. */
	int64_t end = START + AUTH_ABSOLUTE_SECONDS;
	for (;;) {
		assert_int_equal(resume(f, &busy), 0);
		assert_int_equal(resume(f, &fresh), 0);
		assert_int_equal(resume(f, &old), 0);
		if (clock_value + 3600 >= end)
			break;
		clock_value += 3600;
	}
	clock_value = end;
	assert_int_equal(auth_sessions_sweep(&f->ctx, &swept), 0);
	assert_int_equal(swept, 0);
	clock_value++;
	assert_int_equal(auth_sessions_sweep(&f->ctx, NULL), 0);
	assert_int_equal(count_sessions(f), 2);
	assert_int_equal(resume(f, &old), CAMPUS_EUNAUTH);
	assert_int_equal(resume(f, &busy), 0);
	assert_int_equal(resume(f, &fresh), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(resume_touches_once_a_minute, setup, teardown),
	    cmocka_unit_test_setup_teardown(idle_or_old_session_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(sweep_deletes_only_ended_sessions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
