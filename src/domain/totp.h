/* Two-step log-in with time-based one-time codes (TOTP, RFC 6238: HMAC-SHA-1,
 * 6 digits, 30-second steps, computed by liboath).
 *
 * Required for campus administrators and review-committee members (a person
 * with ROLE_CAMPUS_ADMIN or ROLE_COMMITTEE in any current membership),
 * optional for everybody else. A session opened with a correct password for
 * such a person waits (sessions.second_factor) for a code, or for enrolment
 * when a required person has none; the server lets such a session reach
 * only the routes flagged ROUTE_SECOND_FACTOR.
 *
 * Secrets are 20 random bytes. At rest (people.totp_secret, and
 * sessions.totp_pending during enrolment) they are sealed (seal.h). A code is accepted for the current step and one
 * step either side, once: people.totp_last_step remembers the newest step
 * used. Wrong codes count toward the log-in throttle of auth.c. */
#ifndef CAMPUS_DOMAIN_TOTP_H
#define CAMPUS_DOMAIN_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;
struct auth_session;

#define TOTP_SECRET_LEN 20
#define TOTP_B32_LEN 32 /* base32 of 20 bytes, no padding */
#define TOTP_STEP 30
#define TOTP_DIGITS 6
#define TOTP_WINDOW 1   /* steps accepted either side of now */
#define TOTP_ISSUER "Campus"

/* The demo's campus administrator and committee member use this secret, so a
 * newcomer can add it to an authenticator app (`campus demo` prints it). */
#define DEMO_TOTP_SECRET "CAMPUSDEMOTWEESTAPSINLOGGENCODES"

/* sessions.second_factor */
enum second_factor {
	SF_DONE = 0,  /* logged in completely */
	SF_CODE = 1,  /* password right; a code from the app must follow */
	SF_ENROL = 2, /* password right; the role requires two-step log-in, not set up yet */
};

/* RFC 6238/4226: the 6-digit code of a secret for a time step (now / 30). */
int totp_code(const unsigned char *secret, size_t len, int64_t step, char out[TOTP_DIGITS + 1]);
/* Whether code (digits; spaces allowed) matches a step within the window
 * around now and newer than last_step; *step gets that step. */
bool totp_match(const unsigned char *secret, size_t len, int64_t now, int64_t last_step,
                const char *code, int64_t *step);
/* 0, or CAMPUS_EINVAL with *why a Dutch msgid when code is not 6 digits. */
int totp_code_check(const char *code, const char **why);

/* RFC 4648 base32 without padding; decode ignores spaces, either case. */
void totp_base32_encode(const unsigned char *in, size_t len, char *out, size_t size);
int totp_base32_decode(const char *in, unsigned char *out, size_t size, size_t *len);

/* Whether these roles require two-step log-in. */
bool totp_roles_require(unsigned roles);
/* Whether the person holds such a role in a current membership. */
int totp_required(struct ctx *ctx, int64_t person_id, bool *required);
/* The second_factor a new session of this person starts in (inside a transaction). */
int totp_login_state(struct ctx *ctx, int64_t person_id, int *state);

/* ---- enrolment and the second step, for the person logged in (ctx->actor)
 * with session token `token` ---- */

struct totp_enrolment {
	const char *secret_b32; /* to type into the app; in ctx->arena */
	const char *uri;        /* otpauth://totp/...: the QR code's content */
};
/* The enrolment in progress for this session (a fresh secret the first time).
 * CAMPUS_ECONFLICT when two-step log-in is on already. */
int totp_enrol_begin(struct ctx *ctx, const char *token, struct totp_enrolment *out);
/* ---- recovery codes: TOTP_RECOVERY_CODES single-use codes a person gets
 * when two-step log-in is switched on, for when the app is lost. 16
 * characters of [a-z2-7] (80 random bits), shown as xxxx-xxxx-xxxx-xxxx;
 * stored only as a BLAKE2b hash (recovery_codes). ---- */
#define TOTP_RECOVERY_CODES 10
#define TOTP_RECOVERY_CHARS 16
#define TOTP_RECOVERY_SHOWN 19 /* with three dashes */
struct totp_recovery {
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SHOWN + 1];
};

/* Confirm with a code from the app: then the secret is stored, totp_enabled
 * set, the session complete, and fresh recovery codes are made (into codes,
 * when not NULL: to show once). CAMPUS_EINVAL (*why) for a malformed code or
 * no enrolment in progress, CAMPUS_EUNAUTH (*why) for a wrong one. Audited
 * ("person.totp_enabled"). */
int totp_enrol_confirm(struct ctx *ctx, const char *token, const char *code, const char **why,
                       struct totp_recovery *codes);
/* Switch it off with a current code. CAMPUS_EFORBIDDEN (*why) when the
 * person's role requires it, CAMPUS_EINVAL when it is off or the code
 * malformed, CAMPUS_EUNAUTH for a wrong code (counted by the throttle),
 * CAMPUS_EBUSY while locked out. Audited ("person.totp_disabled"). */
int totp_disable(struct ctx *ctx, const char *code, const char **why);
/* The second step of a log-in (session in SF_CODE): a right code completes
 * the session under a new token (out); a wrong one is CAMPUS_EUNAUTH and
 * counts as a failed log-in; CAMPUS_EBUSY while locked out; CAMPUS_EINVAL
 * (*why) for a malformed code (not counted). Audited ("login.second_factor"). */
int totp_login_verify(struct ctx *ctx, const char *token, const char *code, const char **why,
                      struct auth_session *out);

/* The second step with a recovery code instead (dashes, spaces and case do
 * not matter): a code not yet used completes the session like a right TOTP
 * code and is used up; otherwise as totp_login_verify (wrong codes count
 * toward the throttle). Audited ("login.recovery_code"). */
int totp_login_recover(struct ctx *ctx, const char *token, const char *recovery_code,
                       const char **why, struct auth_session *out);
/* New recovery codes for the actor (the old ones stop working), given a
 * current code from the app; errors as totp_disable. Audited
 * ("person.recovery_codes"). */
int totp_recovery_regenerate(struct ctx *ctx, const char *code, const char **why,
                             struct totp_recovery *codes);
/* How many unused recovery codes the person has. */
int totp_recovery_left(struct ctx *ctx, int64_t person_id, int64_t *left);
/* A campus administrator resets another person's second factor (lost
 * phone): secret, recovery codes and sessions go; at the next log-in the
 * person sets it up again (at once when the role requires it). reason
 * (1..200 bytes of UTF-8) goes into the audit row ("person.totp_reset").
 * CAMPUS_EINVAL (*why) without a reason or when it is off, CAMPUS_EFORBIDDEN
 * (*why) for one's own account or an actor who is not a campus
 * administrator, CAMPUS_ENOTFOUND for no such person. */
int totp_admin_reset(struct ctx *ctx, int64_t person_id, const char *reason, const char **why);

/* Give these people (by e-mail) DEMO_TOTP_SECRET unless they have two-step
 * log-in already; *changed counts them. Audited. For `campus demo`. */
int totp_demo_enrol(struct ctx *ctx, const char *const *emails, size_t n, unsigned *changed);
/* otpauth://totp/Campus:<email>?secret=...&issuer=Campus... in ctx->arena. */
const char *totp_uri(struct ctx *ctx, const char *email, const char *secret_b32);

#endif
