/* Log-in and log-out. */
#include <string.h>

#include "core/err.h"
#include "domain/auth.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"

static json_t *login_page_data(struct req *r, const char *email, const char *error)
{
	json_t *data = json_object();
	const char *back = req_query(r, "terug");
	if (!back)
		back = req_form(r, "terug");
	if (back && back[0] == '/')
		json_object_set_new(data, "terug", json_string(back));
	if (email)
		json_object_set_new(data, "email", json_string(email));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return data;
}

int page_login_form(struct req *r)
{
	if (r->actor.person_id)
		return reply_redirect(r, "/mijn");
	return reply_page(r, 200, "inloggen", login_page_data(r, NULL, NULL));
}

int page_login(struct req *r)
{
	const char *email = req_form(r, "email");
	const char *password = req_form(r, "wachtwoord");
	if (!email || !password || !*email || !*password)
		return reply_page(r, 400, "inloggen",
		                  login_page_data(r, email, req_tr(r, "Vul uw e-mailadres en wachtwoord in.")));
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct auth_session s;
	int rc = auth_login(&ctx, email, password, &s);
	if (rc == CAMPUS_EUNAUTH) {
		r->error = rc;
		return reply_page(r, 400, "inloggen",
		                  login_page_data(r, email, req_tr(r, "Het e-mailadres of het wachtwoord klopt niet.")));
	}
	if (rc == CAMPUS_EBUSY) {
		r->error = rc;
		return reply_page(r, 429, "inloggen",
		                  login_page_data(r, email, req_tr(r, "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.")));
	}
	if (rc)
		return rc;
	rc = req_session_start(r, s.token, s.csrf_token);
	if (rc)
		return rc;
	/* Campus speaks the language the person chose in their profile. */
	struct person p;
	ctx.actor.person_id = s.person_id;
	if (person_get(&ctx, s.person_id, &p) == 0 && i18n_lang_from_code(p.lang) >= 0)
		req_set_cookie(r, "taal", p.lang, 365L * 24 * 3600);
	const char *back = req_form(r, "terug");
	if (s.second_factor) /* two-step log-in: a code, or setting it up, comes first */
		return reply_redirect(r, second_factor_location(r, s.second_factor, back));
	return reply_redirect(r, back && back[0] == '/' ? back : "/mijn");
}

int page_logout(struct req *r)
{
	if (r->session_token) {
		struct ctx ctx;
		req_ctx(r, &ctx);
		int rc = auth_logout(&ctx, r->session_token);
		if (rc)
			return rc;
	}
	req_session_end(r);
	req_flash(r, "uitgelogd");
	return reply_redirect(r, "/");
}
