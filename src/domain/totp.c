#include "domain/totp.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/ctx.h"
#include "domain/seal.h"

/* ---- codes ---------------------------------------------------------------------- */

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static void oath_start(void) { oath_init(); }

int totp_code(const unsigned char *secret, size_t len, int64_t step, char out[TOTP_DIGITS + 1])
{
	pthread_once(&oath_once, oath_start);
	if (step < 0)
		return CAMPUS_EINVAL;
	int rc = oath_hotp_generate((const char *)secret, len, (uint64_t)step, TOTP_DIGITS, false,
	                            OATH_HOTP_DYNAMIC_TRUNCATION, out);
	return rc == OATH_OK ? 0 : CAMPUS_EINTERNAL;
}

/* The six digits of code without spaces into out; false when it is not that. */
static bool code_digits(const char *code, char out[TOTP_DIGITS + 1])
{
	size_t n = 0;
	if (!code)
		return false;
	for (const char *p = code; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || n == TOTP_DIGITS)
			return false;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n == TOTP_DIGITS;
}

int totp_code_check(const char *code, const char **why)
{
	char d[TOTP_DIGITS + 1];
	*why = NULL;
	if (!code_digits(code, d)) {
		*why = N_("Vul de zes cijfers in die uw app nu laat zien.");
		return CAMPUS_EINVAL;
	}
	return 0;
}

bool totp_match(const unsigned char *secret, size_t len, int64_t now, int64_t last_step,
                const char *code, int64_t *step)
{
	char want[TOTP_DIGITS + 1], got[TOTP_DIGITS + 1];
	if (!code_digits(code, got) || now < 0)
		return false;
	int64_t current = now / TOTP_STEP;
	bool found = false;
	/* Every step of the window is computed and compared in constant time. */
	for (int64_t s = current - TOTP_WINDOW; s <= current + TOTP_WINDOW; s++) {
		if (s <= last_step || totp_code(secret, len, s, want) != 0)
			continue;
		if (sodium_memcmp(want, got, TOTP_DIGITS) == 0 && !found) {
			found = true;
			*step = s;
		}
	}
	sodium_memzero(want, sizeof want);
	return found;
}

