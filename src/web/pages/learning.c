/* The learner's side of enrolment: a module's editions on its page, the
 * edition page with the one action that fits the visitor, enrolling (the
 * handler a storm of learners hits at once: one domain call, then a
 * redirect), and "Mijn leren" with bookings, offers, waitlist places,
 * requests and history, cancelling after a confirmation step.
 * Times are shown in Dutch time (core/when.h). */
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/catalog.h"
#include "domain/enrol.h"
#include "domain/people.h"
#include "http/req.h"
#include "web/web.h"
#include "view/numbers.h"

/* ---- time and money as a Dutch reader expects them ---- */

/* "dinsdag 14 april 2026" */
static const char *day_text(struct req *r, int64_t t)
{
	return req_when(r, t, WHEN_DATE);
}

/* "dinsdag 14 april 2026, 17:00"; NULL for none. */
static const char *moment_text(struct req *r, int64_t t)
{
	return t ? req_when(r, t, WHEN_DATE_TIME) : NULL;
}

/* A meeting's time: "19:30–21:30", or with the end's day when it is another. */
static const char *span_text(struct req *r, int64_t from, int64_t to)
{
	struct when_local a, b;
	when_to_local(from, &a);
	when_to_local(to, &b);
	const char *start = req_when(r, from, WHEN_TIME);
	if (a.year == b.year && a.month == b.month && a.day == b.day)
		return arena_printf(r->arena, "%s–%s", start,
		                    req_when(r, to, WHEN_TIME));
	return arena_printf(r->arena, "%s – %s", start, moment_text(r, to));
}

static const char *euros(struct req *r, int64_t cents)
{
	return cents ? numbers_euros(r->arena, cents) : req_tr(r, "Gratis");
}

/* A translated msgid with "{n}" replaced by n, so a translator sees the
 * whole sentence ("Nog {n} plaatsen"). */
static const char *with_n(struct req *r, const char *msgid, int64_t n)
{
	const char *s = req_tr(r, msgid);
	const char *at = strstr(s, "{n}");
	if (!at)
		return s;
	return arena_printf(r->arena, "%.*s%lld%s", (int)(at - s), s, (long long)n, at + 3);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* ---- seats ---- */

static const char *seats_text(struct req *r, bool always_open, bool cancelled, int64_t seats_left)
{
	if (cancelled)
		return req_tr(r, "Gaat niet door");
	if (always_open)
		return req_tr(r, "Altijd open");
	if (seats_left < 0)
		return req_tr(r, "Plaats genoeg");
	if (seats_left == 0)
		return req_tr(r, "Vol: wachtlijst");
	if (seats_left == 1)
		return req_tr(r, "Nog 1 plaats");
	return with_n(r, N_("Nog {n} plaatsen"), seats_left);
}

/* What partials/plaatsen needs; it polls while seats can still change. */
static json_t *seats_json(struct req *r, const struct edition *e)
{
	bool live = e->open_now && !e->always_open && e->seats_left >= 0;
	return json_pack("{s:I, s:s, s:b, s:b}", "id", (json_int_t)e->id, "text",
	                 seats_text(r, e->always_open, e->cancelled, e->seats_left), "poll", live,
	                 "full", !e->always_open && e->seats_left == 0);
}

/* ---- the module page: its editions ---- */

int module_editions_json(struct req *r, int64_t module_id, const char *format, json_t **out)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct edition_summary *s;
	size_t n;
	int rc = edition_list_for_module(&ctx, module_id, &s, &n);
	if (rc)
		return rc;
	json_t *list = json_array();
	bool online = format && (!strcmp(format, "online_live") || !strcmp(format, "elearning"));
	for (size_t i = 0; i < n; i++) {
		const char *when = s[i].always_open ? req_tr(r, "Altijd te volgen")
		                                    : day_text(r, s[i].starts_at);
		const char *meetings = s[i].always_open ? NULL
		                       : s[i].nmeetings == 1 ? req_tr(r, "1 bijeenkomst")
		                                             : with_n(r, N_("{n} bijeenkomsten"),
		                                                      s[i].nmeetings);
		const char *place = nonempty(s[i].place)  ? s[i].place
		                    : online              ? req_tr(r, "Online")
		                                          : NULL;
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:b, s:b}", "id",
		                    (json_int_t)s[i].id, "when", when, "meetings", meetings, "place", place,
		                    "code", nonempty(s[i].code), "price", euros(r, s[i].price_cents),
		                    "seats", seats_text(r, s[i].always_open, s[i].cancelled, s[i].seats_left),
		                    "full", !s[i].always_open && s[i].seats_left == 0, "open",
		                    s[i].open_now));
	}
	*out = list;
	return 0;
}

