/* /api/v1/provider/editions...: a provider's own systems plan editions of
 * its modules, read their participants and send attendance and results,
 * with an API token of that organisation (modules:read for GET,
 * modules:write for changes; the route policy checks the scope). Each
 * handler answers 404 for an edition of another organisation. Times are
 * ISO 8601: with Z or an offset as given, without one as Dutch local time;
 * answers give UTC ("2027-01-12T09:00:00Z"). Batches of attendance and
 * results are all or nothing, with a result per row. Documented in
 * static/openapi.json. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/when.h"
#include "domain/enrol.h"
#include "http/req.h"
#include "web/web.h"

static const char *S(const char *s) { return s ? s : ""; }

/* ---- times ---- */

static json_t *iso_time(int64_t t)
{
	if (!t)
		return json_null();
	time_t tt = (time_t)t;
	struct tm tm;
	char text[32];
	if (!gmtime_r(&tt, &tm) || !strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(text);
}

static bool two(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

/* "2027-01-12T10:00", with ":SS", and "Z" or "+01:00" (else Amsterdam time). */
static bool iso_parse(const char *s, int64_t *out)
{
	char date[11], hm[6];
	size_t n = s ? strlen(s) : 0;
	if (n < 16 || (s[10] != 'T' && s[10] != ' '))
		return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	memcpy(hm, s + 11, 5);
	hm[5] = '\0';
	const char *rest = s + 16;
	int sec = 0;
	if (*rest == ':') {
		if (!two(rest + 1, &sec) || sec > 59)
			return false;
		rest += 3;
	}
	if (!*rest)
		return when_parse(date, hm, out);
	int y, mo, d, h, mi;
	if (!when_parse_date(date, &y, &mo, &d) || !when_parse_time(hm, &h, &mi))
		return false;
	int offset = 0;
	if (!strcmp(rest, "Z"))
		offset = 0;
	else if ((rest[0] == '+' || rest[0] == '-') && strlen(rest) == 6 && rest[3] == ':') {
		int oh, om;
		if (!two(rest + 1, &oh) || !two(rest + 4, &om) || oh > 14 || om > 59)
			return false;
		offset = (rest[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	} else
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
	                .tm_min = mi, .tm_sec = sec};
	*out = (int64_t)timegm(&tm) - offset;
	return true;
}

/* ---- problems ---- */

struct api_problems {
	json_t *list;
};

static void problem(struct req *r, struct api_problems *p, const char *field, const char *msgid)
{
	if (!p->list)
		p->list = json_array();
	json_array_append_new(p->list, json_pack("{s:s, s:s}", "field", field, "message", req_tr(r, msgid)));
}

static int reply_problems(struct req *r, unsigned status, struct api_problems *p,
                          const char *message)
{
	r->error = status == 409 ? CAMPUS_ECONFLICT : CAMPUS_EINVAL;
	return reply_json(r, status,
	                  json_pack("{s:{s:s, s:s, s:o, s:s}}", "error", "code",
	                            status == 409 ? "conflict" : "invalid", "message",
	                            req_tr(r, message), "problems", p->list ? p->list : json_array(),
	                            "request_id", r->id));
}

static void domain_problems(struct req *r, const struct edition_problems *pr,
                            struct api_problems *p)
{
	const struct {
		const char *field, *msgid;
	} map[] = {{"code", pr->code},
	           {"capacity", pr->capacity},
	           {"min_participants", pr->min_participants},
	           {"enrol_opens_at", pr->enrol_window},
	           {"cancel_until", pr->cancel_until},
	           {"price_cents", pr->price},
	           {"audience", pr->audience},
	           {"offer_hours", pr->offer_hours},
	           {"place", pr->place},
	           {"online_url", pr->online_url},
	           {"notes", pr->notes},
	           {"meetings", pr->meetings},
	           {"teacher_ids", pr->teachers},
	           {"audience_org_ids", pr->audience_orgs}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].msgid)
			problem(r, p, map[i].field, map[i].msgid);
}

/* ---- JSON in ---- */

static const char *const known_fields[] = {
    "module_id", "code", "always_open", "capacity", "min_participants", "enrol_opens_at",
    "enrol_closes_at", "cancel_until", "price_cents", "audience", "offer_hours", "place",
    "online_url", "notes", "meetings", "teacher_ids", "audience_org_ids"};

static const char *str_field(struct req *r, json_t *body, const char *key, struct api_problems *p)
{
	json_t *v = json_object_get(body, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		problem(r, p, key, N_("Dit veld moet tekst zijn."));
		return NULL;
	}
	return json_string_value(v);
}

static int64_t int_field(struct req *r, json_t *body, const char *key, int64_t absent,
                         struct api_problems *p)
{
	json_t *v = json_object_get(body, key);
	if (!v || json_is_null(v))
		return absent;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		problem(r, p, key, N_("Dit veld moet een geheel getal van 0 of meer zijn."));
		return absent;
	}
	return json_integer_value(v);
}

static int64_t time_field(struct req *r, json_t *body, const char *key, struct api_problems *p)
{
	json_t *v = json_object_get(body, key);
	int64_t t = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || !iso_parse(json_string_value(v), &t))
		problem(r, p, key, N_("Geef een tijdstip als 2027-01-12T10:00:00+01:00."));
	return t;
}

