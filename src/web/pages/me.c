/* "Mijn Campus": who I am, where I work, and switching between my organisations. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/str.h"
#include "domain/auth.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"

static json_t *role_list(struct req *r, unsigned roles)
{
	json_t *list = json_array();
	for (unsigned bit = 1; bit <= ROLE_CAMPUS_ADMIN; bit <<= 1)
		if (roles & bit)
			json_array_append_new(list, json_string(req_tr(r, role_label(bit))));
	return list;
}

/* The page, with `extra` (errors, values typed) merged in; extra is stolen. */
static int render_me(struct req *r, unsigned status, json_t *extra)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct person p;
	int rc = person_get(&ctx, r->actor.person_id, &p);
	struct membership *ms = NULL;
	size_t n = 0;
	if (!rc)
		rc = person_memberships(&ctx, p.id, &ms, &n);
	if (rc) {
		json_decref(extra);
		return rc;
	}
	json_t *orgs = json_array();
	json_t *current = NULL;
	for (size_t i = 0; i < n; i++) {
		bool is_current = ms[i].org_id == r->actor.org_id;
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:b}", "id", (json_int_t)ms[i].org_id,
		                      "slug", ms[i].org_slug, "name", ms[i].org_name, "kind",
		                      req_tr(r, membership_kind_label(ms[i].kind)), "roles",
		                      role_list(r, ms[i].roles), "current", is_current);
		if (is_current) {
			current = json_deep_copy(o);
			if (ms[i].roles & ROLE_MANAGER) {
				json_object_set_new(current, "manager", json_true());
				json_object_set_new(current, "waiting",
				                    json_integer((json_int_t)manager_waiting_count(r, ms[i].org_id)));
			}
			if (ms[i].roles & ROLE_CAMPUS_ADMIN)
				json_object_set_new(current, "campus_admin", json_true());
			/* The committee's inbox: members, and administrators for the completeness check. */
			if (ms[i].roles & (ROLE_COMMITTEE | ROLE_CAMPUS_ADMIN))
				json_object_set_new(current, "committee", json_true());
			/* Providers and libraries place their own modules. */
			if ((ms[i].roles & (ROLE_MANAGER | ROLE_PROVIDER_ADMIN)) && strcmp(ms[i].org_kind, "campus"))
				json_object_set_new(current, "offering", json_true());
			/* The planning of editions: the offering's managers and the teachers. */
			if ((ms[i].roles & (ROLE_MANAGER | ROLE_PROVIDER_ADMIN | ROLE_TEACHER)) &&
			    strcmp(ms[i].org_kind, "campus"))
				json_object_set_new(current, "planning", json_true());
		}
		json_array_append_new(orgs, o);
	}
	json_t *data = json_pack("{s:s, s:s, s:o, s:b, s:[{s:s, s:s}]}", "name", p.name, "email",
	                         p.email, "orgs", orgs, "several", n > 1, "breadcrumb", "href", "/",
	                         "label", req_tr(r, "Startpagina"));
	if (current)
		json_object_set_new(data, "current", current);
	json_object_set_new(data, p.lang && !strcmp(p.lang, "en") ? "lang_en" : "lang_nl", json_true());
	json_object_set_new(data, "totp_enabled", json_boolean(p.totp_enabled));
	if (extra)
		json_object_update(data, extra);
	json_decref(extra);
	return reply_page(r, status, "mijn", data);
}

int page_me(struct req *r) { return render_me(r, 200, NULL); }

int page_profile_update(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why;
	const char *lang = req_form(r, "taal");
	int rc = person_update_profile(&ctx, req_form(r, "naam"), lang, &why);
	if (rc == CAMPUS_EINVAL && why) {
		r->error = rc;
		return render_me(r, 400, json_pack("{s:s}", "profile_error", req_tr(r, why)));
	}
	if (rc)
		return rc;
	/* The chosen language applies at once, also to this browser. */
	req_set_cookie(r, "taal", lang, 365L * 24 * 3600);
	req_flash(r, "gegevens");
	return reply_redirect(r, "/mijn");
}

int page_password_change(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *fresh = req_form(r, "nieuw");
	const char *again = req_form(r, "herhaling");
	const char *why = NULL;
	struct auth_session s;
	int rc;
	if (!fresh || !again || strcmp(fresh, again) != 0) {
		why = N_("De twee nieuwe wachtwoorden zijn niet gelijk.");
		rc = CAMPUS_EINVAL;
	} else {
		rc = auth_change_password(&ctx, r->session_token, req_form(r, "huidig"), fresh, &why, &s);
		if (rc == CAMPUS_EUNAUTH)
			why = N_("Het huidige wachtwoord klopt niet.");
	}
	if (why) {
		r->error = rc;
		return render_me(r, 400, json_pack("{s:s}", "password_error", req_tr(r, why)));
	}
	if (rc)
		return rc;
	rc = req_session_start(r, s.token, s.csrf_token);
	if (rc)
		return rc;
	req_flash(r, "wachtwoord");
	return reply_redirect(r, "/mijn");
}

