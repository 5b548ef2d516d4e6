/* The annual PE norm (R10): the sector default for campus administrators
 * (/beheer/pe-norm) and their report per library (/beheer/pe-norm/rapport);
 * a library's own norm and who meets it for its managers (/b/:slug/pe-norm,
 * also as CSV). One form per kind of member, so a refusal of one changes
 * nothing of the other. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/catalog.h"
#include "domain/norm.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"

#define NORM_PER_PAGE 50
#define YEAR_MIN 2000
#define YEAR_MAX 2100

static const struct {
	const char *kind, *field, *label;
} kinds[] = {
    {"employee", "medewerkers", N_("Medewerkers")},
    {"volunteer", "vrijwilligers", N_("Vrijwilligers")},
};

static const struct {
	const char *key;
	enum norm_state state;
} states[] = {
    {"gehaald", NORM_MET},
    {"op-schema", NORM_ON_TRACK},
    {"achter", NORM_BEHIND},
    {"geen", NORM_NONE},
};

static int year_now(struct ctx *ctx)
{
	struct when_local l;
	when_to_local(ctx->now(), &l);
	return l.year;
}

static bool year_param(const char *text, int fallback, int *year)
{
	unsigned long y;
	if (!text || !*text) {
		*year = fallback;
		return true;
	}
	if (!str_to_uint(text, strlen(text), YEAR_MAX, &y) || y < YEAR_MIN)
		return false;
	*year = (int)y;
	return true;
}

/* "24" or "12,5" (the catalogue's formatter), in the request's arena. */
static const char *kind_of_form(struct req *r)
{
	const char *k = req_form(r, "soort");
	for (size_t i = 0; k && i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(k, kinds[i].field))
			return kinds[i].kind;
	return NULL;
}

static json_t *years_json(struct ctx *ctx, int year)
{
	json_t *years = json_array();
	int now = year_now(ctx);
	for (int y = now - 2; y <= now + 1; y++)
		json_array_append_new(years, json_pack("{s:i, s:b}", "year", y, "selected", y == year));
	if (year < now - 2 || year > now + 1)
		json_array_append_new(years, json_pack("{s:i, s:b}", "year", year, "selected", true));
	return years;
}

/* A norm as template data; typed values win after a refusal of this kind. */
static json_t *norm_json(struct req *r, const struct norm *n, bool typed)
{
	const char *pts = typed ? req_form(r, "punten") : NULL;
	const char *study = typed ? req_form(r, "studie") : NULL;
	return json_pack("{s:b, s:s, s:s, s:b}", "set", n->set, "points",
	                 pts ? pts : n->set ? tenths_text(r, n->points_tenths) : "", "study_max",
	                 study ? study : n->set ? tenths_text(r, n->study_max_tenths) : "0", "mandatory",
	                 typed ? req_form(r, "verplicht") != NULL : n->mandatory);
}

/* The form's points and study maximum; *why on a malformed one. */
static bool norm_form(struct req *r, int64_t *points, int64_t *study_max, const char **why)
{
	if (!tenths_parse(req_form(r, "punten"), points)) {
		*why = N_("Schrijf het aantal punten als getal, bijvoorbeeld 20 of 12,5.");
		return false;
	}
	const char *s = req_form(r, "studie");
	if (!s || !*s) {
		*study_max = 0;
	} else if (!tenths_parse(s, study_max)) {
		*why = N_("Schrijf het aantal studiepunten als getal, bijvoorbeeld 5 of 2,5.");
		return false;
	}
	return true;
}

/* ---- /beheer/pe-norm ---- */

static int render_admin(struct req *r, struct ctx *ctx, int year, unsigned status, const char *err_kind,
                        const char *error)
{
	int now = year_now(ctx);
	bool editable = year >= now && year <= now + 1;
	json_t *list = json_array();
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct norm n;
		int rc = norm_sector_get(ctx, year, kinds[i].kind, &n);
		if (rc) {
			json_decref(list);
			return rc;
		}
		bool typed = err_kind && !strcmp(err_kind, kinds[i].kind);
		json_t *o = norm_json(r, &n, typed);
		json_object_set_new(o, "field", json_string(kinds[i].field));
		json_object_set_new(o, "label", json_string(req_tr(r, kinds[i].label)));
		if (typed)
			json_object_set_new(o, "kind_error", json_string(error));
		json_array_append_new(list, o);
	}
	json_t *data = json_pack("{s:o, s:o, s:i, s:b, s:[{s:s, s:s}]}", "kinds", list, "years",
	                         years_json(ctx, year), "year", year, "editable", editable, "breadcrumb",
	                         "href", "/mijn", "label", req_tr(r, "Mijn Campus"));
	if (error)
		json_object_set_new(data, "error", json_string(req_tr(r, "Er is niets gewijzigd.")));
	if (!error && r->method != HTTP_POST && req_query(r, "gedaan"))
		json_object_set_new(data, "flash", json_string(req_tr(r, "De norm van de sector is opgeslagen.")));
	return reply_page(r, status, "beheer-pe-norm", data);
}