/* ---- the edition page ---- */

static bool is_live(enum enrol_state s)
{
	return s == ENROL_REQUESTED || s == ENROL_WAITLISTED || s == ENROL_OFFERED ||
	       s == ENROL_ENROLLED || s == ENROL_ATTENDED;
}

/* The library's policy says approval comes first (a preview: the domain
 * decides when the learner enrols). */
static bool approval_expected(struct ctx *ctx, const struct edition *e)
{
	if (!ctx->actor.org_id)
		return false;
	struct enrol_policy p;
	if (enrol_policy_get(ctx, ctx->actor.org_id, &p) != 0)
		return false;
	if (!strcmp(p.approval, "always") || (!strcmp(p.approval, "cost") && e->price_cents > 0))
		return true;
	if (p.budgets && e->price_cents > 0) {
		struct budget_row b;
		struct when_local now;
		when_to_local(ctx->now(), &now);
		if (budget_get(ctx, ctx->actor.org_id, ctx->actor.person_id, now.year, &b) == 0)
			return b.left_cents < e->price_cents;
	}
	return false;
}

/* Why this person cannot enrol, read from the edition before they try;
 * NULL when nothing stands in the way (the domain still has the last word). */
static const char *blocked_reason(struct req *r, struct ctx *ctx, const struct edition *e)
{
	int64_t now = ctx->now();
	if (e->cancelled)
		return req_tr(r, "Deze uitvoering gaat niet door.");
	if (!e->always_open && e->starts_at && now >= e->starts_at)
		return req_tr(r, "Deze uitvoering is al begonnen; inschrijven kan niet meer.");
	if (!e->open_now) {
		if (e->enrol_opens_at > now)
			return arena_printf(r->arena, "%s %s.", req_tr(r, "Inschrijven kan vanaf"),
			                    moment_text(r, e->enrol_opens_at));
		return req_tr(r, "De inschrijving voor deze uitvoering is gesloten.");
	}
	if (!r->actor.person_id)
		return NULL;
	bool audience_limited = e->audience && strcmp(e->audience, "both");
	if (!audience_limited && !e->naudience_orgs)
		return NULL;
	struct membership *ms;
	size_t n;
	if (person_memberships(ctx, r->actor.person_id, &ms, &n) != 0)
		return NULL;
	const struct membership *cur = NULL;
	for (size_t i = 0; i < n; i++)
		if (ms[i].org_id == r->actor.org_id)
			cur = &ms[i];
	if (e->naudience_orgs) {
		bool in = false;
		for (size_t i = 0; i < e->naudience_orgs; i++)
			in = in || e->audience_orgs[i].id == r->actor.org_id;
		if (!in)
			return req_tr(r, "Deze uitvoering is alleen voor de organisaties die hieronder staan.");
	}
	if (audience_limited) {
		bool employees = !strcmp(e->audience, "employees");
		const char *want = employees ? "employee" : "volunteer";
		if (!cur || strcmp(cur->kind, want))
			return employees ? req_tr(r, "Deze uitvoering is alleen voor medewerkers.")
			                 : req_tr(r, "Deze uitvoering is alleen voor vrijwilligers.");
	}
	return NULL;
}

/* links: the online links of the meetings, for those booked, teaching or
 * planning only (a public page must not hand out a meeting's link). */
