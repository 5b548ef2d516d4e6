/* The provider's planning of editions (/b/<slug>/planning): the list by start
 * month, the plan form for a new edition of a module and for an existing
 * one, and cancelling. The route policy admits the organisation's offering
 * managers (the form) or also its teachers (the list); every handler checks
 * that the edition or module in the URL belongs to the organisation of the
 * URL, and the domain checks ownership again. Times are typed and shown in
 * Dutch local time (core/when.h); the domain keeps epoch seconds. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/authz.h"
#include "domain/catalog.h"
#include "domain/enrol.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"

#define MEETING_ROWS 6     /* empty rows the form offers at first */
#define MEETING_ROWS_MORE 4 /* "more rows" adds these */
#define RESERVE_ROWS 3      /* empty reservation rows */
#define LIBRARIES_MAX 2000
#define MORE_ROWS 1        /* read_form: only "more rows" was pressed */
#define PER_PAGE 100       /* planning rows a page: a usual quarter fits on one */

static const char *S(const char *s) { return s ? s : ""; }

static const char *const month_names[] = {
    N_("januari"), N_("februari"), N_("maart"),     N_("april"),   N_("mei"),      N_("juni"),
    N_("juli"),    N_("augustus"), N_("september"), N_("oktober"), N_("november"), N_("december")};

/* "di 14 apr 2026" and "di 14 apr 2026 09:30" in Dutch local time. */
static const char *day_text(struct req *r, int64_t t) { return req_when(r, t, WHEN_SHORT); }
static const char *time_text(struct req *r, int64_t t) { return req_when(r, t, WHEN_SHORT_TIME); }

/* "2026-09-01" and "09:00" as the form's fields hold them. */
static const char *iso_date(struct req *r, int64_t t)
{
	return when_text(r->arena, t, "nl", WHEN_ISO_DATE);
}

static const char *hm(struct req *r, int64_t t)
{
	return when_text(r->arena, t, "nl", WHEN_TIME);
}

/* "2026-09-01T09:00" (<input type=datetime-local>) or with a space. */
static bool datetime_parse(const char *text, int64_t *out)
{
	char date[11];
	if (!text || strlen(text) < 16 || (text[10] != 'T' && text[10] != ' '))
		return false;
	memcpy(date, text, 10);
	date[10] = '\0';
	return when_parse(date, text + 11, out);
}

static json_t *page_base(struct req *r, const char *title)
{
	const char *list = arena_printf(r->arena, "/b/%s/planning", r->org.slug);
	json_t *data = json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "org_name", r->org.name,
	                         "org_slug", r->org.slug, "breadcrumb", "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"), "href", list ? list : "/mijn", "label",
	                         req_tr(r, "Planning"));
	if (title)
		json_object_set_new(data, "page_title", json_string(title));
	return data;
}

/* The edition of the path's :id, of this organisation only (else 404), that
 * the actor may manage (manage) or at least teach (else 403). */
int edition_of_path(struct req *r, bool manage, struct edition *e)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	if ((rc = edition_get(&ctx, id, e)))
		return rc;
	if (e->provider_id != r->org.id)
		return CAMPUS_ENOTFOUND;
	if (edition_may_manage(&ctx, e))
		return 0;
	return !manage && edition_may_teach(&ctx, e) ? 0 : CAMPUS_EFORBIDDEN;
}

/* Whether the actor manages this organisation's offering (not only teaches). */
static bool manages_offering(struct req *r)
{
	return authz_check(&r->actor, AZ_ORG_OFFERING, r->org.id) == 0;
}

/* ---- the planning list ---- */

/* The default is a quarter: a provider with hundreds of editions a year
 * gets a page that reads (and loads) quickly. */
static const char *const periods[] = {"komend", "jaar", "verleden", "alles"};
static const char *const period_labels[] = {N_("Deze maand en de twee volgende"),
                                            N_("Vanaf deze maand"), N_("Afgelopen drie jaar"),
                                            N_("Alles")};
#define NPERIODS (sizeof periods / sizeof periods[0])

