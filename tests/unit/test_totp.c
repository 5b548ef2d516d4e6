/* Two-step log-in (domain/totp.c) and sessions (domain/auth.c), on the
 * database named by CAMPUS_TEST_DB (SQLite and PostgreSQL in
 * scripts/test.sh), with a clock the tests move: RFC 6238 vectors, base32,
 * the window, no reuse of a step, enrolment, the second step of a log-in and
 * its lock-out, switching it off, sealing; a session's idle timer written at
 * most once a minute, its idle and absolute ends, and the minute thread's
 * sweep of ended sessions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/auth.h"
#include "domain/ctx.h"
#include "domain/people.h"
#include "domain/seal.h"
#include "domain/totp.h"

#define PASSWORD "Een-lang-wachtwoord-42"

static int64_t clock_value = 1795000000; /* 2026-11-18 */
static int64_t test_now(void) { return clock_value; }

DB_STMT(stmt_reset_sessions, "DELETE FROM sessions");
DB_STMT(stmt_reset_memberships, "DELETE FROM memberships");
DB_STMT(stmt_reset_people, "DELETE FROM people");
DB_STMT(stmt_reset_recovery, "DELETE FROM recovery_codes");
DB_STMT(stmt_reset_orgs, "DELETE FROM organisations");
DB_STMT(stmt_reset_throttle, "DELETE FROM login_throttle");
DB_STMT(stmt_audit_count, "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND result = $2");
DB_STMT(stmt_person_totp, "SELECT totp_secret, totp_enabled FROM people WHERE id = $1");
DB_STMT(stmt_session_count, "SELECT COUNT(*) FROM sessions WHERE person_id = $1");
DB_STMT(stmt_last_seen, "SELECT MAX(last_seen_at) FROM sessions WHERE person_id = $1");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t org_id;
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
	struct db_stmt *resets[] = {&stmt_reset_sessions, &stmt_reset_memberships, &stmt_reset_recovery,
	                            &stmt_reset_people,
	                            &stmt_reset_orgs, &stmt_reset_throttle};
	for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++)
		if (db_exec(f->db, resets[i], (const struct db_param[]){DBP_END}, NULL) != 0)
			return -1;
	f->arena = arena_new(0);
	ctx_init_system(&f->ctx, f->db, f->arena);
	f->ctx.now = test_now;
	f->ctx.origin = (struct origin){"192.0.2.7", "test_totp"};
	struct org o = {.slug = "campus", .name = "Campus", .kind = "campus"};
	if (org_create(&f->ctx, &o, &f->org_id) != 0)
		return -1;
	seal_key_set(NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	seal_key_set(NULL);
	arena_free(f->arena);
	db_close(f->db);
	free(f);
	return 0;
}

/* A person with PASSWORD and these roles in the campus organisation. */
static int64_t person_new(struct fixture *f, const char *email, unsigned roles)
{
	struct ctx sys;
	ctx_init_system(&sys, f->db, f->arena);
	sys.now = test_now;
	int64_t id = 0;
	assert_int_equal(person_create(&sys, email, "Test Persoon", &id), 0);
	char hash[AUTH_HASH_MAX];
	assert_int_equal(auth_password_hash(PASSWORD, hash), 0);
	assert_int_equal(person_set_password_hash(&sys, id, hash), 0);
	assert_int_equal(membership_set(&sys, id, f->org_id, "employee", roles), 0);
	return id;
}

/* Log in with the password as a visitor: the session, its second_factor. */
static int login(struct fixture *f, const char *email, struct auth_session *s)
{
	ctx_init_for_request(&f->ctx, f->db, f->arena);
	f->ctx.now = test_now;
	f->ctx.origin = (struct origin){"192.0.2.7", "test_totp"};
	return auth_login(&f->ctx, email, PASSWORD, s);
}

static int64_t audit_count(struct fixture *f, const char *action, const char *result)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, &stmt_audit_count,
	                              (const struct db_param[]){DBP_TEXT(action), DBP_TEXT(result), DBP_END},
	                              (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena),
	                 0);
	return n;
}

