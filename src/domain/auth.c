#include "domain/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/ctx.h"
#include "domain/people.h"
#include "domain/totp.h"

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX])
{
	_Static_assert(AUTH_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");
	if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                          crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return CAMPUS_ENOMEM; /* libsodium could not get the memory */
	return 0;
}

bool auth_password_verify(const char *hash, const char *password)
{
	return hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* ---- passwords --------------------------------------------------------- */

int auth_password_policy(const char *password, const char *email, const char **why)
{
	size_t n = strlen(password);
	*why = NULL;
	if (!utf8_valid(password, n))
		*why = N_("Het wachtwoord bevat tekens die wij niet kunnen lezen.");
	else if (n < AUTH_PASSWORD_MIN)
		*why = N_("Kies een wachtwoord van minstens 12 tekens; een zin van een paar woorden werkt goed.");
	else if (n > AUTH_PASSWORD_MAX)
		*why = N_("Het wachtwoord is te lang (hoogstens 256 tekens).");
	else if (email && strcasecmp(password, email) == 0)
		*why = N_("Gebruik niet uw e-mailadres als wachtwoord.");
	return *why ? CAMPUS_EINVAL : 0;
}

/* ---- tokens ------------------------------------------------------------- */

static void token_new(char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void token_hash(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

void auth_token_new(char out[AUTH_TOKEN_LEN + 1]) { token_new(out); }
void auth_token_hash(const char *token, unsigned char out[32]) { token_hash(token, out); }

/* ---- throttling ------------------------------------------------------------ */

DB_STMT(stmt_throttle_get, "SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1");
DB_STMT(stmt_throttle_put,
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
        "window_start = excluded.window_start, locked_until = excluded.locked_until");
DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle WHERE key = $1");

/* An address is limited more loosely than an account: many people may share
 * the address of a library's network. */
#define IP_MAX_FAILURES 50

static int throttle_locked(struct ctx *ctx, const char *key, bool *locked)
{
	int64_t failures, window_start, locked_until;
	struct db_col cols[] = {DBC_INT(&failures), DBC_INT(&window_start), DBC_INT(&locked_until), DBC_END};
	int rc = db_query_row(ctx->db, &stmt_throttle_get,
	                      (const struct db_param[]){DBP_TEXT(key), DBP_END}, cols, ctx->arena);
	*locked = rc == 0 && locked_until > ctx->now();
	return rc == CAMPUS_ENOTFOUND ? 0 : rc;
}

static int throttle_fail(struct ctx *ctx, const char *key, int64_t max)
{
	int64_t failures = 0, window_start = 0, locked_until = 0, now = ctx->now();
	struct db_col cols[] = {DBC_INT(&failures), DBC_INT(&window_start), DBC_INT(&locked_until), DBC_END};
	int rc = db_query_row(ctx->db, &stmt_throttle_get,
	                      (const struct db_param[]){DBP_TEXT(key), DBP_END}, cols, ctx->arena);
	if (rc && rc != CAMPUS_ENOTFOUND)
		return rc;
	if (rc == CAMPUS_ENOTFOUND || now - window_start > AUTH_FAILURE_WINDOW) {
		failures = 0;
		window_start = now;
	}
	failures++;
	if (failures >= max)
		locked_until = now + AUTH_LOCKOUT_SECONDS;
	return db_exec(ctx->db, &stmt_throttle_put,
	               (const struct db_param[]){DBP_TEXT(key), DBP_INT(failures), DBP_INT(window_start),
	                                         DBP_INT(locked_until), DBP_END},
	               NULL);
}

static const char *throttle_key(struct ctx *ctx, const char *prefix, const char *value)
{
	return arena_printf(ctx->arena, "%s:%s", prefix, value ? value : "-");
}

int auth_throttle_locked(struct ctx *ctx, const char *email, bool *locked)
{
	bool ip_locked = false;
	const char *ek = throttle_key(ctx, "e", email), *ik = throttle_key(ctx, "a", ctx->origin.ip);
	if (!ek || !ik)
		return CAMPUS_ENOMEM;
	int rc = throttle_locked(ctx, ek, locked);
	if (!rc)
		rc = throttle_locked(ctx, ik, &ip_locked);
	*locked = *locked || ip_locked;
	return rc;
}

int auth_throttle_fail(struct ctx *ctx, const char *email)
{
	const char *ek = throttle_key(ctx, "e", email), *ik = throttle_key(ctx, "a", ctx->origin.ip);
	if (!ek || !ik)
		return CAMPUS_ENOMEM;
	int rc = throttle_fail(ctx, ek, AUTH_MAX_FAILURES);
	return rc ? rc : throttle_fail(ctx, ik, IP_MAX_FAILURES);
}

int auth_throttle_clear(struct ctx *ctx, const char *email)
{
	const char *ek = throttle_key(ctx, "e", email);
	if (!ek)
		return CAMPUS_ENOMEM;
	return db_exec(ctx->db, &stmt_throttle_clear, (const struct db_param[]){DBP_TEXT(ek), DBP_END},
	               NULL);
}

/* ---- log-in ------------------------------------------------------------------ */

static char dummy_hash[AUTH_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_hash_init(void)
{
	unsigned char rnd[16];
	char pw[33];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(pw, sizeof pw, rnd, sizeof rnd);
	if (auth_password_hash(pw, dummy_hash) != 0)
		dummy_hash[0] = '\0';
}

DB_STMT(stmt_login_person, "SELECT id, password_hash, name FROM people WHERE email = $1");
DB_STMT(stmt_first_membership,
        "SELECT m.org_id, m.roles FROM memberships m JOIN organisations o ON o.id = m.org_id "
        "WHERE m.person_id = $1 AND m.ended_at IS NULL "
        "ORDER BY CASE o.kind WHEN 'campus' THEN 0 ELSE 1 END, "
        "CASE m.kind WHEN 'employee' THEN 0 WHEN 'volunteer' THEN 1 ELSE 2 END, m.started_at, m.id LIMIT 1");
DB_STMT(stmt_session_insert,
        "INSERT INTO sessions (token_hash, person_id, org_id, csrf_token, created_at, last_seen_at, "
        "expires_at, second_factor) VALUES ($1, $2, $3, $4, $5, $5, $6, $7)");

struct login_lookup {
	struct ctx *ctx;
	const char *email;
	const char *email_key, *ip_key;
	bool locked;
	int64_t person_id;
	char *hash;
	bool has_hash;
	char *name;
};

static int login_lookup_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct login_lookup *l = cls;
	bool ip_locked = false;
	int rc = throttle_locked(l->ctx, l->email_key, &l->locked);
	if (!rc)
		rc = throttle_locked(l->ctx, l->ip_key, &ip_locked);
	if (rc)
		return rc;
	l->locked = l->locked || ip_locked;
	bool no_hash;
	struct db_col cols[] = {DBC_INT(&l->person_id), DBC_TEXT_OPT(&l->hash, &no_hash),
	                        DBC_TEXT(&l->name), DBC_END};
	rc = db_query_row(l->ctx->db, &stmt_login_person,
	                  (const struct db_param[]){DBP_TEXT(l->email), DBP_END}, cols, l->ctx->arena);
	l->has_hash = rc == 0 && !no_hash;
	return rc == CAMPUS_ENOTFOUND ? 0 : rc;
}

struct login_outcome {
	struct login_lookup *l;
	bool ok;
	struct auth_session *out;
};

static int session_open(struct ctx *ctx, int64_t person_id, int64_t org_id, unsigned roles,
                        struct auth_session *out)
{
	unsigned char hash[32];
	token_new(out->token);
	token_new(out->csrf_token);
	token_hash(out->token, hash);
	int64_t now = ctx->now();
	out->person_id = person_id;
	out->org_id = org_id;
	out->roles = roles;
	out->expires_at = now + AUTH_ABSOLUTE_SECONDS;
	struct db_param params[] = {DBP_BLOB(hash, sizeof hash), DBP_INT(person_id),
	                            org_id ? (struct db_param)DBP_INT(org_id) : (struct db_param)DBP_NULL,
	                            DBP_TEXT(out->csrf_token), DBP_INT(now), DBP_INT(out->expires_at),
	                            DBP_INT(out->second_factor), DBP_END};
	return db_exec(ctx->db, &stmt_session_insert, params, NULL);
}

int auth_session_open(struct ctx *ctx, int64_t person_id, int64_t org_id, unsigned roles,
                      struct auth_session *out)
{
	return session_open(ctx, person_id, org_id, roles, out);
}

static int login_outcome_tx(struct db_conn *db, void *cls)
{
	struct login_outcome *o = cls;
	struct login_lookup *l = o->l;
	struct ctx *ctx = l->ctx;
	if (!o->ok) {
		int rc = throttle_fail(ctx, l->email_key, AUTH_MAX_FAILURES);
		if (!rc)
			rc = throttle_fail(ctx, l->ip_key, IP_MAX_FAILURES);
		char id[24] = "";
		if (l->person_id)
			snprintf(id, sizeof id, "%lld", (long long)l->person_id);
		const char *detail = arena_printf(ctx->arena, "%s; e-mail %.100s",
		                                  l->locked ? "locked out" : "wrong e-mail or password",
		                                  l->email);
		if (!rc)
			rc = audit_record(ctx, "login", "person", id, "failed", detail ? detail : "");
		return rc;
	}
	int rc = db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_TEXT(l->email_key), DBP_END},
	                 NULL);
	int64_t org_id = 0, roles = 0;
	if (!rc) {
		struct db_col cols[] = {DBC_INT(&org_id), DBC_INT(&roles), DBC_END};
		rc = db_query_row(db, &stmt_first_membership,
		                  (const struct db_param[]){DBP_INT(l->person_id), DBP_END}, cols, ctx->arena);
		if (rc == CAMPUS_ENOTFOUND)
			rc = 0; /* a person without a current membership still has a dossier */
	}
	/* Two-step log-in: the session waits for a code, or for enrolment. */
	if (!rc)
		rc = totp_login_state(ctx, l->person_id, &o->out->second_factor);
	if (!rc)
		rc = session_open(ctx, l->person_id, org_id, (unsigned)roles & ROLE_ALL, o->out);
	if (!rc) {
		ctx->actor = (struct actor){.person_id = l->person_id, .org_id = org_id,
		                            .roles = (unsigned)roles & ROLE_ALL};
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)l->person_id);
		rc = audit_record(ctx, "login", "person", id, "ok",
		                  o->out->second_factor == SF_CODE    ? "password; code to follow"
		                  : o->out->second_factor == SF_ENROL ? "password; must set up two-step log-in"
		                                                      : "");
	}
	return rc;
}