static void ids_field(struct req *r, json_t *body, const char *key, size_t max,
                      const int64_t **ids, size_t *n, struct api_problems *p)
{
	*ids = NULL;
	*n = 0;
	json_t *v = json_object_get(body, key);
	if (!v || json_is_null(v))
		return;
	if (!json_is_array(v) || json_array_size(v) > max) {
		problem(r, p, key, N_("Dit veld moet een korte lijst van nummers zijn."));
		return;
	}
	int64_t *out = arena_alloc(r->arena, (json_array_size(v) + 1) * sizeof *out);
	if (!out)
		return;
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item) {
		if (!json_is_integer(item) || json_integer_value(item) <= 0) {
			problem(r, p, key, N_("Dit veld moet een korte lijst van nummers zijn."));
			return;
		}
		out[i] = json_integer_value(item);
	}
	*ids = out;
	*n = json_array_size(v);
}

static void read_body(struct req *r, struct edition_input *in, int64_t *module_id,
                      struct api_problems *p)
{
	memset(in, 0, sizeof *in);
	in->price_cents = -1;
	json_t *body = r->json;
	if (!json_is_object(body)) {
		problem(r, p, "", N_("De inhoud moet een JSON-object zijn."));
		return;
	}
	const char *key;
	json_t *value;
	json_object_foreach(body, key, value) {
		size_t i = 0;
		while (i < sizeof known_fields / sizeof known_fields[0] && strcmp(known_fields[i], key))
			i++;
		if (i == sizeof known_fields / sizeof known_fields[0]) {
			problem(r, p, key, N_("Onbekend veld."));
			return;
		}
	}
	if (module_id) {
		json_t *m = json_object_get(body, "module_id");
		if (!json_is_integer(m) || json_integer_value(m) <= 0)
			problem(r, p, "module_id", N_("Geef het nummer van de module."));
		else
			*module_id = json_integer_value(m);
	}
	in->code = str_field(r, body, "code", p);
	json_t *ao = json_object_get(body, "always_open");
	if (ao && !json_is_boolean(ao))
		problem(r, p, "always_open", N_("Dit veld moet true of false zijn."));
	in->always_open = json_is_true(ao);
	in->capacity = int_field(r, body, "capacity", 0, p);
	in->min_participants = int_field(r, body, "min_participants", 0, p);
	in->offer_hours = int_field(r, body, "offer_hours", 0, p);
	in->price_cents = int_field(r, body, "price_cents", -1, p);
	in->enrol_opens_at = time_field(r, body, "enrol_opens_at", p);
	in->enrol_closes_at = time_field(r, body, "enrol_closes_at", p);
	in->cancel_until = time_field(r, body, "cancel_until", p);
	in->audience = str_field(r, body, "audience", p);
	in->place = str_field(r, body, "place", p);
	in->online_url = str_field(r, body, "online_url", p);
	in->notes = str_field(r, body, "notes", p);
	ids_field(r, body, "teacher_ids", EDITION_TEACHERS_MAX, &in->teachers, &in->nteachers, p);
	ids_field(r, body, "audience_org_ids", EDITION_AUDIENCE_ORGS_MAX, &in->audience_orgs,
	          &in->naudience_orgs, p);
	json_t *ms = json_object_get(body, "meetings");
	if (!ms || json_is_null(ms))
		return;
	if (!json_is_array(ms) || json_array_size(ms) > EDITION_MEETINGS_MAX) {
		problem(r, p, "meetings", N_("Geef de bijeenkomsten als lijst (hoogstens 40)."));
		return;
	}
	struct edition_meeting_input *out = arena_alloc(r->arena, (json_array_size(ms) + 1) * sizeof *out);
	if (!out)
		return;
	size_t i;
	json_t *m;
	json_array_foreach(ms, i, m) {
		const char *field = arena_printf(r->arena, "meetings[%zu]", i);
		if (!json_is_object(m)) {
			problem(r, p, field, N_("Een bijeenkomst heeft starts_at, ends_at en eventueel place en online_url."));
			return;
		}
		out[i].starts_at = time_field(r, m, "starts_at", p);
		out[i].ends_at = time_field(r, m, "ends_at", p);
		if (!out[i].starts_at || !out[i].ends_at)
			problem(r, p, field, N_("Een bijeenkomst heeft starts_at, ends_at en eventueel place en online_url."));
		out[i].place = str_field(r, m, "place", p);
		out[i].online_url = str_field(r, m, "online_url", p);
	}
	in->meetings = out;
	in->nmeetings = json_array_size(ms);
}

