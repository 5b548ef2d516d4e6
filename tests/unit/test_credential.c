/* The credential documents (credential_pdf.c, badge.c) on the database named
 * by CAMPUS_TEST_DB: a certificate's PDF carries holder, title, points,
 * date, provider and code (read back with pdftotext) and is the same bytes
 * every time; a diploma lists its modules on a second page; a revoked one
 * says so; the Open Badges VC-JWT verifies with the key the JWK Set
 * publishes and carries the right claims; Dutch wording of points. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>
#include <jansson.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/credential.h"
#include "domain/credential_doc.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/seal.h"
#include "points_reset.h"

#define T0 1795000000 /* 2026-11-18 */
#define BASE "https://campus.test"
static int64_t clock_value = T0;
static int64_t test_now(void) { return clock_value; }

DB_STMT(stmt_c_r1, "DELETE FROM signing_keys");
/* The sector's rules (migration 0011) have domain minimums. */
DB_STMT(stmt_c_r2a, "DELETE FROM diploma_rule_domains");
DB_STMT(stmt_c_r2b, "DELETE FROM diploma_rule_modules");
DB_STMT(stmt_c_r2, "DELETE FROM diploma_rules");
DB_STMT(stmt_c_r3, "DELETE FROM memberships");
DB_STMT(stmt_c_r4, "DELETE FROM people");
DB_STMT(stmt_c_r5, "DELETE FROM organisations");
DB_STMT(stmt_c_org,
        "INSERT INTO organisations (slug, name, kind, brand_color, logo, logo_type, created_at, "
        "updated_at) VALUES ('bibliotheek-utrecht', 'Bibliotheek Utrecht', 'library', '#b3003c', $1, "
        "'image/png', 1, 1) RETURNING id");
DB_STMT(stmt_c_person,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ('anna@utrecht.test', "
        "'Anna de Vries', 1, 1) RETURNING id");
DB_STMT(stmt_c_completion,
        "INSERT INTO completions (person_id, org_id, title, provider_name, source, evidence_key, "
        "points_tenths, completed_at, registered_at) VALUES ($1, $2, $3, 'Leeracademie Noord', "
        "'web', $4, $5, $6, $6) RETURNING id");
DB_STMT(stmt_c_rule,
        "INSERT INTO diploma_rules (slug, name, min_points_tenths, created_at, updated_at) "
        "VALUES ('nascholing', 'Nascholing Bibliothecaris', 30, 1, 1) RETURNING id");
DB_STMT(stmt_c_keys, "SELECT COUNT(*) FROM signing_keys");
DB_STMT(stmt_c_key_stored, "SELECT public_key, secret_key FROM signing_keys");
DB_STMT(stmt_c_key_audit,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'signing_key.create' AND detail = ''");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t lib, anna, cert, diploma;
};

static int64_t one(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t v = -1;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&v), DBC_END}, f->arena), 0);
	return v;
}

static cairo_status_t png_out(void *closure, const unsigned char *data, unsigned int n)
{
	return buf_append(closure, data, n) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static int64_t completion(struct fixture *f, const char *title, const char *key, int64_t points,
                          int64_t at)
{
	return one(f, &stmt_c_completion,
	           (const struct db_param[]){DBP_INT(f->anna), DBP_INT(f->lib), DBP_TEXT(title),
	                                     DBP_TEXT(key), DBP_INT(points), DBP_INT(at), DBP_END});
}

struct issue {
	struct ctx *ctx;
	int64_t c1, c2, rule, cert, diploma;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	const char *url = getenv("CAMPUS_TEST_DB");
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(url ? url : "sqlite:/tmp/campus-test-credential.db", DB_OPEN_CREATE, &f->db, &err) ||
	    db_migrate(f->db, &err)) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	if (points_reset(f->db) != 0)
		return -1;
	struct db_stmt *r[] = {&stmt_c_r1, &stmt_c_r2a, &stmt_c_r2b, &stmt_c_r2,
	                       &stmt_c_r3, &stmt_c_r4, &stmt_c_r5};
	for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
		if (db_exec(f->db, r[i], (const struct db_param[]){DBP_END}, NULL) != 0) {
			fprintf(stderr, "reset %zu: %s\n", i, db_errmsg(f->db));
			return -1;
		}
	mail_setup(BASE, NULL);
	clock_value = T0;
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = test_now};
	f->ctx.actor.flags = ACTOR_SYSTEM;
	*state = f;
	/* A logo of the library: a small PNG made here. */
	struct buf png;
	buf_init(&png, NULL, 0);
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 120, 40);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0.7, 0, 0.24);
	cairo_paint(cr);
	cairo_destroy(cr);
	cairo_surface_write_to_png_stream(s, png_out, &png);
	cairo_surface_destroy(s);
	f->lib = one(f, &stmt_c_org, (const struct db_param[]){DBP_BLOB(png.data, png.len), DBP_END});
	buf_fini(&png);
	f->anna = one(f, &stmt_c_person, (const struct db_param[]){DBP_END});
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

