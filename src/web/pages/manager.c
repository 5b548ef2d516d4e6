/* A library's manager and its people's enrolments: the approval inbox, the
 * team's bookings (cancel, move to another edition), enrolling a member and
 * holding seats on an edition for the library. The budgets page is in
 * budgets.c. Every handler runs under AZ_ORG_MANAGER for the :slug
 * organisation and checks again that the enrolment belongs to that
 * organisation, so another library's id answers 404 and changes nothing. */
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/enrol.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"
#include "view/numbers.h"

#define TEAM_PER_PAGE 50
#define PICK_MEMBERS_MAX 100

/* ---- formatting shared by the pages of this file */

static const char *euros(struct req *r, int64_t cents) { return numbers_euros(r->arena, cents); }

/* "dinsdag 12 januari 2027" and "dinsdag 12 januari 2027, 10:00" in
 * Amsterdam time; "" for 0. */
static const char *date_text(struct req *r, int64_t t) { return req_when(r, t, WHEN_DATE); }
static const char *datetime_text(struct req *r, int64_t t) { return req_when(r, t, WHEN_DATE_TIME); }

static const char *edition_when(struct req *r, bool always_open, int64_t starts_at)
{
	if (always_open)
		return req_tr(r, "Altijd te volgen (e-learning)");
	return starts_at ? datetime_text(r, starts_at) : "";
}

static int year_of(int64_t t)
{
	struct when_local l;
	when_to_local(t, &l);
	return l.year;
}

static const char *budget_state_label(const char *s)
{
	if (!s)
		return "";
	if (!strcmp(s, "reserved"))
		return N_("gereserveerd");
	if (!strcmp(s, "settled"))
		return N_("besteed");
	if (!strcmp(s, "released"))
		return N_("vrijgegeven");
	return "";
}

static bool is_live(enum enrol_state s)
{
	return s == ENROL_REQUESTED || s == ENROL_WAITLISTED || s == ENROL_OFFERED ||
	       s == ENROL_ENROLLED;
}

static json_t *enrolment_json(struct req *r, const struct enrolment *e)
{
	json_t *o = json_pack(
	    "{s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "id",
	    (json_int_t)e->id, "edition_id", (json_int_t)e->edition_id, "module_id",
	    (json_int_t)e->module_id, "person_id", (json_int_t)e->person_id, "person_name",
	    e->person_name ? e->person_name : "", "person_email", e->person_email ? e->person_email : "",
	    "module_title", e->module_title ? e->module_title : "", "when",
	    edition_when(r, e->always_open, e->starts_at), "state", req_tr(r, enrol_state_label(e->state)),
	    "state_key", enrol_state_name(e->state), "price", euros(r, e->price_cents), "live",
	    is_live(e->state), "second_step", e->approval_step == 2);
	/* Only set when there is something: "" would still open a section. */
	if (e->edition_code && *e->edition_code)
		json_object_set_new(o, "code", json_string(e->edition_code));
	if (*budget_state_label(e->budget_state))
		json_object_set_new(o, "budget_state", json_string(req_tr(r, budget_state_label(e->budget_state))));
	if (e->state == ENROL_WAITLISTED && e->waitlist_pos > 0)
		json_object_set_new(o, "waitlist_pos", json_integer(e->waitlist_pos));
	if (e->reason && *e->reason)
		json_object_set_new(o, "reason", json_string(e->reason));
	if (e->place && *e->place)
		json_object_set_new(o, "place", json_string(e->place));
	return o;
}

/* A string for a template section: null when empty ("" would still open it). */
static json_t *text_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

static json_t *page_base(struct req *r)
{
	json_t *data = json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "org_name", r->org.name,
	                         "org_slug", r->org.slug, "breadcrumb", "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"), "href",
	                         arena_printf(r->arena, "/b/%s", r->org.slug), "label", r->org.name);
	return data;
}

/* Adds a link to the breadcrumb. */
static void crumb(json_t *data, const char *href, const char *label)
{
	json_array_append_new(json_object_get(data, "breadcrumb"),
	                      json_pack("{s:s, s:s}", "href", href, "label", label));
}