static json_t *edition_json(struct req *r, int64_t now, const struct edition *e, bool links)
{
	json_t *meetings = json_array();
	for (size_t i = 0; i < e->nmeetings; i++) {
		const struct edition_meeting *m = &e->meetings[i];
		const char *place = nonempty(m->place) ? m->place : nonempty(e->place);
		const char *url = nonempty(m->online_url) ? m->online_url : nonempty(e->online_url);
		json_array_append_new(meetings,
		                      json_pack("{s:s, s:s, s:s?, s:s?, s:b}", "day",
		                                day_text(r, m->starts_at), "time",
		                                span_text(r, m->starts_at, m->ends_at), "place", place,
		                                "url", links ? url : NULL, "online", url != NULL));
	}
	json_t *teachers = json_array();
	for (size_t i = 0; i < e->nteachers; i++)
		json_array_append_new(teachers, json_string(e->teachers[i].name));
	json_t *orgs = json_array();
	for (size_t i = 0; i < e->naudience_orgs; i++)
		json_array_append_new(orgs, json_string(e->audience_orgs[i].name));
	json_t *data = json_pack(
	    "{s:I, s:I, s:s, s:s, s:s?, s:b, s:b, s:o, s:o, s:o, s:s, s:s, s:s?, s:s?, s:s?, s:s?,"
	    " s:s?, s:o}",
	    "id", (json_int_t)e->id, "module_id", (json_int_t)e->module_id, "module_title",
	    e->module_title, "provider", e->provider_name, "code", nonempty(e->code), "always_open",
	    e->always_open, "cancelled", e->cancelled, "meetings", meetings, "teachers", teachers,
	    "audience_orgs", orgs, "audience", req_tr(r, module_audience_label(e->audience)), "price",
	    euros(r, e->price_cents), "place", nonempty(e->place), "online_url",
	    links ? nonempty(e->online_url) : NULL, "notes", nonempty(e->notes), "cancel_reason",
	    e->cancelled ? nonempty(e->cancel_reason) : NULL, "format",
	    e->format ? req_tr(r, module_format_label(e->format)) : NULL, "seats", seats_json(r, e));
	if (!e->always_open) {
		json_object_set_new(data, "first_day", json_string(day_text(r, e->starts_at)));
		if (e->enrol_opens_at > now)
			json_object_set_new(data, "opens", json_string(moment_text(r, e->enrol_opens_at)));
		if (e->enrol_closes_at)
			json_object_set_new(data, "closes", json_string(moment_text(r, e->enrol_closes_at)));
		if (e->cancel_until)
			json_object_set_new(data, "cancel_until", json_string(moment_text(r, e->cancel_until)));
	}
	return data;
}