/* ---- JSON out ---- */

static json_t *edition_json(const struct edition *e)
{
	json_t *ms = json_array();
	for (size_t i = 0; i < e->nmeetings; i++)
		json_array_append_new(ms, json_pack("{s:I, s:o, s:o, s:s, s:s}", "id",
		                                    (json_int_t)e->meetings[i].id, "starts_at",
		                                    iso_time(e->meetings[i].starts_at), "ends_at",
		                                    iso_time(e->meetings[i].ends_at), "place",
		                                    S(e->meetings[i].place), "online_url",
		                                    S(e->meetings[i].online_url)));
	json_t *teachers = json_array();
	for (size_t i = 0; i < e->nteachers; i++)
		json_array_append_new(teachers, json_pack("{s:I, s:s}", "id", (json_int_t)e->teachers[i].id,
		                                          "name", S(e->teachers[i].name)));
	json_t *orgs = json_array();
	for (size_t i = 0; i < e->naudience_orgs; i++)
		json_array_append_new(orgs, json_pack("{s:I, s:s}", "id", (json_int_t)e->audience_orgs[i].id,
		                                      "name", S(e->audience_orgs[i].name)));
	json_t *res = json_array();
	for (size_t i = 0; i < e->nreservations; i++)
		json_array_append_new(res, json_pack("{s:I, s:s, s:I, s:I}", "org_id",
		                                     (json_int_t)e->reservations[i].org_id, "org_name",
		                                     S(e->reservations[i].org_name), "seats",
		                                     (json_int_t)e->reservations[i].seats, "used",
		                                     (json_int_t)e->reservations[i].used));
	json_t *o = json_pack(
	    "{s:I, s:I, s:s, s:s, s:b, s:b, s:o, s:I, s:o, s:o, s:o, s:I, s:b, s:s, s:I, s:s, s:s,"
	    " s:s, s:o, s:o}",
	    "id", (json_int_t)e->id, "module_id", (json_int_t)e->module_id, "module_title",
	    S(e->module_title), "code", S(e->code), "always_open", e->always_open, "cancelled",
	    e->cancelled, "capacity", e->capacity ? json_integer((json_int_t)e->capacity) : json_null(),
	    "min_participants", (json_int_t)e->min_participants, "enrol_opens_at",
	    iso_time(e->enrol_opens_at), "enrol_closes_at", iso_time(e->enrol_closes_at),
	    "cancel_until", iso_time(e->cancel_until), "price_cents", (json_int_t)e->price_cents,
	    "price_overridden", e->price_overridden, "audience", S(e->audience), "offer_hours",
	    (json_int_t)e->offer_hours, "place", S(e->place), "online_url", S(e->online_url), "notes",
	    S(e->notes), "starts_at", iso_time(e->starts_at), "ends_at", iso_time(e->ends_at));
	json_object_set_new(o, "cancel_reason", json_string(S(e->cancel_reason)));
	json_object_set_new(o, "seats", json_pack("{s:I, s:o, s:I, s:I, s:I, s:I}", "taken",
	                                          (json_int_t)e->seats_taken, "left",
	                                          e->seats_left < 0 ? json_null()
	                                                            : json_integer((json_int_t)e->seats_left),
	                                          "enrolled", (json_int_t)e->enrolled, "waitlisted",
	                                          (json_int_t)e->waitlisted, "requested",
	                                          (json_int_t)e->requested, "offered",
	                                          (json_int_t)e->offered));
	json_object_set_new(o, "open_now", json_boolean(e->open_now));
	json_object_set_new(o, "meetings", ms);
	json_object_set_new(o, "teachers", teachers);
	json_object_set_new(o, "audience_orgs", orgs);
	json_object_set_new(o, "reservations", res);
	return o;
}