/* The message of ?gedaan=KEY after a redirect, shown like a flash. */
static void done_message(struct req *r, json_t *data)
{
	static const struct {
		const char *key, *msgid;
	} done[] = {
	    {"goedgekeurd", N_("De aanvraag is goedgekeurd.")},
	    {"afgewezen", N_("De aanvraag is afgewezen.")},
	    {"geannuleerd", N_("De inschrijving is geannuleerd.")},
	    {"verplaatst", N_("De inschrijving is verplaatst.")},
	    {"ingeschreven", N_("Het lid is ingeschreven.")},
	    {"wachtlijst", N_("De uitvoering is vol: het lid staat op de wachtlijst.")},
	    {"aangevraagd", N_("De inschrijving wacht nog op goedkeuring.")},
	    {"gereserveerd", N_("De reservering is opgeslagen.")},
	};
	const char *key = req_query(r, "gedaan");
	for (size_t i = 0; key && i < sizeof done / sizeof done[0]; i++)
		if (!strcmp(key, done[i].key))
			json_object_set_new(data, "flash", json_string(req_tr(r, done[i].msgid)));
}

static const char *result_key(enum enrol_state s)
{
	return s == ENROL_WAITLISTED ? "wachtlijst" : s == ENROL_REQUESTED ? "aangevraagd" : "ingeschreven";
}

/* The enrolment :id, only when it belongs to this organisation (404 otherwise). */
static int load_enrolment(struct req *r, struct ctx *ctx, struct enrolment *e)
{
	int64_t id;
	if (path_id(r, "id", &id))
		return CAMPUS_ENOTFOUND;
	req_ctx(r, ctx);
	int rc = enrol_get(ctx, id, e);
	if (rc == CAMPUS_EFORBIDDEN)
		return CAMPUS_ENOTFOUND;
	if (rc)
		return rc;
	return e->org_id == r->org.id ? 0 : CAMPUS_ENOTFOUND;
}

/* The reason typed in the form, at most ENROL_REASON_MAX bytes. */
static const char *form_reason(struct req *r, const char **why)
{
	const char *reason = req_form(r, "reden");
	if (!reason)
		reason = "";
	if (strlen(reason) > ENROL_REASON_MAX)
		*why = N_("De reden is te lang (hoogstens 1000 tekens).");
	return reason;
}

static unsigned why_status(int rc)
{
	if (rc == CAMPUS_EINVAL || rc == 0)
		return 422;
	return (unsigned)campus_err_status(rc);
}

/* ---- the approval inbox */

static int render_approvals(struct req *r, unsigned status, const char *error, int64_t error_id)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct enrolment *list;
	size_t n;
	int rc = enrol_list_approvals(&ctx, &list, &n);
	if (rc)
		return rc;
	struct enrol_policy pol;
	rc = enrol_policy_get(&ctx, r->org.id, &pol);
	if (rc)
		return rc;
	int64_t now = ctx.now();
	json_t *rows = json_array();
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		/* A campus administrator's inbox is of the organisation they work in. */
		if (list[i].org_id != r->org.id)
			continue;
		json_t *o = enrolment_json(r, &list[i]);
		int64_t days = list[i].requested_at && now > list[i].requested_at
		                   ? (now - list[i].requested_at) / 86400
		                   : 0;
		json_object_set_new(o, "waiting_days", json_integer(days));
		json_object_set_new(o, "waiting_one", json_boolean(days == 1));
		json_object_set_new(o, "requested_on", json_string(date_text(r, list[i].requested_at)));
		if (pol.budgets) {
			/* The budget of the year the edition starts in pays (as enrol.c reserves). */
			int year = year_of(list[i].starts_at && !list[i].always_open ? list[i].starts_at : now);
			struct budget_row b;
			json_object_set_new(o, "year", json_integer(year));
			if (budget_get(&ctx, r->org.id, list[i].person_id, year, &b) == 0) {
				json_object_set_new(o, "budget_left", json_string(euros(r, b.left_cents)));
				json_object_set_new(o, "over_budget", json_boolean(list[i].price_cents > b.left_cents));
			}
		}
		if (list[i].id == error_id)
			json_object_set_new(o, "error", json_string(error));
		json_array_append_new(rows, o);
		count++;
	}
	json_t *data = page_base(r);
	crumb(data, arena_printf(r->arena, "/b/%s/team", r->org.slug), req_tr(r, "Team"));
	json_object_set_new(data, "approvals", rows);
	json_object_set_new(data, "count", json_integer((json_int_t)count));
	json_object_set_new(data, "budgets", json_boolean(pol.budgets));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	done_message(r, data);
	return reply_page(r, status, "manager-goedkeuringen", data);
}