/* ---- base32 ------------------------------------------------------------------------ */

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void totp_base32_encode(const unsigned char *in, size_t len, char *out, size_t size)
{
	size_t o = 0;
	unsigned buffer = 0, bits = 0;
	for (size_t i = 0; i < len; i++) {
		buffer = (buffer << 8) | in[i];
		bits += 8;
		while (bits >= 5 && o + 1 < size) {
			out[o++] = b32_alphabet[(buffer >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < size)
		out[o++] = b32_alphabet[(buffer << (5 - bits)) & 31];
	if (size)
		out[o] = '\0';
}

int totp_base32_decode(const char *in, unsigned char *out, size_t size, size_t *len)
{
	unsigned buffer = 0, bits = 0;
	size_t o = 0;
	for (const char *p = in; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '=' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		const char *at = strchr(b32_alphabet, c);
		if (!at || !c)
			return CAMPUS_EINVAL;
		buffer = (buffer << 5) | (unsigned)(at - b32_alphabet);
		bits += 5;
		if (bits >= 8) {
			if (o == size)
				return CAMPUS_ETOOBIG;
			out[o++] = (unsigned char)((buffer >> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	*len = o;
	return 0;
}

const char *totp_uri(struct ctx *ctx, const char *email, const char *secret_b32)
{
	struct buf b;
	buf_init(&b, ctx->arena, 1024);
	buf_puts(&b, "otpauth://totp/" TOTP_ISSUER ":");
	buf_url_encode(&b, email, strlen(email));
	buf_printf(&b, "?secret=%s&issuer=" TOTP_ISSUER "&algorithm=SHA1&digits=%d&period=%d",
	           secret_b32, TOTP_DIGITS, TOTP_STEP);
	return b.overflow ? NULL : buf_cstr(&b);
}

/* ---- who needs it ------------------------------------------------------------------- */

bool totp_roles_require(unsigned roles) { return (roles & (ROLE_CAMPUS_ADMIN | ROLE_COMMITTEE)) != 0; }

DB_STMT(stmt_totp_required,
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND ended_at IS NULL "
        "AND (roles & $2) <> 0");
DB_STMT(stmt_totp_person,
        "SELECT email, totp_secret, totp_enabled, totp_last_step FROM people WHERE id = $1");

int totp_required(struct ctx *ctx, int64_t person_id, bool *required)
{
	int64_t n = 0;
	int rc = db_query_row(ctx->db, &stmt_totp_required,
	                      (const struct db_param[]){DBP_INT(person_id),
	                                                DBP_INT(ROLE_CAMPUS_ADMIN | ROLE_COMMITTEE), DBP_END},
	                      (const struct db_col[]){DBC_INT(&n), DBC_END}, ctx->arena);
	*required = rc == 0 && n > 0;
	return rc;
}

struct totp_person {
	char *email;
	unsigned char *secret;
	size_t secret_len;
	bool no_secret;
	bool enabled;
	int64_t last_step;
};

static int person_read(struct ctx *ctx, int64_t person_id, struct totp_person *p)
{
	memset(p, 0, sizeof *p);
	return db_query_row(ctx->db, &stmt_totp_person,
	                    (const struct db_param[]){DBP_INT(person_id), DBP_END},
	                    (const struct db_col[]){DBC_TEXT(&p->email),
	                                            DBC_BLOB_OPT((void **)&p->secret, &p->secret_len,
	                                                         &p->no_secret),
	                                            DBC_BOOL(&p->enabled), DBC_INT(&p->last_step), DBC_END},
	                    ctx->arena);
}

int totp_login_state(struct ctx *ctx, int64_t person_id, int *state)
{
	struct totp_person p;
	bool required = false;
	int rc = person_read(ctx, person_id, &p);
	if (!rc)
		rc = totp_required(ctx, person_id, &required);
	if (rc)
		return rc;
	*state = p.enabled && !p.no_secret ? SF_CODE : required ? SF_ENROL : SF_DONE;
	return 0;
}

/* ---- sessions ---------------------------------------------------------------------------- */

static void hash_token(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

static const char *person_id_text(struct ctx *ctx, int64_t id)
{
	const char *s = arena_printf(ctx->arena, "%lld", (long long)id);
	return s ? s : "";
}

DB_STMT(stmt_totp_session, "SELECT person_id, second_factor, totp_pending FROM sessions WHERE token_hash = $1");
DB_STMT(stmt_totp_session_pending, "UPDATE sessions SET totp_pending = $2 WHERE token_hash = $1");
DB_STMT(stmt_totp_session_done,
        "UPDATE sessions SET totp_pending = NULL, second_factor = 0 WHERE token_hash = $1");
DB_STMT(stmt_totp_session_rotate,
        "UPDATE sessions SET token_hash = $2, csrf_token = $3, second_factor = 0, totp_pending = NULL "
        "WHERE token_hash = $1 AND second_factor = 1");
DB_STMT(stmt_totp_enable,
        "UPDATE people SET totp_secret = $2, totp_enabled = $3, totp_last_step = $4, updated_at = $5 "
        "WHERE id = $1");
DB_STMT(stmt_totp_disable,
        "UPDATE people SET totp_secret = NULL, totp_enabled = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_totp_last_step, "UPDATE people SET totp_last_step = $2 WHERE id = $1");

struct session_row {
	int64_t person_id, second_factor;
	unsigned char *pending;
	size_t pending_len;
	bool no_pending;
};

static int session_read(struct ctx *ctx, const unsigned char hash[32], struct session_row *s)
{
	memset(s, 0, sizeof *s);
	int rc = db_query_row(ctx->db, &stmt_totp_session,
	                      (const struct db_param[]){DBP_BLOB(hash, 32), DBP_END},
	                      (const struct db_col[]){DBC_INT(&s->person_id), DBC_INT(&s->second_factor),
	                                              DBC_BLOB_OPT((void **)&s->pending, &s->pending_len,
	                                                           &s->no_pending),
	                                              DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND || (!rc && s->person_id != ctx->actor.person_id))
		return CAMPUS_EUNAUTH;
	return rc;
}

/* ---- recovery codes ---------------------------------------------------------------------------
 * 16 characters of base32 (80 random bits) each. They are stored as a
 * BLAKE2b-256 hash over a domain tag, the person id and the code, not with
 * argon2id: a code this random cannot be guessed from its hash however fast
 * the hash (2^80 tries per code, salted per person by the id), while
 * argon2id at interactive limits (~64 MiB, ~50-100 ms each) would make the
 * log-in step cost up to ten of them and keep the memory of ten concurrent
 * log-ins busy. The same reasoning as for session and link tokens
 * (auth_token_hash). A plain hash also lets the database find the code by
 * its hash, and using it is one conditional UPDATE. */

DB_STMT(stmt_recovery_clear, "DELETE FROM recovery_codes WHERE person_id = $1");
DB_STMT(stmt_recovery_insert,
        "INSERT INTO recovery_codes (person_id, code_hash, created_at) VALUES ($1, $2, $3)");
DB_STMT(stmt_recovery_use,
        "UPDATE recovery_codes SET used_at = $3 WHERE person_id = $1 AND code_hash = $2 "
        "AND used_at IS NULL");
DB_STMT(stmt_recovery_left,
        "SELECT COUNT(*) FROM recovery_codes WHERE person_id = $1 AND used_at IS NULL");

static void recovery_hash(int64_t person_id, const char code[TOTP_RECOVERY_CHARS], unsigned char out[32])
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)person_id);
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)"campus.recovery.v1", 19);
	crypto_generichash_update(&st, (const unsigned char *)id, strlen(id) + 1);
	crypto_generichash_update(&st, (const unsigned char *)code, TOTP_RECOVERY_CHARS);
	crypto_generichash_final(&st, out, 32);
}

/* The 16 characters of a typed code (lower case, without dashes or spaces);
 * false when it is not one. */
static bool recovery_normalise(const char *in, char out[TOTP_RECOVERY_CHARS + 1])
{
	size_t n = 0;
	if (!in)
		return false;
	for (const char *p = in; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) || n == TOTP_RECOVERY_CHARS)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == TOTP_RECOVERY_CHARS;
}

/* Replace the person's codes by fresh ones (inside a write transaction). */
static int recovery_issue(struct ctx *ctx, int64_t person_id, struct totp_recovery *codes)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	int rc = db_exec(ctx->db, &stmt_recovery_clear,
	                 (const struct db_param[]){DBP_INT(person_id), DBP_END}, NULL);
	for (int i = 0; i < TOTP_RECOVERY_CODES && !rc; i++) {
		unsigned char raw[TOTP_RECOVERY_CHARS];
		char code[TOTP_RECOVERY_CHARS + 1];
		randombytes_buf(raw, sizeof raw);
		for (int k = 0; k < TOTP_RECOVERY_CHARS; k++)
			code[k] = alphabet[raw[k] & 31];
		code[TOTP_RECOVERY_CHARS] = '\0';
		unsigned char hash[32];
		recovery_hash(person_id, code, hash);
		rc = db_exec(ctx->db, &stmt_recovery_insert,
		             (const struct db_param[]){DBP_INT(person_id), DBP_BLOB(hash, sizeof hash),
		                                       DBP_INT(ctx->now()), DBP_END},
		             NULL);
		if (codes)
			snprintf(codes->codes[i], sizeof codes->codes[i], "%.4s-%.4s-%.4s-%.4s", code, code + 4,
			         code + 8, code + 12);
		sodium_memzero(code, sizeof code);
		sodium_memzero(raw, sizeof raw);
	}
	return rc;
}

int totp_recovery_left(struct ctx *ctx, int64_t person_id, int64_t *left)
{
	*left = 0;
	return db_query_row(ctx->db, &stmt_recovery_left,
	                    (const struct db_param[]){DBP_INT(person_id), DBP_END},
	                    (const struct db_col[]){DBC_INT(left), DBC_END}, ctx->arena);
}

/* ---- enrolment ----------------------------------------------------------------------------- */

struct enrol_args {
	struct ctx *ctx;
	unsigned char hash[32];
	unsigned char secret[TOTP_SECRET_LEN];
	const char *code;
	const char **why;
	char *email;
	bool wrong;
	struct totp_recovery *codes;
};

static int enrol_begin_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct enrol_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct totp_person p;
	struct session_row s;
	int rc = person_read(ctx, ctx->actor.person_id, &p);
	if (!rc)
		rc = session_read(ctx, a->hash, &s);
	if (rc)
		return rc;
	if (p.enabled)
		return CAMPUS_ECONFLICT;
	a->email = p.email;
	if (!s.no_pending && unseal(s.pending, s.pending_len, a->secret, TOTP_SECRET_LEN) == 0)
		return 0;
	randombytes_buf(a->secret, sizeof a->secret);
	unsigned char sealed[SEALED_LEN(TOTP_SECRET_LEN)];
	size_t n = seal(a->secret, TOTP_SECRET_LEN, sealed);
	return db_exec(ctx->db, &stmt_totp_session_pending,
	               (const struct db_param[]){DBP_BLOB(a->hash, 32), DBP_BLOB(sealed, n), DBP_END}, NULL);
}

int totp_enrol_begin(struct ctx *ctx, const char *token, struct totp_enrolment *out)
{
	memset(out, 0, sizeof *out);
	if (!ctx->actor.person_id || !token)
		return CAMPUS_EUNAUTH;
	struct enrol_args a = {.ctx = ctx};
	hash_token(token, a.hash);
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, enrol_begin_tx, &a);
	if (!rc) {
		char *b32 = arena_alloc(ctx->arena, TOTP_B32_LEN + 1);
		if (!b32)
			rc = CAMPUS_ENOMEM;
		else {
			totp_base32_encode(a.secret, sizeof a.secret, b32, TOTP_B32_LEN + 1);
			out->secret_b32 = b32;
			out->uri = totp_uri(ctx, a.email, b32);
			if (!out->uri)
				rc = CAMPUS_ENOMEM;
		}
	}
	sodium_memzero(a.secret, sizeof a.secret);
	return rc;
}

static int enrol_confirm_tx(struct db_conn *db, void *cls)
{
	struct enrol_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct totp_person p;
	struct session_row s;
	a->wrong = false;
	int rc = person_read(ctx, ctx->actor.person_id, &p);
	if (!rc)
		rc = session_read(ctx, a->hash, &s);
	if (rc)
		return rc;
	if (p.enabled) {
		*a->why = N_("Inloggen in twee stappen staat al aan.");
		return CAMPUS_ECONFLICT;
	}
	if (s.no_pending || unseal(s.pending, s.pending_len, a->secret, TOTP_SECRET_LEN) != 0) {
		*a->why = N_("Er is geen instelling bezig. Begin opnieuw.");
		return CAMPUS_EINVAL;
	}
	int64_t step;
	if (!totp_match(a->secret, sizeof a->secret, ctx->now(), p.last_step, a->code, &step)) {
		a->wrong = true;
		return 0; /* nothing changes; the caller says the code is wrong */
	}
	unsigned char sealed[SEALED_LEN(TOTP_SECRET_LEN)];
	size_t n = seal(a->secret, TOTP_SECRET_LEN, sealed);
	rc = db_exec(db, &stmt_totp_enable,
	             (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_BLOB(sealed, n),
	                                       DBP_BOOL(true), DBP_INT(step), DBP_INT(ctx->now()), DBP_END},
	             NULL);
	sodium_memzero(sealed, sizeof sealed);
	if (!rc)
		rc = db_exec(db, &stmt_totp_session_done,
		             (const struct db_param[]){DBP_BLOB(a->hash, 32), DBP_END}, NULL);
	if (!rc)
		rc = recovery_issue(ctx, ctx->actor.person_id, a->codes);
	if (!rc)
		rc = audit_record(ctx, "person.totp_enabled", "person",
		                  person_id_text(ctx, ctx->actor.person_id), "ok",
		                  "10 recovery codes issued");
	return rc;
}

int totp_enrol_confirm(struct ctx *ctx, const char *token, const char *code, const char **why,
                       struct totp_recovery *codes)
{
	*why = NULL;
	if (!ctx->actor.person_id || !token)
		return CAMPUS_EUNAUTH;
	int rc = totp_code_check(code, why);
	if (rc)
		return rc;
	struct enrol_args a = {.ctx = ctx, .code = code, .why = why, .codes = codes};
	hash_token(token, a.hash);
	rc = db_tx_run(ctx->db, DB_TX_WRITE, enrol_confirm_tx, &a);
	if (rc && codes)
		sodium_memzero(codes, sizeof *codes);
	sodium_memzero(a.secret, sizeof a.secret);
	if (!rc && a.wrong) {
		*why = N_("Die code klopt niet. Controleer de tijd op uw telefoon en vul de nieuwste code in.");
		return CAMPUS_EUNAUTH;
	}
	return rc;
}

/* ---- codes for a person who has two-step log-in: disable and log-in ----------------------- */

enum code_purpose { FOR_LOGIN, FOR_DISABLE, FOR_RECOVERY_LOGIN, FOR_REGENERATE };

struct code_args {
	struct ctx *ctx;
	enum code_purpose purpose;
	const char *code;
	const char **why;
	unsigned char hash[32];        /* the session's token hash */
	struct auth_session *out;      /* FOR_LOGIN, FOR_RECOVERY_LOGIN */
	struct totp_recovery *codes;   /* FOR_REGENERATE */
	char recovery[TOTP_RECOVERY_CHARS + 1]; /* FOR_RECOVERY_LOGIN, normalised */
	bool locked, wrong;
};

static int code_tx(struct db_conn *db, void *cls)
{
	struct code_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t person = ctx->actor.person_id;
	bool login = a->purpose == FOR_LOGIN || a->purpose == FOR_RECOVERY_LOGIN;
	const char *action = a->purpose == FOR_LOGIN            ? "login.second_factor"
	                     : a->purpose == FOR_RECOVERY_LOGIN ? "login.recovery_code"
	                     : a->purpose == FOR_REGENERATE     ? "person.recovery_codes"
	                                                        : "person.totp_disabled";
	a->locked = a->wrong = false;
	struct totp_person p;
	int rc = person_read(ctx, person, &p);
	if (rc)
		return rc;
	if (login) {
		struct session_row s;
		rc = session_read(ctx, a->hash, &s);
		if (rc)
			return rc;
		if (s.second_factor != SF_CODE)
			return CAMPUS_ECONFLICT;
	} else if (a->purpose == FOR_DISABLE) {
		bool required;
		rc = totp_required(ctx, person, &required);
		if (rc)
			return rc;
		if (required) {
			*a->why = N_("Voor uw rol is inloggen in twee stappen verplicht; u kunt het niet uitzetten.");
			return CAMPUS_EFORBIDDEN;
		}
	}
	if (!p.enabled || p.no_secret) {
		*a->why = N_("Inloggen in twee stappen staat niet aan.");
		return CAMPUS_EINVAL;
	}
	rc = auth_throttle_locked(ctx, p.email, &a->locked);
	if (rc)
		return rc;
	unsigned char secret[TOTP_SECRET_LEN];
	rc = unseal(p.secret, p.secret_len, secret, TOTP_SECRET_LEN);
	if (rc)
		return rc;
	int64_t step = 0;
	bool ok = false;
	if (a->purpose == FOR_RECOVERY_LOGIN) {
		/* A recovery code instead of the app's: used up when right. */
		int64_t changes = 0;
		unsigned char code_hash[32];
		recovery_hash(person, a->recovery, code_hash);
		if (!a->locked)
			rc = db_exec(db, &stmt_recovery_use,
			             (const struct db_param[]){DBP_INT(person), DBP_BLOB(code_hash, 32),
			                                       DBP_INT(ctx->now()), DBP_END},
			             &changes);
		if (rc)
			return rc;
		ok = changes == 1;
	} else {
		ok = !a->locked && totp_match(secret, sizeof secret, ctx->now(), p.last_step, a->code, &step);
	}
	sodium_memzero(secret, sizeof secret);
	const char *id = person_id_text(ctx, person);
	if (!ok) {
		/* Counted like a wrong password: same throttle, same lock-out. */
		a->wrong = true;
		rc = auth_throttle_fail(ctx, p.email);
		if (!rc)
			rc = audit_record(ctx, action, "person", id, "failed",
			                  a->locked ? "locked out" : "wrong code");
		return rc;
	}
	if (a->purpose != FOR_RECOVERY_LOGIN)
		rc = db_exec(db, &stmt_totp_last_step,
		             (const struct db_param[]){DBP_INT(person), DBP_INT(step), DBP_END}, NULL);
	if (!rc && login) {
		rc = auth_throttle_clear(ctx, p.email);
		/* A privilege change: the session continues under a new token. */
		unsigned char raw[32], new_hash[32];
		struct auth_session *o = a->out;
		randombytes_buf(raw, sizeof raw);
		sodium_bin2base64(o->token, sizeof o->token, raw, sizeof raw,
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		randombytes_buf(raw, sizeof raw);
		sodium_bin2base64(o->csrf_token, sizeof o->csrf_token, raw, sizeof raw,
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		hash_token(o->token, new_hash);
		int64_t changes = 0;
		if (!rc)
			rc = db_exec(db, &stmt_totp_session_rotate,
			             (const struct db_param[]){DBP_BLOB(a->hash, 32), DBP_BLOB(new_hash, 32),
			                                       DBP_TEXT(o->csrf_token), DBP_END},
			             &changes);
		if (!rc && changes != 1)
			rc = CAMPUS_ECONFLICT;
		o->person_id = person;
		o->org_id = ctx->actor.org_id;
		o->roles = ctx->actor.roles;
	} else if (!rc && a->purpose == FOR_REGENERATE) {
		rc = recovery_issue(ctx, person, a->codes);
	} else if (!rc) {
		rc = db_exec(db, &stmt_totp_disable,
		             (const struct db_param[]){DBP_INT(person), DBP_BOOL(false), DBP_INT(ctx->now()),
		                                       DBP_END},
		             NULL);
		if (!rc)
			rc = db_exec(db, &stmt_recovery_clear,
			             (const struct db_param[]){DBP_INT(person), DBP_END}, NULL);
	}
	const char *detail = "";
	if (!rc && a->purpose == FOR_RECOVERY_LOGIN) {
		int64_t left = 0;
		rc = totp_recovery_left(ctx, person, &left);
		detail = arena_printf(ctx->arena, "recovery code used; %lld left", (long long)left);
	} else if (a->purpose == FOR_REGENERATE) {
		detail = "10 new recovery codes; the old ones no longer work";
	}
	if (!rc)
		rc = audit_record(ctx, action, "person", id, "ok", detail ? detail : "");
	return rc;
}

static int code_run(struct ctx *ctx, struct code_args *a)
{
	*a->why = NULL;
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	int rc = 0;
	if (a->purpose == FOR_RECOVERY_LOGIN) {
		if (!recovery_normalise(a->code, a->recovery)) {
			*a->why = N_("Een herstelcode bestaat uit 16 letters en cijfers, bijvoorbeeld abcd-efgh-2345-ijkl.");
			return CAMPUS_EINVAL;
		}
	} else {
		rc = totp_code_check(a->code, a->why);
	}
	if (rc)
		return rc;
	rc = db_tx_run(ctx->db, DB_TX_WRITE, code_tx, a);
	if (rc)
		return rc;
	if (a->locked) {
		*a->why = N_("Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.");
		return CAMPUS_EBUSY;
	}
	if (a->wrong) {
		*a->why = a->purpose == FOR_RECOVERY_LOGIN
		              ? N_("Die herstelcode klopt niet of is al gebruikt. Elke herstelcode werkt één keer.")
		              : N_("Die code klopt niet. Controleer de tijd op uw telefoon en vul de nieuwste code in.");
		return CAMPUS_EUNAUTH;
	}
	return 0;
}

int totp_disable(struct ctx *ctx, const char *code, const char **why)
{
	struct code_args a = {.ctx = ctx, .purpose = FOR_DISABLE, .code = code, .why = why};
	return code_run(ctx, &a);
}

int totp_login_verify(struct ctx *ctx, const char *token, const char *code, const char **why,
                      struct auth_session *out)
{
	memset(out, 0, sizeof *out);
	*why = NULL;
	if (!token)
		return CAMPUS_EUNAUTH;
	struct code_args a = {.ctx = ctx, .purpose = FOR_LOGIN, .code = code, .why = why, .out = out};
	hash_token(token, a.hash);
	return code_run(ctx, &a);
}

int totp_login_recover(struct ctx *ctx, const char *token, const char *recovery_code,
                       const char **why, struct auth_session *out)
{
	memset(out, 0, sizeof *out);
	*why = NULL;
	if (!token)
		return CAMPUS_EUNAUTH;
	struct code_args a = {.ctx = ctx, .purpose = FOR_RECOVERY_LOGIN, .code = recovery_code,
	                      .why = why, .out = out};
	hash_token(token, a.hash);
	int rc = code_run(ctx, &a);
	sodium_memzero(a.recovery, sizeof a.recovery);
	return rc;
}

int totp_recovery_regenerate(struct ctx *ctx, const char *code, const char **why,
                             struct totp_recovery *codes)
{
	struct code_args a = {.ctx = ctx, .purpose = FOR_REGENERATE, .code = code, .why = why,
	                      .codes = codes};
	int rc = code_run(ctx, &a);
	if (rc)
		sodium_memzero(codes, sizeof *codes);
	return rc;
}

/* ---- a campus administrator resets someone's second factor ------------------------------------ */

DB_STMT(stmt_totp_reset,
        "UPDATE people SET totp_secret = NULL, totp_enabled = $2, totp_last_step = 0, updated_at = $3 "
        "WHERE id = $1");
DB_STMT(stmt_totp_reset_sessions, "DELETE FROM sessions WHERE person_id = $1");

struct reset_args {
	struct ctx *ctx;
	int64_t person_id;
	const char *reason;
	const char **why;
};

static int admin_reset_tx(struct db_conn *db, void *cls)
{
	struct reset_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct totp_person p;
	int rc = person_read(ctx, a->person_id, &p);
	if (rc)
		return rc;
	const char *id = person_id_text(ctx, a->person_id);
	if (!p.enabled) {
		*a->why = N_("Deze persoon heeft inloggen in twee stappen niet aan; er is niets te herstellen.");
		return CAMPUS_EINVAL;
	}
	int64_t now = ctx->now();
	rc = db_exec(db, &stmt_totp_reset,
	             (const struct db_param[]){DBP_INT(a->person_id), DBP_BOOL(false), DBP_INT(now), DBP_END},
	             NULL);
	if (!rc)
		rc = db_exec(db, &stmt_recovery_clear, (const struct db_param[]){DBP_INT(a->person_id), DBP_END},
		             NULL);
	/* Sessions end: the next log-in starts without the old factor. */
	if (!rc)
		rc = db_exec(db, &stmt_totp_reset_sessions,
		             (const struct db_param[]){DBP_INT(a->person_id), DBP_END}, NULL);
	if (!rc)
		rc = audit_record(ctx, "person.totp_reset", "person", id, "ok",
		                  arena_printf(ctx->arena, "reason: %s", a->reason));
	return rc;
}

int totp_admin_reset(struct ctx *ctx, int64_t person_id, const char *reason, const char **why)
{
	*why = NULL;
	if (!(ctx->actor.roles & ROLE_CAMPUS_ADMIN) && !(ctx->actor.flags & ACTOR_SYSTEM)) {
		*why = N_("Alleen een campusbeheerder kan inloggen in twee stappen herstellen.");
		return CAMPUS_EFORBIDDEN;
	}
	if (person_id == ctx->actor.person_id) {
		*why = N_("Uw eigen inloggen in twee stappen kunt u niet herstellen; vraag een andere campusbeheerder.");
		return CAMPUS_EFORBIDDEN;
	}
	const char *r = reason;
	while (r && (*r == ' ' || *r == '\t'))
		r++;
	size_t n = r ? strlen(r) : 0;
	if (!n || n > 200 || !utf8_valid(r, n)) {
		*why = N_("Vul de reden in (hoogstens 200 tekens), bijvoorbeeld: telefoon kwijt, gebeld en "
		          "identiteit gecontroleerd.");
		return CAMPUS_EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r[i] < 0x20) {
			*why = N_("Vul de reden in (hoogstens 200 tekens), bijvoorbeeld: telefoon kwijt, gebeld en "
			          "identiteit gecontroleerd.");
			return CAMPUS_EINVAL;
		}
	struct reset_args a = {ctx, person_id, r, why};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, admin_reset_tx, &a);
	if (rc == CAMPUS_EINVAL && !*why)
		*why = N_("Deze persoon heeft inloggen in twee stappen niet aan; er is niets te herstellen.");
	return rc;
}

/* ---- demo ------------------------------------------------------------------------------------ */

DB_STMT(stmt_totp_demo_find, "SELECT id, totp_enabled FROM people WHERE email = $1");

struct demo_args {
	struct ctx *ctx;
	const char *const *emails;
	size_t n;
	unsigned changed;
};

static int demo_tx(struct db_conn *db, void *cls)
{
	struct demo_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->changed = 0;
	unsigned char secret[TOTP_SECRET_LEN];
	size_t len = 0;
	if (totp_base32_decode(DEMO_TOTP_SECRET, secret, sizeof secret, &len) || len != sizeof secret)
		return CAMPUS_EINTERNAL;
	int rc = 0;
	for (size_t i = 0; i < a->n && !rc; i++) {
		int64_t id;
		bool enabled;
		rc = db_query_row(db, &stmt_totp_demo_find,
		                  (const struct db_param[]){DBP_TEXT(a->emails[i]), DBP_END},
		                  (const struct db_col[]){DBC_INT(&id), DBC_BOOL(&enabled), DBC_END}, ctx->arena);
		if (rc == CAMPUS_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc || enabled)
			continue;
		unsigned char sealed[SEALED_LEN(TOTP_SECRET_LEN)];
		size_t n = seal(secret, TOTP_SECRET_LEN, sealed);
		rc = db_exec(db, &stmt_totp_enable,
		             (const struct db_param[]){DBP_INT(id), DBP_BLOB(sealed, n), DBP_BOOL(true),
		                                       DBP_INT(0), DBP_INT(ctx->now()), DBP_END},
		             NULL);
		if (!rc)
			rc = audit_record(ctx, "person.totp_enabled", "person", person_id_text(ctx, id), "ok",
			                  "demo secret");
		a->changed++;
	}
	sodium_memzero(secret, sizeof secret);
	return rc;
}

int totp_demo_enrol(struct ctx *ctx, const char *const *emails, size_t n, unsigned *changed)
{
	struct demo_args a = {.ctx = ctx, .emails = emails, .n = n};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, demo_tx, &a);
	*changed = rc ? 0 : a.changed;
	return rc;
}