/* The token's organisation's edition of :id; 404 for anyone else's. */
static int own_edition(struct req *r, struct edition *e)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	if ((rc = edition_get(&ctx, id, e)))
		return rc;
	return e->provider_id == r->actor.org_id && edition_may_manage(&ctx, e) ? 0 : CAMPUS_ENOTFOUND;
}

static int edition_reply(struct req *r, unsigned status, int64_t id)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct edition e;
	int rc = edition_get(&ctx, id, &e);
	if (rc)
		return rc;
	if (status == 201)
		req_add_header(r, "Location",
		               arena_printf(r->arena, "/api/v1/provider/editions/%lld", (long long)id));
	return reply_json(r, status, edition_json(&e));
}

/* ---- handlers ---- */

static bool date_query(struct req *r, const char *name, int64_t *out)
{
	const char *s = req_query(r, name);
	if (!s || !*s)
		return true;
	return when_parse(s, "00:00", out);
}

int api_provider_editions(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct api_problems p = {0};
	if (r->method == HTTP_POST) {
		if (!(r->actor.flags & ACTOR_API_WRITE))
			return CAMPUS_EFORBIDDEN;
		struct edition_input in;
		int64_t module_id = 0;
		read_body(r, &in, &module_id, &p);
		if (p.list)
			return reply_problems(r, 400, &p, N_("De uitvoering is niet opgeslagen. Verbeter de gemarkeerde velden."));
		struct edition_problems pr = {0};
		int64_t id = 0;
		int rc = edition_create(&ctx, module_id, &in, &id, &pr);
		if (rc == CAMPUS_EINVAL) {
			domain_problems(r, &pr, &p);
			return reply_problems(r, 400, &p, N_("De uitvoering is niet opgeslagen. Verbeter de gemarkeerde velden."));
		}
		/* Another organisation's module is unknown here, as everywhere. */
		if (rc == CAMPUS_EFORBIDDEN)
			rc = CAMPUS_ENOTFOUND;
		return rc ? rc : edition_reply(r, 201, id);
	}
	int64_t from = 0, to = INT64_MAX, module_id = 0;
	if (!date_query(r, "from", &from) || !date_query(r, "to", &to))
		return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Geef from en to als datum, bijvoorbeeld 2027-01-12."));
	const char *mod = req_query(r, "module_id");
	if (mod && *mod && (!str_to_int64(mod, strlen(mod), &module_id) || module_id <= 0))
		return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Kies een bestaande module."));
	int64_t page = 1;
	const char *pg = req_query(r, "page");
	if (pg && *pg && (!str_to_int64(pg, strlen(pg), &page) || page < 1 || page > 100000))
		return reply_error(r, CAMPUS_EINVAL, req_tr(r, "Geef page als een paginanummer vanaf 1."));
	struct edition_summary *rows;
	size_t n;
	bool more;
	int rc = edition_list_for_provider(&ctx, r->actor.org_id, module_id, from, to,
	                                   (size_t)(page - 1) * EDITION_LIST_PAGE, EDITION_LIST_PAGE,
	                                   &rows, &n, &more, NULL);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(
		    list, json_pack("{s:I, s:I, s:s, s:s, s:s, s:b, s:b, s:b, s:o, s:o, s:I, s:o, s:o, s:I,"
		                    " s:I, s:I, s:I}",
		                    "id", (json_int_t)rows[i].id, "module_id", (json_int_t)rows[i].module_id,
		                    "module_title", S(rows[i].module_title), "code", S(rows[i].code), "place",
		                    S(rows[i].place), "always_open", rows[i].always_open, "cancelled",
		                    rows[i].cancelled, "open_now", rows[i].open_now, "starts_at",
		                    iso_time(rows[i].starts_at), "ends_at", iso_time(rows[i].ends_at),
		                    "meetings", (json_int_t)rows[i].nmeetings, "capacity",
		                    rows[i].capacity ? json_integer((json_int_t)rows[i].capacity) : json_null(),
		                    "seats_left",
		                    rows[i].seats_left < 0 ? json_null() : json_integer((json_int_t)rows[i].seats_left),
		                    "enrolled", (json_int_t)rows[i].enrolled, "waitlisted",
		                    (json_int_t)rows[i].waitlisted, "requested", (json_int_t)rows[i].requested,
		                    "price_cents", (json_int_t)rows[i].price_cents));
	}
	/* The next page: the same query with page + 1 (null on the last). */
	static const char *const keep[] = {"from", "to", "module_id", NULL};
	json_t *next = more ? json_string(page_link(r, "/api/v1/provider/editions", keep, "page",
	                                            (unsigned)page + 1))
	                    : json_null();
	return reply_json(r, 200, json_pack("{s:o, s:I, s:I, s:o}", "editions", list, "count", (json_int_t)n,
	                                    "page", (json_int_t)page, "next", next));
}