static json_t *summary_json(struct req *r, const struct edition_summary *s, int64_t now,
                            bool manage)
{
	const char *status = s->cancelled        ? N_("Geannuleerd")
	                     : s->open_now       ? N_("Inschrijving open")
	                     : s->ends_at && s->ends_at < now ? N_("Afgelopen")
	                                         : N_("Inschrijving gesloten");
	const char *when = s->always_open ? req_tr(r, "Altijd open")
	                   : s->ends_at && strcmp(day_text(r, s->starts_at), day_text(r, s->ends_at))
	                       ? arena_printf(r->arena, "%s %s %s", day_text(r, s->starts_at),
	                                      req_tr(r, "t/m"), day_text(r, s->ends_at))
	                       : time_text(r, s->starts_at);
	json_t *o = json_pack(
	    "{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:I, s:I, s:I, s:I, s:b, s:b}", "id",
	    (json_int_t)s->id, "module_id", (json_int_t)s->module_id, "module_title", S(s->module_title),
	    "code", S(s->code), "place", S(s->place), "when", S(when), "status", req_tr(r, status),
	    "cancelled", s->cancelled, "unlimited", s->capacity == 0, "capacity",
	    (json_int_t)s->capacity, "enrolled", (json_int_t)s->enrolled, "waitlisted",
	    (json_int_t)s->waitlisted, "requested", (json_int_t)s->requested, "manage", manage,
	    "always_open", s->always_open);
	json_object_set_new(o, "seats_left", json_integer((json_int_t)s->seats_left));
	json_object_set_new(o, "meetings", json_integer((json_int_t)s->nmeetings));
	return o;
}

int page_planning(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *period = req_query(r, "periode");
	size_t p = 0;
	if (period && *period) {
		while (p < NPERIODS && strcmp(periods[p], period))
			p++;
		if (p == NPERIODS)
			return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Kies een bestaande periode."));
	}
	int64_t module_filter = 0;
	const char *mod = req_query(r, "module");
	if (mod && *mod && (!str_to_int64(mod, strlen(mod), &module_filter) || module_filter <= 0))
		return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Kies een bestaande module."));
	unsigned page;
	if (page_param(r, &page))
		return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Ongeldig paginanummer."));
	int64_t now = ctx.now();
	struct when_local today;
	when_to_local(now, &today);
	int64_t from = 0, to = INT64_MAX;
	if (p <= 1 && !when_from_local(today.year, today.month, 1, 0, 0, &from))
		from = now;
	if (p == 0) {
		int month = today.month + 3, year = today.year + (month > 12);
		if (!when_from_local(year, month > 12 ? month - 12 : month, 1, 0, 0, &to))
			to = now + 92 * 86400;
	} else if (p == 2) {
		from = now - 3 * 366 * 86400, to = now;
	}
	bool manage = manages_offering(r);
	struct edition_summary *rows;
	size_t n;
	bool more = false;
	int64_t total = 0;
	/* The owner's list, or what the actor teaches for this organisation (a
	 * teacher may teach for more than one provider); both in pages. */
	size_t offset = (size_t)(page - 1) * PER_PAGE;
	int rc = manage ? edition_list_for_provider(&ctx, r->org.id, module_filter, from, to, offset,
	                                            PER_PAGE, &rows, &n, &more, &total)
	                : edition_list_for_teacher(&ctx, r->org.id, module_filter, from, to, offset,
	                                           PER_PAGE, &rows, &n, &more, &total);
	if (rc)
		return rc;
	json_t *groups = json_array();
	json_t *group = NULL;
	int last_key = -1;
	for (size_t i = 0; i < n; i++) {
		int key = 0;
		const char *heading = req_tr(r, "Altijd open");
		if (!rows[i].always_open && rows[i].starts_at) {
			struct when_local st;
			when_to_local(rows[i].starts_at, &st);
			key = st.year * 12 + st.month;
			heading = arena_printf(r->arena, "%s %d", req_tr(r, month_names[st.month - 1]), st.year);
		}
		if (!group || key != last_key) {
			group = json_pack("{s:s, s:[]}", "heading", S(heading), "editions");
			json_array_append_new(groups, group);
			last_key = key;
		}
		json_array_append_new(json_object_get(group, "editions"),
		                      summary_json(r, &rows[i], now, manage));
	}
	json_t *data = page_base(r, NULL);
	json_object_set_new(data, "groups", groups);
	json_object_set_new(data, "count", json_integer((json_int_t)total));
	json_object_set_new(data, "manage", json_boolean(manage));
	static const char *const keep[] = {"periode", "module", NULL};
	json_object_set_new(data, "pager",
	                    pager_json(r, arena_printf(r->arena, "/b/%s/planning", r->org.slug), keep,
	                               page, PER_PAGE, total));
	json_t *plist = json_array();
	for (size_t i = 0; i < NPERIODS; i++)
		json_array_append_new(plist, json_pack("{s:s, s:s, s:b}", "value", periods[i], "label",
		                                       req_tr(r, period_labels[i]), "selected", i == p));
	json_object_set_new(data, "periods", plist);
	/* The module filter: the owner's modules; a teacher filters on what they teach. */
	json_t *mlist = json_array();
	json_array_append_new(mlist, json_pack("{s:s, s:s, s:b}", "value", "", "label",
	                                       req_tr(r, "Alle modules"), "selected", !module_filter));
	if (manage) {
		struct module_summary *mods;
		size_t nm;
		if ((rc = module_list_by_owner(&ctx, r->org.id, &mods, &nm))) {
			json_decref(data);
			json_decref(mlist);
			return rc;
		}
		for (size_t i = 0; i < nm; i++) {
			json_array_append_new(mlist, json_pack("{s:s, s:s, s:b}", "value",
			                                       arena_printf(r->arena, "%lld", (long long)mods[i].id),
			                                       "label", S(mods[i].title), "selected",
			                                       mods[i].id == module_filter));
			if (mods[i].id == module_filter)
				json_object_set_new(data, "module",
				                    json_pack("{s:I, s:s}", "id", (json_int_t)mods[i].id, "title",
				                              S(mods[i].title)));
		}
	}
	json_object_set_new(data, "modules", mlist);
	return reply_page(r, 200, "planning", data);
}

