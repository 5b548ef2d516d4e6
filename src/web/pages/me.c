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

int page_me(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct person p;
	int rc = person_get(&ctx, r->actor.person_id, &p);
	struct membership *ms = NULL;
	size_t n = 0;
	if (!rc)
		rc = person_memberships(&ctx, p.id, &ms, &n);
	if (rc)
		return rc;
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
			if (ms[i].roles & ROLE_MANAGER)
				json_object_set_new(current, "manager", json_true());
			if (ms[i].roles & ROLE_CAMPUS_ADMIN)
				json_object_set_new(current, "campus_admin", json_true());
		}
		json_array_append_new(orgs, o);
	}
	json_t *data = json_pack("{s:s, s:s, s:o, s:b, s:[{s:s, s:s}]}", "name", p.name, "email",
	                         p.email, "orgs", orgs, "several", n > 1, "breadcrumb", "href", "/",
	                         "label", req_tr(r, "Startpagina"));
	if (current)
		json_object_set_new(data, "current", current);
	return reply_page(r, 200, "mijn", data);
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