int api_provider_edition(struct req *r)
{
	struct edition e;
	int rc = own_edition(r, &e);
	if (rc)
		return rc;
	if (r->method != HTTP_PUT)
		return reply_json(r, 200, edition_json(&e));
	if (!(r->actor.flags & ACTOR_API_WRITE))
		return CAMPUS_EFORBIDDEN;
	struct api_problems p = {0};
	struct edition_input in;
	read_body(r, &in, NULL, &p);
	if (p.list)
		return reply_problems(r, 400, &p, N_("De wijzigingen zijn niet opgeslagen. Verbeter de gemarkeerde velden."));
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct edition_problems pr = {0};
	rc = edition_update(&ctx, e.id, &in, &pr);
	if (rc == CAMPUS_EINVAL || rc == CAMPUS_ECONFLICT) {
		domain_problems(r, &pr, &p);
		return reply_problems(r, rc == CAMPUS_ECONFLICT ? 409 : 400, &p,
		                      N_("De wijzigingen zijn niet opgeslagen. Verbeter de gemarkeerde velden."));
	}
	return rc ? rc : edition_reply(r, 200, e.id);
}

int api_provider_edition_participants(struct req *r)
{
	struct edition e;
	int rc = own_edition(r, &e);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct enrolment *p;
	size_t n;
	if ((rc = enrol_list_edition(&ctx, e.id, &p, &n)))
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:o, s:I, s:I, s:s}", "enrolment_id",
		                    (json_int_t)p[i].id, "name", S(p[i].person_name), "email",
		                    S(p[i].person_email), "org_id", (json_int_t)p[i].org_id, "org_name",
		                    S(p[i].org_name), "state", enrol_state_name(p[i].state), "waitlist_position",
		                    p[i].waitlist_pos ? json_integer((json_int_t)p[i].waitlist_pos) : json_null(),
		                    "meetings_attended", (json_int_t)p[i].meetings_attended,
		                    "meetings_total", (json_int_t)p[i].meetings_total, "grade", S(p[i].grade)));
	return reply_json(r, 200, json_pack("{s:I, s:o, s:I}", "edition_id", (json_int_t)e.id,
	                                    "participants", list, "count", (json_int_t)n));
}