int page_admin_norm(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	bool post = r->method == HTTP_POST;
	int year;
	if (!year_param(post ? req_form(r, "jaar") : req_query(r, "jaar"), year_now(&ctx), &year))
		return CAMPUS_EINVAL;
	if (!post)
		return render_admin(r, &ctx, year, 200, NULL, NULL);
	const char *kind = kind_of_form(r);
	if (!kind)
		return CAMPUS_EINVAL;
	const char *why = NULL;
	int64_t points, study;
	int rc = CAMPUS_EINVAL;
	if (norm_form(r, &points, &study, &why))
		rc = norm_sector_set(&ctx, year, kind, points, study, req_form(r, "verplicht") != NULL, &why);
	if (why) {
		r->error = rc;
		return render_admin(r, &ctx, year, rc == CAMPUS_EFORBIDDEN ? 403 : 422, kind, req_tr(r, why));
	}
	if (rc)
		return rc;
	return reply_redirect(r, arena_printf(r->arena, "/beheer/pe-norm?jaar=%d&gedaan=1", year));
}

/* ---- /beheer/pe-norm/rapport ---- */

int page_admin_norm_report(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int year;
	if (!year_param(req_query(r, "jaar"), year_now(&ctx), &year))
		return CAMPUS_EINVAL;
	struct norm_org_counts *orgs;
	size_t n;
	struct norm_counts total;
	int rc = norm_sector_report(&ctx, year, &orgs, &n, &total);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		if (!orgs[i].c.members)
			continue;
		json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "name", orgs[i].name,
		                                      "slug", orgs[i].slug, "members", (json_int_t)orgs[i].c.members,
		                                      "met", (json_int_t)orgs[i].c.met, "on_track",
		                                      (json_int_t)orgs[i].c.on_track, "behind",
		                                      (json_int_t)orgs[i].c.behind, "none", (json_int_t)orgs[i].c.none));
	}
	json_t *data = json_pack(
	    "{s:o, s:o, s:i, s:{s:I, s:I, s:I, s:I, s:I}, s:[{s:s, s:s}, {s:s, s:s}]}", "orgs", list, "years",
	    years_json(&ctx, year), "year", year, "total", "members", (json_int_t)total.members, "met",
	    (json_int_t)total.met, "on_track", (json_int_t)total.on_track, "behind", (json_int_t)total.behind,
	    "none", (json_int_t)total.none, "breadcrumb", "href", "/mijn", "label", req_tr(r, "Mijn Campus"),
	    "href", "/beheer/pe-norm", "label", req_tr(r, "PE-norm"));
	return reply_page(r, 200, "beheer-pe-norm-rapport", data);
}

/* ---- /b/:slug/pe-norm ---- */

enum sort_key { SORT_NAME, SORT_KIND, SORT_REQUIRED, SORT_EARNED, SORT_STATE };
static const char *const sort_keys[] = {"naam", "soort", "vereist", "behaald", "status"};

struct view {
	int year;
	int state_filter; /* -1: all */
	enum sort_key sort;
	bool desc;
};

static int state_rank(enum norm_state s)
{
	/* behind first: that is who needs attention */
	return s == NORM_BEHIND ? 0 : s == NORM_ON_TRACK ? 1 : s == NORM_MET ? 2 : 3;
}

/* The view's order for qsort's comparator (a request is one thread). */
static _Thread_local enum sort_key sort_by;
static _Thread_local bool sort_desc;