static bool person_enabled(struct fixture *f, int64_t id, size_t *secret_len)
{
	void *secret = NULL;
	size_t len = 0;
	bool no_secret = false, enabled = false;
	assert_int_equal(db_query_row(f->db, &stmt_person_totp,
	                              (const struct db_param[]){DBP_INT(id), DBP_END},
	                              (const struct db_col[]){DBC_BLOB_OPT(&secret, &len, &no_secret),
	                                                      DBC_BOOL(&enabled), DBC_END},
	                              f->arena),
	                 0);
	if (secret_len)
		*secret_len = no_secret ? 0 : len;
	return enabled;
}

static void code_at(const unsigned char *secret, int64_t t, char out[7])
{
	assert_int_equal(totp_code(secret, TOTP_SECRET_LEN, t / TOTP_STEP, out), 0);
}

/* Enrol the person logged in with session s; returns the secret. */
static void enrol(struct fixture *f, const struct auth_session *s, unsigned char secret[TOTP_SECRET_LEN])
{
	struct totp_enrolment e;
	assert_int_equal(totp_enrol_begin(&f->ctx, s->token, &e), 0);
	size_t len = 0;
	assert_int_equal(totp_base32_decode(e.secret_b32, secret, TOTP_SECRET_LEN, &len), 0);
	assert_int_equal(len, TOTP_SECRET_LEN);
	char code[7];
	code_at(secret, clock_value, code);
	const char *why;
	assert_int_equal(totp_enrol_confirm(&f->ctx, s->token, code, &why, NULL), 0);
}

/* ---- cases */