/* A row's person: "enrolment_id" or "email". */
static bool row_person(json_t *row, int64_t *enrolment_id, const char **email)
{
	json_t *id = json_object_get(row, "enrolment_id");
	json_t *em = json_object_get(row, "email");
	*enrolment_id = 0;
	*email = NULL;
	if (id && json_is_integer(id) && json_integer_value(id) > 0)
		*enrolment_id = json_integer_value(id);
	else if (em && json_is_string(em) && *json_string_value(em))
		*email = json_string_value(em);
	else
		return false;
	return true;
}

/* Per-row results after a batch: {"row", "ok"} or {"row", "error"}. */
static json_t *row_results(struct req *r, size_t n, const struct attendance_outcome *out)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, out[i].why ? json_pack("{s:I, s:b, s:s}", "row", (json_int_t)i,
		                                                   "ok", 0, "error", req_tr(r, out[i].why))
		                                       : json_pack("{s:I, s:b}", "row", (json_int_t)i, "ok", 1));
	return list;
}

static int batch_reply(struct req *r, int rc, const char *why, size_t n,
                       const struct attendance_outcome *out)
{
	if (rc && !why && rc != CAMPUS_EINVAL && rc != CAMPUS_ECONFLICT)
		return rc;
	if (rc) {
		r->error = rc;
		return reply_json(r, 422,
		                  json_pack("{s:{s:s, s:s, s:o, s:s}}", "error", "code", "invalid", "message",
		                            req_tr(r, why ? why : N_("Niets opgeslagen: een of meer regels zijn fout.")),
		                            "rows", row_results(r, n, out), "request_id", r->id));
	}
	return reply_json(r, 200, json_pack("{s:b, s:I, s:o}", "saved", 1, "count", (json_int_t)n,
	                                    "rows", row_results(r, n, out)));
}