/* ---- the plan form ---- */

struct libraries {
	struct org *items;
	size_t n;
};

/* Every library and POI, for audience and reservations (by name). */
static int libraries_load(struct req *r, struct libraries *out)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	out->items = arena_alloc(r->arena, LIBRARIES_MAX * sizeof *out->items);
	out->n = 0;
	if (!out->items)
		return CAMPUS_ENOMEM;
	for (unsigned offset = 0; offset < LIBRARIES_MAX; offset += 200) {
		struct org *rows;
		size_t n;
		int64_t total;
		int rc = org_search(&ctx, NULL, offset, 200, &rows, &n, &total);
		if (rc)
			return rc;
		for (size_t i = 0; i < n && out->n < LIBRARIES_MAX; i++)
			if (!strcmp(rows[i].kind, "library") || !strcmp(rows[i].kind, "poi"))
				out->items[out->n++] = rows[i];
		if (n < 200)
			break;
	}
	return 0;
}

static bool in_ids(int64_t id, const int64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* What the form shows: the typed text of every field (or the stored values). */
struct plan_form {
	const char *code, *capacity, *minimum, *opens, *closes, *cancel_until, *price, *audience,
	    *offer_hours, *place, *online_url, *notes;
	bool always_open;
	size_t rows;
	struct {
		const char *date, *start, *end, *place, *link, *error;
		int64_t id; /* a stored meeting (for the QR link) */
	} meetings[EDITION_MEETINGS_MAX];
	const int64_t *teachers;
	size_t nteachers;
	const int64_t *audience_orgs;
	size_t naudience_orgs;
	size_t nreserve;
	struct {
		int64_t org_id;
		const char *seats;
	} reserve[EDITION_AUDIENCE_ORGS_MAX + RESERVE_ROWS];
	const char *reserve_error;
};

/* Malformed-field messages of the web form, on top of the domain's. */
struct web_problems {
	struct edition_problems pr;
	const char *reserve;
	bool any;
};

static const char *datetime_value(struct req *r, int64_t t)
{
	if (!t)
		return "";
	return arena_printf(r->arena, "%sT%s", iso_date(r, t), hm(r, t));
}

static const char *int_value(struct req *r, int64_t v)
{
	return v ? arena_printf(r->arena, "%lld", (long long)v) : "";
}

static void form_from_edition(struct req *r, const struct edition *e, struct plan_form *f)
{
	memset(f, 0, sizeof *f);
	f->code = e->code;
	f->always_open = e->always_open;
	f->capacity = int_value(r, e->capacity);
	f->minimum = int_value(r, e->min_participants);
	f->opens = datetime_value(r, e->enrol_opens_at);
	/* The defaults (the first meeting's start) stay empty, so they follow the meetings. */
	f->closes = e->enrol_closes_at == e->starts_at ? "" : datetime_value(r, e->enrol_closes_at);
	f->cancel_until = e->cancel_until == e->starts_at ? "" : datetime_value(r, e->cancel_until);
	f->price = e->price_overridden ? arena_printf(r->arena, "%lld,%02lld",
	                                              (long long)(e->price_cents / 100),
	                                              (long long)(e->price_cents % 100))
	                               : "";
	f->audience = e->audience;
	f->offer_hours = int_value(r, e->offer_hours);
	f->place = e->place;
	f->online_url = e->online_url;
	f->notes = e->notes;
	for (size_t i = 0; i < e->nmeetings && i < EDITION_MEETINGS_MAX; i++) {
		f->meetings[i].date = iso_date(r, e->meetings[i].starts_at);
		f->meetings[i].start = hm(r, e->meetings[i].starts_at);
		f->meetings[i].end = hm(r, e->meetings[i].ends_at);
		f->meetings[i].place = e->meetings[i].place;
		f->meetings[i].link = e->meetings[i].online_url;
		f->meetings[i].id = e->meetings[i].id;
	}
	f->rows = e->nmeetings + (e->always_open ? 0 : 2);
	if (f->rows < MEETING_ROWS && !e->always_open)
		f->rows = MEETING_ROWS;
	if (f->rows > EDITION_MEETINGS_MAX)
		f->rows = EDITION_MEETINGS_MAX;
	int64_t *t = arena_alloc(r->arena, (e->nteachers + 1) * sizeof *t);
	for (size_t i = 0; t && i < e->nteachers; i++)
		t[i] = e->teachers[i].id;
	f->teachers = t, f->nteachers = t ? e->nteachers : 0;
	int64_t *a = arena_alloc(r->arena, (e->naudience_orgs + 1) * sizeof *a);
	for (size_t i = 0; a && i < e->naudience_orgs; i++)
		a[i] = e->audience_orgs[i].id;
	f->audience_orgs = a, f->naudience_orgs = a ? e->naudience_orgs : 0;
	for (size_t i = 0; i < e->nreservations && f->nreserve < EDITION_AUDIENCE_ORGS_MAX; i++) {
		f->reserve[f->nreserve].org_id = e->reservations[i].org_id;
		f->reserve[f->nreserve++].seats =
		    arena_printf(r->arena, "%lld", (long long)e->reservations[i].seats);
	}
	f->nreserve += RESERVE_ROWS;
}

static const char *edition_path(struct req *r, int64_t id)
{
	return arena_printf(r->arena, "/b/%s/uitvoeringen/%lld", r->org.slug, (long long)id);
}

static json_t *choice_list(struct req *r, const char *current)
{
	static const char *const values[] = {"", "employees", "volunteers", "both"};
	static const char *const labels[] = {N_("Zoals bij de module"), N_("Medewerkers"),
	                                     N_("Vrijwilligers"), N_("Medewerkers en vrijwilligers")};
	json_t *list = json_array();
	for (size_t i = 0; i < 4; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "value", values[i], "label",
		                                      req_tr(r, labels[i]), "selected",
		                                      !strcmp(S(current), values[i])));
	return list;
}

