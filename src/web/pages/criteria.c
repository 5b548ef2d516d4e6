/* The review committee's criteria: published for everyone at
 * /toetsingscriteria, kept by campus administrators at
 * /beheer/toetsingscriteria (add, change, retire, restore). */
#include <string.h>

#include "core/err.h"
#include "core/str.h"
#include "domain/review.h"
#include "http/req.h"
#include "web/web.h"

static int criteria_json(struct req *r, bool with_retired, json_t **out)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct review_criterion_row *rows;
	size_t n;
	int rc = review_criteria_all(&ctx, &rows, &n);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		if (with_retired || !rows[i].retired)
			json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:b}", "id",
			                                      (json_int_t)rows[i].id, "name", rows[i].name,
			                                      "description", rows[i].description, "retired",
			                                      rows[i].retired));
	*out = list;
	return 0;
}

int page_criteria(struct req *r)
{
	json_t *list;
	int rc = criteria_json(r, false, &list);
	if (rc)
		return rc;
	return reply_page(r, 200, "toetsingscriteria",
	                  json_pack("{s:o, s:[{s:s, s:s}]}", "criteria", list, "breadcrumb", "href",
	                            "/register", "label", req_tr(r, "Register van erkende modules")));
}

static int render_admin(struct req *r, unsigned status, const char *error)
{
	json_t *list;
	int rc = criteria_json(r, true, &list);
	if (rc)
		return rc;
	json_t *data = json_pack("{s:o, s:[{s:s, s:s}]}", "criteria", list, "breadcrumb", "href",
	                         "/mijn", "label", req_tr(r, "Mijn Campus"));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "beheer-toetsingscriteria", data);
}

int page_admin_criteria(struct req *r)
{
	if (r->method != HTTP_POST)
		return render_admin(r, 200, NULL);
	const char *action = req_form(r, "actie");
	const char *id_text = req_form(r, "id");
	int64_t id = 0;
	if (!action || (id_text && *id_text && (!str_to_int64(id_text, strlen(id_text), &id) || id <= 0)))
		return CAMPUS_EINVAL;
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why = NULL;
	int rc;
	if (!strcmp(action, "toevoegen"))
		rc = review_criterion_add(&ctx, req_form(r, "naam"), req_form(r, "beschrijving"), &id, &why);
	else if (!strcmp(action, "wijzigen"))
		rc = review_criterion_update(&ctx, id, req_form(r, "naam"), req_form(r, "beschrijving"), &why);
	else if (!strcmp(action, "intrekken") || !strcmp(action, "terugzetten"))
		rc = review_criterion_retire(&ctx, id, !strcmp(action, "intrekken"), &why);
	else
		return CAMPUS_EINVAL;
	if (why) {
		r->error = rc;
		return render_admin(r, rc == CAMPUS_ECONFLICT ? 409 : rc == CAMPUS_EFORBIDDEN ? 403 : 400,
		                    req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "criteria");
	return reply_redirect(r, "/beheer/toetsingscriteria");
}
