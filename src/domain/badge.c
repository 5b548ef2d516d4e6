/* Open Badges 3.0 credentials as VC-JWT (credential.h): the credential's
 * members are the JWT payload with the registered claims iss, jti, sub and
 * nbf beside them, signed EdDSA (Ed25519, libsodium) under the newest
 * signing key, whose kid is the address of its entry in the JWK Set at
 * /.well-known/jwks.json. The first key is made when one is first needed.
 * A secret key never leaves this file: not logged, not shown, not audited. */
#include "domain/credential.h"
#include "domain/credential_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/seal.h"

#define OB_CONTEXT "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#define VC_CONTEXT "https://www.w3.org/ns/credentials/v2"

struct signing_key {
	const char *kid; /* short id, as stored */
	unsigned char *pk, *sk;
	size_t pk_len, sk_len;
};

DB_STMT(stmt_bk_current,
        "SELECT kid, public_key, secret_key FROM signing_keys WHERE retired_at IS NULL "
        "ORDER BY created_at DESC, id DESC LIMIT 1");
DB_STMT(stmt_bk_insert,
        "INSERT INTO signing_keys (kid, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4)");
DB_STMT(stmt_bk_all, "SELECT kid, public_key FROM signing_keys ORDER BY created_at, id");

static int key_read(struct ctx *ctx, struct signing_key *k)
{
	int rc = db_query_row(ctx->db, &stmt_bk_current, NULL,
	                      (const struct db_col[]){DBC_TEXT(&k->kid), DBC_BLOB(&k->pk, &k->pk_len),
	                                              DBC_BLOB(&k->sk, &k->sk_len), DBC_END},
	                      ctx->arena);
	if (rc)
		return rc;
	if (k->pk_len != crypto_sign_PUBLICKEYBYTES)
		return CAMPUS_EINTERNAL;
	/* Stored sealed (seal.h); opened into the request's arena. */
	unsigned char *sk = arena_alloc(ctx->arena, crypto_sign_SECRETKEYBYTES);
	if (!sk)
		return CAMPUS_ENOMEM;
	rc = unseal(k->sk, k->sk_len, sk, crypto_sign_SECRETKEYBYTES);
	if (rc) {
		log_error("msg=\"signing key unreadable: sealed under another secret_key_file, "
		          "or none is set\" kid=%s", k->kid);
		return rc;
	}
	k->sk = sk;
	k->sk_len = crypto_sign_SECRETKEYBYTES;
	return 0;
}

static char *b64url(struct arena *a, const void *bin, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, n);
	if (out)
		sodium_bin2base64(out, n, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

struct key_make {
	struct ctx *ctx;
	struct signing_key *k;
};

static int key_make_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct key_make *m = cls;
	int rc = key_read(m->ctx, m->k); /* another writer may have made it meanwhile */
	if (rc != CAMPUS_ENOTFOUND)
		return rc;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	crypto_sign_keypair(pk, sk);
	/* The kid: 72 bits of the public key's hash, so it names that key. */
	unsigned char h[9];
	crypto_generichash(h, sizeof h, pk, sizeof pk, NULL, 0);
	const char *kid = b64url(m->ctx->arena, h, sizeof h);
	if (!kid) {
		sodium_memzero(sk, sizeof sk);
		return CAMPUS_ENOMEM;
	}
	unsigned char sealed[SEALED_LEN(crypto_sign_SECRETKEYBYTES)];
	size_t sealed_len = seal(sk, sizeof sk, sealed);
	sodium_memzero(sk, sizeof sk);
	rc = db_exec(m->ctx->db, &stmt_bk_insert,
	             (const struct db_param[]){DBP_TEXT(kid), DBP_BLOB(pk, sizeof pk),
	                                       DBP_BLOB(sealed, sealed_len), DBP_INT(m->ctx->now()), DBP_END},
	             NULL);
	sodium_memzero(sealed, sizeof sealed);
	if (!rc)
		rc = audit_record(m->ctx, "signing_key.create", "signing_key", kid, "ok", "");
	if (!rc)
		rc = key_read(m->ctx, m->k);
	return rc;
}

/* The key that signs now; made (in a write transaction of its own, or the
 * caller's) when there is none. */