static void set_error(struct req *r, json_t *form, const char *key, const char *msgid)
{
	if (msgid)
		json_object_set_new(form, key, json_string(req_tr(r, msgid)));
}

static int render_form(struct req *r, unsigned status, const struct module *m,
                       const struct edition *e, const struct plan_form *f,
                       const struct web_problems *wp, const char *error)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct libraries libs;
	int rc = libraries_load(r, &libs);
	if (rc)
		return rc;
	struct member_filter mf = {.role = ROLE_TEACHER, .limit = 200};
	struct member_row *teachers;
	size_t nt;
	int64_t total;
	if ((rc = org_members(&ctx, r->org.id, &mf, &teachers, &nt, &total)))
		return rc;
	json_t *form = json_pack(
	    "{s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:I}", "code",
	    S(f->code), "always_open", f->always_open, "capacity", S(f->capacity), "minimum",
	    S(f->minimum), "opens", S(f->opens), "closes", S(f->closes), "cancel_until",
	    S(f->cancel_until), "price", S(f->price), "audiences", choice_list(r, f->audience),
	    "offer_hours", S(f->offer_hours), "place", S(f->place), "online_url", S(f->online_url),
	    "notes", S(f->notes), "rows", (json_int_t)f->rows);
	json_t *meetings = json_array();
	for (size_t i = 0; i < f->rows; i++) {
		json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "n", (json_int_t)(i + 1), "date",
		                        S(f->meetings[i].date), "start", S(f->meetings[i].start), "end",
		                        S(f->meetings[i].end), "place", S(f->meetings[i].place), "link",
		                        S(f->meetings[i].link));
		if (f->meetings[i].error)
			json_object_set_new(row, "error", json_string(req_tr(r, f->meetings[i].error)));
		if (f->meetings[i].id && e)
			json_object_set_new(row, "meeting_id", json_integer((json_int_t)f->meetings[i].id));
		json_array_append_new(meetings, row);
	}
	json_object_set_new(form, "meetings", meetings);
	json_object_set_new(form, "more_rows", json_boolean(f->rows < EDITION_MEETINGS_MAX));
	json_t *tlist = json_array();
	for (size_t i = 0; i < nt; i++)
		json_array_append_new(tlist, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)teachers[i].person_id,
		                                       "name", S(teachers[i].name), "checked",
		                                       in_ids(teachers[i].person_id, f->teachers, f->nteachers)));
	json_object_set_new(form, "teachers", tlist);
	json_t *alist = json_array();
	for (size_t i = 0; i < libs.n; i++)
		json_array_append_new(alist, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)libs.items[i].id,
		                                       "name", S(libs.items[i].name), "checked",
		                                       in_ids(libs.items[i].id, f->audience_orgs,
		                                              f->naudience_orgs)));
	json_object_set_new(form, "audience_orgs", alist);
	json_object_set_new(form, "audience_open", json_boolean(f->naudience_orgs > 0));
	json_t *rlist = json_array();
	for (size_t i = 0; i < f->nreserve; i++) {
		json_t *opts = json_array();
		json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value", "", "label",
		                                      req_tr(r, "Geen bibliotheek"), "selected",
		                                      f->reserve[i].org_id == 0));
		for (size_t k = 0; k < libs.n; k++)
			json_array_append_new(
			    opts, json_pack("{s:s, s:s, s:b}", "value",
			                    arena_printf(r->arena, "%lld", (long long)libs.items[k].id), "label",
			                    S(libs.items[k].name), "selected", libs.items[k].id == f->reserve[i].org_id));
		json_array_append_new(rlist, json_pack("{s:I, s:o, s:s}", "n", (json_int_t)(i + 1), "orgs",
		                                       opts, "seats", S(f->reserve[i].seats)));
	}
	json_object_set_new(form, "reservations", rlist);
	json_object_set_new(form, "reserve_rows", json_integer((json_int_t)f->nreserve));
	if (wp) {
		const struct edition_problems *pr = &wp->pr;
		set_error(r, form, "error_code", pr->code);
		set_error(r, form, "error_capacity", pr->capacity);
		set_error(r, form, "error_minimum", pr->min_participants);
		set_error(r, form, "error_window", pr->enrol_window);
		set_error(r, form, "error_cancel_until", pr->cancel_until);
		set_error(r, form, "error_price", pr->price);
		set_error(r, form, "error_audience", pr->audience);
		set_error(r, form, "error_offer_hours", pr->offer_hours);
		set_error(r, form, "error_place", pr->place);
		set_error(r, form, "error_online_url", pr->online_url);
		set_error(r, form, "error_notes", pr->notes);
		set_error(r, form, "error_meetings", pr->meetings);
		set_error(r, form, "error_teachers", pr->teachers);
		set_error(r, form, "error_audience_orgs", pr->audience_orgs);
		set_error(r, form, "error_reserve", wp->reserve);
	}
	json_t *data = page_base(r, NULL);
	json_object_set_new(data, "form", form);
	if (error)
		json_object_set_new(data, "error", json_string(error));
	const char *module_title = m ? m->v.title : e->module_title;
	int64_t module_id = m ? m->id : e->module_id;
	json_object_set_new(data, "module",
	                    json_pack("{s:I, s:s}", "id", (json_int_t)module_id, "title", S(module_title)));
	if (e) {
		json_t *ed = json_pack("{s:I, s:s, s:b, s:s, s:I, s:I, s:I, s:I}", "id", (json_int_t)e->id,
		                       "code", S(e->code), "cancelled", e->cancelled, "cancel_reason",
		                       S(e->cancel_reason), "enrolled", (json_int_t)e->enrolled,
		                       "waitlisted", (json_int_t)e->waitlisted, "requested",
		                       (json_int_t)e->requested, "seats_taken", (json_int_t)e->seats_taken);
		json_t *res = json_array();
		for (size_t i = 0; i < e->nreservations; i++)
			json_array_append_new(res, json_pack("{s:s, s:I, s:I}", "org", S(e->reservations[i].org_name),
			                                     "seats", (json_int_t)e->reservations[i].seats,
			                                     "used", (json_int_t)e->reservations[i].used));
		json_object_set_new(ed, "reservations", res);
		json_t *qr = json_array();
		for (size_t i = 0; i < e->nmeetings; i++)
			json_array_append_new(qr, json_pack("{s:I, s:s}", "id", (json_int_t)e->meetings[i].id,
			                                    "when", time_text(r, e->meetings[i].starts_at)));
		json_object_set_new(ed, "meetings", qr);
		json_object_set_new(ed, "manage", json_true());
		json_object_set_new(ed, "base", json_string(edition_path(r, e->id)));
		json_object_set_new(data, "edition", ed);
		json_object_set_new(data, "form_action",
		                    json_sprintf("/b/%s/uitvoeringen/%lld", r->org.slug, (long long)e->id));
		json_object_set_new(data, "cancel_reason", json_string(S(req_form(r, "reden"))));
	} else {
		json_object_set_new(data, "form_action",
		                    json_sprintf("/b/%s/modules/%lld/uitvoeringen/nieuw", r->org.slug,
		                                 (long long)m->id));
	}
	return reply_page(r, status, e ? "uitvoering-bewerken" : "uitvoering-nieuw", data);
}