int auth_login(struct ctx *ctx, const char *email, const char *password, struct auth_session *out)
{
	memset(out, 0, sizeof *out);
	const char *normal = email_normalise(ctx, email);
	struct login_lookup l = {.ctx = ctx, .email = normal ? normal : ""};
	l.email_key = arena_printf(ctx->arena, "e:%s", l.email);
	l.ip_key = arena_printf(ctx->arena, "a:%s", ctx->origin.ip ? ctx->origin.ip : "-");
	if (!l.email_key || !l.ip_key || !password)
		return CAMPUS_ENOMEM;
	int rc = db_tx_run(ctx->db, DB_TX_READ, login_lookup_tx, &l);
	if (rc)
		return rc;
	/* argon2id runs outside any transaction: it takes tens of milliseconds and
	 * must not hold SQLite's write lock. Unknown accounts pay the same price, so
	 * the time taken does not tell whether an address has an account. */
	pthread_once(&dummy_once, dummy_hash_init);
	bool ok = auth_password_verify(l.has_hash ? l.hash : dummy_hash, password) && l.has_hash &&
	          !l.locked;
	struct login_outcome o = {&l, ok, out};
	rc = db_tx_run(ctx->db, DB_TX_WRITE, login_outcome_tx, &o);
	if (rc)
		return rc;
	if (!ok)
		return l.locked ? CAMPUS_EBUSY : CAMPUS_EUNAUTH;
	out->person_name = l.name;
	return 0;
}