static int cert_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct issue *i = cls;
	int rc = credential_issue_certificate(i->ctx, i->c1, &i->cert);
	if (rc || !i->c2)
		return rc;
	int64_t both[] = {i->c1, i->c2};
	return credential_issue_diploma(i->ctx, i->ctx->actor.person_id, i->rule, both, 2, 45, T0,
	                                &i->diploma);
}

/* A certificate of 1,5 points and a diploma over it and one more module,
 * issued as the system; then Anna, the holder, is the actor. */
static void issue_both(struct fixture *f)
{
	struct ctx sys = f->ctx;
	sys.actor = (struct actor){.person_id = f->anna, .flags = ACTOR_SYSTEM};
	struct issue d = {.ctx = &sys};
	d.c1 = completion(f, "Mediawijsheid voor volwassenen", "enrolment:1", 15, T0 - 86400);
	d.c2 = completion(f, "Voorlezen aan peuters", "enrolment:2", 30, T0 - 5 * 86400);
	d.rule = one(f, &stmt_c_rule, (const struct db_param[]){DBP_END});
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, cert_tx, &d), 0);
	f->cert = d.cert;
	f->diploma = d.diploma;
	f->ctx.actor = (struct actor){.person_id = f->anna, .org_id = f->lib, .roles = ROLE_LEARNER};
}