static int person_cmp(const void *a, const void *b)
{
	const struct norm_person *x = a, *y = b;
	int c = 0;
	switch (sort_by) {
	case SORT_KIND: c = strcmp(x->member_kind, y->member_kind); break;
	case SORT_REQUIRED: c = (x->required_tenths > y->required_tenths) - (x->required_tenths < y->required_tenths); break;
	case SORT_EARNED: c = (x->earned_tenths > y->earned_tenths) - (x->earned_tenths < y->earned_tenths); break;
	case SORT_STATE: c = state_rank(x->state) - state_rank(y->state); break;
	case SORT_NAME: break;
	}
	if (sort_desc)
		c = -c;
	if (!c)
		c = strcasecmp(x->name, y->name);
	if (!c)
		c = (x->person_id > y->person_id) - (x->person_id < y->person_id);
	return c;
}

static bool view_params(struct req *r, struct ctx *ctx, struct view *v)
{
	bool post = r->method == HTTP_POST;
	if (!year_param(post ? req_form(r, "jaar") : req_query(r, "jaar"), year_now(ctx), &v->year))
		return false;
	v->state_filter = -1;
	v->sort = SORT_NAME;
	v->desc = false;
	if (post)
		return true;
	const char *st = req_query(r, "status");
	if (st && *st) {
		for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
			if (!strcmp(st, states[i].key))
				v->state_filter = (int)states[i].state;
		if (v->state_filter < 0)
			return false;
	}
	const char *so = req_query(r, "sorteer");
	if (so && *so) {
		size_t i = 0;
		for (; i < sizeof sort_keys / sizeof sort_keys[0] && strcmp(so, sort_keys[i]); i++)
			;
		if (i == sizeof sort_keys / sizeof sort_keys[0])
			return false;
		v->sort = (enum sort_key)i;
	}
	const char *dir = req_query(r, "richting");
	if (dir && *dir) {
		if (strcmp(dir, "op") && strcmp(dir, "af"))
			return false;
		v->desc = !strcmp(dir, "af");
	}
	return true;
}

/* The library's people for the view: filtered and sorted (in the arena). */
static int people_of(struct req *r, struct ctx *ctx, const struct view *v, struct norm_person **out,
                     size_t *n, struct norm_counts *totals)
{
	struct norm_person *all;
	size_t nall;
	int rc = norm_org_people(ctx, r->org.id, v->year, &all, &nall, totals);
	if (rc)
		return rc;
	size_t k = 0;
	for (size_t i = 0; i < nall; i++)
		if (v->state_filter < 0 || (int)all[i].state == v->state_filter)
			all[k++] = all[i];
	sort_by = v->sort;
	sort_desc = v->desc;
	if (k)
		qsort(all, k, sizeof *all, person_cmp);
	*out = all;
	*n = k;
	return 0;
}

static const char *view_query(struct req *r, const struct view *v, int sort, bool desc)
{
	struct buf b;
	buf_init(&b, r->arena, 256);
	buf_printf(&b, "jaar=%d", v->year);
	for (size_t i = 0; v->state_filter >= 0 && i < sizeof states / sizeof states[0]; i++)
		if ((int)states[i].state == v->state_filter)
			buf_printf(&b, "&status=%s", states[i].key);
	buf_printf(&b, "&sorteer=%s", sort_keys[sort]);
	if (desc)
		buf_puts(&b, "&richting=af");
	return b.overflow ? "" : buf_cstr(&b);
}

