/* Log-in: passwords (argon2id), server-side sessions, throttling.
 *
 * A session token is 32 random bytes, sent to the browser once (cookie) and
 * stored only as its BLAKE2b hash, so a copy of the database does not log
 * anyone in. Sessions expire when idle (AUTH_IDLE_SECONDS) and absolutely
 * (AUTH_ABSOLUTE_SECONDS); a privilege change replaces the token. */
#ifndef CAMPUS_DOMAIN_AUTH_H
#define CAMPUS_DOMAIN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

#define AUTH_HASH_MAX 128            /* >= crypto_pwhash_STRBYTES */
#define AUTH_TOKEN_LEN 43            /* 32 bytes, base64url without padding */
#define AUTH_IDLE_SECONDS (2 * 3600)
#define AUTH_ABSOLUTE_SECONDS (12 * 3600)
#define AUTH_MAX_FAILURES 5          /* per e-mail address, within the window */
#define AUTH_FAILURE_WINDOW (15 * 60)
#define AUTH_LOCKOUT_SECONDS (15 * 60)
#define AUTH_PASSWORD_MIN 12
#define AUTH_PASSWORD_MAX 256

/* argon2id with libsodium's interactive limits. */
int auth_password_hash(const char *password, char out[AUTH_HASH_MAX]);
bool auth_password_verify(const char *hash, const char *password);
/* 0, or CAMPUS_EINVAL with *why a Dutch msgid saying what is wrong. */
int auth_password_policy(const char *password, const char *email, const char **why);

struct auth_session {
	char token[AUTH_TOKEN_LEN + 1];  /* for the cookie; never logged or stored */
	char csrf_token[AUTH_TOKEN_LEN + 1];
	int64_t person_id;
	int64_t org_id;
	unsigned roles;                  /* in org_id */
	const char *person_name;         /* in ctx->arena */
	int64_t expires_at;
};

/* Check e-mail and password and open a session in the person's first current
 * organisation. Wrong e-mail and wrong password give the same CAMPUS_EUNAUTH;
 * too many failures give CAMPUS_EBUSY until the lock-out ends. Success and
 * failure are audited. */
int auth_login(struct ctx *ctx, const char *email, const char *password, struct auth_session *out);
/* The session for a cookie token: CAMPUS_EUNAUTH when unknown or expired.
 * Refreshes the idle timer. Fills ctx->actor. */
int auth_session_resume(struct ctx *ctx, const char *token, struct auth_session *out);
int auth_logout(struct ctx *ctx, const char *token);
/* Change one's own password: the current one must be right (CAMPUS_EUNAUTH),
 * the new one must pass the policy (CAMPUS_EINVAL, *why a Dutch msgid). All
 * other sessions of the person end; this one gets a new token. Audited. */
int auth_change_password(struct ctx *ctx, const char *token, const char *current,
                         const char *new_password, const char **why, struct auth_session *out);

/* Work in another organisation of one's own: a new token (privilege change). */
int auth_switch_org(struct ctx *ctx, const char *token, int64_t org_id, struct auth_session *out);

#endif