/* The actor's live enrolment in this edition, if any. */
static const struct enrolment *own_enrolment(struct ctx *ctx, int64_t edition_id)
{
	struct enrolment *mine;
	size_t n;
	if (!ctx->actor.person_id || enrol_list_mine(ctx, &mine, &n) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (mine[i].edition_id == edition_id && is_live(mine[i].state))
			return &mine[i];
	return NULL;
}

/* What this visitor can do here: log in, see their booking, read why not,
 * or the one button that fits (enrol, waitlist, request approval). */
static json_t *action_json(struct req *r, struct ctx *ctx, const struct edition *e,
                           const struct enrolment *own)
{
	if (!r->actor.person_id)
		return json_pack("{s:s}", "login",
		                 arena_printf(r->arena, "/inloggen?terug=/uitvoeringen/%lld", (long long)e->id));
	if (own) {
		json_t *a = json_pack("{s:s}", "booked", req_tr(r, enrol_state_label(own->state)));
		if (own->state == ENROL_WAITLISTED && own->waitlist_pos > 0)
			json_object_set_new(a, "position",
			                    json_string(with_n(r, N_("plaats {n} op de wachtlijst"), own->waitlist_pos)));
		return a;
	}
	const char *why = blocked_reason(r, ctx, e);
	if (why)
		return json_pack("{s:s}", "blocked", why);
	/* Seats held for the actor's library are theirs even when the rest is full. */
	int64_t held = 0;
	for (size_t i = 0; i < e->nreservations; i++)
		if (e->reservations[i].org_id == r->actor.org_id)
			held = e->reservations[i].seats - e->reservations[i].used;
	bool full = !e->always_open && e->seats_left == 0 && held <= 0;
	if (approval_expected(ctx, e))
		return json_pack("{s:s, s:s}", "button", req_tr(r, "Aanvragen"), "note",
		                 full
		                     ? req_tr(r, "Je leidinggevende beslist eerst over je aanvraag. Deze uitvoering is vol: na goedkeuring kom je op de wachtlijst.")
		                     : req_tr(r, "Je leidinggevende beslist eerst over je aanvraag; daarna ben je ingeschreven als er nog plaats is."));
	if (full)
		return json_pack("{s:s, s:s}", "button", req_tr(r, "Op de wachtlijst"), "note",
		                 req_tr(r, "Deze uitvoering is vol. Komt er een plaats vrij, dan gaat die naar de eerste op de wachtlijst."));
	return json_pack("{s:s}", "button", req_tr(r, "Inschrijven"));
}

static int render_edition(struct req *r, struct ctx *ctx, const struct edition *e, unsigned status,
                          const char *error)
{
	const struct enrolment *own = own_enrolment(ctx, e->id);
	bool booked = own && (own->state == ENROL_ENROLLED || own->state == ENROL_ATTENDED);
	bool links = booked || edition_may_manage(ctx, e) || edition_may_teach(ctx, e);
	json_t *data = json_pack(
	    "{s:o, s:o, s:[{s:s, s:s}, {s:s, s:s}]}", "edition", edition_json(r, ctx->now(), e, links),
	    "action", action_json(r, ctx, e, own), "breadcrumb", "href", "/aanbod", "label",
	    req_tr(r, "Aanbod"), "href", arena_printf(r->arena, "/aanbod/%lld", (long long)e->module_id),
	    "label", e->module_title);
	if (error)
		json_object_set_new(data, "error", json_string(error));
	/* A library's manager books for the team; the owner plans the edition. */
	bool ended = !e->always_open && e->ends_at && ctx->now() >= e->ends_at;
	if ((r->actor.roles & ROLE_MANAGER) && r->actor.org_id && !e->cancelled && !ended) {
		struct org o;
		if (org_get(ctx, r->actor.org_id, &o) == 0)
			json_object_set_new(
			    data, "team",
			    json_pack("{s:s, s:s, s:s}", "org", o.name, "reserve",
			              arena_printf(r->arena, "/b/%s/uitvoeringen/%lld/reserveren", o.slug,
			                           (long long)e->id),
			              "enrol",
			              arena_printf(r->arena, "/b/%s/team/inschrijven?uitvoering=%lld", o.slug,
			                           (long long)e->id)));
	}
	if (edition_may_manage(ctx, e) && e->provider_slug)
		json_object_set_new(data, "manage",
		                    json_sprintf("/b/%s/uitvoeringen/%lld", e->provider_slug, (long long)e->id));
	return reply_page(r, status, "uitvoering", data);
}

int page_edition(struct req *r)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct edition e;
	if ((rc = edition_get(&ctx, id, &e)))
		return rc;
	return render_edition(r, &ctx, &e, 200, NULL);
}

/* The seats as a fragment for htmx polling (partials/plaatsen). */
int page_edition_seats(struct req *r)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct edition e;
	if ((rc = edition_get(&ctx, id, &e)))
		return rc;
	buf_clear(&r->body);
	if ((rc = req_render(r, "partials/plaatsen", seats_json(r, &e), &r->body)))
		return CAMPUS_EINTERNAL;
	r->status = 200;
	r->content_type = "text/html; charset=utf-8";
	return 0;
}