/* A whole number >= 0 from a field ("" : 0); false when malformed. */
static bool count_field(const char *s, int64_t *out)
{
	*out = 0;
	if (!s || !*s)
		return true;
	return str_to_int64(s, strlen(s), out) && *out >= 0;
}

static bool datetime_field(const char *s, int64_t *out)
{
	*out = 0;
	return !s || !*s || datetime_parse(s, out);
}

/* The posted form as edition input (in the request arena) and as text for
 * showing it again; CAMPUS_EINVAL with wp filled for malformed fields. */
static int read_form(struct req *r, struct edition_input *in, struct plan_form *f,
                     struct web_problems *wp)
{
	memset(in, 0, sizeof *in);
	memset(f, 0, sizeof *f);
	memset(wp, 0, sizeof *wp);
	struct edition_problems *pr = &wp->pr;
	f->code = req_form(r, "code");
	f->always_open = req_form(r, "altijd_open") != NULL;
	f->capacity = req_form(r, "capaciteit");
	f->minimum = req_form(r, "minimum");
	f->opens = req_form(r, "inschrijven_vanaf");
	f->closes = req_form(r, "inschrijven_tot");
	f->cancel_until = req_form(r, "annuleren_tot");
	f->price = req_form(r, "prijs");
	f->audience = req_form(r, "doelgroep");
	f->offer_hours = req_form(r, "aanbod_uren");
	f->place = req_form(r, "plaats");
	f->online_url = req_form(r, "online_link");
	f->notes = req_form(r, "notities");
	in->code = f->code;
	in->always_open = f->always_open;
	if (!count_field(f->capacity, &in->capacity))
		pr->capacity = N_("Vul het aantal plaatsen in als geheel getal, of laat het leeg als er geen grens is.");
	if (!count_field(f->minimum, &in->min_participants))
		pr->min_participants = N_("Vul het minimum aantal deelnemers in als geheel getal.");
	if (!count_field(f->offer_hours, &in->offer_hours))
		pr->offer_hours = N_("Vul het aantal uren in als geheel getal.");
	if (!datetime_field(f->opens, &in->enrol_opens_at) || !datetime_field(f->closes, &in->enrol_closes_at))
		pr->enrol_window = N_("Vul een datum en tijd in, bijvoorbeeld 2026-09-01 09:00.");
	if (!datetime_field(f->cancel_until, &in->cancel_until))
		pr->cancel_until = N_("Vul een datum en tijd in, bijvoorbeeld 2026-09-01 09:00.");
	in->price_cents = -1;
	if (f->price && *f->price && !euros_parse(f->price, &in->price_cents))
		pr->price = N_("Schrijf de prijs als een bedrag in euro, bijvoorbeeld 145 of 89,50.");
	in->audience = f->audience && *f->audience ? f->audience : NULL;
	in->place = f->place;
	in->online_url = f->online_url;
	in->notes = f->notes;
	/* Meeting rows: empty ones are skipped, half-filled ones refused. */
	unsigned long rows = MEETING_ROWS;
	const char *rows_text = req_form(r, "rijen");
	if (rows_text && !str_to_uint(rows_text, strlen(rows_text), EDITION_MEETINGS_MAX, &rows))
		rows = MEETING_ROWS;
	f->rows = rows;
	struct edition_meeting_input *ms = arena_alloc(r->arena, (rows + 1) * sizeof *ms);
	if (!ms)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < rows; i++) {
		const char *date = req_form(r, arena_printf(r->arena, "datum%zu", i + 1));
		const char *start = req_form(r, arena_printf(r->arena, "begin%zu", i + 1));
		const char *end = req_form(r, arena_printf(r->arena, "einde%zu", i + 1));
		const char *place = req_form(r, arena_printf(r->arena, "plaats%zu", i + 1));
		const char *link = req_form(r, arena_printf(r->arena, "link%zu", i + 1));
		f->meetings[i].date = date, f->meetings[i].start = start, f->meetings[i].end = end;
		f->meetings[i].place = place, f->meetings[i].link = link;
		if (!*S(date) && !*S(start) && !*S(end) && !*S(place) && !*S(link))
			continue;
		struct edition_meeting_input *m = &ms[in->nmeetings];
		if (!when_parse(date, start, &m->starts_at) || !when_parse(date, end, &m->ends_at)) {
			f->meetings[i].error = N_("Vul een geldige datum, begintijd en eindtijd in.");
			pr->meetings = N_("Controleer de gemarkeerde bijeenkomsten.");
			continue;
		}
		m->place = place;
		m->online_url = link;
		in->nmeetings++;
	}
	in->meetings = ms;
	if (req_form(r, "meer"))
		f->rows = rows + MEETING_ROWS_MORE > EDITION_MEETINGS_MAX ? EDITION_MEETINGS_MAX
		                                                          : rows + MEETING_ROWS_MORE;
	int64_t *ids;
	size_t n;
	int rc = form_ids(r, "docent", EDITION_TEACHERS_MAX, &ids, &n);
	if (rc == CAMPUS_EINVAL)
		pr->teachers = N_("Kies hoogstens 10 docenten uit de lijst.");
	else if (rc)
		return rc;
	in->teachers = ids, in->nteachers = n;
	f->teachers = ids, f->nteachers = n;
	rc = form_ids(r, "doelgroep_org", EDITION_AUDIENCE_ORGS_MAX, &ids, &n);
	if (rc == CAMPUS_EINVAL)
		pr->audience_orgs = N_("Kies hoogstens 20 bibliotheken uit de lijst.");
	else if (rc)
		return rc;
	in->audience_orgs = ids, in->naudience_orgs = n;
	f->audience_orgs = ids, f->naudience_orgs = n;
	unsigned long nres = RESERVE_ROWS;
	const char *nres_text = req_form(r, "reserveringen");
	if (nres_text && !str_to_uint(nres_text, strlen(nres_text), EDITION_AUDIENCE_ORGS_MAX + RESERVE_ROWS, &nres))
		nres = RESERVE_ROWS;
	f->nreserve = nres;
	for (size_t i = 0; i < nres; i++) {
		const char *org = req_form(r, arena_printf(r->arena, "reservering_org%zu", i + 1));
		const char *seats = req_form(r, arena_printf(r->arena, "reservering_plaatsen%zu", i + 1));
		f->reserve[i].seats = seats;
		int64_t org_id = 0, count;
		if (org && *org && (!str_to_int64(org, strlen(org), &org_id) || org_id <= 0))
			wp->reserve = N_("Kies een bibliotheek uit de lijst.");
		f->reserve[i].org_id = org_id;
		if (!count_field(seats, &count) || (org_id && (!seats || !*seats)))
			wp->reserve = N_("Vul het aantal plaatsen voor de bibliotheek in als geheel getal.");
	}
	if (req_form(r, "meer"))
		return MORE_ROWS; /* only more rows: show the form again, save nothing */
	wp->any = pr->capacity || pr->min_participants || pr->offer_hours || pr->enrol_window ||
	          pr->cancel_until || pr->price || pr->meetings || pr->teachers || pr->audience_orgs ||
	          wp->reserve;
	return wp->any ? CAMPUS_EINVAL : 0;
}

