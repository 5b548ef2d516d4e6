/* Two-step log-in: the code page after the password (/inloggen/code) and
 * setting it up or switching it off (/mijn/tweestaps). */
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/err.h"
#include "domain/auth.h"
#include "domain/people.h"
#include "domain/totp.h"
#include "http/req.h"
#include "view/qr.h"
#include "web/web.h"

/* A local path to come back to after the log-in, or NULL. */
static const char *back_path(struct req *r)
{
	const char *back = req_form(r, "terug");
	if (!back)
		back = req_query(r, "terug");
	return back && back[0] == '/' && back[1] != '/' && back[1] != '\\' ? back : NULL;
}

const char *second_factor_location(struct req *r, int state, const char *back)
{
	if (state == SF_ENROL)
		return "/mijn/tweestaps";
	if (!back || back[0] != '/')
		return "/inloggen/code";
	struct buf to;
	buf_init(&to, r->arena, 4096);
	buf_puts(&to, "/inloggen/code?terug=");
	buf_url_encode(&to, back, strlen(back));
	return to.overflow ? "/inloggen/code" : buf_cstr(&to);
}

/* ---- /inloggen/code ---------------------------------------------------------------- */

static int code_page(struct req *r, unsigned status, const char *error)
{
	json_t *data = json_object();
	const char *back = back_path(r);
	if (back)
		json_object_set_new(data, "terug", json_string(back));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "inloggen-code", data);
}

/* Where someone who is not waiting for a code belongs. */
static const char *not_waiting(struct req *r)
{
	if (r->second_factor == SF_ENROL)
		return "/mijn/tweestaps";
	return r->actor.person_id ? "/mijn" : "/inloggen";
}

int page_login_code_form(struct req *r)
{
	if (r->second_factor != SF_CODE || !r->actor.person_id)
		return reply_redirect(r, not_waiting(r));
	return code_page(r, 200, NULL);
}

int page_login_code(struct req *r)
{
	if (r->second_factor != SF_CODE || !r->actor.person_id)
		return reply_redirect(r, not_waiting(r));
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct auth_session s;
	const char *why = NULL;
	/* The second form of the page: a recovery code instead of the app's. */
	const char *recovery = req_form(r, "herstelcode");
	int rc = recovery ? totp_login_recover(&ctx, r->session_token, recovery, &why, &s)
	                  : totp_login_verify(&ctx, r->session_token, req_form(r, "code"), &why, &s);
	if (rc == CAMPUS_EINVAL || rc == CAMPUS_EUNAUTH || rc == CAMPUS_EBUSY) {
		r->error = rc;
		return code_page(r, rc == CAMPUS_EBUSY ? 429 : 400, req_tr(r, why));
	}
	if (rc == CAMPUS_ECONFLICT)
		return reply_redirect(r, "/mijn");
	if (rc)
		return rc;
	rc = req_session_start(r, s.token, s.csrf_token);
	if (rc)
		return rc;
	const char *back = back_path(r);
	return reply_redirect(r, back ? back : "/mijn");
}

/* ---- /mijn/tweestaps ----------------------------------------------------------------- */

static int totp_page(struct req *r, unsigned status, const char *error)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct person p;
	bool required = false;
	int rc = person_get(&ctx, r->actor.person_id, &p);
	if (!rc)
		rc = totp_required(&ctx, r->actor.person_id, &required);
	if (rc)
		return rc;
	json_t *data = json_pack("{s:b, s:b, s:b, s:[{s:s, s:s}, {s:s, s:s}]}", "enabled",
	                         p.totp_enabled, "required", required, "forced",
	                         r->second_factor == SF_ENROL, "breadcrumb", "href", "/", "label",
	                         req_tr(r, "Startpagina"), "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"));
	if (r->second_factor == SF_ENROL)
		json_object_del(data, "breadcrumb");
	if (error)
		json_object_set_new(data, "error", json_string(error));
	if (p.totp_enabled) {
		int64_t left = 0;
		rc = totp_recovery_left(&ctx, r->actor.person_id, &left);
		if (rc) {
			json_decref(data);
			return rc;
		}
		json_object_set_new(data, "recovery_left", json_integer((json_int_t)left));
	}
	if (!p.totp_enabled) {
		struct totp_enrolment e;
		rc = totp_enrol_begin(&ctx, r->session_token, &e);
		if (rc) {
			json_decref(data);
			return rc;
		}
		/* The secret in groups of four, easier to type over. */
		struct buf grouped;
		buf_init(&grouped, r->arena, 64);
		for (size_t i = 0; e.secret_b32[i]; i++) {
			if (i && i % 4 == 0)
				buf_putc(&grouped, ' ');
			buf_putc(&grouped, e.secret_b32[i]);
		}
		struct buf svg;
		buf_init(&svg, r->arena, 64 * 1024);
		rc = qr_svg(e.uri, req_tr(r, "QR-code om Campus aan uw app toe te voegen"), &svg);
		if (rc) {
			json_decref(data);
			return rc;
		}
		json_object_set_new(data, "secret", json_string(buf_cstr(&grouped)));
		json_object_set_new(data, "qr", json_string(buf_cstr(&svg)));
	}
	return reply_page(r, status, "tweestaps", data);
}

/* The recovery codes, shown once (the reply is no-store, like every page). */
static int codes_page(struct req *r, struct totp_recovery *codes, bool enabled_now)
{
	json_t *list = json_array();
	for (int i = 0; i < TOTP_RECOVERY_CODES; i++)
		json_array_append_new(list, json_string(codes->codes[i]));
	sodium_memzero(codes, sizeof *codes);
	json_t *data = json_pack("{s:o, s:b, s:[{s:s, s:s}, {s:s, s:s}]}", "codes", list, "enabled_now",
	                         enabled_now, "breadcrumb", "href", "/", "label",
	                         req_tr(r, "Startpagina"), "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"));
	return reply_page(r, 200, "herstelcodes", data);
}

int page_totp(struct req *r)
{
	if (r->second_factor == SF_CODE)
		return reply_redirect(r, "/inloggen/code");
	return totp_page(r, 200, NULL);
}

int page_totp_confirm(struct req *r)
{
	if (r->second_factor == SF_CODE)
		return reply_redirect(r, "/inloggen/code");
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why = NULL;
	struct totp_recovery codes;
	int rc = totp_enrol_confirm(&ctx, r->session_token, req_form(r, "code"), &why, &codes);
	if (why) {
		r->error = rc;
		return totp_page(r, rc == CAMPUS_ECONFLICT ? 409 : 400, req_tr(r, why));
	}
	if (rc)
		return rc;
	return codes_page(r, &codes, true);
}

int page_totp_recovery(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why = NULL;
	struct totp_recovery codes;
	int rc = totp_recovery_regenerate(&ctx, req_form(r, "code"), &why, &codes);
	if (why) {
		r->error = rc;
		return totp_page(r, rc == CAMPUS_EBUSY ? 429 : 400, req_tr(r, why));
	}
	if (rc)
		return rc;
	return codes_page(r, &codes, false);
}

int page_totp_disable(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why = NULL;
	int rc = totp_disable(&ctx, req_form(r, "code"), &why);
	if (why) {
		r->error = rc;
		return totp_page(r, rc == CAMPUS_EFORBIDDEN ? 403 : rc == CAMPUS_EBUSY ? 429 : 400,
		                 req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "tweestaps_uit");
	return reply_redirect(r, "/mijn");
}