static int render_org(struct req *r, struct ctx *ctx, const struct view *v, unsigned status,
                      const char *err_kind, const char *error)
{
	int now = year_now(ctx);
	bool editable = v->year >= now && v->year <= now + 1;
	json_t *norms = json_array();
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct norm own, sector, eff;
		int rc = norm_org_get(ctx, r->org.id, v->year, kinds[i].kind, &own);
		if (!rc)
			rc = norm_sector_get(ctx, v->year, kinds[i].kind, &sector);
		if (!rc)
			rc = norm_effective(ctx, r->org.id, v->year, kinds[i].kind, &eff);
		if (rc) {
			json_decref(norms);
			return rc;
		}
		bool typed = err_kind && !strcmp(err_kind, kinds[i].kind);
		json_t *o = norm_json(r, &own, typed);
		json_object_set_new(o, "field", json_string(kinds[i].field));
		json_object_set_new(o, "label", json_string(req_tr(r, kinds[i].label)));
		json_object_set_new(o, "sector_set", json_boolean(sector.set));
		json_object_set_new(o, "sector_points", json_string(tenths_text(r, sector.points_tenths)));
		json_object_set_new(o, "sector_study", json_string(tenths_text(r, sector.study_max_tenths)));
		json_object_set_new(o, "sector_mandatory", json_boolean(sector.mandatory));
		json_object_set_new(o, "eff_set", json_boolean(eff.set));
		json_object_set_new(o, "eff_points", json_string(tenths_text(r, eff.points_tenths)));
		json_object_set_new(o, "eff_study", json_string(tenths_text(r, eff.study_max_tenths)));
		json_object_set_new(o, "eff_mandatory", json_boolean(eff.mandatory));
		if (typed)
			json_object_set_new(o, "kind_error", json_string(error));
		json_array_append_new(norms, o);
	}

	struct norm_person *p;
	size_t n;
	struct norm_counts totals;
	int rc = people_of(r, ctx, v, &p, &n, &totals);
	if (rc) {
		json_decref(norms);
		return rc;
	}
	unsigned page = 1;
	if (r->method != HTTP_POST && page_param(r, &page)) {
		json_decref(norms);
		return CAMPUS_EINVAL;
	}
	json_t *people = json_array();
	size_t first = (size_t)(page - 1) * NORM_PER_PAGE;
	for (size_t i = first; i < n && i < first + NORM_PER_PAGE; i++)
		json_array_append_new(
		    people, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:i}", "id", (json_int_t)p[i].person_id,
		                      "name", p[i].name, "kind", req_tr(r, membership_kind_label(p[i].member_kind)),
		                      "required", tenths_text(r, p[i].required_tenths), "earned",
		                      tenths_text(r, p[i].earned_tenths), "state", req_tr(r, norm_state_label(p[i].state)),
		                      "met", p[i].state == NORM_MET, "behind", p[i].state == NORM_BEHIND, "months",
		                      p[i].months));

	/* Column headers: a link that sorts by it, again to turn the order round. */
	static const char *const col_labels[] = {N_("Naam"), N_("Soort"), N_("Vereist (naar rato)"),
	                                         N_("Behaald"), N_("Stand")};
	json_t *cols = json_array();
	for (int i = 0; i < 5; i++) {
		bool cur = (int)v->sort == i;
		json_array_append_new(
		    cols, json_pack("{s:s, s:s, s:s}", "label", req_tr(r, col_labels[i]), "href",
		                    arena_printf(r->arena, "/b/%s/pe-norm?%s#personen", r->org.slug,
		                                 view_query(r, v, i, cur && !v->desc)),
		                    "sort", cur ? (v->desc ? "descending" : "ascending") : ""));
	}
	json_t *filters = json_array();
	json_array_append_new(filters, json_pack("{s:s, s:s, s:b}", "key", "", "label", req_tr(r, "Iedereen"),
	                                         "selected", v->state_filter < 0));
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		json_array_append_new(filters, json_pack("{s:s, s:s, s:b}", "key", states[i].key, "label",
		                                         req_tr(r, norm_state_label(states[i].state)), "selected",
		                                         v->state_filter == (int)states[i].state));

	json_t *data = json_pack(
	    "{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:i, s:b, s:I, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}",
	    "org_name", r->org.name, "org_slug", r->org.slug, "norms", norms, "people", people, "columns",
	    cols, "filters", filters, "years", years_json(ctx, v->year), "year", v->year, "editable", editable,
	    "count", (json_int_t)n, "breadcrumb", "href", "/mijn", "label", req_tr(r, "Mijn Campus"), "href",
	    arena_printf(r->arena, "/b/%s", r->org.slug), "label", r->org.name, "href",
	    arena_printf(r->arena, "/b/%s/team", r->org.slug), "label", req_tr(r, "Team"));
	json_object_set_new(data, "totals",
	                    json_pack("{s:I, s:I, s:I, s:I, s:I}", "members", (json_int_t)totals.members, "met",
	                              (json_int_t)totals.met, "on_track", (json_int_t)totals.on_track, "behind",
	                              (json_int_t)totals.behind, "none", (json_int_t)totals.none));
	json_object_set_new(data, "csv", json_string(arena_printf(r->arena, "/b/%s/pe-norm.csv?%s", r->org.slug,
	                                                          view_query(r, v, (int)v->sort, v->desc))));
	json_object_set_new(data, "sort", json_string(sort_keys[v->sort]));
	json_object_set_new(data, "desc", json_boolean(v->desc));
	static const char *const keep[] = {"jaar", "status", "sorteer", "richting", NULL};
	json_object_set_new(data, "pager",
	                    pager_json(r, arena_printf(r->arena, "/b/%s/pe-norm", r->org.slug), keep, page,
	                               NORM_PER_PAGE, (int64_t)n));
	if (error)
		json_object_set_new(data, "error", json_string(req_tr(r, "Er is niets gewijzigd.")));
	const char *done = r->method == HTTP_POST ? NULL : req_query(r, "gedaan");
	if (!error && done)
		json_object_set_new(data, "flash",
		                    json_string(req_tr(r, !strcmp(done, "verwijderd")
		                                              ? "De eigen norm is verwijderd; de norm van de sector geldt."
		                                              : "De eigen norm is opgeslagen.")));
	return reply_page(r, status, "pe-norm", data);
}

