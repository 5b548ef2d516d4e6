/* Certificates and diplomas (R9): credentials a person earned, each with a
 * public verification code (/verify/<code>), a PDF and a signed Open Badges
 * 3.0 credential (VC-JWT, EdDSA over Ed25519 with libsodium) the holder can
 * download. The row in `credentials` is what was issued (holder name,
 * title, points, date as they were); the PDF and the badge are rendered
 * from it when asked for, so they never disagree with it.
 *
 * A certificate is issued by progress_record_completion() for a completion
 * with points; a diploma by the diploma rules (diploma.h), never twice for
 * one person and rule. Revocation keeps the row, with who, when and why;
 * verification then says "revoked".
 * See docs/internals/credential.md. */
#ifndef CAMPUS_DOMAIN_CREDENTIAL_H
#define CAMPUS_DOMAIN_CREDENTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct ctx;

/* 16 characters of Crockford base32 (80 random bits), shown in groups of
 * four: "7K3M-Q9XD-2HWA-FT5R". */
#define CREDENTIAL_CODE_LEN 16
#define CREDENTIAL_REASON_MAX 500

enum credential_kind { CREDENTIAL_CERTIFICATE, CREDENTIAL_DIPLOMA };

/* Issues the certificate for a completion (inside the caller's write
 * transaction): holder, title, provider and points from the completion.
 * Idempotent: a completion that has one gives its id. Audited. */
int credential_issue_certificate(struct ctx *ctx, int64_t completion_id, int64_t *credential_id);
/* The same for a completion recorded just before in the caller's
 * transaction (so it has none yet), with its facts at hand: one INSERT,
 * without reading the completion back. code receives the new code. */
struct certificate_facts {
	int64_t completion_id, person_id, org_id; /* org_id 0: none */
	const char *holder, *title, *provider;
	int64_t points_tenths, achieved_at;
};
int credential_issue_certificate_new(struct ctx *ctx, const struct certificate_facts *f,
                                     int64_t *credential_id, char code[CREDENTIAL_CODE_LEN + 1]);
/* Issues the diploma of rule_id to person_id (inside the caller's write
 * transaction), listing the completions that met it; points is their sum;
 * achieved_at the day the rule was met. CAMPUS_ECONFLICT when the person
 * already holds it (*credential_id then is that one). Audited. */
int credential_issue_diploma(struct ctx *ctx, int64_t person_id, int64_t rule_id,
                             const int64_t *completion_ids, size_t n, int64_t points_tenths,
                             int64_t achieved_at, int64_t *credential_id);
/* Revokes with a reason (campus administrator; for a certificate also the
 * ledger reversal does it). Refused when already revoked. Audited. */
int credential_revoke(struct ctx *ctx, int64_t credential_id, const char *reason,
                      const char **why);
/* The same inside the caller's write transaction, for a caller that has
 * checked the actor's right itself (progress_reverse). Revoked already: 0. */
int credential_revoke_in_tx(struct ctx *ctx, int64_t credential_id, const char *reason);

struct credential {
	int64_t id;
	enum credential_kind kind;
	char code[CREDENTIAL_CODE_LEN + 1];
	int64_t person_id, completion_id, rule_id, org_id;
	const char *holder_name, *title, *provider_name;
	const char *org_name, *org_brand_color;   /* nullable */
	int64_t points_tenths, achieved_at, issued_at;
	int64_t revoked_at;                       /* 0: valid */
	const char *revoke_reason;
	/* A diploma's listed completions: titles, points and dates. */
	struct credential_line {
		const char *title;
		int64_t points_tenths, completed_at;
	} *lines;
	size_t nlines;
};

/* One credential by id, when the actor may see it (the holder, a campus
 * administrator, a manager within progress_window()). */
int credential_get(struct ctx *ctx, int64_t id, struct credential *out);
/* By public code (anyone): for the verification page. Accepts the code with
 * or without dashes, in any case; CAMPUS_ENOTFOUND for anything unknown or
 * malformed. */
int credential_by_code(struct ctx *ctx, const char *code, struct credential *out);
/* The credentials of person_id the actor may see, newest first. */
int credential_list(struct ctx *ctx, int64_t person_id, struct credential **out, size_t *n);
/* The code with dashes, "7K3M-Q9XD-2HWA-FT5R", into out (20 bytes). */
void credential_code_display(const char *code, char out[CREDENTIAL_CODE_LEN + 4]);

/* ---- documents (credential_pdf.c, badge.c) ---- */

/* The PDF of a credential, appended to out: A4 landscape, the library's
 * branding, holder, title, points, date, provider, the code and a QR code of
 * the verification address. The same row gives the same bytes. */
int credential_pdf(struct ctx *ctx, const struct credential *c, struct buf *out);
/* The Open Badges 3.0 credential as a VC-JWT (compact JWS, alg EdDSA, kid of
 * the signing key), appended to out. */
int credential_badge_jwt(struct ctx *ctx, const struct credential *c, struct buf *out);
/* The issuer's public keys as a JWK Set (OKP, Ed25519), appended to out;
 * creates the first signing key when there is none. */
int credential_issuer_jwks(struct ctx *ctx, struct buf *out);

#endif