/* Seats held per library, after the plan is saved (edition_reserve checks
 * them against the free seats); the first refusal in *why. */
static int apply_reservations(struct req *r, int64_t edition_id, const struct plan_form *f,
                              const struct edition *old, const char **why)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	for (size_t i = 0; i < f->nreserve; i++) {
		if (!f->reserve[i].org_id)
			continue;
		int64_t seats = 0;
		count_field(f->reserve[i].seats, &seats);
		bool same = false;
		for (size_t k = 0; old && k < old->nreservations; k++)
			same = same || (old->reservations[k].org_id == f->reserve[i].org_id &&
			                old->reservations[k].seats == seats);
		if (same)
			continue;
		int rc = edition_reserve(&ctx, edition_id, f->reserve[i].org_id, seats, why);
		if (rc)
			return rc;
	}
	return 0;
}

/* The module of :id, of this organisation only. */
static int own_module(struct req *r, struct module *m)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	if ((rc = module_get(&ctx, id, MODULE_WORKING, m)))
		return rc;
	return m->provider_id == r->org.id ? 0 : CAMPUS_ENOTFOUND;
}

int page_edition_new(struct req *r)
{
	struct module m;
	int rc = own_module(r, &m);
	if (rc)
		return rc;
	struct plan_form f;
	if (r->method != HTTP_POST) {
		memset(&f, 0, sizeof f);
		f.rows = MEETING_ROWS;
		f.nreserve = RESERVE_ROWS;
		f.always_open = !strcmp(S(m.v.format), "elearning");
		f.place = m.v.place;
		return render_form(r, 200, &m, NULL, &f, NULL, NULL);
	}
	struct edition_input in;
	struct web_problems wp;
	rc = read_form(r, &in, &f, &wp);
	if (rc == MORE_ROWS)
		return render_form(r, 200, &m, NULL, &f, NULL, NULL);
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t id = 0;
	if (!rc)
		rc = edition_create(&ctx, m.id, &in, &id, &wp.pr);
	if (rc == CAMPUS_EINVAL) {
		r->error = rc;
		return render_form(r, 400, &m, NULL, &f, &wp,
		                   req_tr(r, "De uitvoering is niet opgeslagen. Verbeter de gemarkeerde velden."));
	}
	if (rc)
		return rc;
	const char *why = NULL;
	rc = apply_reservations(r, id, &f, NULL, &why);
	if (rc && why) {
		/* The plan stands; the edit form says which reservation did not fit. */
		struct edition e;
		if (edition_get(&ctx, id, &e))
			return rc;
		struct plan_form stored;
		form_from_edition(r, &e, &stored);
		r->error = rc;
		return render_form(r, 409, NULL, &e, &stored, NULL,
		                   arena_printf(r->arena, "%s %s",
		                                req_tr(r, "De uitvoering is opgeslagen, maar de reservering niet:"),
		                                req_tr(r, why)));
	}
	if (rc)
		return rc;
	req_flash(r, "uitvoering_nieuw");
	return reply_redirect(r, edition_path(r, id));
}

