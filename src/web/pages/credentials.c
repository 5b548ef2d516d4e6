/* Certificates and diplomas: the holder's list, PDF and Open Badges
 * download; the public verification page (validity, holder, title, points,
 * date, issuer: nothing more); the issuer's profile and keys; revocation by
 * a campus administrator (from the verification page). */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/credential.h"
#include "domain/credential_doc.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "http/req.h"
#include "web/web.h"

#define PDF_MAX (8u << 20)

static const char *kind_label(struct req *r, const struct credential *c)
{
	return req_tr(r, c->kind == CREDENTIAL_DIPLOMA ? "Diploma" : "Certificaat");
}

static json_t *credential_json(struct req *r, const struct credential *c)
{
	char code[CREDENTIAL_CODE_LEN + 4];
	credential_code_display(c->code, code);
	/* In the reader's language ("3 december 2026", "3 December 2026"); the
	 * document itself is Dutch; "" for 0. */
	const char *pts = tenths_text(r, c->points_tenths);
	const char *achieved = req_when(r, c->achieved_at, WHEN_LONG_DATE);
	const char *revoked = req_when(r, c->revoked_at, WHEN_LONG_DATE);
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "id",
	                      (json_int_t)c->id, "kind", kind_label(r, c), "code", code, "title",
	                      c->title, "holder", c->holder_name, "points", pts, "achieved", achieved,
	                      "revoked", c->revoked_at != 0, "revoked_on", revoked, "provider",
	                      c->provider_name ? c->provider_name : "");
	if (c->org_name)
		json_object_set_new(j, "org_name", json_string(c->org_name));
	return j;
}

int page_my_credentials(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct credential *list;
	size_t n;
	int rc = credential_list(&ctx, r->actor.person_id, &list, &n);
	if (rc)
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, credential_json(r, &list[i]));
	json_t *data = json_pack("{s:o, s:b, s:[{s:s, s:s}]}", "credentials", items, "nothing", n == 0,
	                         "breadcrumb", "href", "/mijn", "label", req_tr(r, "Mijn Campus"));
	return reply_page(r, 200, "mijn-certificaten", data);
}

/* The actor's own credential of the path: another person's is not found,
 * whoever asks (managers have the dossier for that). */
static int own_credential(struct req *r, const char *idtext, struct credential *c)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t id;
	if (!idtext || !str_to_int64(idtext, strlen(idtext), &id) || id <= 0)
		return CAMPUS_ENOTFOUND;
	int rc = credential_get(&ctx, id, c);
	if (!rc && c->person_id != r->actor.person_id)
		rc = CAMPUS_ENOTFOUND;
	return rc;
}

static int not_yours(struct req *r)
{
	return reply_error(r, CAMPUS_ENOTFOUND,
	                   req_tr(r, "Dit certificaat of diploma bestaat niet of is niet van jou."));
}

int page_my_credential_pdf(struct req *r)
{
	/* The segment is "<id>.pdf". */
	const char *file = req_param(r, "file");
	size_t len = file ? strlen(file) : 0;
	if (len < 5 || strcmp(file + len - 4, ".pdf") != 0)
		return CAMPUS_ENOTFOUND;
	char *id = arena_strdup(r->arena, file);
	if (!id)
		return CAMPUS_ENOMEM;
	id[len - 4] = '\0';
	struct credential c;
	int rc = own_credential(r, id, &c);
	if (rc == CAMPUS_ENOTFOUND)
		return not_yours(r);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct buf pdf;
	buf_init(&pdf, r->arena, PDF_MAX);
	if ((rc = credential_pdf(&ctx, &c, &pdf)))
		return rc;
	char code[CREDENTIAL_CODE_LEN + 4];
	credential_code_display(c.code, code);
	req_add_header(r, "Content-Disposition",
	               arena_printf(r->arena, "attachment; filename=\"%s-%s.pdf\"",
	                            c.kind == CREDENTIAL_DIPLOMA ? "diploma" : "certificaat", code));
	return reply_text(r, 200, "application/pdf", pdf.data, pdf.len);
}