static void rfc6238_vectors(void **state)
{
	(void)state;
	/* RFC 6238 appendix B, SHA-1 (the last 6 of the 8 digits given there). */
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	static const struct {
		int64_t t;
		const char *code;
	} v[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
	         {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char out[7];
		assert_int_equal(totp_code(key, 20, v[i].t / TOTP_STEP, out), 0);
		assert_string_equal(out, v[i].code);
		int64_t step = 0;
		assert_true(totp_match(key, 20, v[i].t, 0, v[i].code, &step));
		assert_int_equal(step, v[i].t / TOTP_STEP);
	}
	/* RFC 4648 base32 vectors, without padding. */
	char b32[64];
	totp_base32_encode((const unsigned char *)"foobar", 6, b32, sizeof b32);
	assert_string_equal(b32, "MZXW6YTBOI");
	totp_base32_encode(key, 20, b32, sizeof b32);
	assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	unsigned char back[20];
	size_t n = 0;
	assert_int_equal(totp_base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", back, 20, &n), 0);
	assert_int_equal(n, 20);
	assert_memory_equal(back, key, 20);
	assert_int_equal(totp_base32_decode("GEZ1", back, 20, &n), CAMPUS_EINVAL);
	assert_int_equal(totp_base32_decode(DEMO_TOTP_SECRET, back, 20, &n), 0);
	assert_int_equal(n, 20);
}

static void window_and_reuse(void **state)
{
	(void)state;
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	int64_t t = 1795000000, step, now_step = t / TOTP_STEP;
	char c[7];
	for (int d = -3; d <= 3; d++) {
		assert_int_equal(totp_code(key, 20, now_step + d, c), 0);
		bool ok = totp_match(key, 20, t, 0, c, &step);
		assert_int_equal(ok, d >= -1 && d <= 1);
		if (ok)
			assert_int_equal(step, now_step + d);
	}
	/* A step used once is refused, and so is any older one. */
	assert_int_equal(totp_code(key, 20, now_step, c), 0);
	assert_false(totp_match(key, 20, t, now_step, c, &step));
	assert_false(totp_match(key, 20, t, now_step + 1, c, &step));
	assert_true(totp_match(key, 20, t, now_step - 1, c, &step));
	/* Spaces are fine; anything else is not a code. */
	char spaced[8] = {c[0], c[1], c[2], ' ', c[3], c[4], c[5], 0};
	assert_true(totp_match(key, 20, t, 0, spaced, &step));
	const char *why;
	static const char *const bad[] = {"", "12345", "1234567", "12345a", "١٢٣٤٥٦", "123 45"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(totp_match(key, 20, t, 0, bad[i], &step));
		assert_int_equal(totp_code_check(bad[i], &why), CAMPUS_EINVAL);
		assert_non_null(why);
	}
	assert_int_equal(totp_code_check(NULL, &why), CAMPUS_EINVAL);
	assert_int_equal(totp_code_check(c, &why), 0);
}

static void required_roles_at_login(void **state)
{
	struct fixture *f = *state;
	person_new(f, "lerende@test.nl", ROLE_LEARNER);
	person_new(f, "beheer@test.nl", ROLE_CAMPUS_ADMIN);
	person_new(f, "commissie@test.nl", ROLE_COMMITTEE | ROLE_LEARNER);
	assert_true(totp_roles_require(ROLE_CAMPUS_ADMIN));
	assert_true(totp_roles_require(ROLE_COMMITTEE | ROLE_LEARNER));
	assert_false(totp_roles_require(ROLE_LEARNER | ROLE_MANAGER | ROLE_TEACHER | ROLE_PROVIDER_ADMIN));
	struct auth_session s;
	assert_int_equal(login(f, "lerende@test.nl", &s), 0);
	assert_int_equal(s.second_factor, SF_DONE);
	assert_int_equal(login(f, "beheer@test.nl", &s), 0);
	assert_int_equal(s.second_factor, SF_ENROL);
	/* The session says so when it is resumed. */
	struct auth_session again;
	assert_int_equal(auth_session_resume(&f->ctx, s.token, &again), 0);
	assert_int_equal(again.second_factor, SF_ENROL);
	assert_int_equal(login(f, "commissie@test.nl", &s), 0);
	assert_int_equal(s.second_factor, SF_ENROL);
	/* Enrolment completes the session. */
	unsigned char secret[TOTP_SECRET_LEN];
	enrol(f, &s, secret);
	assert_int_equal(auth_session_resume(&f->ctx, s.token, &again), 0);
	assert_int_equal(again.second_factor, SF_DONE);
	/* The next log-in waits for a code. */
	assert_int_equal(login(f, "commissie@test.nl", &s), 0);
	assert_int_equal(s.second_factor, SF_CODE);
}

static void enrolment_confirm(void **state)
{
	struct fixture *f = *state;
	int64_t id = person_new(f, "leren@test.nl", ROLE_LEARNER);
	struct auth_session s;
	assert_int_equal(login(f, "leren@test.nl", &s), 0);
	struct totp_enrolment e, e2;
	assert_int_equal(totp_enrol_begin(&f->ctx, s.token, &e), 0);
	assert_int_equal(strlen(e.secret_b32), TOTP_B32_LEN);
	assert_non_null(strstr(e.uri, "otpauth://totp/Campus:leren%40test.nl?secret="));
	assert_non_null(strstr(e.uri, e.secret_b32));
	/* Until confirmed, nothing is stored with the person; the same secret comes back. */
	size_t len;
	assert_false(person_enabled(f, id, &len));
	assert_int_equal(len, 0);
	assert_int_equal(totp_enrol_begin(&f->ctx, s.token, &e2), 0);
	assert_string_equal(e.secret_b32, e2.secret_b32);
	unsigned char secret[TOTP_SECRET_LEN];
	size_t n;
	assert_int_equal(totp_base32_decode(e.secret_b32, secret, sizeof secret, &n), 0);
	/* A wrong code and a malformed one change nothing. */
	char code[7];
	code_at(secret, clock_value + 5 * TOTP_STEP, code);
	const char *why;
	int64_t enabled0 = audit_count(f, "person.totp_enabled", "ok");
	assert_int_equal(totp_enrol_confirm(&f->ctx, s.token, code, &why, NULL), CAMPUS_EUNAUTH);
	assert_non_null(why);
	assert_int_equal(totp_enrol_confirm(&f->ctx, s.token, "abc", &why, NULL), CAMPUS_EINVAL);
	assert_false(person_enabled(f, id, NULL));
	/* Another session of the person has no enrolment in progress. */
	struct auth_session other;
	assert_int_equal(login(f, "leren@test.nl", &other), 0);
	code_at(secret, clock_value, code);
	assert_int_equal(totp_enrol_confirm(&f->ctx, other.token, code, &why, NULL), CAMPUS_EINVAL);
	assert_false(person_enabled(f, id, NULL));
	/* The right code. */
	assert_int_equal(totp_enrol_confirm(&f->ctx, s.token, code, &why, NULL), 0);
	assert_true(person_enabled(f, id, &len));
	assert_int_equal(len, TOTP_SECRET_LEN); /* no key configured: stored as it is */
	assert_int_equal(audit_count(f, "person.totp_enabled", "ok"), enabled0 + 1);
	assert_int_equal(totp_enrol_begin(&f->ctx, s.token, &e2), CAMPUS_ECONFLICT);
	assert_int_equal(totp_enrol_confirm(&f->ctx, s.token, code, &why, NULL), CAMPUS_ECONFLICT);

	/* Log in: the code from the enrolment's step is used up; the next step works once. */
	assert_int_equal(login(f, "leren@test.nl", &s), 0);
	assert_int_equal(s.second_factor, SF_CODE);
	struct auth_session done;
	assert_int_equal(totp_login_verify(&f->ctx, s.token, code, &why, &done), CAMPUS_EUNAUTH);
	clock_value += TOTP_STEP;
	code_at(secret, clock_value, code);
	int64_t ok0 = audit_count(f, "login.second_factor", "ok");
	assert_int_equal(totp_login_verify(&f->ctx, s.token, code, &why, &done), 0);
	assert_int_equal(audit_count(f, "login.second_factor", "ok"), ok0 + 1);
	/* A new token; the old one is gone. */
	assert_string_not_equal(done.token, s.token);
	struct auth_session r;
	assert_int_equal(auth_session_resume(&f->ctx, s.token, &r), CAMPUS_EUNAUTH);
	assert_int_equal(auth_session_resume(&f->ctx, done.token, &r), 0);
	assert_int_equal(r.second_factor, SF_DONE);
	assert_string_equal(r.csrf_token, done.csrf_token);
	/* The same code in another pending session: refused (reuse). */
	assert_int_equal(login(f, "leren@test.nl", &s), 0);
	assert_int_equal(totp_login_verify(&f->ctx, s.token, code, &why, &done), CAMPUS_EUNAUTH);
	/* A complete session cannot do the second step again. */
	clock_value += TOTP_STEP;
	code_at(secret, clock_value, code);
	struct auth_session full;
	assert_int_equal(auth_session_resume(&f->ctx, r.token, &full), 0);
	assert_int_equal(totp_login_verify(&f->ctx, full.token, code, &why, &done), CAMPUS_ECONFLICT);
}

static void wrong_codes_lock_out(void **state)
{
	struct fixture *f = *state;
	int64_t id = person_new(f, "slot@test.nl", ROLE_CAMPUS_ADMIN);
	struct auth_session s, done;
	assert_int_equal(login(f, "slot@test.nl", &s), 0);
	unsigned char secret[TOTP_SECRET_LEN];
	enrol(f, &s, secret);
	clock_value += TOTP_STEP;
	assert_int_equal(login(f, "slot@test.nl", &s), 0);
	assert_int_equal(s.second_factor, SF_CODE);
	char right[7], wrong[7];
	code_at(secret, clock_value, right);
	str_copy(wrong, sizeof wrong, right);
	wrong[0] = wrong[0] == '9' ? '0' : (char)(wrong[0] + 1);
	int64_t failed0 = audit_count(f, "login.second_factor", "failed");
	const char *why;
	for (int i = 0; i < AUTH_MAX_FAILURES; i++)
		assert_int_equal(totp_login_verify(&f->ctx, s.token, wrong, &why, &done), CAMPUS_EUNAUTH);
	/* Locked: the right code and the right password are refused alike. */
	assert_int_equal(totp_login_verify(&f->ctx, s.token, right, &why, &done), CAMPUS_EBUSY);
	assert_non_null(why);
	assert_int_equal(audit_count(f, "login.second_factor", "failed"), failed0 + AUTH_MAX_FAILURES + 1);
	/* A malformed code is not counted, and says why. */
	assert_int_equal(totp_login_verify(&f->ctx, s.token, "12", &why, &done), CAMPUS_EINVAL);
	struct auth_session s2;
	assert_int_equal(login(f, "slot@test.nl", &s2), CAMPUS_EBUSY);
	assert_int_equal(auth_session_resume(&f->ctx, s.token, &s2), 0); /* the pending session again */
	/* A quarter of an hour later the right code works. */
	clock_value += AUTH_LOCKOUT_SECONDS + TOTP_STEP;
	code_at(secret, clock_value, right);
	assert_int_equal(totp_login_verify(&f->ctx, s.token, right, &why, &done), 0);
	(void)id;
}

static void disable_rules(void **state)
{
	struct fixture *f = *state;
	int64_t learner = person_new(f, "uit@test.nl", ROLE_LEARNER | ROLE_MANAGER);
	person_new(f, "moet@test.nl", ROLE_COMMITTEE);
	struct auth_session s;
	const char *why;
	char code[7];
	/* Not on: nothing to switch off. */
	assert_int_equal(login(f, "uit@test.nl", &s), 0);
	assert_int_equal(totp_disable(&f->ctx, "123456", &why), CAMPUS_EINVAL);
	unsigned char secret[TOTP_SECRET_LEN];
	enrol(f, &s, secret);
	clock_value += TOTP_STEP;
	/* A wrong code: still on, counted, audited. */
	code_at(secret, clock_value + 4 * TOTP_STEP, code);
	int64_t failed0 = audit_count(f, "person.totp_disabled", "failed");
	int64_t ok0 = audit_count(f, "person.totp_disabled", "ok");
	assert_int_equal(totp_disable(&f->ctx, code, &why), CAMPUS_EUNAUTH);
	assert_true(person_enabled(f, learner, NULL));
	assert_int_equal(audit_count(f, "person.totp_disabled", "failed"), failed0 + 1);
	assert_int_equal(totp_disable(&f->ctx, "", &why), CAMPUS_EINVAL);
	code_at(secret, clock_value, code);
	assert_int_equal(totp_disable(&f->ctx, code, &why), 0);
	size_t len;
	assert_false(person_enabled(f, learner, &len));
	assert_int_equal(len, 0);
	assert_int_equal(audit_count(f, "person.totp_disabled", "ok"), ok0 + 1);
	/* The next log-in needs no code. */
	assert_int_equal(login(f, "uit@test.nl", &s), 0);
	assert_int_equal(s.second_factor, SF_DONE);

	/* A committee member may not switch it off, even with the right code. */
	assert_int_equal(login(f, "moet@test.nl", &s), 0);
	enrol(f, &s, secret);
	clock_value += TOTP_STEP;
	code_at(secret, clock_value, code);
	assert_int_equal(totp_disable(&f->ctx, code, &why), CAMPUS_EFORBIDDEN);
	assert_non_null(why);
	assert_int_equal(audit_count(f, "person.totp_disabled", "ok"), ok0 + 1);
}

static void sealed_at_rest(void **state)
{
	struct fixture *f = *state;
	unsigned char key[SEAL_KEY_LEN];
	randombytes_buf(key, sizeof key);
	seal_key_set(key);
	int64_t id = person_new(f, "zegel@test.nl", ROLE_LEARNER);
	struct auth_session s, done;
	assert_int_equal(login(f, "zegel@test.nl", &s), 0);
	unsigned char secret[TOTP_SECRET_LEN];
	enrol(f, &s, secret);
	size_t len;
	assert_true(person_enabled(f, id, &len));
	assert_int_equal(len, 1 + 24 + 16 + TOTP_SECRET_LEN);
	clock_value += TOTP_STEP;
	char code[7];
	code_at(secret, clock_value, code);
	const char *why;
	assert_int_equal(login(f, "zegel@test.nl", &s), 0);
	/* Without the key the secret cannot be opened: an error, not a log-in. */
	seal_key_set(NULL);
	assert_int_equal(totp_login_verify(&f->ctx, s.token, code, &why, &done), CAMPUS_EINTERNAL);
	seal_key_set(key);
	assert_int_equal(totp_login_verify(&f->ctx, s.token, code, &why, &done), 0);
	/* The key file: 64 hex digits or 32 bytes; anything else is refused. */
	char path[] = "/tmp/campus-totp-key-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char hex[2 * SEAL_KEY_LEN + 2];
	sodium_bin2hex(hex, sizeof hex, key, sizeof key);
	str_copy(hex + 2 * SEAL_KEY_LEN, 2, "\n");
	assert_int_equal(write(fd, hex, strlen(hex)), (ssize_t)strlen(hex));
	close(fd);
	struct buf err;
	buf_init(&err, NULL, 0);
	seal_key_set(NULL);
	assert_int_equal(seal_key_load(path, &err), 0);
	assert_true(seal_key_present());
	FILE *fp = fopen(path, "w");
	fputs("short", fp);
	fclose(fp);
	assert_int_equal(seal_key_load(path, &err), CAMPUS_EINVAL);
	assert_non_null(strstr(buf_cstr(&err), "secret_key_file"));
	unlink(path);
	assert_int_equal(seal_key_load(path, &err), CAMPUS_EIO);
	buf_fini(&err);
	seal_key_set(NULL);
}

static void demo_secret(void **state)
{
	struct fixture *f = *state;
	int64_t id = person_new(f, "beheerder@campus.demo", ROLE_CAMPUS_ADMIN);
	static const char *const emails[] = {"beheerder@campus.demo", "niemand@campus.demo"};
	unsigned changed = 9;
	assert_int_equal(totp_demo_enrol(&f->ctx, emails, 2, &changed), 0);
	assert_int_equal(changed, 1);
	assert_true(person_enabled(f, id, NULL));
	assert_int_equal(totp_demo_enrol(&f->ctx, emails, 2, &changed), 0);
	assert_int_equal(changed, 0);
	unsigned char secret[TOTP_SECRET_LEN];
	size_t n;
	assert_int_equal(totp_base32_decode(DEMO_TOTP_SECRET, secret, sizeof secret, &n), 0);
	struct auth_session s, done;
	assert_int_equal(login(f, "beheerder@campus.demo", &s), 0);
	assert_int_equal(s.second_factor, SF_CODE);
	char code[7];
	code_at(secret, clock_value, code);
	const char *why;
	assert_int_equal(totp_login_verify(&f->ctx, s.token, code, &why, &done), 0);
	int64_t sessions = -1;
	assert_int_equal(db_query_row(f->db, &stmt_session_count,
	                              (const struct db_param[]){DBP_INT(id), DBP_END},
	                              (const struct db_col[]){DBC_INT(&sessions), DBC_END}, f->arena),
	                 0);
	assert_int_equal(sessions, 1);
}

/* ---- sessions */

static int64_t session_count(struct fixture *f, int64_t person)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, &stmt_session_count,
	                              (const struct db_param[]){DBP_INT(person), DBP_END},
	                              (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena),
	                 0);
	return n;
}