int page_org_norm(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct view v;
	if (!view_params(r, &ctx, &v))
		return CAMPUS_EINVAL;
	if (r->method != HTTP_POST)
		return render_org(r, &ctx, &v, 200, NULL, NULL);
	const char *kind = kind_of_form(r);
	const char *actie = req_form(r, "actie");
	if (!kind || !actie)
		return CAMPUS_EINVAL;
	const char *why = NULL;
	int rc;
	bool clear = !strcmp(actie, "verwijderen");
	if (clear) {
		rc = norm_org_clear(&ctx, r->org.id, v.year, kind, &why);
	} else if (!strcmp(actie, "opslaan")) {
		int64_t points, study;
		rc = CAMPUS_EINVAL;
		if (norm_form(r, &points, &study, &why))
			rc = norm_org_set(&ctx, r->org.id, v.year, kind, points, study,
			                  req_form(r, "verplicht") != NULL, &why);
	} else {
		return CAMPUS_EINVAL;
	}
	if (why) {
		r->error = rc;
		return render_org(r, &ctx, &v, rc == CAMPUS_EFORBIDDEN ? 403 : rc == CAMPUS_ENOTFOUND ? 404 : 422,
		                  kind, req_tr(r, why));
	}
	if (rc)
		return rc;
	return reply_redirect(r, arena_printf(r->arena, "/b/%s/pe-norm?jaar=%d&gedaan=%s#norm", r->org.slug,
	                                      v.year, clear ? "verwijderd" : "opgeslagen"));
}

/* One CSV cell: quoted, quotes doubled, a leading = + - @ defused (as the
 * budgets' export). */
static void csv_cell(struct buf *b, const char *s, bool last)
{
	buf_putc(b, '"');
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_puts(b, last ? "\"\r\n" : "\";");
}

int page_org_norm_csv(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct view v;
	if (!view_params(r, &ctx, &v))
		return CAMPUS_EINVAL;
	struct norm_person *p;
	size_t n;
	struct norm_counts totals;
	int rc = people_of(r, &ctx, &v, &p, &n, &totals);
	if (rc)
		return rc;
	struct buf b;
	buf_init(&b, r->arena, 16 * 1024 * 1024);
	const char *head[] = {req_tr(r, "Naam"),    req_tr(r, "Soort"), req_tr(r, "Maanden"),
	                      req_tr(r, "Vereist (naar rato)"), req_tr(r, "Behaald"), req_tr(r, "Stand")};
	for (size_t i = 0; i < 6; i++)
		csv_cell(&b, head[i], i == 5);
	for (size_t i = 0; i < n; i++) {
		csv_cell(&b, p[i].name, false);
		csv_cell(&b, req_tr(r, membership_kind_label(p[i].member_kind)), false);
		csv_cell(&b, arena_printf(r->arena, "%d", p[i].months), false);
		csv_cell(&b, tenths_text(r, p[i].required_tenths), false);
		csv_cell(&b, tenths_text(r, p[i].earned_tenths), false);
		csv_cell(&b, req_tr(r, norm_state_label(p[i].state)), true);
	}
	if (b.overflow)
		return CAMPUS_ENOMEM;
	const char *disp = arena_printf(r->arena, "attachment; filename=\"pe-norm-%s-%d.csv\"", r->org.slug, v.year);
	rc = req_add_header(r, "Content-Disposition", disp);
	return rc ? rc : reply_text(r, 200, "text/csv; charset=utf-8", b.data, b.len);
}