/* ---- sessions ------------------------------------------------------------------ */

DB_STMT(stmt_session_get,
        "SELECT s.person_id, s.org_id, s.csrf_token, s.last_seen_at, s.expires_at, p.name, "
        "m.roles, s.second_factor FROM sessions s JOIN people p ON p.id = s.person_id "
        "LEFT JOIN memberships m ON m.person_id = s.person_id AND m.org_id = s.org_id "
        "AND m.ended_at IS NULL WHERE s.token_hash = $1");
DB_STMT(stmt_session_touch, "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1");
DB_STMT(stmt_session_delete, "DELETE FROM sessions WHERE token_hash = $1");
DB_STMT(stmt_session_delete_expired, "DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2");

/* Sessions are touched at most once a minute, so reading pages costs no write. */
#define TOUCH_EVERY 60

int auth_session_resume(struct ctx *ctx, const char *token, struct auth_session *out)
{
	memset(out, 0, sizeof *out);
	if (!token || strlen(token) != AUTH_TOKEN_LEN)
		return CAMPUS_EUNAUTH;
	unsigned char hash[32];
	token_hash(token, hash);
	int64_t org_id = 0, last_seen, roles = 0, second_factor = 0;
	bool no_org, no_roles;
	char *csrf;
	struct db_col cols[] = {DBC_INT(&out->person_id), DBC_INT_OPT(&org_id, &no_org),
	                        DBC_TEXT(&csrf),          DBC_INT(&last_seen),
	                        DBC_INT(&out->expires_at), DBC_TEXT(&out->person_name),
	                        DBC_INT_OPT(&roles, &no_roles), DBC_INT(&second_factor), DBC_END};
	struct db_param key[] = {DBP_BLOB(hash, sizeof hash), DBP_END};
	int rc = db_query_row(ctx->db, &stmt_session_get, key, cols, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return CAMPUS_EUNAUTH;
	if (rc)
		return rc;
	int64_t now = ctx->now();
	if (now >= out->expires_at || now - last_seen > AUTH_IDLE_SECONDS) {
		db_exec(ctx->db, &stmt_session_delete, key, NULL);
		return CAMPUS_EUNAUTH;
	}
	if (now - last_seen > TOUCH_EVERY) {
		struct db_param touch[] = {DBP_BLOB(hash, sizeof hash), DBP_INT(now), DBP_END};
		db_exec(ctx->db, &stmt_session_touch, touch, NULL);
	}
	str_copy(out->token, sizeof out->token, token);
	str_copy(out->csrf_token, sizeof out->csrf_token, csrf);
	out->org_id = org_id;
	out->roles = (unsigned)roles & ROLE_ALL;
	out->second_factor = (int)second_factor;
	ctx->actor = (struct actor){.person_id = out->person_id, .org_id = org_id, .roles = out->roles};
	return 0;
}

int auth_sessions_sweep(struct ctx *ctx, int64_t *swept)
{
	int64_t now = ctx->now();
	return db_exec(ctx->db, &stmt_session_delete_expired,
	               (const struct db_param[]){DBP_INT(now), DBP_INT(now - AUTH_IDLE_SECONDS), DBP_END},
	               swept);
}

struct logout_args {
	struct ctx *ctx;
	const unsigned char *hash;
};

static int logout_tx(struct db_conn *db, void *cls)
{
	struct logout_args *a = cls;
	int64_t changes = 0;
	int rc = db_exec(db, &stmt_session_delete,
	                 (const struct db_param[]){DBP_BLOB(a->hash, 32), DBP_END}, &changes);
	if (!rc && changes)
		rc = audit_record(a->ctx, "logout", "person", "", "ok", "");
	return rc;
}

int auth_logout(struct ctx *ctx, const char *token)
{
	if (!token)
		return 0;
	unsigned char hash[32];
	token_hash(token, hash);
	struct logout_args a = {ctx, hash};
	return db_tx_run(ctx->db, DB_TX_WRITE, logout_tx, &a);
}

DB_STMT(stmt_membership_roles,
        "SELECT roles FROM memberships WHERE person_id = $1 AND org_id = $2 AND ended_at IS NULL");

struct switch_args {
	struct ctx *ctx;
	const char *old_token;
	int64_t org_id;
	struct auth_session *out;
};

static int switch_tx(struct db_conn *db, void *cls)
{
	struct switch_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t roles;
	int rc = db_query_row(db, &stmt_membership_roles,
	                      (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_INT(a->org_id),
	                                                DBP_END},
	                      (const struct db_col[]){DBC_INT(&roles), DBC_END}, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return CAMPUS_EFORBIDDEN; /* not one of the person's own organisations */
	if (rc)
		return rc;
	unsigned char old_hash[32];
	token_hash(a->old_token, old_hash);
	rc = db_exec(db, &stmt_session_delete,
	             (const struct db_param[]){DBP_BLOB(old_hash, 32), DBP_END}, NULL);
	if (!rc)
		rc = session_open(ctx, ctx->actor.person_id, a->org_id, (unsigned)roles & ROLE_ALL, a->out);
	if (!rc) {
		ctx->actor.org_id = a->org_id;
		ctx->actor.roles = (unsigned)roles & ROLE_ALL;
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)a->org_id);
		rc = audit_record(ctx, "session.switch_org", "organisation", id, "ok", "");
	}
	return rc;
}