int api_provider_edition_attendance(struct req *r)
{
	struct edition e;
	int rc = own_edition(r, &e);
	if (rc)
		return rc;
	struct api_problems p = {0};
	json_t *body = r->json;
	json_t *mid = json_object_get(body, "meeting_id");
	json_t *marks = json_object_get(body, "marks");
	int64_t meeting_id = json_is_integer(mid) ? json_integer_value(mid) : 0;
	bool known = false;
	for (size_t i = 0; i < e.nmeetings; i++)
		known = known || e.meetings[i].id == meeting_id;
	if (!json_is_object(body) || !known)
		problem(r, &p, "meeting_id", N_("Geef het nummer van een bijeenkomst van deze uitvoering."));
	if (!json_is_array(marks) || json_array_size(marks) == 0 || json_array_size(marks) > 5000)
		problem(r, &p, "marks", N_("Geef marks als lijst van {\"email\", \"present\"} (hoogstens 5000)."));
	if (p.list)
		return reply_problems(r, 400, &p, N_("Niets opgeslagen: een of meer regels zijn fout."));
	size_t n = json_array_size(marks);
	struct attendance_mark *in = arena_alloc(r->arena, n * sizeof *in);
	struct attendance_outcome *out = arena_alloc(r->arena, n * sizeof *out);
	if (!in || !out)
		return CAMPUS_ENOMEM;
	memset(out, 0, n * sizeof *out);
	size_t i;
	json_t *row;
	json_array_foreach(marks, i, row) {
		json_t *present = json_object_get(row, "present");
		if (!json_is_object(row) || !row_person(row, &in[i].enrolment_id, &in[i].person_email) ||
		    !json_is_boolean(present))
			problem(r, &p, arena_printf(r->arena, "marks[%zu]", i),
			        N_("Een regel heeft email (of enrolment_id) en present (true of false)."));
		else
			in[i].present = json_is_true(present);
	}
	if (p.list)
		return reply_problems(r, 400, &p, N_("Niets opgeslagen: een of meer regels zijn fout."));
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why = NULL;
	rc = enrol_attendance_set(&ctx, meeting_id, in, n, ATTEND_API, out, &why);
	return batch_reply(r, rc, why, n, out);
}

int api_provider_edition_results(struct req *r)
{
	struct edition e;
	int rc = own_edition(r, &e);
	if (rc)
		return rc;
	struct api_problems p = {0};
	json_t *results = json_object_get(r->json, "results");
	if (!json_is_object(r->json) || !json_is_array(results) || json_array_size(results) == 0 ||
	    json_array_size(results) > 5000)
		problem(r, &p, "results",
		        N_("Geef results als lijst van {\"email\", \"outcome\", \"grade\"} (hoogstens 5000)."));
	if (p.list)
		return reply_problems(r, 400, &p, N_("Niets opgeslagen: een of meer regels zijn fout."));
	size_t n = json_array_size(results);
	struct enrol_result_mark *in = arena_alloc(r->arena, n * sizeof *in);
	struct attendance_outcome *out = arena_alloc(r->arena, n * sizeof *out);
	if (!in || !out)
		return CAMPUS_ENOMEM;
	memset(out, 0, n * sizeof *out);
	size_t i;
	json_t *row;
	json_array_foreach(results, i, row) {
		const char *outcome = json_string_value(json_object_get(row, "outcome"));
		json_t *grade = json_object_get(row, "grade");
		const char *field = arena_printf(r->arena, "results[%zu]", i);
		if (!json_is_object(row) || !row_person(row, &in[i].enrolment_id, &in[i].person_email)) {
			problem(r, &p, field, N_("Een regel heeft email (of enrolment_id), outcome en eventueel grade."));
			continue;
		}
		if (outcome && !strcmp(outcome, "completed"))
			in[i].outcome = RESULT_COMPLETED;
		else if (outcome && !strcmp(outcome, "not_completed"))
			in[i].outcome = RESULT_NOT_COMPLETED;
		else if (outcome && !strcmp(outcome, "no_show"))
			in[i].outcome = RESULT_NO_SHOW;
		else
			problem(r, &p, field, N_("outcome is completed, not_completed of no_show."));
		if (grade && !json_is_null(grade) &&
		    (!json_is_string(grade) || strlen(json_string_value(grade)) > ENROL_GRADE_MAX))
			problem(r, &p, field, N_("Het cijfer is te lang (hoogstens 20 tekens)."));
		else
			in[i].grade = json_is_string(grade) ? json_string_value(grade) : NULL;
	}
	if (p.list)
		return reply_problems(r, 400, &p, N_("Niets opgeslagen: een of meer regels zijn fout."));
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why = NULL;
	rc = enrol_results_set(&ctx, e.id, in, n, ATTEND_API, out, &why);
	return batch_reply(r, rc, why, n, out);
}
