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
	int second_factor;               /* enum second_factor (domain/totp.h): 0 complete */
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
/* Deletes the sessions past their absolute or idle end (the server's minute
 * thread; a resume refuses and deletes its own). *swept: how many, or NULL. */
int auth_sessions_sweep(struct ctx *ctx, int64_t *swept);
/* Change one's own password: the current one must be right (CAMPUS_EUNAUTH),
 * the new one must pass the policy (CAMPUS_EINVAL, *why a Dutch msgid). All
 * other sessions of the person end; this one gets a new token. Audited. */
int auth_change_password(struct ctx *ctx, const char *token, const char *current,
                         const char *new_password, const char **why, struct auth_session *out);

/* The log-in throttle for an e-mail address and the client's address (the
 * second factor counts its wrong codes here too): whether either is locked
 * out, and one more failure for both. Call inside a transaction (fail: write). */
int auth_throttle_locked(struct ctx *ctx, const char *email, bool *locked);
int auth_throttle_fail(struct ctx *ctx, const char *email);
int auth_throttle_clear(struct ctx *ctx, const char *email);

/* Work in another organisation of one's own: a new token (privilege change). */
int auth_switch_org(struct ctx *ctx, const char *token, int64_t org_id, struct auth_session *out);

/* ---- one-time links: password reset and invitations (src/domain/links.c) ----
 * A link carries 32 random bytes (base64url, AUTH_TOKEN_LEN characters); only
 * their BLAKE2b hash is stored, in one_time_links, with a purpose, an expiry
 * and used_at (single use). */

#define AUTH_RESET_SECONDS 3600            /* a reset link is valid for an hour */
#define AUTH_INVITE_SECONDS (14 * 86400)   /* an invitation for 14 days */
#define AUTH_RESET_INTERVAL (15 * 60)      /* one reset e-mail per address per quarter */
#define AUTH_RESET_IP_MAX 20               /* reset requests per client address per quarter */

/* A new random token (for a cookie or a link) and its stored hash. */
void auth_token_new(char out[AUTH_TOKEN_LEN + 1]);
void auth_token_hash(const char *token, unsigned char out[32]);
/* Open a session (inside the caller's write transaction). */
int auth_session_open(struct ctx *ctx, int64_t person_id, int64_t org_id, unsigned roles,
                      struct auth_session *out);
/* Store a link for person_id (inside the caller's write transaction); the
 * token goes into out, to be e-mailed, never stored or logged. */
int auth_link_issue(struct ctx *ctx, int64_t person_id, const char *purpose, int64_t valid_seconds,
                    char out[AUTH_TOKEN_LEN + 1]);

/* "I forgot my password": when the address has an account, a reset link is
 * e-mailed (outbox) and audited. Unknown addresses get 0 as well (nothing
 * tells whether an account exists; the attempt is audited). CAMPUS_EBUSY when
 * the address asked within AUTH_RESET_INTERVAL or the client address asked
 * too often (the same for known and unknown addresses); CAMPUS_EINVAL for
 * something that is not an e-mail address. */
int auth_reset_request(struct ctx *ctx, const char *email);

/* Invite a person (who may have no password yet): a link valid for
 * AUTH_INVITE_SECONDS, e-mailed ("U bent uitgenodigd voor Campus door
 * <organisation>"), audited. The organisation is the actor's when the person
 * is a member there, else the person's first. CAMPUS_ENOTFOUND: no such person. */
int auth_invite(struct ctx *ctx, int64_t person_id);

/* What a valid link is for. */
struct auth_link {
	int64_t person_id;
	const char *email; /* in ctx->arena */
	const char *name;
	const char *lang;
	int64_t expires_at;
};
/* Look a link up without using it: 0 with *state AUTH_LINK_OK and out
 * filled, or *state saying why it cannot be used (a link of another purpose
 * is unknown). Errors are database errors. */
enum { AUTH_LINK_OK = 0, AUTH_LINK_UNKNOWN = 1, AUTH_LINK_EXPIRED = 2, AUTH_LINK_USED = 3 };
int auth_link_check(struct ctx *ctx, const char *token, const char *purpose, int *state,
                    struct auth_link *out);
/* Use a link: set the password (policy: CAMPUS_EINVAL with *why), for an
 * invitation also the name when not NULL; mark the link (and the person's
 * other open links) used, end all their sessions and open a new one in out.
 * A link that is not AUTH_LINK_OK: CAMPUS_ENOTFOUND with *state saying why,
 * and nothing changes. Audited: person.password_reset / person.invite_accepted. */
int auth_link_redeem(struct ctx *ctx, const char *token, const char *purpose, const char *password,
                     const char *name, const char **why, int *state, struct auth_session *out);

/* ---- changing one's e-mail address (src/domain/links.c) ----
 * Nothing changes until the person follows a one-time link e-mailed to the
 * NEW address (email_changes keeps its hash, the new address and an expiry);
 * the OLD address gets a notice at once. */

#define AUTH_EMAIL_CHANGE_SECONDS (24 * 3600) /* the confirmation link holds a day */

/* The actor asks to move their account to new_email, proving it with their
 * password. CAMPUS_EINVAL (*why) for something that is not an address or is
 * the current one, CAMPUS_EUNAUTH (*why) for a wrong password,
 * CAMPUS_ECONFLICT (*why) when another account has the address. An earlier
 * open request of the person stops working. Audited
 * ("person.email_change_requested" ok/failed). */
int auth_email_change_request(struct ctx *ctx, const char *password, const char *new_email,
                              const char **why);

struct auth_email_change {
	int64_t person_id;
	const char *old_email; /* in ctx->arena */
	const char *new_email;
	const char *name;
	int64_t expires_at;
};
/* Look a confirmation link up without using it: *state AUTH_LINK_* as
 * auth_link_check. */
int auth_email_change_check(struct ctx *ctx, const char *token, int *state,
                            struct auth_email_change *out);
/* Use it: the address changes when the link is AUTH_LINK_OK (else
 * CAMPUS_ENOTFOUND with *state) and the address still free (else
 * CAMPUS_ECONFLICT with *why; the link stays unused). The person's sessions
 * end except the one whose token is keep_token (the browser confirming, when
 * it is logged in as that person; NULL: none), as do their open reset links
 * (they went to the old address). Audited ("person.email_changed"). */
int auth_email_change_confirm(struct ctx *ctx, const char *token, const char *keep_token, int *state,
                              const char **why, struct auth_email_change *out);

#endif