static void pdftotext(const struct buf *pdf, struct buf *text, const char *tool)
{
	char path[] = "/tmp/campus-test-cred-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pdf->data, pdf->len), (ssize_t)pdf->len);
	close(fd);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "%s %s %s", tool, path, strcmp(tool, "pdftotext") ? "" : "-");
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(text, chunk, n);
	assert_int_equal(pclose(p), 0);
	unlink(path);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void certificate_pdf(void **state)
{
	struct fixture *f = *state;
	issue_both(f);
	struct credential c;
	assert_int_equal(credential_get(&f->ctx, f->cert, &c), 0);
	struct buf a, b, text;
	buf_init(&a, NULL, 0);
	buf_init(&b, NULL, 0);
	buf_init(&text, NULL, 0);
	assert_int_equal(credential_pdf(&f->ctx, &c, &a), 0);
	assert_memory_equal(a.data, "%PDF-", 5);
	/* The same row, the same bytes (a later clock changes nothing). */
	clock_value += 3600;
	assert_int_equal(credential_pdf(&f->ctx, &c, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	pdftotext(&a, &text, "pdftotext");
	const char *t = buf_cstr(&text);
	char code[CREDENTIAL_CODE_LEN + 4];
	credential_code_display(c.code, code);
	assert_non_null(strstr(t, "Anna de Vries"));
	assert_non_null(strstr(t, "“Mediawijsheid voor volwassenen”"));
	assert_non_null(strstr(t, "1,5 punt"));
	assert_null(strstr(t, "1,5 punten"));
	assert_non_null(strstr(t, "17 november 2026"));
	assert_non_null(strstr(t, "Leeracademie Noord"));
	assert_non_null(strstr(t, "Bibliotheek Utrecht"));
	assert_non_null(strstr(t, code));
	assert_non_null(strstr(t, BASE "/verify/"));
	assert_null(strstr(t, "INGETROKKEN"));
	/* A code with pairs Open Sans kerns apart ("AJ", "AV", "WA", "TY")
	 * still reads as one word, in the link and on its own. */
	struct credential kerned = c;
	memcpy(kerned.code, "7H4HS7AJAVWATY2X", sizeof kerned.code);
	buf_clear(&b);
	buf_clear(&text);
	assert_int_equal(credential_pdf(&f->ctx, &kerned, &b), 0);
	pdftotext(&b, &text, "pdftotext");
	assert_non_null(strstr(buf_cstr(&text), BASE "/verify/7H4H-S7AJ-AVWA-TY2X"));
	assert_non_null(strstr(buf_cstr(&text), "\n7H4H-S7AJ-AVWA-TY2X"));
	buf_clear(&text);
	pdftotext(&a, &text, "pdfimages -list");
	assert_non_null(strstr(buf_cstr(&text), "120    40")); /* the logo */
	buf_clear(&text);
	pdftotext(&a, &text, "pdfinfo");
	assert_non_null(strstr(buf_cstr(&text), "841.89 x 595.276 pts (A4)")); /* landscape */

	/* The time one certificate takes, once the thread's fonts are set up;
	 * the CPU time too, which a machine shared with others disturbs less.
	 * Reported, not asserted: make bench-points holds the goal. */
	double t0 = seconds(), c0 = cpu_seconds();
	for (int i = 0; i < 200; i++) {
		buf_clear(&b);
		assert_int_equal(credential_pdf(&f->ctx, &c, &b), 0);
	}
	double per = (seconds() - t0) / 200, cpu = (cpu_seconds() - c0) / 200;
	printf("# credential_pdf: %.2f ms per certificate, %.2f ms CPU (%zu bytes)\n", per * 1000,
	       cpu * 1000, b.len);
	buf_fini(&a);
	buf_fini(&b);
	buf_fini(&text);
}

static void diploma_and_revoked_pdf(void **state)
{
	struct fixture *f = *state;
	issue_both(f);
	struct credential c;
	assert_int_equal(credential_get(&f->ctx, f->diploma, &c), 0);
	assert_int_equal(c.kind, CREDENTIAL_DIPLOMA);
	struct buf pdf, text;
	buf_init(&pdf, NULL, 0);
	buf_init(&text, NULL, 0);
	assert_int_equal(credential_pdf(&f->ctx, &c, &pdf), 0);
	pdftotext(&pdf, &text, "pdftotext");
	const char *t = buf_cstr(&text);
	assert_non_null(strstr(t, "Nascholing Bibliothecaris"));
	assert_non_null(strstr(t, "4,5 punten"));
	assert_non_null(strstr(t, "Gevolgde modules"));
	assert_non_null(strstr(t, "Voorlezen aan peuters"));
	assert_non_null(strstr(t, "13 november 2026"));
	buf_clear(&text);
	pdftotext(&pdf, &text, "pdfinfo");
	assert_non_null(strstr(buf_cstr(&text), "Pages:           2"));

	/* Revoked by a campus administrator: the PDF says so, with the date. */
	struct ctx admin = f->ctx;
	admin.actor = (struct actor){.person_id = f->anna, .roles = ROLE_CAMPUS_ADMIN};
	const char *why;
	clock_value = T0 + 10 * 86400;
	assert_int_equal(credential_revoke(&admin, f->cert, "Dubbel geregistreerd", &why), 0);
	struct credential r;
	assert_int_equal(credential_by_code(&f->ctx, c.code, &r), 0);
	assert_int_equal(credential_get(&f->ctx, f->cert, &r), 0);
	assert_int_equal(r.revoked_at, T0 + 10 * 86400);
	buf_clear(&pdf);
	buf_clear(&text);
	assert_int_equal(credential_pdf(&f->ctx, &r, &pdf), 0);
	pdftotext(&pdf, &text, "pdftotext");
	assert_non_null(strstr(buf_cstr(&text), "INGETROKKEN op 28 november 2026"));
	buf_fini(&pdf);
	buf_fini(&text);
}

static unsigned char *unb64(const char *s, size_t n, size_t *len)
{
	unsigned char *out = malloc(n + 1);
	assert_int_equal(sodium_base642bin(out, n + 1, s, n, NULL, len, NULL,
	                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	                 0);
	return out;
}

static json_t *json_part(const char *s, size_t n)
{
	size_t len;
	unsigned char *raw = unb64(s, n, &len);
	json_t *j = json_loadb((const char *)raw, len, 0, NULL);
	free(raw);
	assert_non_null(j);
	return j;
}

static void badge_verifies_with_published_key(void **state)
{
	struct fixture *f = *state;
	issue_both(f);
	struct credential c;
	assert_int_equal(credential_get(&f->ctx, f->cert, &c), 0);
	struct buf jwt, jwks;
	buf_init(&jwt, NULL, 0);
	buf_init(&jwks, NULL, 0);
	assert_int_equal(one(f, &stmt_c_keys, (const struct db_param[]){DBP_END}), 0);
	int64_t audits = one(f, &stmt_c_key_audit, (const struct db_param[]){DBP_END});
	assert_int_equal(credential_badge_jwt(&f->ctx, &c, &jwt), 0);
	assert_int_equal(one(f, &stmt_c_keys, (const struct db_param[]){DBP_END}), 1);
	assert_int_equal(credential_issuer_jwks(&f->ctx, &jwks), 0);
	assert_int_equal(one(f, &stmt_c_keys, (const struct db_param[]){DBP_END}), 1);
	/* Made once, audited without any of the key in the detail. */
	assert_int_equal(one(f, &stmt_c_key_audit, (const struct db_param[]){DBP_END}), audits + 1);

	const char *s = buf_cstr(&jwt);
	const char *dot1 = strchr(s, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	assert_non_null(dot2);
	assert_null(strchr(dot2 + 1, '.'));
	json_t *header = json_part(s, (size_t)(dot1 - s));
	json_t *claims = json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	assert_string_equal(json_string_value(json_object_get(header, "alg")), "EdDSA");
	const char *kid = json_string_value(json_object_get(header, "kid"));
	assert_non_null(kid);
	assert_memory_equal(kid, BASE "/.well-known/jwks.json#", strlen(BASE "/.well-known/jwks.json#"));

	/* The key the JWK Set publishes under that kid verifies the signature. */
	json_t *set = json_loads(buf_cstr(&jwks), 0, NULL);
	assert_non_null(set);
	json_t *keys = json_object_get(set, "keys");
	assert_int_equal(json_array_size(keys), 1);
	json_t *k = json_array_get(keys, 0);
	assert_string_equal(json_string_value(json_object_get(k, "kty")), "OKP");
	assert_string_equal(json_string_value(json_object_get(k, "crv")), "Ed25519");
	assert_string_equal(json_string_value(json_object_get(k, "kid")), kid);
	assert_null(json_object_get(k, "d"));
	const char *x = json_string_value(json_object_get(k, "x"));
	size_t pklen, siglen;
	unsigned char *pk = unb64(x, strlen(x), &pklen);
	unsigned char *sig = unb64(dot2 + 1, strlen(dot2 + 1), &siglen);
	assert_int_equal(pklen, crypto_sign_PUBLICKEYBYTES);
	assert_int_equal(siglen, crypto_sign_BYTES);
	assert_int_equal(crypto_sign_verify_detached(sig, (const unsigned char *)s, (size_t)(dot2 - s), pk), 0);
	/* One changed byte of the payload and it no longer verifies. */
	char *forged = strdup(s);
	forged[(dot1 - s) + 5] ^= 1;
	assert_int_not_equal(crypto_sign_verify_detached(sig, (const unsigned char *)forged,
	                                                 (size_t)(dot2 - s), pk),
	                     0);
	free(forged);

	/* The claims: OB 3.0 credential members and the JWT's registered claims. */
	char code[CREDENTIAL_CODE_LEN + 4];
	credential_code_display(c.code, code);
	char *id = NULL;
	assert_true(asprintf(&id, BASE "/verify/%s", code) > 0);
	assert_string_equal(json_string_value(json_object_get(claims, "iss")), BASE "/issuer");
	assert_string_equal(json_string_value(json_object_get(claims, "jti")), id);
	assert_string_equal(json_string_value(json_object_get(claims, "id")), id);
	assert_int_equal(json_integer_value(json_object_get(claims, "nbf")), c.issued_at);
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	assert_non_null(sub);
	assert_memory_equal(sub, "urn:uuid:", 9);
	assert_string_equal(json_string_value(json_object_get(json_object_get(claims, "issuer"), "id")),
	                    BASE "/issuer");
	assert_string_equal(json_string_value(json_array_get(json_object_get(claims, "type"), 1)),
	                    "OpenBadgeCredential");
	json_t *subject = json_object_get(claims, "credentialSubject");
	assert_string_equal(json_string_value(json_object_get(subject, "id")), sub);
	assert_string_equal(json_string_value(json_array_get(json_object_get(subject, "type"), 0)),
	                    "AchievementSubject");
	json_t *ach = json_object_get(subject, "achievement");
	assert_string_equal(json_string_value(json_object_get(ach, "name")),
	                    "Mediawijsheid voor volwassenen");
	assert_string_equal(json_string_value(json_array_get(json_object_get(ach, "type"), 0)),
	                    "Achievement");
	assert_true(json_real_value(json_object_get(subject, "creditsEarned")) == 1.5);
	assert_string_equal(json_string_value(json_object_get(claims, "validFrom")),
	                    "2026-11-18T11:06:40Z");
	/* The same person has the same subject id on every badge. */
	struct credential d;
	assert_int_equal(credential_get(&f->ctx, f->diploma, &d), 0);
	buf_clear(&jwt);
	assert_int_equal(credential_badge_jwt(&f->ctx, &d, &jwt), 0);
	const char *s2 = buf_cstr(&jwt);
	const char *e1 = strchr(s2, '.'), *e2 = strchr(e1 + 1, '.');
	json_t *claims2 = json_part(e1 + 1, (size_t)(e2 - e1 - 1));
	assert_string_equal(json_string_value(json_object_get(claims2, "sub")), sub);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(json_object_get(claims2, "credentialSubject"), "achievement"),
	                        "achievementType")),
	                    "Diploma");
	json_decref(claims2);
	free(id);
	free(pk);
	free(sig);
	json_decref(set);
	json_decref(header);
	json_decref(claims);
	buf_fini(&jwt);
	buf_fini(&jwks);
}

/* With a secret_key_file the signing key is stored sealed: the badge still
 * verifies, another key or none cannot open it, and a key stored before
 * the file was set stays usable. */
static void signing_key_sealed_at_rest(void **state)
{
	struct fixture *f = *state;
	issue_both(f);
	struct credential c;
	assert_int_equal(credential_get(&f->ctx, f->cert, &c), 0);
	unsigned char key[SEAL_KEY_LEN], other[SEAL_KEY_LEN];
	randombytes_buf(key, sizeof key);
	randombytes_buf(other, sizeof other);
	struct buf jwt;
	buf_init(&jwt, NULL, 0);
	/* Made before there was a key: stored as it is, and still used after. */
	assert_int_equal(credential_badge_jwt(&f->ctx, &c, &jwt), 0);
	seal_key_set(key);
	assert_int_equal(credential_badge_jwt(&f->ctx, &c, &jwt), 0);
	assert_int_equal(db_exec(f->db, &stmt_c_r1, (const struct db_param[]){DBP_END}, NULL), 0);
	buf_clear(&jwt);
	assert_int_equal(credential_badge_jwt(&f->ctx, &c, &jwt), 0);
	unsigned char *pk, *stored;
	size_t pk_len, stored_len;
	assert_int_equal(db_query_row(f->db, &stmt_c_key_stored, (const struct db_param[]){DBP_END},
	                              (const struct db_col[]){DBC_BLOB(&pk, &pk_len), DBC_BLOB(&stored, &stored_len),
	                                                      DBC_END},
	                              f->arena),
	                 0);
	assert_int_equal(stored_len, SEALED_LEN(crypto_sign_SECRETKEYBYTES));
	assert_int_equal(stored[0], 1);
	/* The stored bytes do not hold the secret half as it is: libsodium's
	 * secret key ends with the public key, which must not show. */
	assert_null(memmem(stored, stored_len, pk, pk_len));
	const char *s = buf_cstr(&jwt), *dot2 = strrchr(s, '.');
	size_t siglen;
	unsigned char *sig = unb64(dot2 + 1, strlen(dot2 + 1), &siglen);
	assert_int_equal(crypto_sign_verify_detached(sig, (const unsigned char *)s, (size_t)(dot2 - s), pk), 0);
	free(sig);

	seal_key_set(other);
	buf_clear(&jwt);
	assert_int_equal(credential_badge_jwt(&f->ctx, &c, &jwt), CAMPUS_EINTERNAL);
	seal_key_set(NULL);
	assert_int_equal(credential_badge_jwt(&f->ctx, &c, &jwt), CAMPUS_EINTERNAL);
	assert_int_equal(one(f, &stmt_c_keys, (const struct db_param[]){DBP_END}), 1); /* none made instead */
	seal_key_set(key);
	assert_int_equal(credential_badge_jwt(&f->ctx, &c, &jwt), 0);
	seal_key_set(NULL);
	buf_fini(&jwt);
}

static void dutch_wording(void **state)
{
	(void)state;
	char out[32];
	credential_points_text(10, out);
	assert_string_equal(out, "1 punt");
	credential_points_text(15, out);
	assert_string_equal(out, "1,5 punt");
	credential_points_text(20, out);
	assert_string_equal(out, "2 punten");
	credential_points_text(120, out);
	assert_string_equal(out, "12 punten");
	/* The date as certificates write it (core/when.h). */
	struct arena *a = arena_new(0);
	assert_string_equal(when_text(a, 1796300000, "nl", WHEN_LONG_DATE), /* 2026-12-03 12:13 UTC */
	                    "3 december 2026");
	assert_string_equal(when_text(a, 1798758000, "nl", WHEN_LONG_DATE), /* 23:00 UTC: 1 January here */
	                    "1 januari 2027");
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(certificate_pdf, setup, teardown),
	    cmocka_unit_test_setup_teardown(diploma_and_revoked_pdf, setup, teardown),
	    cmocka_unit_test_setup_teardown(badge_verifies_with_published_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(signing_key_sealed_at_rest, setup, teardown),
	    cmocka_unit_test(dutch_wording),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