int page_manager_approvals(struct req *r) { return render_approvals(r, 200, NULL, 0); }

int page_manager_decide(struct req *r)
{
	struct ctx ctx;
	struct enrolment e;
	int rc = load_enrolment(r, &ctx, &e);
	if (rc)
		return rc;
	const char *besluit = req_form(r, "besluit");
	bool approve;
	if (besluit && !strcmp(besluit, "goedkeuren"))
		approve = true;
	else if (besluit && !strcmp(besluit, "afwijzen"))
		approve = false;
	else
		return render_approvals(r, 400, req_tr(r, "Kies goedkeuren of afwijzen."), e.id);
	const char *why = NULL;
	const char *reason = form_reason(r, &why);
	if (!why && !approve && blank(reason))
		why = N_("Geef een reden op als u een aanvraag afwijst.");
	if (why) {
		r->error = CAMPUS_EINVAL;
		return render_approvals(r, 422, req_tr(r, why), e.id);
	}
	rc = enrol_decide(&ctx, e.id, approve, reason, &why);
	if (why) {
		r->error = rc;
		return render_approvals(r, why_status(rc), req_tr(r, why), e.id);
	}
	if (rc)
		return rc;
	return reply_redirect(r, arena_printf(r->arena, "/b/%s/goedkeuringen?gedaan=%s", r->org.slug,
	                                      approve ? "goedgekeurd" : "afgewezen"));
}

/* ---- the team's enrolments */

int page_manager_team(struct req *r)
{
	const char *state = req_query(r, "staat");
	const char *q = req_query(r, "q");
	enum enrol_state st = ENROL_STATE_COUNT;
	if (state && *state && enrol_state_parse(state, &st) != 0)
		return CAMPUS_EINVAL;
	unsigned page;
	if (page_param(r, &page))
		return CAMPUS_EINVAL;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct enrolment *list;
	size_t n;
	int rc = enrol_list_org(&ctx, r->org.id, state && *state ? state : NULL, &list, &n);
	if (rc)
		return rc;
	json_t *rows = json_array();
	size_t total = 0;
	size_t first = (size_t)(page - 1) * TEAM_PER_PAGE;
	for (size_t i = 0; i < n; i++) {
		if (q && *q && !strcasestr(list[i].person_name ? list[i].person_name : "", q) &&
		    !strcasestr(list[i].person_email ? list[i].person_email : "", q))
			continue;
		if (total >= first && total < first + TEAM_PER_PAGE)
			json_array_append_new(rows, enrolment_json(r, &list[i]));
		total++;
	}
	json_t *states = json_array();
	for (int s = 0; s < ENROL_STATE_COUNT; s++)
		json_array_append_new(states, json_pack("{s:s, s:s, s:b}", "key",
		                                        enrol_state_name((enum enrol_state)s), "label",
		                                        req_tr(r, enrol_state_label((enum enrol_state)s)),
		                                        "selected", st == (enum enrol_state)s));
	struct enrolment *waiting;
	size_t nwaiting = 0, mine = 0;
	if (enrol_list_approvals(&ctx, &waiting, &nwaiting) == 0)
		for (size_t i = 0; i < nwaiting; i++)
			mine += waiting[i].org_id == r->org.id;
	static const char *const keep[] = {"staat", "q", NULL};
	json_t *data = page_base(r);
	json_object_set_new(data, "enrolments", rows);
	json_object_set_new(data, "states", states);
	json_object_set_new(data, "q", json_string(q ? q : ""));
	json_object_set_new(data, "waiting", json_integer((json_int_t)mine));
	json_object_set_new(data, "pager",
	                    pager_json(r, arena_printf(r->arena, "/b/%s/team", r->org.slug), keep, page,
	                               TEAM_PER_PAGE, (int64_t)total));
	done_message(r, data);
	return reply_page(r, 200, "manager-team", data);
}