/* At most this many overlapping bookings travel in the redirect. */
#define CONFLICTS_SHOWN 5

/* Kept lean: a storm of learners posts here at once. One domain call; the
 * edition is read again only to explain a refusal. */
int page_edition_enrol(struct req *r)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct enrol_result res;
	const char *why = NULL;
	rc = enrol_self(&ctx, id, &res, &why);
	if (rc == 0) {
		struct buf loc;
		buf_init(&loc, r->arena, 64);
		buf_printf(&loc, "/mijn/leren?inschrijving=%lld", (long long)res.enrolment_id);
		/* One id per booking (a conflict is reported per overlapping meeting). */
		size_t shown = 0;
		for (size_t i = 0; i < res.nconflicts && shown < CONFLICTS_SHOWN; i++) {
			bool seen = false;
			for (size_t k = 0; k < i; k++)
				seen = seen || res.conflicts[k].enrolment_id == res.conflicts[i].enrolment_id;
			if (!seen) {
				buf_printf(&loc, "&botsing=%lld", (long long)res.conflicts[i].enrolment_id);
				shown++;
			}
		}
		return reply_redirect(r, buf_cstr(&loc));
	}
	if (!why)
		return rc;
	struct edition e;
	int rc2 = edition_get(&ctx, id, &e);
	if (rc2)
		return rc2;
	r->error = rc;
	return render_edition(r, &ctx, &e, rc == CAMPUS_EINVAL ? 422 : 409, req_tr(r, why));
}

/* ---- Mijn leren ---- */

static int64_t query_id(const char *s)
{
	int64_t id;
	return s && str_to_int64(s, strlen(s), &id) && id > 0 ? id : 0;
}

/* The next meeting of a booking that has not ended: day, time, place. */
static json_t *next_meeting_json(struct req *r, struct ctx *ctx, const struct enrolment *en)
{
	struct edition e;
	if (en->always_open || edition_get(ctx, en->edition_id, &e) != 0)
		return NULL;
	int64_t now = ctx->now();
	for (size_t i = 0; i < e.nmeetings; i++) {
		const struct edition_meeting *m = &e.meetings[i];
		if (m->ends_at <= now)
			continue;
		const char *place = nonempty(m->place) ? m->place : nonempty(e.place);
		const char *url = nonempty(m->online_url) ? m->online_url : nonempty(e.online_url);
		return json_pack("{s:s, s:s, s:s?, s:s?}", "day", day_text(r, m->starts_at), "time",
		                 span_text(r, m->starts_at, m->ends_at), "place", place, "url", url);
	}
	return NULL;
}

static json_t *enrolment_json(struct req *r, const struct enrolment *en)
{
	json_t *o = json_pack(
	    "{s:I, s:I, s:s, s:s, s:s, s:s?, s:s, s:b}", "id", (json_int_t)en->id, "edition_id",
	    (json_int_t)en->edition_id, "module_title", en->module_title, "state",
	    req_tr(r, enrol_state_label(en->state)), "when",
	    en->always_open ? req_tr(r, "Altijd te volgen") : day_text(r, en->starts_at), "place",
	    nonempty(en->place), "price", euros(r, en->price_cents), "may_cancel", en->may_cancel);
	if (en->may_cancel && en->cancel_until)
		json_object_set_new(o, "cancel_until", json_string(moment_text(r, en->cancel_until)));
	if (en->state == ENROL_OFFERED && en->offer_expires_at)
		json_object_set_new(o, "offer_until", json_string(moment_text(r, en->offer_expires_at)));
	if (en->state == ENROL_WAITLISTED && en->waitlist_pos > 0)
		json_object_set_new(o, "position", json_integer(en->waitlist_pos));
	if (en->state == ENROL_REQUESTED)
		json_object_set_new(o, "waiting_for",
		                    json_string(en->approval_step == 2
		                                    ? req_tr(r, "Wacht op de tweede goedkeuring")
		                                    : req_tr(r, "Wacht op je leidinggevende")));
	if (nonempty(en->reason) && (en->state == ENROL_REFUSED || en->state == ENROL_CANCELLED ||
	                             en->state == ENROL_EXPIRED))
		json_object_set_new(o, "reason", json_string(en->reason));
	if (nonempty(en->grade))
		json_object_set_new(o, "grade", json_string(en->grade));
	if (en->meetings_total > 0 && (en->state == ENROL_ATTENDED || en->state == ENROL_COMPLETED ||
	                               en->state == ENROL_NOT_COMPLETED))
		json_object_set_new(
		    o, "attendance",
		    json_string(arena_printf(r->arena, "%lld / %lld", (long long)en->meetings_attended,
		                             (long long)en->meetings_total)));
	json_object_set_new(o, "updated", json_string(day_text(r, en->updated_at)));
	return o;
}

