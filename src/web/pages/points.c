/* Campus administrators: a person's points ledger, row by row, and its
 * corrections. A correction never edits a row: it adds a reversal with a
 * reason (progress_reverse), which also revokes the row's certificate. */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/people.h"
#include "domain/progress.h"
#include "http/req.h"
#include "view/i18n.h"
#include "web/web.h"

static const char *source_label(const char *source)
{
	static const struct {
		const char *name, *label;
	} labels[] = {
	    {"web", N_("aanbieder, webformulier")}, {"csv", N_("aanbieder, CSV-bestand")},
	    {"api", N_("aanbieder, koppeling")},    {"qr", N_("QR-code")},
	    {"elearning", N_("e-learning")},        {"connector", N_("externe aanbieder")},
	    {"self_report", N_("zelf gemeld")},     {"evc", N_("EVC")},
	    {"demo", N_("overgenomen historie")},
	};
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (!strcmp(source, labels[i].name))
			return labels[i].label;
	return source;
}

static int render_points(struct req *r, unsigned status, const struct person *p, int64_t failed_row,
                         const char *error)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct points_row *rows;
	struct points_year *years;
	struct points_domain *domains;
	size_t n, ny, nd;
	int rc = progress_rows(&ctx, p->id, 0, &rows, &n);
	if (!rc)
		rc = progress_balances(&ctx, p->id, &years, &ny, &domains, &nd);
	if (rc)
		return rc;
	json_t *list = json_array(), *totals = json_array();
	for (size_t i = 0; i < ny; i++)
		json_array_append_new(totals, json_pack("{s:i, s:s, s:s}", "year", years[i].year, "pe",
		                                        tenths_text(r, years[i].pe_tenths), "study",
		                                        tenths_text(r, years[i].study_tenths)));
	for (size_t i = 0; i < n; i++) {
		const struct points_row *x = &rows[i];
		json_t *o = json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b}", "id", (json_int_t)x->id,
		    "points", tenths_text(r, x->points_tenths), "kind",
		    req_tr(r, x->kind == POINTS_STUDY ? N_("overig") : N_("PE")), "title", x->title,
		    "source", req_tr(r, source_label(x->source)), "earned",
		    req_when(r, x->earned_at, WHEN_ISO_DATE), "registered",
		    req_when(r, x->registered_at, WHEN_ISO_DATE), "by",
		    x->registered_by_name ? x->registered_by_name : req_tr(r, "Campus"), "reversal",
		    x->reverses_id != 0, "reversed", x->reversed_by_id != 0, "failed", x->id == failed_row);
		if (*x->reason)
			json_object_set_new(o, "reason", json_string(x->reason));
		if (!x->reverses_id && !x->reversed_by_id)
			json_object_set_new(o, "may_reverse", json_true());
		json_array_append_new(list, o);
	}
	json_t *data = json_pack("{s:I, s:s, s:s, s:o, s:o, s:[{s:s, s:s}, {s:s, s:s}]}", "person_id",
	                         (json_int_t)p->id, "name", p->name, "email", p->email, "rows", list,
	                         "years", totals, "breadcrumb", "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"), "href", "/beheer/personen", "label",
	                         req_tr(r, "Personen"));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "beheer-punten", data);
}

/* GET /beheer/personen/:id/punten */
int page_admin_points(struct req *r)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct person p;
	rc = person_get(&ctx, id, &p);
	return rc ? rc : render_points(r, 200, &p, 0, NULL);
}

/* POST /beheer/punten/:id/terugdraaien (reden, persoon) */
int page_admin_points_reverse(struct req *r)
{
	int64_t row, person_id;
	const char *person_text = req_form(r, "persoon");
	int rc = path_id(r, "id", &row);
	if (rc)
		return rc;
	if (!person_text || !str_to_int64(person_text, strlen(person_text), &person_id) ||
	    person_id <= 0)
		return CAMPUS_ENOTFOUND;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct person p;
	rc = person_get(&ctx, person_id, &p);
	if (rc)
		return rc;
	const char *why = NULL;
	rc = progress_reverse(&ctx, row, req_form(r, "reden"), NULL, &why);
	if (why) {
		r->error = rc;
		return render_points(r, rc == CAMPUS_ECONFLICT ? 409 : rc == CAMPUS_ENOTFOUND ? 404 : 400,
		                     &p, row, req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "punten_teruggedraaid");
	const char *to = arena_printf(r->arena, "/beheer/personen/%lld/punten", (long long)person_id);
	return reply_redirect(r, to ? to : "/beheer/personen");
}