/* One enrolment: its history, cancel and move. */
static int render_enrolment(struct req *r, struct ctx *ctx, const struct enrolment *e,
                            unsigned status, const char *error)
{
	struct enrol_event *ev;
	size_t nev;
	int rc = enrol_events(ctx, e->id, &ev, &nev);
	if (rc)
		return rc;
	json_t *events = json_array();
	for (size_t i = 0; i < nev; i++) {
		enum enrol_state to;
		const char *label = ev[i].to_state;
		if (enrol_state_parse(ev[i].to_state, &to) == 0)
			label = req_tr(r, enrol_state_label(to));
		json_t *o = json_pack("{s:s, s:s, s:s}", "at", datetime_text(r, ev[i].at), "who",
		                      *ev[i].actor_name ? ev[i].actor_name : req_tr(r, "Campus"), "state",
		                      label);
		if (ev[i].reason && *ev[i].reason)
			json_object_set_new(o, "reason", json_string(req_tr(r, ev[i].reason)));
		json_array_append_new(events, o);
	}
	json_t *targets = json_array();
	if (is_live(e->state)) {
		struct edition_summary *eds;
		size_t ne;
		if (edition_list_for_module(ctx, e->module_id, &eds, &ne) == 0)
			for (size_t i = 0; i < ne; i++) {
				if (eds[i].id == e->edition_id || eds[i].cancelled)
					continue;
				const char *left =
				    eds[i].seats_left < 0
				        ? req_tr(r, "geen maximum")
				        : arena_printf(r->arena, "%lld %s", (long long)eds[i].seats_left,
				                       req_tr(r, "plaatsen vrij"));
				json_array_append_new(
				    targets, json_pack("{s:I, s:s}", "id", (json_int_t)eds[i].id, "label",
				                       arena_printf(r->arena, "%s%s%s (%s)",
				                                    edition_when(r, eds[i].always_open, eds[i].starts_at),
				                                    *eds[i].code ? " · " : "", eds[i].code, left)));
			}
	}
	json_t *data = page_base(r);
	crumb(data, arena_printf(r->arena, "/b/%s/team", r->org.slug), req_tr(r, "Team"));
	json_object_set_new(data, "enrolment", enrolment_json(r, e));
	json_object_set_new(data, "events", events);
	json_object_set_new(data, "targets", targets);
	json_object_set_new(data, "requested_on", json_string(date_text(r, e->requested_at)));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	const char *reason = req_form(r, "reden");
	json_object_set_new(data, "reason_typed", json_string(reason ? reason : ""));
	done_message(r, data);
	return reply_page(r, status, "manager-inschrijving", data);
}

int page_manager_enrolment(struct req *r)
{
	struct ctx ctx;
	struct enrolment e;
	int rc = load_enrolment(r, &ctx, &e);
	return rc ? rc : render_enrolment(r, &ctx, &e, 200, NULL);
}

int page_manager_cancel(struct req *r)
{
	struct ctx ctx;
	struct enrolment e;
	int rc = load_enrolment(r, &ctx, &e);
	if (rc)
		return rc;
	const char *why = NULL;
	const char *reason = form_reason(r, &why);
	if (!why && blank(reason))
		why = N_("Geef een reden op voor de annulering.");
	if (!why) {
		rc = enrol_cancel(&ctx, e.id, reason, &why);
		if (!why && rc)
			return rc;
	} else {
		rc = CAMPUS_EINVAL;
	}
	if (why) {
		r->error = rc;
		return render_enrolment(r, &ctx, &e, why_status(rc), req_tr(r, why));
	}
	return reply_redirect(r, arena_printf(r->arena, "/b/%s/inschrijvingen/%lld?gedaan=geannuleerd",
	                                      r->org.slug, (long long)e.id));
}