static int64_t last_seen(struct fixture *f, int64_t person)
{
	int64_t at = -1;
	assert_int_equal(db_query_row(f->db, &stmt_last_seen,
	                              (const struct db_param[]){DBP_INT(person), DBP_END},
	                              (const struct db_col[]){DBC_INT(&at), DBC_END}, f->arena),
	                 0);
	return at;
}

static void open_session(struct fixture *f, int64_t person, struct auth_session *s)
{
	assert_int_equal(auth_session_open(&f->ctx, person, f->org_id, ROLE_LEARNER, s), 0);
}

static int resume(struct fixture *f, const struct auth_session *s)
{
	struct auth_session out;
	return auth_session_resume(&f->ctx, s->token, &out);
}

static void resume_touches_once_a_minute(void **state)
{
	struct fixture *f = *state;
	int64_t me = person_new(f, "lid@example.org", ROLE_LEARNER), start = clock_value;
	struct auth_session s;
	open_session(f, me, &s);
	clock_value += 30;
	assert_int_equal(resume(f, &s), 0);
	assert_int_equal(last_seen(f, me), start); /* within the minute: no write */
	clock_value += 31;
	assert_int_equal(resume(f, &s), 0);
	assert_int_equal(last_seen(f, me), start + 61);
	assert_int_equal(f->ctx.actor.person_id, me);
}

