/* Campus administrators: the organisations of the sector. */
#include <string.h>

#include "core/err.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"

#define PER_PAGE 50

static const char *kind_label(const char *kind)
{
	if (!strcmp(kind, "library"))
		return N_("bibliotheek");
	if (!strcmp(kind, "poi"))
		return N_("POI");
	if (!strcmp(kind, "provider"))
		return N_("opleidingsaanbieder");
	return N_("campusorganisatie");
}

int page_admin_people(struct req *r)
{
	unsigned page;
	if (page_param(r, &page))
		return CAMPUS_EINVAL;
	const char *q = req_query(r, "q");
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct person_row *rows;
	size_t n;
	int64_t total;
	int rc = person_search(&ctx, q, (page - 1) * PER_PAGE, PER_PAGE, &rows, &n, &total);
	bool too_short = rc == CAMPUS_EINVAL && q && strlen(q) < 4 * PERSON_QUERY_MIN;
	if (too_short) {
		/* Not an error: a hint, and the list without a filter. */
		rc = person_search(&ctx, NULL, (page - 1) * PER_PAGE, PER_PAGE, &rows, &n, &total);
	}
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "name", rows[i].name, "email",
		                                      rows[i].email, "memberships",
		                                      (json_int_t)rows[i].memberships));
	static const char *const keep[] = {"q", NULL};
	json_t *data = json_pack("{s:o, s:o, s:s, s:[{s:s, s:s}]}", "people", list, "pager",
	                         pager_json(r, "/beheer/personen", keep, page, PER_PAGE, total), "q",
	                         q ? q : "", "breadcrumb", "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"));
	if (too_short)
		json_object_set_new(data, "too_short", json_true());
	return reply_page(r, 200, "beheer-personen", data);
}

int page_admin_orgs(struct req *r)
{
	unsigned page;
	if (page_param(r, &page))
		return CAMPUS_EINVAL;
	const char *q = req_query(r, "q");
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct org *rows;
	size_t n;
	int64_t total;
	int rc = org_search(&ctx, q, (page - 1) * PER_PAGE, PER_PAGE, &rows, &n, &total);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "slug", rows[i].slug,
		                                      "name", rows[i].name, "kind",
		                                      req_tr(r, kind_label(rows[i].kind)), "place",
		                                      rows[i].place, "province", rows[i].province,
		                                      "library", strcmp(rows[i].kind, "campus") != 0));
	static const char *const keep[] = {"q", NULL};
	json_t *data = json_pack("{s:o, s:o, s:s, s:[{s:s, s:s}]}", "orgs", list, "pager",
	                         pager_json(r, "/beheer/organisaties", keep, page, PER_PAGE, total), "q",
	                         q ? q : "", "breadcrumb", "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"));
	return reply_page(r, 200, "beheer-organisaties", data);
}