int page_manager_move(struct req *r)
{
	struct ctx ctx;
	struct enrolment e;
	int rc = load_enrolment(r, &ctx, &e);
	if (rc)
		return rc;
	const char *to_text = req_form(r, "uitvoering");
	int64_t to = 0;
	const char *why = NULL;
	if (!to_text || !str_to_int64(to_text, strlen(to_text), &to) || to <= 0)
		why = N_("Kies de uitvoering waar de inschrijving naartoe gaat.");
	struct enrol_result res;
	if (!why) {
		rc = enrol_move(&ctx, e.id, to, &res, &why);
		if (!why && rc)
			return rc;
	} else {
		rc = CAMPUS_EINVAL;
	}
	if (why) {
		r->error = rc;
		return render_enrolment(r, &ctx, &e, why_status(rc), req_tr(r, why));
	}
	return reply_redirect(r, arena_printf(r->arena, "/b/%s/inschrijvingen/%lld?gedaan=verplaatst",
	                                      r->org.slug, (long long)res.enrolment_id));
}

/* ---- enrolling a member */

/* The edition named by a form or query field; 0 when absent or malformed. */
static int64_t id_field(const char *text)
{
	int64_t id;
	return text && str_to_int64(text, strlen(text), &id) && id > 0 ? id : 0;
}

static int render_enrol(struct req *r, unsigned status, const char *error, int64_t edition_id,
                        int64_t person_id)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	json_t *data = page_base(r);
	crumb(data, arena_printf(r->arena, "/b/%s/team", r->org.slug), req_tr(r, "Team"));
	if (edition_id) {
		struct edition ed;
		if (edition_get(&ctx, edition_id, &ed) == 0)
			json_object_set_new(
			    data, "edition",
			    json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)ed.id, "module_id",
			              (json_int_t)ed.module_id, "title", ed.module_title, "provider",
			              ed.provider_name, "when", edition_when(r, ed.always_open, ed.starts_at),
			              "price", euros(r, ed.price_cents), "seats",
			              ed.seats_left < 0 ? req_tr(r, "geen maximum")
			                                : arena_printf(r->arena, "%lld", (long long)ed.seats_left)));
		json_object_set_new(data, "edition_id", json_integer(edition_id));
	}
	const char *q = req_query(r, "q");
	struct member_filter f = {.query = q && *q ? q : NULL, .limit = PICK_MEMBERS_MAX};
	struct member_row *rows;
	size_t n;
	int64_t total;
	int rc = org_members(&ctx, r->org.id, &f, &rows, &n, &total);
	if (rc) {
		json_decref(data);
		return rc;
	}
	json_t *people = json_array();
	bool chosen_listed = false;
	for (size_t i = 0; i < n; i++) {
		chosen_listed |= rows[i].person_id == person_id;
		json_array_append_new(people, json_pack("{s:I, s:s, s:s, s:b}", "id",
		                                        (json_int_t)rows[i].person_id, "name", rows[i].name,
		                                        "email", rows[i].email, "selected",
		                                        rows[i].person_id == person_id));
	}
	/* The person chosen before a refusal stays chosen, also beyond the list's cap. */
	struct member_row m;
	if (person_id && !chosen_listed && member_get(&ctx, r->org.id, person_id, &m) == 0)
		json_array_insert_new(people, 0,
		                      json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)m.person_id, "name",
		                                m.name, "email", m.email, "selected", true));
	json_object_set_new(data, "people", people);
	json_object_set_new(data, "q", json_string(q ? q : ""));
	json_object_set_new(data, "more", json_boolean(total > (int64_t)n));
	json_object_set_new(data, "total", json_integer(total));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "manager-inschrijven", data);
}

int page_manager_enrol(struct req *r)
{
	if (r->method != HTTP_POST)
		return render_enrol(r, 200, NULL, id_field(req_query(r, "uitvoering")), 0);
	int64_t edition_id = id_field(req_form(r, "uitvoering"));
	int64_t person_id = id_field(req_form(r, "persoon"));
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why = NULL;
	int rc = CAMPUS_EINVAL;
	struct member_row m;
	struct edition ed;
	if (!edition_id)
		why = N_("Vul het nummer van de uitvoering in.");
	else if (edition_get(&ctx, edition_id, &ed) != 0)
		why = N_("Deze uitvoering bestaat niet (meer).");
	else if (!person_id || member_get(&ctx, r->org.id, person_id, &m) != 0)
		why = N_("Kies een lid van uw organisatie.");
	struct enrol_result res;
	if (!why) {
		rc = enrol_for_member(&ctx, edition_id, person_id, &res, &why);
		if (!why && rc)
			return rc;
	}
	if (why) {
		r->error = rc;
		return render_enrol(r, why_status(rc), req_tr(r, why), edition_id, person_id);
	}
	return reply_redirect(r, arena_printf(r->arena, "/b/%s/inschrijvingen/%lld?gedaan=%s",
	                                      r->org.slug, (long long)res.enrolment_id,
	                                      result_key(res.state)));
}