int auth_switch_org(struct ctx *ctx, const char *token, int64_t org_id, struct auth_session *out)
{
	memset(out, 0, sizeof *out);
	if (!ctx->actor.person_id || !token)
		return CAMPUS_EUNAUTH;
	struct switch_args a = {ctx, token, org_id, out};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, switch_tx, &a);
	if (!rc)
		out->person_id = ctx->actor.person_id;
	return rc;
}

/* ---- password change -------------------------------------------------------------- */

DB_STMT(stmt_password_get, "SELECT email, password_hash FROM people WHERE id = $1");
DB_STMT(stmt_password_set, "UPDATE people SET password_hash = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_sessions_end_all, "DELETE FROM sessions WHERE person_id = $1");

struct password_args {
	struct ctx *ctx;
	const char *hash;
	struct auth_session *out;
};

static int password_tx(struct db_conn *db, void *cls)
{
	struct password_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t person = ctx->actor.person_id;
	int rc = db_exec(db, &stmt_password_set,
	                 (const struct db_param[]){DBP_INT(person), DBP_TEXT(a->hash), DBP_INT(ctx->now()),
	                                           DBP_END},
	                 NULL);
	/* Whoever else was logged in as this person is logged out. */
	if (!rc)
		rc = db_exec(db, &stmt_sessions_end_all, (const struct db_param[]){DBP_INT(person), DBP_END},
		             NULL);
	if (!rc)
		rc = session_open(ctx, person, ctx->actor.org_id, ctx->actor.roles, a->out);
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)person);
	if (!rc)
		rc = audit_record(ctx, "person.password", "person", id, "ok", "changed by the person");
	return rc;
}