static int key_current(struct ctx *ctx, struct signing_key *k)
{
	int rc = key_read(ctx, k);
	if (rc != CAMPUS_ENOTFOUND)
		return rc;
	struct key_make m = {ctx, k};
	if (db_in_tx(ctx->db))
		return key_make_tx(ctx->db, &m);
	return db_tx_run(ctx->db, DB_TX_WRITE, key_make_tx, &m);
}

static const char *kid_uri(struct ctx *ctx, const char *kid)
{
	return arena_printf(ctx->arena, "%s/.well-known/jwks.json#%s", mail_base_url(), kid);
}

static void iso_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *issuer_json(struct ctx *ctx)
{
	const char *base = mail_base_url();
	const char *id = arena_printf(ctx->arena, "%s/issuer", base);
	return json_pack("{s:s, s:[s], s:s, s:s}", "id", id ? id : "", "type", "Profile", "name",
	                 "Campus", "url", base);
}

int credential_issuer_profile(struct ctx *ctx, struct buf *out)
{
	json_t *p = issuer_json(ctx);
	if (!p)
		return CAMPUS_ENOMEM;
	json_t *ctxs = json_pack("[s, s]", VC_CONTEXT, OB_CONTEXT);
	json_object_set_new(p, "description",
	                    json_string("Campus, het leerplatform van de openbare bibliotheken in "
	                                "Nederland. Certificaten en diploma's van Campus zijn erkend "
	                                "binnen de bibliotheekbranche."));
	const char *jwks = arena_printf(ctx->arena, "%s/.well-known/jwks.json", mail_base_url());
	json_t *doc = json_object();
	json_object_set_new(doc, "@context", ctxs);
	json_object_update(doc, p);
	json_decref(p);
	/* Not a Profile member: where verifiers find the keys (also the kid of each badge). */
	json_object_set_new(doc, "jwks_uri", json_string(jwks ? jwks : ""));
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!s)
		return CAMPUS_ENOMEM;
	buf_puts(out, s);
	free(s);
	return out->overflow ? CAMPUS_ENOMEM : 0;
}

struct key_row {
	const char *kid;
	unsigned char *pk;
	size_t len;
};

int credential_issuer_jwks(struct ctx *ctx, struct buf *out)
{
	struct signing_key cur;
	int rc = key_current(ctx, &cur);
	if (rc)
		return rc;
	json_t *keys = json_array();
	struct key_row row;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof row, .cur = &row};
	rc = db_query(ctx->db, &stmt_bk_all, NULL,
	              (const struct db_col[]){DBC_TEXT(&row.kid), DBC_BLOB(&row.pk, &row.len), DBC_END},
	              ctx->arena, db_rows_collect, &rows);
	for (size_t i = 0; !rc && i < rows.n; i++) {
		struct key_row *k = (struct key_row *)rows.data + i;
		const char *x = k->len == crypto_sign_PUBLICKEYBYTES ? b64url(ctx->arena, k->pk, k->len) : NULL;
		const char *kid = kid_uri(ctx, k->kid);
		if (!x || !kid) {
			rc = CAMPUS_ENOMEM;
			break;
		}
		json_array_append_new(keys, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "OKP", "crv",
		                                      "Ed25519", "x", x, "kid", kid, "alg", "EdDSA", "use",
		                                      "sig"));
	}
	json_t *set = json_pack("{s:o}", "keys", keys);
	char *s = rc ? NULL : json_dumps(set, JSON_COMPACT);
	json_decref(set);
	if (rc)
		return rc;
	if (!s)
		return CAMPUS_ENOMEM;
	buf_puts(out, s);
	free(s);
	return out->overflow ? CAMPUS_ENOMEM : 0;
}

/* A stable pseudonymous subject id for the holder: a UUID from a hash of
 * the person id keyed with the signing key's seed, so badges of one person
 * share it without revealing who it is. */
static const char *subject_id(struct ctx *ctx, const struct signing_key *k, int64_t person_id)
{
	char msg[48];
	int n = snprintf(msg, sizeof msg, "campus-subject:%lld", (long long)person_id);
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)msg, (size_t)n, k->sk, 32);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x80); /* version 8: custom */
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	char hex[33];
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	return arena_printf(ctx->arena, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	                    hex + 16, hex + 20);
}