/* ---- seats held for the library */

static int render_reserve(struct req *r, struct ctx *ctx, const struct edition *ed, unsigned status,
                          const char *error)
{
	int64_t seats = 0, used = 0;
	for (size_t i = 0; i < ed->nreservations; i++)
		if (ed->reservations[i].org_id == r->org.id) {
			seats = ed->reservations[i].seats;
			used = ed->reservations[i].used;
		}
	json_t *data = page_base(r);
	crumb(data, arena_printf(r->arena, "/b/%s/team", r->org.slug), req_tr(r, "Team"));
	json_t *meetings = json_array();
	for (size_t i = 0; i < ed->nmeetings; i++)
		json_array_append_new(meetings, json_pack("{s:s, s:o}", "when",
		                                          datetime_text(r, ed->meetings[i].starts_at), "place",
		                                          text_or_null(ed->meetings[i].place)));
	json_object_set_new(
	    data, "edition",
	    json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:I, s:b, s:b, s:o}", "id", (json_int_t)ed->id,
	              "module_id", (json_int_t)ed->module_id, "title", ed->module_title, "provider",
	              ed->provider_name, "code", text_or_null(ed->code), "when",
	              edition_when(r, ed->always_open, ed->starts_at), "price", euros(r, ed->price_cents),
	              "capacity", (json_int_t)ed->capacity, "unlimited", ed->seats_left < 0, "cancelled",
	              ed->cancelled, "meetings", meetings));
	json_object_set_new(data, "seats_left", json_integer(ed->seats_left));
	json_object_set_new(data, "reserved", json_integer(seats));
	json_object_set_new(data, "used", json_integer(used));
	json_object_set_new(data, "unused", json_integer(seats - used));
	const char *typed = r->method == HTTP_POST ? req_form(r, "plaatsen") : NULL;
	json_object_set_new(data, "seats_value",
	                    json_string(typed ? typed : arena_printf(r->arena, "%lld", (long long)seats)));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	done_message(r, data);
	(void)ctx;
	return reply_page(r, status, "manager-reserveren", data);
}

int page_manager_reserve(struct req *r)
{
	int64_t id;
	if (path_id(r, "id", &id))
		return CAMPUS_ENOTFOUND;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct edition ed;
	int rc = edition_get(&ctx, id, &ed);
	if (rc)
		return rc == CAMPUS_EFORBIDDEN ? CAMPUS_ENOTFOUND : rc;
	if (r->method != HTTP_POST)
		return render_reserve(r, &ctx, &ed, 200, NULL);
	const char *text = req_form(r, "plaatsen");
	int64_t seats;
	const char *why = NULL;
	if (!text || !str_to_int64(text, strlen(text), &seats) || seats < 0 ||
	    seats > EDITION_CAPACITY_MAX) {
		why = N_("Vul een aantal plaatsen in (0 of meer; 0 geeft de ongebruikte plaatsen vrij).");
		rc = CAMPUS_EINVAL;
	} else {
		rc = edition_reserve(&ctx, ed.id, r->org.id, seats, &why);
		if (!why && rc)
			return rc;
	}
	if (why) {
		r->error = rc;
		return render_reserve(r, &ctx, &ed, why_status(rc), req_tr(r, why));
	}
	return reply_redirect(r, arena_printf(r->arena, "/b/%s/uitvoeringen/%lld/reserveren?gedaan=gereserveerd",
	                                      r->org.slug, (long long)ed.id));
}

/* The number of requests waiting for the actor in org_id (links on /mijn and
 * the organisation's page); 0 when it cannot be read. */
size_t manager_waiting_count(struct req *r, int64_t org_id)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct enrolment *list;
	size_t n, count = 0;
	if (enrol_list_approvals(&ctx, &list, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		count += list[i].org_id == org_id;
	return count;
}