int auth_change_password(struct ctx *ctx, const char *token, const char *current,
                         const char *new_password, const char **why, struct auth_session *out)
{
	*why = NULL;
	memset(out, 0, sizeof *out);
	if (!ctx->actor.person_id || !token)
		return CAMPUS_EUNAUTH;
	char *email = NULL, *hash = NULL;
	bool no_hash;
	int rc = db_query_row(ctx->db, &stmt_password_get,
	                      (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&email), DBC_TEXT_OPT(&hash, &no_hash), DBC_END},
	                      ctx->arena);
	if (rc)
		return rc;
	if (!current || !auth_password_verify(no_hash ? NULL : hash, current)) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)ctx->actor.person_id);
		audit_record(ctx, "person.password", "person", id, "failed", "current password wrong");
		return CAMPUS_EUNAUTH;
	}
	if (!new_password || auth_password_policy(new_password, email, why) != 0) {
		if (!*why)
			*why = N_("Vul een nieuw wachtwoord in.");
		return CAMPUS_EINVAL;
	}
	char new_hash[AUTH_HASH_MAX];
	rc = auth_password_hash(new_password, new_hash);
	if (rc)
		return rc;
	struct password_args a = {ctx, new_hash, out};
	rc = db_tx_run(ctx->db, DB_TX_WRITE, password_tx, &a);
	sodium_memzero(new_hash, sizeof new_hash);
	if (!rc)
		out->person_id = ctx->actor.person_id;
	return rc;
}