static json_t *payload_json(struct ctx *ctx, const struct credential *c, const struct signing_key *k)
{
	const char *base = mail_base_url();
	bool diploma = c->kind == CREDENTIAL_DIPLOMA;
	char code[CREDENTIAL_CODE_LEN + 4], valid[32], ended[32], pts[32];
	credential_code_display(c->code, code);
	iso_time(c->issued_at, valid);
	iso_time(c->achieved_at, ended);
	credential_points_text(c->points_tenths, pts);
	const char *id = arena_printf(ctx->arena, "%s/verify/%s", base, code);
	const char *issuer = arena_printf(ctx->arena, "%s/issuer", base);
	const char *sub = subject_id(ctx, k, c->person_id);
	const char *ach_id = diploma ? arena_printf(ctx->arena, "%s/issuer#diploma-%lld", base,
	                                            (long long)c->rule_id)
	                             : arena_printf(ctx->arena, "%s/verify/%s#achievement", base, code);
	const char *desc =
	    diploma ? arena_printf(ctx->arena, "Diploma “%s”, behaald met %s uit %zu %s.", c->title,
	                           pts, c->nlines, c->nlines == 1 ? "module" : "modules")
	    : (c->provider_name && *c->provider_name)
	        ? arena_printf(ctx->arena, "Module “%s” van %s, %s, erkend binnen de "
	                                   "bibliotheekbranche.", c->title, c->provider_name, pts)
	        : arena_printf(ctx->arena, "Module “%s”, %s, erkend binnen de bibliotheekbranche.",
	                       c->title, pts);
	const char *narrative =
	    diploma ? "Voldaan aan de regels van dit diploma: de vereiste punten, domeinen en "
	              "verplichte modules binnen de gestelde periode."
	            : "De module met goed gevolg afgerond, zoals de aanbieder heeft geregistreerd.";
	if (!id || !issuer || !sub || !ach_id || !desc)
		return NULL;
	double credits = (double)c->points_tenths / 10.0;

	json_t *achievement = json_pack(
	    "{s:s, s:[s], s:s, s:s, s:s, s:{s:s}, s:f}", "id", ach_id, "type", "Achievement",
	    "achievementType", diploma ? "Diploma" : "Certificate", "name", c->title, "description",
	    desc, "criteria", "narrative", narrative, "creditsAvailable", credits);
	json_t *subject = json_pack(
	    "{s:s, s:[s], s:[{s:s, s:s, s:s, s:b}], s:o, s:f, s:s}", "id", sub, "type",
	    "AchievementSubject", "identifier", "type", "IdentityObject", "identityHash",
	    c->holder_name, "identityType", "name", "hashed", 0, "achievement", achievement,
	    "creditsEarned", credits, "activityEndDate", ended);
	return json_pack("{s:[s, s], s:s, s:[s, s], s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:I}",
	                 "@context", VC_CONTEXT, OB_CONTEXT, "id", id, "type", "VerifiableCredential",
	                 "OpenBadgeCredential", "issuer", issuer_json(ctx), "validFrom", valid, "name",
	                 c->title, "credentialSubject", subject, "iss", issuer, "jti", id, "sub", sub,
	                 "nbf", (json_int_t)c->issued_at);
}

int credential_badge_jwt(struct ctx *ctx, const struct credential *c, struct buf *out)
{
	struct signing_key k;
	int rc = key_current(ctx, &k);
	if (rc)
		return rc;
	const char *kid = kid_uri(ctx, k.kid);
	json_t *header = kid ? json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "typ", "JWT", "kid", kid)
	                     : NULL;
	json_t *payload = payload_json(ctx, c, &k);
	char *h = header ? json_dumps(header, JSON_COMPACT) : NULL;
	char *p = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	json_decref(header);
	json_decref(payload);
	const char *h64 = h ? b64url(ctx->arena, h, strlen(h)) : NULL;
	const char *p64 = p ? b64url(ctx->arena, p, strlen(p)) : NULL;
	free(h);
	free(p);
	const char *input = h64 && p64 ? arena_printf(ctx->arena, "%s.%s", h64, p64) : NULL;
	if (!input)
		return CAMPUS_ENOMEM;
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)input, strlen(input), k.sk);
	const char *s64 = b64url(ctx->arena, sig, sizeof sig);
	if (!s64)
		return CAMPUS_ENOMEM;
	buf_puts(out, input);
	buf_putc(out, '.');
	buf_puts(out, s64);
	return out->overflow ? CAMPUS_ENOMEM : 0;
}