/* The banner after enrolling (?inschrijving=id, ?botsing=id...): what
 * happened, and bookings whose meetings overlap. Only the actor's own. */
static json_t *banner_json(struct req *r, const struct enrolment *mine, size_t n)
{
	int64_t id = query_id(req_query(r, "inschrijving"));
	const struct enrolment *en = NULL;
	for (size_t i = 0; id && i < n; i++)
		if (mine[i].id == id)
			en = &mine[i];
	if (!en)
		return NULL;
	const char *msg;
	switch (en->state) {
	case ENROL_ENROLLED:
		msg = req_tr(r, "Je bent ingeschreven.");
		break;
	case ENROL_WAITLISTED:
		msg = with_n(r, N_("Deze uitvoering is vol. Je staat op de wachtlijst, op plaats {n}. Komt er een plaats vrij, dan hoor je het van ons."),
		             en->waitlist_pos);
		break;
	case ENROL_REQUESTED:
		msg = en->approval_step == 2
		          ? req_tr(r, "Je aanvraag wacht op de tweede goedkeuring. Je hoort het zodra er is beslist.")
		          : req_tr(r, "Je aanvraag is naar je leidinggevende gestuurd. Je hoort het zodra die heeft beslist.");
		break;
	case ENROL_OFFERED:
		msg = req_tr(r, "Er is een plaats voor je vrij. Neem het aanbod hieronder aan of wijs het af.");
		break;
	default:
		return NULL;
	}
	json_t *conflicts = json_array();
	for (const struct form_field *f = r->query.first; f; f = f->next) {
		if (strcmp(f->name, "botsing") != 0)
			continue;
		int64_t cid = query_id(f->value);
		for (size_t i = 0; cid && i < n; i++)
			if (mine[i].id == cid && cid != en->id && is_live(mine[i].state))
				json_array_append_new(conflicts,
				                      json_pack("{s:I, s:s, s:s}", "edition_id",
				                                (json_int_t)mine[i].edition_id, "title",
				                                mine[i].module_title, "when",
				                                day_text(r, mine[i].starts_at)));
	}
	return json_pack("{s:s, s:s, s:I, s:o}", "message", msg, "title", en->module_title,
	                 "edition_id", (json_int_t)en->edition_id, "conflicts", conflicts);
}

static int render_learning(struct req *r, unsigned status, const char *error)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct enrolment *mine;
	size_t n;
	int rc = enrol_list_mine(&ctx, &mine, &n);
	if (rc)
		return rc;
	json_t *bookings = json_array(), *offers = json_array(), *waiting = json_array(),
	       *requests = json_array(), *history = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = enrolment_json(r, &mine[i]);
		switch (mine[i].state) {
		case ENROL_ENROLLED:
		case ENROL_ATTENDED: {
			json_t *next = next_meeting_json(r, &ctx, &mine[i]);
			if (next)
				json_object_set_new(o, "next", next);
			json_array_append_new(bookings, o);
			break;
		}
		case ENROL_OFFERED: json_array_append_new(offers, o); break;
		case ENROL_WAITLISTED: json_array_append_new(waiting, o); break;
		case ENROL_REQUESTED: json_array_append_new(requests, o); break;
		default: json_array_append_new(history, o); break;
		}
	}
	json_t *data = json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:[{s:s, s:s}]}", "bookings", bookings,
	                         "offers", offers, "waiting", waiting, "requests", requests, "history",
	                         history, "nothing", n == 0, "breadcrumb", "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"));
	json_t *banner = banner_json(r, mine, n);
	if (banner)
		json_object_set_new(data, "banner", banner);
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "mijn-leren", data);
}