int page_edition_edit(struct req *r)
{
	struct edition e;
	int rc = edition_of_path(r, true, &e);
	if (rc)
		return rc;
	struct plan_form f;
	if (r->method != HTTP_POST) {
		form_from_edition(r, &e, &f);
		return render_form(r, 200, NULL, &e, &f, NULL, NULL);
	}
	struct edition_input in;
	struct web_problems wp;
	rc = read_form(r, &in, &f, &wp);
	if (rc == MORE_ROWS)
		return render_form(r, 200, NULL, &e, &f, NULL, NULL);
	struct ctx ctx;
	req_ctx(r, &ctx);
	if (!rc)
		rc = edition_update(&ctx, e.id, &in, &wp.pr);
	if (rc == CAMPUS_EINVAL || rc == CAMPUS_ECONFLICT) {
		r->error = rc;
		return render_form(r, rc == CAMPUS_ECONFLICT ? 409 : 400, NULL, &e, &f, &wp,
		                   req_tr(r, "De wijzigingen zijn niet opgeslagen. Verbeter de gemarkeerde velden."));
	}
	if (rc)
		return rc;
	const char *why = NULL;
	rc = apply_reservations(r, e.id, &f, &e, &why);
	if (rc && why) {
		struct edition now;
		if (edition_get(&ctx, e.id, &now))
			return rc;
		struct plan_form stored;
		form_from_edition(r, &now, &stored);
		r->error = rc;
		return render_form(r, 409, NULL, &now, &stored, NULL,
		                   arena_printf(r->arena, "%s %s",
		                                req_tr(r, "De uitvoering is opgeslagen, maar de reservering niet:"),
		                                req_tr(r, why)));
	}
	if (rc)
		return rc;
	req_flash(r, "uitvoering_opgeslagen");
	return reply_redirect(r, edition_path(r, e.id));
}

int page_edition_cancel(struct req *r)
{
	struct edition e;
	int rc = edition_of_path(r, true, &e);
	if (rc)
		return rc;
	const char *reason = req_form(r, "reden");
	const char *why = NULL;
	if (!reason || !*reason)
		why = N_("Geef een reden op voor het annuleren.");
	else if (strlen(reason) > ENROL_REASON_MAX)
		why = N_("De reden is te lang (hoogstens 1000 tekens).");
	struct ctx ctx;
	req_ctx(r, &ctx);
	if (!why)
		rc = edition_cancel(&ctx, e.id, reason, &why);
	if (why) {
		struct plan_form f;
		form_from_edition(r, &e, &f);
		r->error = rc ? rc : CAMPUS_EINVAL;
		return render_form(r, rc == CAMPUS_ECONFLICT ? 409 : 422, NULL, &e, &f, NULL,
		                   req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "uitvoering_geannuleerd");
	return reply_redirect(r, edition_path(r, e.id));
}
