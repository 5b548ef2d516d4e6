/* Campus administrators: the organisations and people of the sector, and
 * resetting a person's two-step log-in. */
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "domain/people.h"
#include "domain/totp.h"
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
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:I, s:b}", "id", (json_int_t)rows[i].id,
		                                      "name", rows[i].name, "email", rows[i].email,
		                                      "memberships", (json_int_t)rows[i].memberships,
		                                      "totp", rows[i].totp_enabled));
	static const char *const keep[] = {"q", NULL};
	json_t *data = json_pack("{s:o, s:o, s:s, s:[{s:s, s:s}]}", "people", list, "pager",
	                         pager_json(r, "/beheer/personen", keep, page, PER_PAGE, total), "q",
	                         q ? q : "", "breadcrumb", "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"));
	if (too_short)
		json_object_set_new(data, "too_short", json_true());
	return reply_page(r, 200, "beheer-personen", data);
}

/* ---- /beheer/personen/:id/tweestaps: reset someone's second factor, with a reason ---- */

static int render_totp_reset(struct req *r, unsigned status, const struct person *p, const char *error)
{
	const char *reason = req_form(r, "reden");
	json_t *data = json_pack("{s:I, s:s, s:s, s:b, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "id",
	                         (json_int_t)p->id, "name", p->name, "email", p->email, "enabled",
	                         p->totp_enabled, "reason", reason ? reason : "", "breadcrumb", "href",
	                         "/mijn", "label", req_tr(r, "Mijn Campus"), "href", "/beheer/personen",
	                         "label", req_tr(r, "Personen"));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "beheer-tweestaps-herstellen", data);
}

int page_admin_totp_reset(struct req *r)
{
	const char *id_text = req_param(r, "id");
	int64_t id;
	if (!id_text || !str_to_int64(id_text, strlen(id_text), &id) || id <= 0)
		return CAMPUS_ENOTFOUND;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct person p;
	int rc = person_get(&ctx, id, &p);
	if (rc)
		return rc;
	if (r->method != HTTP_POST)
		return render_totp_reset(r, 200, &p, NULL);
	const char *why = NULL;
	rc = totp_admin_reset(&ctx, id, req_form(r, "reden"), &why);
	if (why) {
		r->error = rc;
		return render_totp_reset(r, rc == CAMPUS_EFORBIDDEN ? 403 : 400, &p, req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "tweestaps_hersteld");
	struct buf to;
	buf_init(&to, r->arena, 1024);
	buf_puts(&to, "/beheer/personen?q=");
	buf_url_encode(&to, p.email, strlen(p.email));
	return reply_redirect(r, to.overflow ? "/beheer/personen" : buf_cstr(&to));
}

static const char *const org_kinds[] = {"library", "poi", "provider", "campus"};

static int render_org_new(struct req *r, unsigned status, const char *error)
{
	const char *kind = req_form(r, "soort");
	json_t *kinds = json_array();
	for (size_t i = 0; i < sizeof org_kinds / sizeof org_kinds[0]; i++)
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:b}", "key", org_kinds[i], "label",
		                                       req_tr(r, kind_label(org_kinds[i])), "selected",
		                                       kind ? !strcmp(kind, org_kinds[i]) : i == 0));
	json_t *data = json_pack("{s:o, s:[{s:s, s:s}, {s:s, s:s}]}", "kinds", kinds, "breadcrumb",
	                         "href", "/mijn", "label", req_tr(r, "Mijn Campus"), "href",
	                         "/beheer/organisaties", "label", req_tr(r, "Organisaties"));
	static const char *const fields[] = {"slug", "naam", "plaats", "provincie"};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = req_form(r, fields[i]);
		json_object_set_new(data, fields[i], json_string(v ? v : ""));
	}
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "beheer-organisatie-nieuw", data);
}

int page_admin_org_new(struct req *r)
{
	if (r->method != HTTP_POST)
		return render_org_new(r, 200, NULL);
	struct org o = {.slug = req_form(r, "slug"), .name = req_form(r, "naam"),
	                .kind = req_form(r, "soort"), .place = req_form(r, "plaats"),
	                .province = req_form(r, "provincie")};
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t id;
	int rc = org_create(&ctx, &o, &id);
	if (rc == CAMPUS_EINVAL || rc == CAMPUS_ECONFLICT) {
		r->error = rc;
		return render_org_new(r, rc == CAMPUS_ECONFLICT ? 409 : 400,
		                      req_tr(r, rc == CAMPUS_ECONFLICT
		                                    ? N_("Dit webadres is al in gebruik; kies een ander.")
		                                    : N_("Controleer de gegevens: het webadres bestaat uit "
		                                         "kleine letters, cijfers en streepjes (2 tot 60), de "
		                                         "naam is verplicht.")));
	}
	if (rc)
		return rc;
	req_flash(r, "organisatie_nieuw");
	const char *to = arena_printf(r->arena, "/b/%s/instellingen", o.slug);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
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