int page_learning(struct req *r) { return render_learning(r, 200, NULL); }

/* The actor's own enrolment named by :id; CAMPUS_ENOTFOUND for anyone
 * else's, also when the actor manages it (that is the team pages' work). */
static int own_enrolment_by_path(struct req *r, struct ctx *ctx, struct enrolment *en)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	if ((rc = enrol_get(ctx, id, en)))
		return rc == CAMPUS_EFORBIDDEN ? CAMPUS_ENOTFOUND : rc;
	return en->person_id == r->actor.person_id ? 0 : CAMPUS_ENOTFOUND;
}

static int render_cancel(struct req *r, const struct enrolment *en, unsigned status,
                         const char *error)
{
	json_t *data = json_pack("{s:o, s:[{s:s, s:s}, {s:s, s:s}]}", "enrolment",
	                         enrolment_json(r, en), "breadcrumb", "href", "/mijn", "label",
	                         req_tr(r, "Mijn Campus"), "href", "/mijn/leren", "label",
	                         req_tr(r, "Mijn leren"));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	if (!en->may_cancel && !error) {
		const char *msg =
		    is_live(en->state)
		        ? N_("Zelf annuleren kan niet meer: de termijn daarvoor is voorbij. Neem contact op met de aanbieder of je leidinggevende.")
		        : N_("Deze inschrijving loopt niet meer; er is niets te annuleren.");
		json_object_set_new(data, "closed", json_string(req_tr(r, msg)));
	}
	const char *reason = req_form(r, "reden");
	if (reason)
		json_object_set_new(data, "reason", json_string(reason));
	return reply_page(r, status, "mijn-leren-annuleren", data);
}

/* GET: "Weet je het zeker?"; POST: cancels. */
int page_learning_cancel(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct enrolment en;
	int rc = own_enrolment_by_path(r, &ctx, &en);
	if (rc)
		return rc;
	if (r->method != HTTP_POST)
		return render_cancel(r, &en, 200, NULL);
	const char *reason = req_form(r, "reden");
	if (reason && strlen(reason) > ENROL_REASON_MAX) {
		r->error = CAMPUS_EINVAL;
		return render_cancel(r, &en, 422,
		                     req_tr(r, "De reden is te lang: hoogstens 1000 tekens."));
	}
	const char *why = NULL;
	rc = enrol_cancel(&ctx, en.id, reason && *reason ? reason : NULL, &why);
	if (rc && why) {
		r->error = rc;
		return render_cancel(r, &en, rc == CAMPUS_EINVAL ? 422 : 409, req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "inschrijving_geannuleerd");
	return reply_redirect(r, "/mijn/leren");
}

int page_learning_offer(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct enrolment en;
	int rc = own_enrolment_by_path(r, &ctx, &en);
	if (rc)
		return rc;
	const char *answer = req_form(r, "antwoord");
	bool accept = answer && !strcmp(answer, "accepteren");
	if (!accept && !(answer && !strcmp(answer, "afwijzen"))) {
		r->error = CAMPUS_EINVAL;
		return render_learning(r, 422, req_tr(r, "Kies of je het aanbod aanneemt of afwijst."));
	}
	const char *why = NULL;
	rc = enrol_offer_answer(&ctx, en.id, accept, &why);
	if (rc && why) {
		r->error = rc;
		return render_learning(r, rc == CAMPUS_EINVAL ? 422 : 409, req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, accept ? "aanbod_aangenomen" : "aanbod_afgewezen");
	return reply_redirect(r, "/mijn/leren");
}