int page_switch_org(struct req *r)
{
	const char *id_text = req_form(r, "org");
	int64_t org_id;
	if (!id_text || !str_to_int64(id_text, strlen(id_text), &org_id) || org_id <= 0)
		return CAMPUS_EINVAL;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct auth_session s;
	int rc = auth_switch_org(&ctx, r->session_token, org_id, &s);
	if (rc)
		return rc;
	rc = req_session_start(r, s.token, s.csrf_token);
	if (rc)
		return rc;
	req_flash(r, "organisatie");
	return reply_redirect(r, "/mijn");
}

/* ---- changing one's e-mail address: a link to the new address confirms it ---- */

int page_email_change(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *fresh = req_form(r, "nieuw_email");
	const char *why = NULL;
	int rc = auth_email_change_request(&ctx, req_form(r, "wachtwoord_email"), fresh, &why);
	if (why) {
		r->error = rc;
		return render_me(r, rc == CAMPUS_ECONFLICT ? 409 : 400,
		                 json_pack("{s:s, s:s}", "email_error", req_tr(r, why), "new_email",
		                           fresh && utf8_valid(fresh, strlen(fresh)) ? fresh : ""));
	}
	if (rc)
		return rc;
	req_flash(r, "email_link");
	return reply_redirect(r, "/mijn");
}

/* A confirmation link that cannot be used: 400 unknown, 410 expired or used. */
static int email_link_refused(struct req *r, int state)
{
	const char *msg =
	    state == AUTH_LINK_EXPIRED
	        ? N_("Deze link is verlopen: een link om uw e-mailadres te bevestigen is 24 uur geldig. Vraag op Mijn Campus een nieuwe aan.")
	    : state == AUTH_LINK_USED
	        ? N_("Deze link is al gebruikt of vervangen door een nieuwere: een link werkt maar één keer.")
	        : N_("Deze link kennen wij niet. Kijk of u de hele link uit de e-mail heeft overgenomen.");
	r->error = CAMPUS_ENOTFOUND;
	json_t *data = json_pack("{s:s, s:b}", "message", req_tr(r, msg), "email", true);
	return reply_page(r, state == AUTH_LINK_UNKNOWN ? 400 : 410, "link-ongeldig", data);
}

static json_t *email_confirm_data(const char *token, const struct auth_email_change *c)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "token", token, "old_email", c->old_email, "new_email",
	                 c->new_email, "name", c->name);
}

int page_email_confirm_form(struct req *r)
{
	const char *token = req_param(r, "token");
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct auth_email_change c;
	int state;
	int rc = auth_email_change_check(&ctx, token, &state, &c);
	if (rc)
		return rc;
	if (state != AUTH_LINK_OK)
		return email_link_refused(r, state);
	return reply_page(r, 200, "emailadres-bevestigen", email_confirm_data(token, &c));
}

int page_email_confirm(struct req *r)
{
	const char *token = req_param(r, "token");
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct auth_email_change c;
	int state;
	int rc = auth_email_change_check(&ctx, token, &state, &c);
	if (rc)
		return rc;
	if (state != AUTH_LINK_OK)
		return email_link_refused(r, state);
	/* This browser stays logged in when it is the person's own session. */
	bool own = r->actor.person_id == c.person_id && r->session_token;
	const char *why = NULL;
	struct auth_email_change done;
	rc = auth_email_change_confirm(&ctx, token, own ? r->session_token : NULL, &state, &why, &done);
	if (rc == CAMPUS_ENOTFOUND)
		return email_link_refused(r, state);
	if (rc == CAMPUS_ECONFLICT) {
		r->error = rc;
		json_t *data = email_confirm_data(token, &c);
		json_object_set_new(data, "error", json_string(req_tr(r, why)));
		return reply_page(r, 409, "emailadres-bevestigen", data);
	}
	if (rc)
		return rc;
	if (own) {
		req_flash(r, "email_gewijzigd");
		return reply_redirect(r, "/mijn");
	}
	json_t *data = email_confirm_data(token, &done);
	json_object_set_new(data, "done", json_true());
	return reply_page(r, 200, "emailadres-bevestigen", data);
}
