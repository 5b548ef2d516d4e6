/* A library's members, for its managers (and campus administrators):
 * search, filter on kind and role, paginated. */
#include <string.h>

#include "core/err.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"

#define PER_PAGE 50

static const struct {
	const char *key;
	unsigned bit;
} role_keys[] = {
    {"lerende", ROLE_LEARNER},   {"manager", ROLE_MANAGER},     {"aanbieder", ROLE_PROVIDER_ADMIN},
    {"docent", ROLE_TEACHER},    {"commissie", ROLE_COMMITTEE}, {"beheerder", ROLE_CAMPUS_ADMIN},
};

static const struct {
	const char *key;
	const char *kind;
} kind_keys[] = {{"medewerker", "employee"}, {"vrijwilliger", "volunteer"}, {"extern", "external"}};

int page_members(struct req *r)
{
	struct member_filter f = {.query = req_query(r, "q"), .limit = PER_PAGE};
	const char *kind = req_query(r, "soort");
	const char *role = req_query(r, "rol");
	unsigned page;
	if (page_param(r, &page))
		return CAMPUS_EINVAL;
	f.offset = (page - 1) * PER_PAGE;
	json_t *kinds = json_array();
	for (size_t i = 0; i < sizeof kind_keys / sizeof kind_keys[0]; i++) {
		bool sel = kind && !strcmp(kind, kind_keys[i].key);
		if (sel)
			f.kind = kind_keys[i].kind;
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:b}", "key", kind_keys[i].key, "label",
		                                       req_tr(r, membership_kind_label(kind_keys[i].kind)),
		                                       "selected", sel));
	}
	json_t *roles = json_array();
	for (size_t i = 0; i < sizeof role_keys / sizeof role_keys[0]; i++) {
		bool sel = role && !strcmp(role, role_keys[i].key);
		if (sel)
			f.role = role_keys[i].bit;
		json_array_append_new(roles, json_pack("{s:s, s:s, s:b}", "key", role_keys[i].key, "label",
		                                       req_tr(r, role_label(role_keys[i].bit)), "selected", sel));
	}
	if ((kind && *kind && !f.kind) || (role && *role && !f.role)) {
		json_decref(kinds);
		json_decref(roles);
		return CAMPUS_EINVAL;
	}
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct member_row *rows;
	size_t n;
	int64_t total;
	int rc = org_members(&ctx, r->org.id, &f, &rows, &n, &total);
	if (rc) {
		json_decref(kinds);
		json_decref(roles);
		return rc;
	}
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *rl = json_array();
		for (unsigned bit = 1; bit <= ROLE_CAMPUS_ADMIN; bit <<= 1)
			if (rows[i].roles & bit)
				json_array_append_new(rl, json_string(req_tr(r, role_label(bit))));
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:o}", "id",
		                                      (json_int_t)rows[i].person_id, "name", rows[i].name, "email",
		                                      rows[i].email, "kind",
		                                      req_tr(r, membership_kind_label(rows[i].kind)),
		                                      "roles", rl));
	}
	static const char *const keep[] = {"q", "soort", "rol", NULL};
	char path[300];
	snprintf(path, sizeof path, "/b/%s/leden", r->org.slug);
	json_t *data = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:[{s:s, s:s}]}", "org_name",
	                         r->org.name, "org_slug", r->org.slug, "members", list, "kinds", kinds,
	                         "roles", roles, "pager",
	                         pager_json(r, path, keep, page, PER_PAGE, total), "q",
	                         f.query ? f.query : "", "breadcrumb", "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"));
	return reply_page(r, 200, "leden", data);
}