static void idle_or_old_session_refused(void **state)
{
	struct fixture *f = *state;
	int64_t me = person_new(f, "lid@example.org", ROLE_LEARNER);
	struct auth_session idle, old;
	open_session(f, me, &idle);
	clock_value += AUTH_IDLE_SECONDS + 1;
	assert_int_equal(resume(f, &idle), CAMPUS_EUNAUTH);
	assert_int_equal(session_count(f, me), 0); /* deleted on the spot */
	open_session(f, me, &old);
	/* Kept busy, it still ends at its absolute end. */
	int64_t end = clock_value + AUTH_ABSOLUTE_SECONDS;
	while (clock_value + 3600 < end) {
		clock_value += 3600;
		assert_int_equal(resume(f, &old), 0);
	}
	clock_value = end;
	assert_int_equal(resume(f, &old), CAMPUS_EUNAUTH);
	assert_int_equal(session_count(f, me), 0);
	assert_int_equal(resume(f, &(struct auth_session){.token = "not-a-token"}), CAMPUS_EUNAUTH);
}

static void sweep_deletes_only_ended_sessions(void **state)
{
	struct fixture *f = *state;
	int64_t me = person_new(f, "lid@example.org", ROLE_LEARNER), start = clock_value;
	struct auth_session idle, busy, fresh, old;
	open_session(f, me, &old);
	clock_value += 3600;
	assert_int_equal(resume(f, &old), 0);
	open_session(f, me, &idle);
	open_session(f, me, &busy);
	clock_value += AUTH_IDLE_SECONDS - 60;
	assert_int_equal(resume(f, &busy), 0);
	assert_int_equal(resume(f, &old), 0);
	clock_value += 61; /* idle has been idle a second too long */
	open_session(f, me, &fresh);
	/* A resume no longer sweeps the others: that is the minute thread's work. */
	assert_int_equal(resume(f, &fresh), 0);
	assert_int_equal(session_count(f, me), 4);
	int64_t swept = -1;
	assert_int_equal(auth_sessions_sweep(&f->ctx, &swept), 0);
	assert_int_equal(swept, 1);
	assert_int_equal(resume(f, &idle), CAMPUS_EUNAUTH);
	/* The others kept busy up to old's absolute end. */
	int64_t end = start + AUTH_ABSOLUTE_SECONDS;
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
	assert_int_equal(session_count(f, me), 2);
	assert_int_equal(resume(f, &old), CAMPUS_EUNAUTH);
	assert_int_equal(resume(f, &busy), 0);
	assert_int_equal(resume(f, &fresh), 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc6238_vectors),
	    cmocka_unit_test(window_and_reuse),
	    cmocka_unit_test_setup_teardown(required_roles_at_login, setup, teardown),
	    cmocka_unit_test_setup_teardown(enrolment_confirm, setup, teardown),
	    cmocka_unit_test_setup_teardown(wrong_codes_lock_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(disable_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(sealed_at_rest, setup, teardown),
	    cmocka_unit_test_setup_teardown(demo_secret, setup, teardown),
	    cmocka_unit_test_setup_teardown(resume_touches_once_a_minute, setup, teardown),
	    cmocka_unit_test_setup_teardown(idle_or_old_session_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(sweep_deletes_only_ended_sessions, setup, teardown),
	};
	return cmocka_run_group_tests_name("totp", tests, NULL, NULL);
}
