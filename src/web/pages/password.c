/* Forgotten password and invitations: the pages behind the one-time links
 * that Campus e-mails (domain: src/domain/links.c). */
#include <string.h>

#include "core/err.h"
#include "domain/auth.h"
#include "domain/people.h"
#include "domain/totp.h"
#include "http/req.h"
#include "web/web.h"

/* ---- /wachtwoord-vergeten ---- */

static json_t *forgot_data(struct req *r, const char *email, const char *error)
{
	json_t *data = json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "breadcrumb", "href", "/", "label",
	                         req_tr(r, "Startpagina"), "href", "/inloggen", "label",
	                         req_tr(r, "Inloggen"));
	if (email)
		json_object_set_new(data, "email", json_string(email));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return data;
}

int page_forgot_form(struct req *r)
{
	return reply_page(r, 200, "wachtwoord-vergeten", forgot_data(r, NULL, NULL));
}

int page_forgot(struct req *r)
{
	const char *email = req_form(r, "email");
	struct ctx ctx;
	req_ctx(r, &ctx);
	int rc = email && *email ? auth_reset_request(&ctx, email) : CAMPUS_EINVAL;
	if (rc == CAMPUS_EINVAL) {
		r->error = rc;
		return reply_page(r, 400, "wachtwoord-vergeten",
		                  forgot_data(r, email, req_tr(r, "Vul uw e-mailadres in, bijvoorbeeld naam@bibliotheek.nl.")));
	}
	if (rc == CAMPUS_EBUSY) {
		r->error = rc;
		return reply_page(r, 429, "wachtwoord-vergeten",
		                  forgot_data(r, email, req_tr(r, "Voor dit e-mailadres is net al een link aangevraagd. Kijk in uw e-mail (ook bij ongewenste e-mail), of probeer het over een kwartier opnieuw.")));
	}
	if (rc)
		return rc;
	/* The same answer whether or not the address has an account. */
	json_t *data = forgot_data(r, NULL, NULL);
	json_object_set_new(data, "sent", json_true());
	return reply_page(r, 200, "wachtwoord-vergeten", data);
}

/* ---- /wachtwoord-herstellen/:token and /uitnodiging/:token ---- */

struct link_page {
	const char *purpose;  /* "reset", "invite" */
	const char *template; /* the form */
	const char *path;     /* "/wachtwoord-herstellen/" */
};

static const struct link_page reset_page = {"reset", "wachtwoord-herstellen", "/wachtwoord-herstellen/"};
static const struct link_page invite_page = {"invite", "uitnodiging", "/uitnodiging/"};

/* The page for a link that cannot be used: 400 unknown, 410 expired or used. */
static int link_refused(struct req *r, const struct link_page *lp, int state)
{
	bool invite = !strcmp(lp->purpose, "invite");
	const char *msg =
	    state == AUTH_LINK_EXPIRED
	        ? (invite ? N_("Deze uitnodiging is verlopen: een uitnodiging is 14 dagen geldig. Vraag uw bibliotheek om een nieuwe.")
	                  : N_("Deze link is verlopen: een link om uw wachtwoord te herstellen is een uur geldig. Vraag hieronder een nieuwe aan."))
	    : state == AUTH_LINK_USED
	        ? (invite ? N_("Deze uitnodiging is al gebruikt. U kunt inloggen met het wachtwoord dat u toen koos.")
	                  : N_("Deze link is al gebruikt: een link werkt maar één keer. Vraag hieronder een nieuwe aan als dat nodig is."))
	        : N_("Deze link kennen wij niet. Kijk of u de hele link uit de e-mail heeft overgenomen.");
	r->error = CAMPUS_ENOTFOUND;
	json_t *data = json_pack("{s:s, s:b}", "message", req_tr(r, msg), "invite", invite);
	return reply_page(r, state == AUTH_LINK_UNKNOWN ? 400 : 410, "link-ongeldig", data);
}

static json_t *link_form_data(const struct link_page *lp, const char *token,
                              const struct auth_link *link, const char *name, const char *error)
{
	json_t *data = json_pack("{s:s, s:s, s:s}", "action", lp->path, "token", token, "email",
	                         link->email ? link->email : "");
	json_object_set_new(data, "name", json_string(name ? name : link->name ? link->name : ""));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return data;
}

static int link_form(struct req *r, const struct link_page *lp)
{
	const char *token = req_param(r, "token");
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct auth_link link;
	int state;
	int rc = auth_link_check(&ctx, token, lp->purpose, &state, &link);
	if (rc)
		return rc;
	if (state != AUTH_LINK_OK)
		return link_refused(r, lp, state);
	return reply_page(r, 200, lp->template, link_form_data(lp, token, &link, NULL, NULL));
}

static int link_post(struct req *r, const struct link_page *lp)
{
	const char *token = req_param(r, "token");
	const char *fresh = req_form(r, "nieuw");
	const char *again = req_form(r, "herhaling");
	const char *name = strcmp(lp->purpose, "invite") == 0 ? req_form(r, "naam") : NULL;
	if (!strcmp(lp->purpose, "invite") && !name)
		name = "";
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct auth_link link;
	int state;
	int rc = auth_link_check(&ctx, token, lp->purpose, &state, &link);
	if (rc)
		return rc;
	if (state != AUTH_LINK_OK)
		return link_refused(r, lp, state);
	const char *why = NULL;
	struct auth_session s;
	if (!fresh || !again || strcmp(fresh, again) != 0) {
		why = N_("De twee wachtwoorden zijn niet gelijk.");
		rc = CAMPUS_EINVAL;
	} else {
		rc = auth_link_redeem(&ctx, token, lp->purpose, fresh, name, &why, &state, &s);
	}
	if (rc == CAMPUS_ENOTFOUND && !why)
		return link_refused(r, lp, state);
	if (rc == CAMPUS_EINVAL && why) {
		r->error = rc;
		return reply_page(r, 400, lp->template,
		                  link_form_data(lp, token, &link, name, req_tr(r, why)));
	}
	if (rc)
		return rc;
	rc = req_session_start(r, s.token, s.csrf_token);
	if (rc)
		return rc;
	if (i18n_lang_from_code(link.lang) >= 0)
		req_set_cookie(r, "taal", link.lang, 365L * 24 * 3600);
	if (s.second_factor) /* two-step log-in still applies */
		return reply_redirect(r, s.second_factor == SF_ENROL ? "/mijn/tweestaps" : "/inloggen/code");
	req_flash(r, strcmp(lp->purpose, "invite") == 0 ? "welkom" : "wachtwoord");
	return reply_redirect(r, "/mijn");
}

int page_reset_form(struct req *r) { return link_form(r, &reset_page); }
int page_reset(struct req *r) { return link_post(r, &reset_page); }
int page_invite_form(struct req *r) { return link_form(r, &invite_page); }
int page_invite(struct req *r) { return link_post(r, &invite_page); }