int page_my_credential_badge(struct req *r)
{
	struct credential c;
	int rc = own_credential(r, req_param(r, "id"), &c);
	if (rc == CAMPUS_ENOTFOUND)
		return not_yours(r);
	if (rc)
		return rc;
	if (c.revoked_at)
		return reply_error(r, CAMPUS_ENOTFOUND,
		                   req_tr(r, "Dit is ingetrokken; er is geen badge meer van."));
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct buf jwt;
	buf_init(&jwt, r->arena, 64 * 1024);
	if ((rc = credential_badge_jwt(&ctx, &c, &jwt)))
		return rc;
	char code[CREDENTIAL_CODE_LEN + 4];
	credential_code_display(c.code, code);
	req_add_header(r, "Content-Disposition",
	               arena_printf(r->arena, "attachment; filename=\"badge-%s.jwt\"", code));
	return reply_text(r, 200, "application/jwt", jwt.data, jwt.len);
}

static json_t *verify_base(struct req *r)
{
	return json_pack("{s:s, s:[{s:s, s:s}]}", "base_url", mail_base_url(), "breadcrumb", "href",
	                 "/", "label", req_tr(r, "Campus"));
}

static int render_verify(struct req *r, const char *code, const char *error, unsigned status)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	json_t *data = verify_base(r);
	if (code && *code) {
		json_object_set_new(data, "asked", json_string(code));
		struct credential c;
		int rc = credential_by_code(&ctx, code, &c);
		if (rc == CAMPUS_ENOTFOUND) {
			json_object_set_new(data, "unknown", json_true());
			status = 404;
		} else if (rc) {
			json_decref(data);
			return rc;
		} else {
			/* Only what a reader needs to trust it: no e-mail, no membership. */
			json_object_set_new(data, "credential", credential_json(r, &c));
			if (r->actor.roles & ROLE_CAMPUS_ADMIN && !c.revoked_at)
				json_object_set_new(data, "revoke",
				                    json_pack("{s:I, s:s}", "id", (json_int_t)c.id, "reason",
				                              req_form(r, "reden") ? req_form(r, "reden") : ""));
		}
	}
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "verificatie", data);
}

int page_verify_form(struct req *r)
{
	const char *code = req_query(r, "code");
	return render_verify(r, code, NULL, 200);
}

int page_verify(struct req *r)
{
	const char *code = req_param(r, "code");
	if (!code)
		return CAMPUS_ENOTFOUND;
	return render_verify(r, code, NULL, 200);
}

int page_issuer(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct buf out;
	buf_init(&out, r->arena, 64 * 1024);
	int rc = credential_issuer_profile(&ctx, &out);
	if (rc)
		return rc;
	return reply_text(r, 200, "application/json", out.data, out.len);
}

int page_jwks(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct buf out;
	buf_init(&out, r->arena, 256 * 1024);
	int rc = credential_issuer_jwks(&ctx, &out);
	if (rc)
		return rc;
	return reply_text(r, 200, "application/jwk-set+json", out.data, out.len);
}

int page_admin_credential_revoke(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t id;
	const char *idtext = req_param(r, "id");
	if (!idtext || !str_to_int64(idtext, strlen(idtext), &id) || id <= 0)
		return CAMPUS_ENOTFOUND;
	/* The code first: the page to come back to, and an unknown id is a 404. */
	struct credential c;
	int rc = credential_get(&ctx, id, &c);
	if (rc)
		return rc;
	const char *why = NULL;
	const char *reason = req_form(r, "reden");
	rc = credential_revoke(&ctx, id, reason ? reason : "", &why);
	char code[CREDENTIAL_CODE_LEN + 4];
	credential_code_display(c.code, code);
	if (rc == CAMPUS_EINVAL || rc == CAMPUS_ECONFLICT)
		return render_verify(r, code, req_tr(r, why), rc == CAMPUS_EINVAL ? 400 : 409);
	if (rc)
		return rc;
	return reply_redirect(r, arena_printf(r->arena, "/verify/%s", code));
}
